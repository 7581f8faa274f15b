"""Live evidence beside each principle: every indicator definition, in this one module.

Each indicator is a function of a DuckDB connection over the canonical extract
(analytics/schema.py, from the platform's records or an imported MHSDS-style extract) and a
period; it returns (numerator, denominator). Its docstring names the principle and defines the
numerator and the denominator; the page shows that text as the definition. Figures are computed
for the round's period and for each of the four quarters (three-month windows) ending with it,
and are suppressed (analytics/disclosure.py) before anything leaves this module. They are
evidence for the panel, never a score.

No Django here: ``evidence_for`` takes an extract directory; sources.py finds it.
"""

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from thrive.analytics import metrics
from thrive.analytics.disclosure import SUPPRESSED, suppress, suppressed_percent
from thrive.analytics.engine import connect
from thrive.analytics.schema import absent_tables

# Principles for which the platform holds no record that could show whether they are met.
NOT_COMPUTABLE = {
    "M1": "Interagency policy is a matter of documents and meetings, not of records on the platform.",
    "M3": "Contracts and performance management are not recorded on the platform.",
    "S1": "Multi-agency review of data happens in meetings, not on the platform.",
    "S3": "Strengths and family resources are free text, which the extract never carries.",
    "S4": "Which interventions are evidence-based is not recorded on the platform.",
}


@dataclass(frozen=True)
class Indicator:
    key: str
    principle: str
    title: str
    needs: tuple[str, ...]  # extract tables it reads that a source may not supply
    platform_only: bool  # reads columns only the platform fills (never MHSDS)
    minimum: int  # denominators below this give no percentage
    compute: Callable
    about_people: bool = True  # counts of people or their records: suppressed when shown

    @property
    def definition(self) -> str:
        return inspect.cleandoc(self.compute.__doc__ or "")


INDICATORS: list[Indicator] = []


def indicator(principle, title, *, needs=(), platform_only=False, minimum=0, about_people=True):
    def register(fn):
        INDICATORS.append(
            Indicator(fn.__name__, principle, title, tuple(needs), platform_only, minimum, fn, about_people)
        )
        return fn

    return register


@dataclass(frozen=True)
class Periods:
    """Several periods at once: an indicator given these as its start answers one (numerator,
    denominator) per period, from one query (evidence_for computes the round's period and four
    quarters so: a fifth of the queries)."""

    items: tuple[tuple[date, date], ...]


def _pair(con, sql, start, end) -> tuple[int, int] | list[tuple[int, int]]:
    if isinstance(start, Periods):
        return _pairs(con, sql, start.items)
    params = {name: value for name, value in (("start", start), ("end", end)) if f"${name}" in sql}
    row = con.execute(sql, params).fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def _pairs(con, sql, periods) -> list[tuple[int, int]]:
    parts, params = [], {}
    for i, (start, end) in enumerate(periods):
        parts.append(
            f"SELECT {i} AS period_no, * FROM ({sql.replace('$start', f'$s{i}').replace('$end', f'$e{i}')})"
        )
        if "$start" in sql:
            params[f"s{i}"] = start
        if "$end" in sql:
            params[f"e{i}"] = end
    found = {
        row[0]: (int(row[1] or 0), int(row[2] or 0))
        for row in con.execute(" UNION ALL ".join(parts), params).fetchall()
    }
    return [found[i] for i in range(len(periods))]


# An episode (referral) open on $end: received by then, not rejected or discharged by then.
OPEN_AT_END = """
    SELECT referral_id, person_id, provider FROM referrals
    WHERE received_on <= $end AND (discharged_on IS NULL OR discharged_on > $end)
      AND (rejected_on IS NULL OR rejected_on > $end)"""
# The grouping decision current on $end for each referral (each lasts until the next or the ending).
CURRENT_GROUPING = """
    SELECT referral_id, arg_max(grouping, start_on) AS grouping,
           arg_max(shared_decision, start_on) AS shared_decision,
           arg_max(made_explicit, start_on) AS made_explicit
    FROM groupings WHERE start_on <= $end AND (end_on IS NULL OR end_on > $end)
    GROUP BY referral_id"""


