"""Metric definitions, in one place, as DuckDB SQL over the canonical extract (schema.py).

Read each step against its source:
- the national CYP outcomes metric: docs/specs/domain/outcome-measures.md section 8 (steps 1-7) and
  docs/specs/standards/mhsds-extract.md ("Derivations", "Metric output contract");
- the THRIVE system measures for the dashboards: docs/specs/domain/thrive-framework.md section 7.

Every query expects the extract's views (``schema.attach_extract``) and the reference tables
(``reference.load_reference_tables``) on the connection. Nothing here formats or suppresses:
disclosure control is applied where figures leave the care team (disclosure.py).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from thrive.measures.engine.rounding import ONE_PLACE, round_half_up

RATERS = (("SR", "self"), ("PR", "parent"), ("CR", "clinician"))

# Metric output contract (mhsds-extract.md): exactly these columns, in this order.
OUTPUT_COLUMNS = (
    "UniqServReqID", "Person_ID", "Contact1", "Contact2",
    "Assessment_SR", "Paired_SR", "Improvement_SR", "NoChange_SR", "Deter_SR",
    "Assessment_PR", "Paired_PR", "Improvement_PR", "NoChange_PR", "Deter_PR",
    "Assessment_CR", "Paired_CR", "Improvement_CR", "NoChange_CR", "Deter_CR",
    "Assessment_ANY", "Paired_ANY",
)

# Step 1 exclusions (mhsds-extract.md "CYP outcomes metric" cohort).
EARLIEST_RECEIVED = date(2016, 1, 1)
EXCLUDED_TEAM_TYPES = ("B02", "E01", "E02", "E03", "E04", "A14")
# Step 2: attended (5 on time, 6 late but seen); face to face, telephone, talk type, video.
ATTENDED = ("5", "6")
QUALIFYING_MECHANISMS = ("01", "02", "04", "11")


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Step 2's qualifying contacts (and the waiting-times aggregate's): any indirect activity, or a
# direct contact attended by a qualifying mechanism. Two scans, each row in exactly one, so each
# condition is on single columns, which DuckDB applies while it reads the file; written as one
# OR across three columns it was tested row by row after reading all 21 M contacts.
QUALIFYING_CONTACTS_SQL = f"""
SELECT referral_id, contact_date FROM contacts WHERE kind = 'indirect'
UNION ALL
SELECT referral_id, contact_date FROM contacts
WHERE attend_status IN {_in(ATTENDED)} AND mechanism IN {_in(QUALIFYING_MECHANISMS)}
  AND (kind <> 'indirect' OR kind IS NULL)