@indicator(
    "I1",
    "Grouping decisions shared with the family, with options recorded",
    needs=("groupings", "decision_options"),
)
def shared_decisions(con, start, end):
    """I1 Shared decision making. Numerator: grouping decisions made in the period in which the
    young person or a parent or carer took part and the options discussed were recorded.
    Denominator: all grouping decisions made in the period."""
    return _pair(
        con,
        """
        WITH o AS (SELECT DISTINCT referral_id, decided_on FROM decision_options
                   WHERE decided_on BETWEEN $start AND $end)
        SELECT count(*) FILTER (WHERE g.shared_decision AND o.referral_id IS NOT NULL), count(*)
        FROM groupings g LEFT JOIN o ON o.referral_id = g.referral_id AND o.decided_on = g.start_on
        WHERE g.start_on BETWEEN $start AND $end""",
        start,
        end,
    )


@indicator("I1", "CollaboRATE top scores", needs=("collaborate",), minimum=25)
def collaborate_top_score(con, start, end):
    """I1 Shared decision making, as young people and parents rate it. Numerator: completed
    CollaboRATE responses in the period with the top score on every item. Denominator: all
    completed CollaboRATE responses in the period. No percentage is given from fewer than 25
    responses."""
    return _pair(
        con,
        """
        SELECT count(*) FILTER (WHERE top_score), count(*) FROM collaborate
        WHERE completed_on BETWEEN $start AND $end""",
        start,
        end,
    )


@indicator("I2", "Open episodes whose current grouping was agreed with the family", needs=("groupings",))
def grouping_agreed_with_family(con, start, end):
    """I2 Everyone is clear which needs-based grouping they are working within. Numerator: episodes
    open at the end of the period whose current grouping was decided with the young person or a
    parent or carer taking part. Denominator: all episodes open at the end of the period."""
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE c.shared_decision), count(*)
        FROM ({OPEN_AT_END}) o LEFT JOIN ({CURRENT_GROUPING}) c USING (referral_id)""",
        start,
        end,
    )


@indicator(
    "I2", "Open episodes whose current grouping was made explicit to the family", platform_only=True
)
def grouping_made_explicit(con, start, end):
    """I2 Everyone is clear which needs-based grouping they are working within. Numerator: episodes
    open at the end of the period whose current grouping decision records that the grouping was
    made explicit to the young person and family. Denominator: all episodes open at the end of the
    period (with or without a grouping). Only the platform records this (an MHSDS-style extract
    does not)."""
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE c.made_explicit), count(*)
        FROM ({OPEN_AT_END}) o LEFT JOIN ({CURRENT_GROUPING}) c USING (referral_id)""",
        start,
        end,
    )


@indicator("I3", "Endings agreed with the family and with a reason", platform_only=True)
def endings_agreed_with_reason(con, start, end):
    """I3 Clarity about the parameters of Getting Help and the reasons for ending. Numerator:
    episodes that ended in the period whose ending was agreed with the young person and family
    and records the reason for ending. Denominator: all episodes that ended (were discharged) in
    the period, not counting referrals declined. Only the platform records this."""
    return _pair(
        con,
        """
        SELECT count(*) FILTER (WHERE ending_agreed AND coalesce(ending_reason, '') <> ''), count(*)
        FROM referrals WHERE discharged_on BETWEEN $start AND $end AND rejected_on IS NULL""",
        start,
        end,
    )


@indicator("I3", "Endings with whether goals were met recorded", platform_only=True)
def endings_with_goals_outcome(con, start, end):
    """I3 Clarity about the parameters of Getting Help and the reasons for ending. Numerator:
    episodes that ended in the period with the ending's answer to "were the goals met?"
    recorded. Denominator: all episodes that ended (were discharged) in the period, not
    counting referrals declined."""
    return _pair(
        con,
        """
        SELECT count(*) FILTER (WHERE goals_met IS NOT NULL AND goals_met <> ''), count(*)
        FROM referrals WHERE discharged_on BETWEEN $start AND $end AND rejected_on IS NULL""",
        start,
        end,
    )