"""

def _key_day(key: str) -> str:
    return f"(({key} + 2147483648) >> 32)"


def _key_value(key: str, *, less: bool = False) -> str:
    millionths = f"(({_key_day(key)} << 32) - {key})" if less else f"({key} - ({_key_day(key)} << 32))"
    return f"CAST(CAST({millionths} AS DECIMAL(18, 6)) * 0.000001 AS DECIMAL(18, 6))"


# The metric in three statements, each kept as a temporary table on the connection: the spine
# (Steps 1-2, one row per referral of the cohort), the classified scales (Steps 3-5, one row per
# referral and scale) and the per-referral output (Step 6). The dashboard's figures by measure
# read the first two (compute_cyp_outcomes_by_scale), so a refresh works them out once.
CYP_SPINE_SQL = f"""
WITH
-- Step 1. Cohort: discharged in the period; received on/after 2016-01-01; age 0-17 at referral;
-- not rejected; team type not B02, E01-E04, A14 (empty included); LA empty or English ('E...').
-- (rk numbers the cohort's referrals: the later steps group by it rather than by the text id.)
cohort AS (
    SELECT (row_number() OVER ())::INTEGER AS rk, r.referral_id, r.person_id, r.discharged_on,
           r.age_at_referral,
           CASE p.sex WHEN '1' THEN 'M' WHEN '2' THEN 'F' END AS norm_sex
    FROM referrals r
    LEFT JOIN people p ON p.person_id = r.person_id
    WHERE r.discharged_on BETWEEN $period_from AND $period_to
      AND r.received_on >= DATE '{EARLIEST_RECEIVED.isoformat()}'
      AND r.age_at_referral BETWEEN 0 AND 17
      AND r.rejected_on IS NULL
      AND (r.team_type IS NULL OR r.team_type NOT IN {_in(EXCLUDED_TEAM_TYPES)})
      AND (p.la_code IS NULL OR p.la_code LIKE 'E%')
),
-- Step 2. Contacts: attended direct contacts by a qualifying mechanism, or any indirect
-- activity, on or before discharge; ordered by date, time, id. Contact1/Contact2 = 1st/2nd.
-- Only their dates are used, and the first two in that order fall on the two earliest dates
-- (counting a date twice when two contacts share it), so the two smallest dates are taken
-- directly: min(date, 2), without numbering every contact.
-- (QUALIFYING_CONTACTS_SQL: the two kinds of qualifying contact as two scans.)
contact_dates AS (
    SELECT cohort.rk, min(c.contact_date, 2) AS first_two
    FROM ({QUALIFYING_CONTACTS_SQL}) c
    JOIN cohort USING (referral_id)
    WHERE c.contact_date <= cohort.discharged_on
    GROUP BY cohort.rk
)
SELECT cohort.*, d.first_two[1] AS contact1, d.first_two[2] AS contact2
FROM cohort LEFT JOIN contact_dates d USING (rk)
"""

CYP_SCALES_SQL = f"""
WITH
-- Step 3. Scores: in-scope scales only (ref_scales); valid = numeric and within the table's
-- range. Step 4. Eligible = dated on/after Contact1 and on/before discharge. (Kept: the tied
-- scales below read their ids from here rather than scanning every score again.)
eligible AS MATERIALIZED (
    SELECT rk, score_id, scale, completed_on, value FROM (
        SELECT spine.rk, s.score_id, rs.scale, s.completed_on,
               TRY_CAST(s.score AS DECIMAL(18, 6)) AS value, rs.lower, rs.upper,
               spine.contact1, spine.discharged_on
        FROM scores s JOIN ref_scales rs ON rs.concept_id = s.concept_id
        JOIN {{spine}} spine ON spine.referral_id = s.referral_id)
    WHERE value BETWEEN lower AND upper AND completed_on BETWEEN contact1 AND discharged_on
),
-- Step 3: identical duplicates (same scale identity, date and value) count once, the lowest id
-- kept. Step 4: First = earliest eligible (date, then id). Last = latest eligible that is not the
-- first and is dated on/after Contact2: that is the latest of all (date, then id) when two or
-- more are eligible and the latest is dated on/after Contact2 (if the latest is earlier, every
-- eligible score is).
-- Ids only decide between different values recorded on the same date, so each scale is first
-- summarised without them (bounds): "day_value" orders by date, then value (days << 32 plus the
-- value in millionths; reference.py keeps every valid value within +/-2,000), "day_less_value"
-- by date, then value descending. On the first date the lowest and highest values, and on the
-- latest date the highest and lowest: where each pair agrees, that is the first and the last
-- value whatever the ids. Two or more eligible, once duplicates count once: more than one date
-- or more than one value. Scales with two different values on their first or latest date
-- (tied, rare) are decided by the ids, duplicates removed (tied_ends).
keys AS (
    SELECT rk, scale,
           min(day_value) AS first_low, min(day_less_value) AS first_high,
           max(day_value) AS latest_high, max(day_less_value) AS latest_low
    FROM (SELECT rk, scale,
                 ((completed_on - DATE '1900-01-01')::BIGINT << 32) + (value * 1000000)::BIGINT
                     AS day_value,
                 ((completed_on - DATE '1900-01-01')::BIGINT << 32) - (value * 1000000)::BIGINT
                     AS day_less_value
          FROM eligible)
    GROUP BY rk, scale
),
-- The four keys taken apart again: the day is the key plus 2^31, shifted right by 32 (values
-- in millionths lie within +/-2^31); the value is what the day leaves, back in DECIMAL(18, 6).
-- Each distinct (date, value) has its own key, so several <=> the lowest key is not the highest.
bounds AS (
    SELECT rk, scale,
           {_key_value("first_low")} AS first_low, {_key_value("first_high", less=True)} AS first_high,
           {_key_value("latest_high")} AS latest_high,
           {_key_value("latest_low", less=True)} AS latest_low,
           DATE '1900-01-01' + {_key_day("latest_high")}::INTEGER AS latest_on,
           first_low < latest_high AS several
    FROM keys
),
tied AS (SELECT rk, scale FROM bounds WHERE first_low <> first_high OR latest_low <> latest_high),
tied_ends AS (
    SELECT rk, scale,
           arg_min(value, (completed_on, score_id)) AS first_value,
           arg_max(value, (completed_on, score_id)) AS latest_value
    FROM (SELECT e.rk, e.scale, e.completed_on, e.value, min(e.score_id) AS score_id
          FROM eligible e SEMI JOIN tied t ON t.rk = e.rk AND t.scale = e.scale
          GROUP BY e.rk, e.scale, e.completed_on, e.value)
    GROUP BY rk, scale
),
ends AS (
    SELECT b.rk, b.scale, b.latest_on, b.several,
           coalesce(t.first_value, b.first_low) AS first_value,
           coalesce(t.latest_value, b.latest_high) AS latest_value
    FROM bounds b LEFT JOIN tied_ends t USING (rk, scale)
),
firsts AS (SELECT rk, scale, first_value FROM ends),
lasts AS (
    SELECT e.rk, e.scale, e.latest_value AS last_value
    FROM ends e JOIN {{spine}} spine USING (rk)
    WHERE e.several AND spine.contact2 IS NOT NULL AND e.latest_on >= spine.contact2
),
-- Steps 5 and 6 (per scale). RCADS: T = 50 + 10 (raw - mean) / sd with the norms for sex and
-- age at referral, so T(last) - T(first) = 10 (last - first) / sd; compared exactly as
-- |10 (last - first)| >= threshold x sd. No T-score (sex not M/F, age outside 8-17): raw change
-- against the T threshold (national). Other scales: |last - first| >= threshold.
-- Classification: below threshold = no change; otherwise improvement when the change is in the
-- national good direction, deterioration when not; no threshold or direction = unclassified.
per_scale AS (
    SELECT f.rk, rs.identity, rs.rater,
           spine.contact2 IS NOT NULL AS assessed,
           spine.contact2 IS NOT NULL AND l.last_value IS NOT NULL AS paired,
           l.last_value - f.first_value AS change,
           CASE WHEN rs.rcads AND n.sd IS NOT NULL THEN 10 * (l.last_value - f.first_value)
                ELSE l.last_value - f.first_value END AS scaled_change,
           CASE WHEN rs.rcads AND n.sd IS NOT NULL THEN rs.threshold * n.sd
                ELSE rs.threshold END AS scaled_threshold,
           rs.direction
    FROM firsts f
    JOIN {{spine}} spine USING (rk)
    LEFT JOIN lasts l USING (rk, scale)
    JOIN (SELECT DISTINCT scale, identity, rater, threshold, direction, rcads FROM ref_scales) rs
      USING (scale)
    LEFT JOIN ref_rcads_norms n
           ON rs.rcads AND n.identity = rs.identity AND n.sex = spine.norm_sex
          AND n.age = spine.age_at_referral
),
classified AS (
    SELECT *,
           CASE
               WHEN NOT paired OR scaled_threshold IS NULL OR direction IS NULL THEN NULL
               WHEN abs(scaled_change) < scaled_threshold THEN 'no_change'
               WHEN (scaled_change < 0) = (direction = 'higher_is_worse') THEN 'improvement'
               ELSE 'deterioration'
           END AS outcome
    FROM per_scale
)
SELECT * FROM classified
"""

def _rater_flags(code: str, rater: str) -> str:
    """Step 6 for one rater over a referral's classified scales: the rater's rows only (FILTER),
    so one pass over the scales gives every rater's flags."""
    only = f"FILTER (WHERE rater = '{rater}')"
    det = f"bool_or(outcome = 'deterioration') {only}"
    imp = f"bool_or(outcome = 'improvement') {only}"
    return (f"bool_or(assessed) {only} AS assessment_{code}, "
            f"bool_or(paired) {only} AS paired_{code}, "
            f"{det} AS deter_{code}, "
            f"{imp} AND NOT {det} AS improvement_{code}, "
            f"bool_or(outcome = 'no_change') {only} "
            f"AND NOT bool_or(outcome IN ('improvement', 'deterioration')) {only} AS no_change_{code}")


CYP_OUTPUT_SQL = f"""
WITH
-- Step 6. Per rater: Assessment = Contact2 and a first; Paired = Contact2 and a last;
-- Deterioration = any; Improvement = any improvement and no deterioration; No change = any
-- no change and neither of the others.
per_referral AS (
    SELECT rk, {", ".join(_rater_flags(code, rater) for code, rater in RATERS)}
    FROM {{scales}} GROUP BY rk
)
SELECT spine.referral_id AS UniqServReqID,
       spine.person_id AS Person_ID,
       strftime(spine.contact1, '%Y-%m-%d') AS Contact1,
       strftime(spine.contact2, '%Y-%m-%d') AS Contact2,
       {", ".join(
           f"coalesce(f.assessment_{code}, false)::INT AS Assessment_{code}, "
           f"coalesce(f.paired_{code}, false)::INT AS Paired_{code}, "
           f"coalesce(f.improvement_{code}, false)::INT AS Improvement_{code}, "
           f"coalesce(f.no_change_{code}, false)::INT AS NoChange_{code}, "
           f"coalesce(f.deter_{code}, false)::INT AS Deter_{code}"
           for code, _ in RATERS)},
       ({" OR ".join(f"coalesce(f.assessment_{code}, false)" for code, _ in RATERS)})::INT
           AS Assessment_ANY,
       ({" OR ".join(f"coalesce(f.paired_{code}, false)" for code, _ in RATERS)})::INT AS Paired_ANY
FROM {{spine}} spine LEFT JOIN per_referral f USING (rk)
"""


def compute_cyp_outcomes(con, period_from: date, period_to: date, table: str = "cyp_outcomes") -> str:
    """Materialise the per-referral table of the metric output contract as a temp table
    (unordered: readers order by UniqServReqID), with its spine and classified scales beside it
    (``{table}_spine``, ``{table}_scales``)."""
    spine, scales = f"{table}_spine", f"{table}_scales"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {spine} AS {CYP_SPINE_SQL}",
                {"period_from": period_from, "period_to": period_to})
    con.execute(f"CREATE OR REPLACE TEMP TABLE {scales} AS {CYP_SCALES_SQL.format(spine=spine)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS "
                f"{CYP_OUTPUT_SQL.format(spine=spine, scales=scales)}")
    return table


def cyp_outcomes_rows(con, period_from: date, period_to: date) -> list[dict]:
    table = compute_cyp_outcomes(con, period_from, period_to)
    rows = con.execute(f"SELECT * FROM {table} ORDER BY UniqServReqID").fetchall()
    return [dict(zip(OUTPUT_COLUMNS, row, strict=True)) for row in rows]


def write_cyp_outcomes_csv(con, table: str, path) -> None:
    """The contract CSV: the columns in order, flags 1/0, empty for no date, by UniqServReqID."""
    target = str(path).replace("'", "''")
    con.execute(f"COPY (SELECT {', '.join(OUTPUT_COLUMNS)} FROM {table} ORDER BY UniqServReqID) "
                f"TO '{target}' (FORMAT csv, HEADER true, NULLSTR '')")


# Step 7. Published figures over closed referrals in the cohort with two contacts (MHS110):
# MHS111 % with any assessment, MHS112 % paired; MHS113/114/115 per rater (self, parent,
# clinician): % improvement, deterioration, no change among referrals paired for that rater.
PUBLISHED_COUNTS_SQL = """
SELECT count(*) AS mhs110,
       count(*) FILTER (WHERE Assessment_ANY = 1) AS assessed_any,
       count(*) FILTER (WHERE Paired_ANY = 1) AS paired_any,
       {per_rater}
FROM {table} WHERE Contact2 IS NOT NULL
""".format(per_rater=",\n       ".join(
    f"count(*) FILTER (WHERE Paired_{c} = 1) AS paired_{c}, "
    f"count(*) FILTER (WHERE Paired_{c} = 1 AND Improvement_{c} = 1) AS improvement_{c}, "
    f"count(*) FILTER (WHERE Paired_{c} = 1 AND Deter_{c} = 1) AS deterioration_{c}, "
    f"count(*) FILTER (WHERE Paired_{c} = 1 AND NoChange_{c} = 1) AS no_change_{c}"
    for c, _ in RATERS), table="{table}")