@indicator("I4", "Closed referrals with paired outcome measures (MHS112)", needs=("scores", "contacts"))
def paired_outcome_measures(con, start, end):
    """I4 Outcome data informs practice. The national CYP outcomes metric (MHS112). Numerator:
    referrals closed in the period with two or more contacts and a paired score (a first and a
    later score on the same measure) from any rater. Denominator: referrals closed in the period
    with two or more contacts (MHS110)."""
    # A referral's flags do not depend on the period, only whether it is in the cohort (closed
    # in the period) does: evidence_for computes the metric once over the whole span
    # (prepare_paired_outcome_measures) and each period counts its share of it.
    if not _has_table(con, SPAN_TABLE):
        if isinstance(start, Periods):
            return [paired_outcome_measures(con, a, b) for a, b in start.items]
        table = metrics.compute_cyp_outcomes(con, start, end, table="evidence_cyp")
        counts = metrics.published_figures(con, table).counts
        return counts["paired_any"], counts["mhs110"]
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE Paired_ANY = 1), count(*) FROM {SPAN_TABLE}
        WHERE Contact2 IS NOT NULL AND discharged_on BETWEEN $start AND $end""",
        start,
        end,
    )


SPAN_TABLE = "evidence_cyp_span"


def _has_table(con, name) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0]
    )


def prepare_paired_outcome_measures(con, start, end):
    """The national metric's per-referral table once for the whole span, with each referral's
    discharge date (the metric's cohort is referrals discharged in the period)."""
    metrics.compute_cyp_outcomes(con, start, end, table="evidence_cyp_all")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {SPAN_TABLE} AS
        SELECT c.*, r.discharged_on FROM evidence_cyp_all c
        JOIN referrals r ON r.referral_id = c.UniqServReqID""")


@indicator(
    "I5", "Help started with a goal agreed by the third contact", needs=("groupings", "goals", "contacts")
)
def goals_agreed_early(con, start, end):
    """I5 Any intervention starts with an agreed goal and likely timeframe (the platform records
    both together). Numerator: episodes that entered Getting Help or Getting More Help in the
    period with a goal agreed on or before the date of the third attended contact (or by the end
    of the period if there have not been three). Denominator: episodes that entered Getting Help
    or Getting More Help in the period."""
    return _pair(
        con,
        """
        WITH entered AS (
            SELECT referral_id FROM groupings
            WHERE grouping IN ('getting_help', 'getting_more_help')
            GROUP BY referral_id HAVING min(start_on) BETWEEN $start AND $end),
        third AS (
            SELECT referral_id, min(contact_date, 3)[3] AS third_on FROM contacts
            WHERE kind = 'direct' AND attend_status IN ('5', '6') GROUP BY referral_id),
        first_goal AS (SELECT referral_id, min(agreed_on) AS agreed_on FROM goals GROUP BY referral_id)
        SELECT count(*) FILTER (WHERE g.agreed_on <= least(coalesce(t.third_on, $end), $end)), count(*)
        FROM entered e LEFT JOIN third t USING (referral_id) LEFT JOIN first_goal g USING (referral_id)
        """,
        start,
        end,
    )


@indicator("I6", "Goals agreed with a plan if not reached", needs=("goals",))
def goals_with_plan(con, start, end):
    """I6 A plan for what happens if the goal is not achieved. The platform will not record a goal
    without its plan if not reached, so every goal it holds has one. Numerator: goals agreed in
    the period with such a plan. Denominator: all goals agreed in the period."""
    return _pair(
        con,
        """
        SELECT count(*), count(*) FROM goals WHERE agreed_on BETWEEN $start AND $end""",
        start,
        end,
    )


# How the page names an extract table a source did not supply.
TABLE_WORDS = {
    "goals": "goals",
    "risk_plans": "Risk Support plans",
    "scores": "outcome scores",
    "groupings": "THRIVE groupings",
    "contacts": "contacts",
    "collaborate": "CollaboRATE responses",
    "decision_options": "options discussed in grouping decisions",
    "contact_staff": "the seniority of staff at each contact",
    "agency_kinds": "the kinds of agency on the platform",
    "agency_referrals": "referrals between agencies",
    "care_team_agencies": "care teams",
    "practitioner_days": "which practitioners viewed outcome charts",
    "directory_coverage": "the service directory",
    "directory_kinds": "the service directory",
}
# Also written beside the platform's extract (sources.py): each agency's kind (provider as in
# referrals); referrals between agencies; the agencies of each young person's care team.
AGENCY_KINDS = "agency_kinds"
AGENCY_REFERRALS = "agency_referrals"
CARE_TEAM_AGENCIES = "care_team_agencies"
PRACTITIONER_DAYS = "practitioner_days"
DIRECTORY_COVERAGE = "directory_coverage"
DIRECTORY_KINDS = "directory_kinds"
SIDE_TABLES = (
    "contact_staff", AGENCY_KINDS, AGENCY_REFERRALS, CARE_TEAM_AGENCIES, PRACTITIONER_DAYS,
    DIRECTORY_COVERAGE, DIRECTORY_KINDS,
)
# Options discussed in a grouping decision (care.groupings.SupportOption) that the directory
# tags as a kind of support (directory.taxonomy.KINDS); the other options have no directory kind.
OPTION_KINDS = {
    "self_help": "self-help",
    "digital": "digital",
    "peer_support": "peer-support",
    "group": "group",
    "one_to_one": "one-to-one",
    "family_work": "family-support",
}
# Age bands for the directory's coverage: (label, first year of age, last year of age).
AGE_BANDS = (("0 to 4", 0, 4), ("5 to 10", 5, 10), ("11 to 15", 11, 15), ("16 to 17", 16, 17),
             ("18 to 25", 18, 25))


@indicator(
    "M2", "Kinds of agency receiving referrals on the platform", needs=(AGENCY_KINDS,), about_people=False
)
def agency_kinds_active(con, start, end):
    """M2 All agencies (education, health, social care, voluntary sector) are involved. Numerator:
    kinds of agency (NHS service, school or college, local authority, voluntary sector, youth
    justice) with at least one agency that received a referral on the platform in the period.
    Denominator: all those kinds of agency. Counts of agencies, not of people: not suppressed."""
    return _pair(
        con,
        """
        SELECT count(DISTINCT k.kind) FILTER (WHERE EXISTS (
                   SELECT 1 FROM referrals r WHERE r.provider = k.provider
                   AND r.received_on BETWEEN $start AND $end)),
               count(DISTINCT k.kind)
        FROM agency_kinds k""",
        start,
        end,
    )


# Written beside the platform's extract by sources.refresh_platform (no MHSDS equivalent).
CONTACT_STAFF = "contact_staff"


@indicator("I7", "Getting Advice contacts with a senior practitioner", needs=(CONTACT_STAFF,))
def senior_in_getting_advice(con, start, end):
    """I7 The most experienced practitioners are involved in Getting Advice and Signposting.
    Numerator: attended contacts in the period, while the episode's current grouping was Getting
    Advice and Signposting, with a practitioner recorded as a senior practitioner or a consultant
    (staff seniority). Denominator: all such contacts whose practitioner's seniority is recorded."""
    return _pair(
        con,
        """
        WITH seen AS (
            SELECT c.contact_id, c.referral_id, c.contact_date, s.senior
            FROM contacts c JOIN contact_staff s USING (contact_id)
            WHERE s.level_known AND c.kind = 'direct' AND c.attend_status IN ('5', '6')
              AND c.contact_date BETWEEN $start AND $end),
        advice AS (SELECT referral_id, start_on, end_on FROM groupings WHERE grouping = 'getting_advice')
        SELECT count(*) FILTER (WHERE seen.senior), count(*)
        FROM seen SEMI JOIN advice a ON a.referral_id = seen.referral_id AND a.start_on <= seen.contact_date
             AND (a.end_on IS NULL OR a.end_on > seen.contact_date)""",
        start,
        end,
    )


@indicator(
    "I8", "Young people in Getting Risk Support with a multi-agency plan", needs=("groupings", "risk_plans")
)
def risk_support_plans(con, start, end):
    """I8 Everyone in Getting Risk Support has a documented multi-agency plan. Numerator: young
    people in Getting Risk Support at the end of the period (an open episode whose current
    grouping is Getting Risk Support) with a Risk Support plan in force then that names two or
    more agencies. Denominator: all young people in Getting Risk Support at the end of the period."""
    return _pair(
        con,
        f"""
        WITH grs AS (
            SELECT DISTINCT o.person_id FROM ({OPEN_AT_END}) o JOIN ({CURRENT_GROUPING}) c USING (referral_id)
            WHERE c.grouping = 'getting_risk_support'),
        planned AS (
            SELECT DISTINCT person_id FROM risk_plans
            WHERE agencies >= 2 AND agreed_on <= $end
              AND ((status = 'current' AND ended_on IS NULL) OR ended_on > $end))
        SELECT count(*) FILTER (WHERE p.person_id IS NOT NULL), count(*)
        FROM grs LEFT JOIN planned p USING (person_id)""",
        start,
        end,
    )


@indicator("S2", "Open episodes with a current grouping", needs=("groupings",))
def episodes_with_grouping(con, start, end):
    """S2 Care is provided using the five needs-based groupings. Numerator: episodes open at the
    end of the period with a current grouping. Denominator: all episodes open at the end of the
    period."""
    return _pair(
        con,
        f"""
        SELECT count(c.referral_id), count(*)
        FROM ({OPEN_AT_END}) o LEFT JOIN ({CURRENT_GROUPING}) c USING (referral_id)""",
        start,
        end,
    )


@indicator("M4", "Decisions with the family's preferred option recorded", needs=("decision_options",))
def preferences_recorded(con, start, end):
    """M4 Population-level preference data. Numerator: grouping decisions made in the period, with
    options discussed, in which the option the young person and family preferred was recorded.
    Denominator: grouping decisions made in the period with options discussed."""
    return _pair(
        con,
        """
        SELECT count(*) FILTER (WHERE preferred), count(*) FROM (
            SELECT decision_id, bool_or(preferred) AS preferred FROM decision_options
            WHERE decided_on BETWEEN $start AND $end GROUP BY decision_id)""",
        start,
        end,
    )


@indicator("M4", "Options chosen of those offered", needs=("decision_options",))
def options_chosen_of_offered(con, start, end):
    """M4 Population-level preference data. Numerator: options the young person and family
    preferred, in grouping decisions made in the period. Denominator: options offered (discussed)
    in those decisions. The analytics page breaks this down option by option. Whether a family
    viewed an option (in the directory or a leaflet) cannot be computed: the platform does not
    record what a family was shown or looked at, only what was discussed and preferred."""
    return _pair(
        con,
        """
        SELECT count(*) FILTER (WHERE preferred), count(*) FROM decision_options
        WHERE decided_on BETWEEN $start AND $end""",
        start,
        end,
    )


@indicator(
    "M4", "Preferred options available in the directory", needs=("decision_options", DIRECTORY_KINDS)
)
def preferred_options_available(con, start, end):
    """M4 Population-level preference data, set against what is available. Numerator: options
    preferred in grouping decisions made in the period for which the directory lists at least one
    active service of that kind of support. Denominator: options preferred in the period that
    are a kind of support the directory tags (self-help, digital, peer support, group,
    one-to-one, family support). The directory keeps no history: availability is as it stands
    when the evidence was last refreshed."""
    kinds = " UNION ALL ".join(f"SELECT '{option}' AS option, '{kind}' AS kind"
                               for option, kind in OPTION_KINDS.items())
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE coalesce(k.services, 0) > 0), count(*)
        FROM decision_options o JOIN ({kinds}) m USING (option)
             LEFT JOIN {DIRECTORY_KINDS} k ON k.kind = m.kind
        WHERE o.preferred AND o.decided_on BETWEEN $start AND $end""",
        start,
        end,
    )


@indicator("M6", "Young people open to two or more agencies")
def open_to_several_agencies(con, start, end):
    """M6 Agencies involved in a young person's care are integrated. Numerator: young people with
    open episodes at two or more agencies at the end of the period (joint work the platform
    makes visible to each). Denominator: young people with any open episode at the end of the
    period."""
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE agencies >= 2), count(*) FROM (
            SELECT person_id, count(DISTINCT provider) AS agencies FROM ({OPEN_AT_END}) o
            GROUP BY person_id)""",
        start,
        end,
    )