def percent(numerator: int, denominator: int) -> Decimal | None:
    """Percentage to 1 d.p., half up (outcome-measures.md section 1); None when nothing to divide."""
    if not denominator:
        return None
    return round_half_up(Decimal(100) * numerator / denominator, ONE_PLACE)


@dataclass(frozen=True)
class Published:
    counts: dict[str, int]
    figures: dict[str, object]


def published_figures(con, table: str = "cyp_outcomes") -> Published:
    """MHS110-MHS115 from the per-referral table (same shape as the engine's)."""
    cursor = con.execute(PUBLISHED_COUNTS_SQL.format(table=table))
    names = [c[0] for c in cursor.description]
    counts = dict(zip(names, cursor.fetchall()[0], strict=True))
    n = counts["mhs110"]
    figures: dict[str, object] = {
        "MHS110": n,
        "MHS111": percent(counts["assessed_any"], n),
        "MHS112": percent(counts["paired_any"], n),
    }
    for code, (c, rater) in zip(("MHS113", "MHS114", "MHS115"), RATERS, strict=True):
        paired = counts[f"paired_{c}"]
        figures[code] = {
            "rater": rater,
            "paired": paired,
            "improvement": percent(counts[f"improvement_{c}"], paired),
            "deterioration": percent(counts[f"deterioration_{c}"], paired),
            "no_change": percent(counts[f"no_change_{c}"], paired),
        }
    return Published(counts, figures)


# The same metric, one row per referral and scale paired (Steps 1-5 exactly as above, stopping
# before Step 6 combines the scales per rater): the outcomes dashboard's figures by measure.
CYP_OUTCOMES_BY_SCALE_SQL = """
SELECT spine.referral_id, c.identity AS measure, c.rater, c.outcome
FROM {scales} c JOIN {spine} spine USING (rk)
WHERE c.paired
"""


def compute_cyp_outcomes_by_scale(con, period_from: date, period_to: date,
                                  table: str = "cyp_outcomes_by_scale", *, metric: str | None = None) -> str:
    """Each referral's paired scales with the metric's classification of each (improvement, no
    change, deterioration, or NULL when the scale has no threshold or direction). ``metric``
    names a per-referral table compute_cyp_outcomes made for the same period on this
    connection: its spine and scales are reused rather than worked out again."""
    if metric is None:
        metric = compute_cyp_outcomes(con, period_from, period_to, table=f"{table}_metric")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS "
                + CYP_OUTCOMES_BY_SCALE_SQL.format(spine=f"{metric}_spine", scales=f"{metric}_scales"))
    return table


# ---------------------------------------------------------------------------------------------
# THRIVE system measures (thrive-framework.md section 7), as aggregates for the dashboards.
#
# Each aggregate is a count table keyed by month and the equity/filter dimensions below, so a
# page can filter and sum without touching person-level rows. Counts are raw here: disclosure
# control is applied after summing, when the figures are shown (disclosure.py).
# ---------------------------------------------------------------------------------------------

# Dimensions every aggregate carries, from the referral and the person.
REFERRAL_DIMENSIONS_SQL = """
CREATE OR REPLACE TEMP TABLE referral_dims AS
SELECT *, hash({dims}) AS cell FROM (
SELECT r.referral_id, r.person_id, r.received_on, r.discharged_on, r.rejected_on, r.goals_met,
       coalesce(r.provider, 'Unknown') AS provider,
       coalesce(r.team, 'Team type ' || r.team_type, 'Unknown') AS team,
       CASE WHEN r.age_at_referral IS NULL THEN 'Unknown'
            WHEN r.age_at_referral <= 4 THEN '0-4'
            WHEN r.age_at_referral <= 10 THEN '5-10'
            WHEN r.age_at_referral <= 15 THEN '11-15'
            WHEN r.age_at_referral <= 17 THEN '16-17'
            ELSE '18-25' END AS age_band,
       CASE p.sex WHEN '1' THEN 'Male' WHEN '2' THEN 'Female' WHEN '9' THEN 'Indeterminate'
                  ELSE 'Not known' END AS sex,
       CASE p.gender_identity WHEN '1' THEN 'Male' WHEN '2' THEN 'Female' WHEN '3' THEN 'Non-binary'
                              WHEN '4' THEN 'Other' ELSE 'Not known' END AS gender_identity,
       CASE WHEN p.ethnic_category IN ('A', 'B', 'C') THEN 'White'
            WHEN p.ethnic_category IN ('D', 'E', 'F', 'G') THEN 'Mixed'
            WHEN p.ethnic_category IN ('H', 'J', 'K', 'L') THEN 'Asian'
            WHEN p.ethnic_category IN ('M', 'N', 'P') THEN 'Black'
            WHEN p.ethnic_category IN ('R', 'S') THEN 'Other'
            ELSE 'Not known' END AS ethnicity,
       CASE WHEN p.imd_decile IS NULL THEN 'Unknown'
            ELSE CAST((p.imd_decile + 1) // 2 AS VARCHAR) END AS imd_quintile
FROM referrals r LEFT JOIN people p ON p.person_id = r.person_id)
"""
# One row per combination of the dimensions that occurs, with its cell (a 64-bit hash of the
# values: prepare_dimensions refuses to go on if two combinations ever shared one).
CELLS_SQL = "CREATE OR REPLACE TEMP TABLE cells AS SELECT DISTINCT cell, {dims} FROM referral_dims"
DIMENSIONS = ("provider", "team", "age_band", "sex", "gender_identity", "ethnicity", "imd_quintile")
# Aggregates group by one integer per combination of the dimensions (the referral's "cell") and
# get the dimensions' values back by a join on the small result (compute_aggregates): grouping
# 20 M contacts by seven text columns costs several times more than grouping them by one integer.
_DIMS = "d.cell"
_DIM_COLUMNS = ", ".join(f"d.{c}" for c in DIMENSIONS)
# Figures that cannot be summed across filter cells (distinct young people) are computed at
# refresh for every combination of the filters, where NULL in a dimension means "all"; no
# dimension is ever NULL otherwise (referral_dims fills 'Unknown' / 'Not known'). For bit n of
# m, dimension n is kept when the bit is 0 and set to "all" when it is 1.
_ALL_OR_EACH = ", ".join(f"CASE WHEN m & {1 << n} = 0 THEN {c} END AS {c}" for n, c in enumerate(DIMENSIONS))

# Aggregates computed per filter combination (snapshots: read as they are, no month filter).
CUBE_AGGREGATES = ("risk_support",)

# Reliable change on a Goal Based Outcome: the catalogue's threshold for GBO goals (3 points).
GBO_RELIABLE_CHANGE = 3
# Every period of the national metric: the outcomes dashboard covers every discharge.
ALL_TIME = (date(1900, 1, 1), date(9999, 12, 31))

# A period with no end (still open) ends on this date for the interval arithmetic.
OPEN_END = "9999-12-31"

# Waiting-time and re-referral windows.
FOUR_WEEKS_DAYS = 28
SIX_MONTHS_DAYS = 183
TWELVE_MONTHS_DAYS = 365

AGGREGATES_SQL = {
    # Caseload by grouping over time, stored as changes so it costs one pass over the grouping
    # periods rather than one row per period per month. A referral is in a grouping at a month's
    # last day when its period started on or before that day and had not ended: ended means the
    # period's end, the next grouping agreed for the referral (the latest decision wins, so
    # overlapping periods never count a referral twice) or the discharge. The page adds the
    # changes up month by month (dashboards._running_totals): +1 in the month the period starts
    # and -1 in the month it ends, for periods that span at least one month's end.
    "caseload": f"""
        WITH periods AS (
            SELECT referral_id, grouping, start_on,
                   least(coalesce(end_on, DATE '{OPEN_END}'),
                         coalesce(lead(start_on) OVER (PARTITION BY referral_id
                                                       ORDER BY start_on, end_on NULLS LAST, grouping),
                                  DATE '{OPEN_END}')) AS until
            FROM groupings WHERE start_on IS NOT NULL
        ),
        spans AS (
            SELECT p.grouping, {_DIMS}, p.start_on,
                   least(p.until, coalesce(d.discharged_on, DATE '{OPEN_END}')) AS ends
            FROM periods p JOIN referral_dims d USING (referral_id)
        ),
        counted AS (SELECT * FROM spans WHERE ends > last_day(start_on))
        SELECT month, grouping, cell, sum(change)::BIGINT AS change
        FROM (SELECT CAST(date_trunc('month', start_on) AS DATE) AS month, * EXCLUDE (start_on, ends),
                     1 AS change FROM counted
              UNION ALL
              SELECT CAST(date_trunc('month', ends) AS DATE) AS month, * EXCLUDE (start_on, ends),
                     -1 AS change FROM counted WHERE ends < DATE '{OPEN_END}')
        GROUP BY ALL""",
    # Transition matrix: each grouping followed by the next one agreed for the same referral
    # (two agreed on one day: in the caseload's order, so the answer never depends on row order).
    "transitions": f"""
        WITH ordered AS (
            SELECT referral_id, start_on, grouping AS to_grouping,
                   lag(grouping) OVER (PARTITION BY referral_id
                                       ORDER BY start_on, end_on NULLS LAST, grouping) AS from_grouping
            FROM groupings
        )
        SELECT CAST(date_trunc('month', o.start_on) AS DATE) AS month, o.from_grouping, o.to_grouping,
               {_DIMS}, count(*) AS transitions
        FROM ordered o JOIN referral_dims d USING (referral_id)
        WHERE o.from_grouping IS NOT NULL
        GROUP BY ALL""",
    # Waiting times: referral -> first and second attended contact (the metric's qualifying
    # contacts), by month of referral; share seen within 4 weeks.
    "waiting": f"""
        WITH firsts AS (
            SELECT referral_id, two[1] AS first_on, two[2] AS second_on
            FROM (SELECT referral_id, min(contact_date, 2) AS two
                  FROM ({QUALIFYING_CONTACTS_SQL})
                  WHERE contact_date IS NOT NULL
                  GROUP BY referral_id)
        ),
        waits AS (
            SELECT d.*, f.first_on - d.received_on AS days_first, f.second_on - d.received_on AS days_second
            FROM referral_dims d LEFT JOIN firsts f USING (referral_id)
            WHERE d.rejected_on IS NULL
        )
        SELECT CAST(date_trunc('month', received_on) AS DATE) AS month, cell,
               count(*) AS referrals,
               count(days_first) AS seen_once,
               count(*) FILTER (WHERE days_first <= {FOUR_WEEKS_DAYS}) AS first_within_4_weeks,
               count(days_second) AS seen_twice,
               count(*) FILTER (WHERE days_second <= {FOUR_WEEKS_DAYS}) AS second_within_4_weeks,
               coalesce(sum(days_first), 0) AS total_days_to_first,
               coalesce(sum(days_second), 0) AS total_days_to_second
        FROM waits GROUP BY ALL""",
    # Did-not-attend and cancellation rates over booked direct contacts.
    "attendance": f"""
        SELECT CAST(date_trunc('month', c.contact_date) AS DATE) AS month, {_DIMS},
               count(*) AS booked,
               count(*) FILTER (WHERE c.attend_status IN ('5', '6')) AS attended,
               count(*) FILTER (WHERE c.attend_status = '3') AS did_not_attend,
               count(*) FILTER (WHERE c.attend_status = '2') AS cancelled_by_family,
               count(*) FILTER (WHERE c.attend_status = '4') AS cancelled_by_service
        FROM contacts c JOIN referral_dims d USING (referral_id)
        WHERE c.kind = 'direct' AND c.contact_date IS NOT NULL
        GROUP BY ALL""",
    # Endings, and re-referrals of the same person (a later referral received after the
    # discharge) within 6 and 12 months.
    "endings": f"""
        WITH next_referral AS (
            SELECT d.referral_id,
                   min(n.received_on - d.discharged_on) AS days_to_next
            FROM referral_dims d JOIN referrals n
              ON n.person_id = d.person_id AND n.referral_id <> d.referral_id
             AND n.received_on > d.discharged_on
            WHERE d.discharged_on IS NOT NULL
            GROUP BY d.referral_id
        )
        SELECT CAST(date_trunc('month', d.discharged_on) AS DATE) AS month, {_DIMS},
               count(*) AS endings,
               count(*) FILTER (WHERE nr.days_to_next <= {SIX_MONTHS_DAYS}) AS rereferred_6_months,
               count(*) FILTER (WHERE nr.days_to_next <= {TWELVE_MONTHS_DAYS}) AS rereferred_12_months
        FROM referral_dims d LEFT JOIN next_referral nr USING (referral_id)
        WHERE d.discharged_on IS NOT NULL
        GROUP BY ALL""",
    # Goals agreed and met (framework section 7), over referrals ended in the month: with goals
    # agreed (goals table, platform only); the ending's own answer (met / partly met); goals rated
    # at least twice and reliably improved (latest - first rating >= GBO_RELIABLE_CHANGE).
    "goals": f"""
        WITH per_referral AS (
            SELECT referral_id, count(*) AS goals_agreed,
                   count(*) FILTER (WHERE last_rated_on > first_rated_on) AS goals_rated_twice,
                   count(*) FILTER (WHERE last_rated_on > first_rated_on
                                      AND last_rating - first_rating >= {GBO_RELIABLE_CHANGE})
                       AS goals_improved
            FROM goals GROUP BY referral_id
        )
        SELECT CAST(date_trunc('month', d.discharged_on) AS DATE) AS month, {_DIMS},
               count(*) AS endings,
               count(*) FILTER (WHERE g.goals_agreed > 0) AS with_goals,
               count(*) FILTER (WHERE d.goals_met = 'met') AS goals_met,
               count(*) FILTER (WHERE d.goals_met = 'partly') AS goals_partly_met,
               coalesce(sum(g.goals_agreed), 0) AS goals_agreed,
               coalesce(sum(g.goals_rated_twice), 0) AS goals_rated_twice,
               coalesce(sum(g.goals_improved), 0) AS goals_improved
        FROM referral_dims d LEFT JOIN per_referral g USING (referral_id)
        WHERE d.discharged_on IS NOT NULL AND d.rejected_on IS NULL
        GROUP BY ALL""",
    # Shared decision making recorded: grouping decisions by month agreed, and how many record
    # that the young person or family took part (THRIVEGrouping SharedDecision = Y).
    "shared_decisions": f"""
        SELECT CAST(date_trunc('month', g.start_on) AS DATE) AS month, {_DIMS},
               count(*) AS decisions,
               count(*) FILTER (WHERE g.shared_decision) AS shared,
               count(*) FILTER (WHERE g.shared_decision IS NULL) AS not_recorded
        FROM groupings g JOIN referral_dims d USING (referral_id)
        WHERE g.start_on IS NOT NULL
        GROUP BY ALL""",
    # Outcome measures paired and reliably improved: the national metric's per-referral table
    # (CYP_OUTCOMES_SQL over every discharge) by month discharged, over its MHS110 cohort.
    "outcomes": f"""
        SELECT CAST(date_trunc('month', d.discharged_on) AS DATE) AS month, {_DIMS},
               count(*) AS closed,
               count(*) FILTER (WHERE o.Assessment_ANY = 1) AS assessed,
               count(*) FILTER (WHERE o.Paired_ANY = 1) AS paired,
               {", ".join(f"count(*) FILTER (WHERE o.Paired_{c} = 1) AS paired_{c}, "
                          f"count(*) FILTER (WHERE o.Paired_{c} = 1 AND o.Improvement_{c} = 1) "
                          f"AS improved_{c}"
                          for c, _ in RATERS)}
        FROM cyp_outcomes_all o JOIN referral_dims d ON d.referral_id = o.UniqServReqID
        WHERE o.Contact2 IS NOT NULL
        GROUP BY ALL""",
    # The same per-referral table per rater (MHS113-MHS115 as the metric defines them): referrals
    # paired for the rater, and how many improved, showed no change or deteriorated.
    "outcomes_by_rater": f"""
        SELECT CAST(date_trunc('month', d.discharged_on) AS DATE) AS month, o.rater, {_DIMS},
               count(*) AS paired,
               count(*) FILTER (WHERE o.improved = 1) AS improved,
               count(*) FILTER (WHERE o.no_change = 1) AS no_change,
               count(*) FILTER (WHERE o.deteriorated = 1) AS deteriorated
        FROM ({" UNION ALL ".join(
            f"SELECT UniqServReqID, Contact2, '{rater}' AS rater, Paired_{c} AS paired, "
            f"Improvement_{c} AS improved, NoChange_{c} AS no_change, Deter_{c} AS deteriorated "
            f"FROM cyp_outcomes_all" for c, rater in RATERS)}) o
        JOIN referral_dims d ON d.referral_id = o.UniqServReqID
        WHERE o.Contact2 IS NOT NULL AND o.paired = 1
        GROUP BY ALL""",
    # By measure: each paired scale of the metric's cohort (closed referrals with two contacts)
    # and the metric's classification of its change (reliable change against the scale's
    # threshold, RCADS by T-score).
    "outcomes_by_measure": f"""
        SELECT CAST(date_trunc('month', d.discharged_on) AS DATE) AS month, s.measure, s.rater, {_DIMS},
               count(*) AS paired,
               count(*) FILTER (WHERE s.outcome = 'improvement') AS improved,
               count(*) FILTER (WHERE s.outcome = 'no_change') AS no_change,
               count(*) FILTER (WHERE s.outcome = 'deterioration') AS deteriorated
        FROM cyp_outcomes_by_scale_all s JOIN referral_dims d USING (referral_id)
        GROUP BY ALL""",
    # Equity: referrals received (not rejected) by month, the filter cell and the young person's
    # local authority (an ONS code), for rates per 10,000 of the resident population
    # (population.py) beside the counts.
    "equity": f"""
        SELECT CAST(date_trunc('month', d.received_on) AS DATE) AS month,
               coalesce(p.la_code, 'Unknown') AS area, {_DIMS}, count(*) AS referrals
        FROM referral_dims d LEFT JOIN (SELECT DISTINCT person_id, la_code FROM people) p USING (person_id)
        WHERE d.rejected_on IS NULL AND d.received_on IS NOT NULL
        GROUP BY ALL""",
    # Risk Support plan coverage, now: young people in Getting Risk Support (an open period on an
    # open referral) and how many have a current plan naming two or more agencies. Distinct
    # people, so per filter combination.
    "risk_support": f"""
        WITH in_risk AS (
            SELECT DISTINCT d.person_id, {_DIM_COLUMNS}
            FROM groupings g JOIN referral_dims d USING (referral_id)
            WHERE g.grouping = 'getting_risk_support' AND g.end_on IS NULL
              AND d.discharged_on IS NULL AND d.rejected_on IS NULL
        ),
        plans AS (
            SELECT person_id, max(agencies) AS agencies FROM risk_plans
            WHERE status = 'current' AND ended_on IS NULL GROUP BY person_id
        ),
        -- Every combination of the filters, as GROUP BY CUBE would give but several times faster
        -- with distinct counts: each person's row once per subset of the dimensions (m's bits),
        -- the dimensions outside the subset NULL ("all"); DISTINCT then counts each person once.
        every_combination AS (
            SELECT DISTINCT i.person_id, p.agencies, {_ALL_OR_EACH}
            FROM in_risk i LEFT JOIN plans p USING (person_id), range({2 ** len(DIMENSIONS)}) t(m)
        )
        SELECT {", ".join(DIMENSIONS)},
               count(*) AS young_people,
               count(*) FILTER (WHERE agencies IS NOT NULL) AS with_plan,
               count(*) FILTER (WHERE agencies >= 2) AS with_plan_2_agencies
        FROM every_combination
        GROUP BY ALL""",
    # Time in grouping: completed grouping periods (ended by the next decision or the discharge),
    # as a histogram (how many periods lasted each number of days) per grouping and filter cell,
    # so the page can work out the exact median and mean for any filter (dashboards.time_in_grouping).
    "time_in_grouping": f"""
        SELECT g.grouping, {_DIMS}, g.end_on - g.start_on AS days, count(*) AS periods
        FROM groupings g JOIN referral_dims d USING (referral_id)
        WHERE g.end_on IS NOT NULL AND g.start_on IS NOT NULL AND g.end_on >= g.start_on
        GROUP BY ALL""",
}