@indicator("M6", "Referrals between agencies accepted within 10 working days", needs=(AGENCY_REFERRALS,))
def referrals_accepted_in_time(con, start, end):
    """M6 Agencies involved in a young person's care are integrated. Numerator: referrals from one
    agency to another on the platform, sent in the period, that the receiving agency accepted
    within 10 working days (Monday to Friday, not an England and Wales bank holiday; the day sent
    not counted). Denominator: all such referrals sent in the period, not counting those the
    sender withdrew."""
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE status IN ('accepted', 'completed') AND decided_on <= answer_by),
               count(*)
        FROM {AGENCY_REFERRALS} WHERE sent_on BETWEEN $start AND $end AND status <> 'withdrawn'""",
        start,
        end,
    )


@indicator("M6", "Care teams spanning two or more agencies", needs=(CARE_TEAM_AGENCIES,))
def care_teams_across_agencies(con, start, end):
    """M6 Agencies involved in a young person's care are integrated. Numerator: young people whose
    care team at the end of the period has members from two or more agencies. Denominator: young
    people with a care team (anyone on it) at the end of the period."""
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE agencies >= 2), count(*) FROM (
            SELECT person_id, count(DISTINCT agency) AS agencies FROM {CARE_TEAM_AGENCIES}
            WHERE added_on <= $end AND (removed_on IS NULL OR removed_on > $end)
            GROUP BY person_id)""",
        start,
        end,
    )