# Shared decision making and presenting needs (thrive-framework.md section 7): CollaboRATE top
# score, preferences offered versus chosen, and the Current View profile by grouping.
AGGREGATES_SQL.update({
    # CollaboRATE: completed encounters by month and how many were a top score (the engine's
    # rule, decided per encounter in the extract). The page shows the top-score percentage only
    # from COLLABORATE_MIN_ENCOUNTERS encounters (dashboards, Chart.min_denominator).
    "collaborate": f"""
        SELECT CAST(date_trunc('month', c.completed_on) AS DATE) AS month, {_DIMS},
               count(*) AS encounters,
               count(*) FILTER (WHERE c.top_score) AS top_score
        FROM collaborate c JOIN referral_dims d USING (referral_id)
        WHERE c.completed_on IS NOT NULL
        GROUP BY ALL""",
    # Preferences offered versus chosen: per option, how often it was discussed in a grouping
    # decision (offered) and how often the young person and family preferred it (chosen), by
    # month decided.
    "decision_options": f"""
        SELECT CAST(date_trunc('month', o.decided_on) AS DATE) AS month, o.option, {_DIMS},
               count(*) AS offered,
               count(*) FILTER (WHERE o.preferred) AS chosen
        FROM decision_options o JOIN referral_dims d USING (referral_id)
        WHERE o.decided_on IS NOT NULL AND o.option IS NOT NULL
        GROUP BY ALL""",
    # Current View profile by grouping. A Current View is the items coded for a referral on one
    # date (scores whose concept is a Current View item, ref_current_view; "not known" is never
    # coded). Each is placed in the grouping current for the referral on that date (start_on <=
    # date < end_on; 'none' before any grouping was agreed). Per month, grouping, item and filter
    # cell: the number of Current Views, and how many rated that item moderate or severe.
    # Current View describes needs: it is never an outcome, and never sets a grouping.
    "current_view": f"""
        -- One row per Current View, its items rated moderate or severe as bits of one number
        -- (items are numbered 1-36): one pass over the item rows, not a row per item.
        WITH rated AS (
            SELECT s.referral_id, s.completed_on,
                   bit_or(CASE WHEN TRY_CAST(s.score AS DECIMAL(18, 6)) BETWEEN cv.moderate_from
                                                                           AND cv.upper
                               THEN 1::UBIGINT << cv.item ELSE 0::UBIGINT END) AS items
            FROM scores s JOIN ref_current_view cv ON cv.concept_id = s.concept_id
            WHERE s.completed_on IS NOT NULL
            GROUP BY s.referral_id, s.completed_on
        ),
        current_views AS (
            SELECT v.referral_id, v.completed_on, v.items, coalesce(g.grouping, 'none') AS grouping
            FROM rated v
            LEFT JOIN groupings g ON g.referral_id = v.referral_id AND g.start_on <= v.completed_on
                                 AND (g.end_on IS NULL OR g.end_on > v.completed_on)
            QUALIFY row_number() OVER (PARTITION BY v.referral_id, v.completed_on
                                       ORDER BY g.start_on DESC NULLS LAST, g.grouping) = 1
        ),
        viewed AS (
            SELECT v.*, CAST(date_trunc('month', v.completed_on) AS DATE) AS month, {_DIMS}
            FROM current_views v JOIN referral_dims d USING (referral_id)
        )
        -- Two kinds of row, so the file holds only what happened: the number of Current Views
        -- (item NULL), and per item the number rated moderate or severe (items never so rated in
        -- a cell have no row; the page counts them as 0 against the Current Views).
        SELECT month, grouping, NULL::SMALLINT AS item, NULL::VARCHAR AS problem, cell,
               count(*) AS current_views, 0::BIGINT AS moderate_or_severe
        FROM viewed GROUP BY ALL
        UNION ALL
        SELECT v.month, v.grouping, i.item, any_value(i.problem), v.cell,
               0::BIGINT, count(*)
        FROM viewed v JOIN (SELECT DISTINCT item, problem FROM ref_current_view) i
          ON (v.items >> i.item) & 1::UBIGINT = 1
        GROUP BY v.month, v.grouping, i.item, v.cell""",
})


# The last date the extract knows of: the caseload runs to the end of its month.
EXTRACT_THROUGH_SQL = """
SELECT max(x) FROM (SELECT max(coalesce(end_on, start_on)) AS x FROM groupings
                    UNION ALL SELECT max(received_on) FROM referrals
                    UNION ALL SELECT max(discharged_on) FROM referrals)
"""


def prepare_dimensions(con) -> None:
    """referral_dims (one row per referral, with its dimensions and cell) and cells."""
    dims = ", ".join(DIMENSIONS)
    con.execute(REFERRAL_DIMENSIONS_SQL.format(dims=dims))
    con.execute(CELLS_SQL.format(dims=dims))
    cells, distinct = con.execute("SELECT count(*), count(DISTINCT cell) FROM cells").fetchall()[0]
    if cells != distinct:
        raise RuntimeError("Two combinations of the dimensions hash to the same cell")


def compute_aggregates(con, names=None):
    """Each aggregate as a DuckDB relation (person-level rows never leave DuckDB), with the
    dimensions' values in place of the cell number."""
    prepare_dimensions(con)
    return aggregate_relations(con, names)


def aggregate_relations(con, names=None) -> dict:
    """The aggregates' relations on a connection where prepare_dimensions has run (the outcomes
    aggregate computes the national metric over every discharge first)."""
    # The metric over every discharge once, for the three outcomes aggregates.
    if names is None or {"outcomes", "outcomes_by_rater", "outcomes_by_measure"} & set(names):
        compute_cyp_outcomes(con, *ALL_TIME, table="cyp_outcomes_all")
    if names is None or "outcomes_by_measure" in names:
        compute_cyp_outcomes_by_scale(con, *ALL_TIME, table="cyp_outcomes_by_scale_all",
                                      metric="cyp_outcomes_all")
    out = {}
    for name, sql in AGGREGATES_SQL.items():
        if names is None or name in names:
            rel = con.sql(sql)
            if "cell" in rel.columns:
                rel = con.sql(f"SELECT a.* EXCLUDE (cell), c.* EXCLUDE (cell) "
                              f"FROM ({sql}) a JOIN cells c USING (cell)")
            out[name] = rel
    return out