@indicator("I4", "Practitioners who viewed a young person's outcome charts", needs=(PRACTITIONER_DAYS,))
def practitioners_viewing_charts(con, start, end):
    """I4 Outcome data informs practice. Numerator: practitioners with a contact in the period who
    also opened a young person's outcome measures page (where the charts are) in the period, as
    the audit log records it. Denominator: practitioners with a contact in the period."""
    return _pair(
        con,
        f"""
        SELECT count(*) FILTER (WHERE viewed), count(*) FROM (
            SELECT practitioner, bool_or(kind = 'chart_view') AS viewed FROM {PRACTITIONER_DAYS}
            WHERE "on" BETWEEN $start AND $end GROUP BY practitioner
            HAVING bool_or(kind = 'contact'))""",
        start,
        end,
    )


@indicator(
    "M5", "Kinds of help and age bands the directory covers", needs=(DIRECTORY_COVERAGE,), about_people=False
)
def directory_coverage(con, start, end):
    """M5 A shared directory of what is available locally, by kind of help and age. Numerator:
    combinations of kind of help (the five needs-based groupings a service is tagged with) and
    age band (0 to 4, 5 to 10, 11 to 15, 16 to 17, 18 to 25) with at least one active service in
    the directory. Denominator: all those combinations. The directory keeps no history: this is
    the directory when the evidence was last refreshed, the same for every quarter. Counts of
    services, not of people: not suppressed."""
    return _pair(
        con,
        f"SELECT count(*) FILTER (WHERE services > 0), count(*) FROM {DIRECTORY_COVERAGE}",
        start,
        end,
    )


def directory_gaps(con) -> list[str]:
    """M5's gaps, shown beside it: each kind of help and age band with no active service."""
    columns = {r[0] for r in con.execute(f"DESCRIBE {DIRECTORY_COVERAGE}").fetchall()}
    name = "need_name" if "need_name" in columns else "need"  # a side table written before names
    rows = con.execute(f"""
        SELECT {name}, age_band FROM {DIRECTORY_COVERAGE} WHERE services = 0
        ORDER BY need, age_band""").fetchall()
    order = [band for band, _, _ in AGE_BANDS]
    rows.sort(key=lambda r: (r[0], order.index(r[1]) if r[1] in order else len(order)))
    return [f"{need}, ages {band}" for need, band in rows]


# Lists shown beside an indicator's figures (the same for every period): key -> (heading, function).
DETAILS = {"directory_coverage": ("No active service in the directory for", directory_gaps)}


# -- Computing and presenting --------------------------------------------------------------------


def quarters(end: date, n: int = 4) -> list[tuple[date, date]]:
    """The n three-month windows ending on ``end``, oldest first (e.g. end 31 Mar: Apr-Jun ...
    Jan-Mar)."""
    out = []
    for back in range(n):
        q_end = _months_back(end, 3 * back)
        q_start = _months_back(end, 3 * (back + 1)) + timedelta(days=1)
        out.append((q_start, q_end))
    return out[::-1]


def _months_back(day: date, months: int) -> date:
    """The same day ``months`` earlier; a month-end stays a month-end."""
    month_end = (day + timedelta(days=1)).day == 1
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, last if month_end else min(day.day, last))


def quarter_label(start: date, end: date) -> str:
    """ "Apr to Jun 2024", or with both years when they differ."""
    if start.year == end.year:
        return f"{start:%b} to {end:%b %Y}"
    return f"{start:%b %Y} to {end:%b %Y}"


def figure(numerator: int, denominator: int, minimum: int = 0, about_people: bool = True) -> dict:
    """Suppressed counts and percentage, as shown (never the raw counts of people). Counts of
    agencies are not about people and are shown as they are."""
    if not about_people:
        value = metrics.percent(numerator, denominator)
        return {
            "numerator": numerator,
            "denominator": denominator,
            "percent": None if value is None else str(value),
            "too_few": False,
        }
    percent = suppressed_percent(numerator, denominator)
    if minimum and denominator < minimum:
        percent = None
    return {
        "numerator": suppress(numerator),
        "denominator": suppress(denominator),
        "percent": percent,
        "too_few": bool(minimum and denominator < minimum),
    }


def evidence_for(extract_dir: str | os.PathLike, start: date, end: date, *, source: str = "platform") -> dict:
    """Every indicator for the period and its four quarters, suppressed; JSON-ready (a closed
    round keeps it)."""
    absent = set(absent_tables(extract_dir))
    con = connect(extract_dir, threads=2)
    for side in SIDE_TABLES:
        found = Path(extract_dir) / f"{side}.parquet"
        if found.exists():
            path = str(found).replace("'", "''")
            con.execute(f"CREATE OR REPLACE VIEW {side} AS SELECT * FROM read_parquet('{path}')")
        else:
            absent.add(side)
    periods = [(start, end), *quarters(end)]
    try:
        if not {"scores", "contacts"} & absent:
            prepare_paired_outcome_measures(con, min(p[0] for p in periods), end)
        rows = []
        for ind in INDICATORS:
            row = {
                "key": ind.key,
                "principle": ind.principle,
                "title": ind.title,
                "definition": ind.definition,
                "minimum": ind.minimum,
            }
            missing = sorted(absent & set(ind.needs))
            if missing or (ind.platform_only and source != "platform"):
                row["unavailable"] = (
                    "Not available from this source (it does not hold "
                    + (", ".join(TABLE_WORDS.get(m, m) for m in missing) if missing else "this information")
                    + ")."
                )
                rows.append(row)
                continue
            whole, *by_quarter = ind.compute(con, Periods(tuple(periods)), None)
            row["period"] = figure(*whole, ind.minimum, ind.about_people)
            if ind.key in DETAILS:
                heading, lister = DETAILS[ind.key]
                row["detail_heading"], row["detail"] = heading, lister(con)
            row["trend"] = [
                {
                    "from": q0.isoformat(),
                    "to": q1.isoformat(),
                    "label": quarter_label(q0, q1),
                    **figure(*pair, ind.minimum, ind.about_people),
                }
                for (q0, q1), pair in zip(periods[1:], by_quarter, strict=True)
            ]
            rows.append(row)
    finally:
        con.close()
    return {
        "source": source,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "indicators": rows,
        "not_computable": NOT_COMPUTABLE,
    }


def by_principle(evidence: dict | None) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in (evidence or {}).get("indicators", []):
        out.setdefault(row["principle"], []).append(row)
    return out


__all__ = ["INDICATORS", "NOT_COMPUTABLE", "SUPPRESSED", "evidence_for", "by_principle", "quarters"]
