"""Dashboards: precomputed aggregates (refresh) and the filtered, suppressed tables pages show.

``refresh`` runs every aggregate of metrics.AGGREGATES_SQL over an extract and writes each as a
Parquet file; pages only ever read those small files (never person-level rows), sum them over
the chosen filters and apply small-number suppression to every figure shown.

Kinds of aggregate: monthly counts, summed over the chosen months and filters; monthly changes
whose running total is the figure (caseload); histograms, from which medians are worked out for
the chosen filters (time in grouping); and distinct young people, which do not add up across
filter cells and so are computed at refresh for every filter combination
(metrics.CUBE_AGGREGATES) and read as they are. The month filter does not apply to the last two,
and the page says so. A chart whose source tables the extract
did not supply (goals and Risk Support plans exist only on the platform) says that instead of
showing zeros.
"""

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from thrive.care.groupings import OPTION_LABELS, Grouping
from thrive.core import progress
from thrive.measures.engine.experience_measures import COLLABORATE_MIN_ENCOUNTERS

from . import metrics
from .disclosure import SUPPRESSED, suppress, suppressed_percent
from .engine import connect
from .reference import current_view_rows
from .schema import absent_tables
from .workdirs import swap_in, work_dir


def refresh(extract_dir: str | os.PathLike, out_dir: str | os.PathLike) -> dict:
    """Compute every aggregate and swap the directory in whole (readers never see half)."""
    out = Path(out_dir)
    with work_dir(out.parent, "aggregates") as staging:
        con = connect(extract_dir)
        rows = {}
        aggregates = metrics.compute_aggregates(con)
        with progress.stage("dashboard aggregates", total=len(aggregates), unit="aggregates") as bar:
            for name, rel in aggregates.items():
                target = str(staging / f"{name}.parquet").replace("'", "''")
                con.execute(f"COPY ({rel.sql_query()}) TO '{target}' (FORMAT parquet)")
                rows[name] = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0]
                bar.update(1)
        manifest = json.loads((Path(extract_dir) / "manifest.json").read_text())
        through = con.execute(metrics.EXTRACT_THROUGH_SQL).fetchall()[0][0]
        con.close()
        meta = {"refreshed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "through": through.isoformat() if through else None,
                "extract_source": manifest.get("source"), "extract_created_at": manifest.get("created_at"),
                "extract_absent": absent_tables(extract_dir), "rows": rows}
        (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        swap_in(staging, out)
        return meta


GROUPING_ORDER = {g.value: n for n, g in enumerate(Grouping)}
# How the page names an extract table the source did not supply.
TABLE_WORDS = {"goals": "goals", "risk_plans": "Risk Support plans", "scores": "outcome scores",
               "groupings": "THRIVE groupings", "contacts": "contacts",
               "collaborate": "CollaboRATE responses",
               "decision_options": "options discussed in grouping decisions"}

FILTERS = (
    ("provider", "Agency"),
    ("team", "Team"),
    ("age_band", "Age band at referral"),
    ("sex", "Sex"),
    ("gender_identity", "Gender identity"),
    ("ethnicity", "Ethnicity"),
    ("imd_quintile", "Deprivation quintile (1 = most deprived)"),
)


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    aggregate: str
    description: str
    keys: tuple[tuple[str, str], ...]           # (column, heading)
    counts: tuple[tuple[str, str], ...]         # (column, heading)
    percents: tuple[tuple[str, str, str], ...] = ()  # (heading, numerator, denominator)
    pivot: tuple[str, str, str] | None = None   # (row key, column key, count): shown as a matrix
    # (heading, value column, count column it summarises): a median or mean, shown to 1 d.p. only
    # when that count is 5 or more, else "*".
    values: tuple[tuple[str, str, str], ...] = ()
    needs: tuple[str, ...] = ()                 # extract tables the figures come from
    # The aggregate holds monthly changes (column "change"): the count shown is their running total.
    running_total: bool = False
    # The aggregate is a histogram (columns "days" and the count): medians and means come from it.
    histogram: bool = False
    note: str = ""                              # said under the description
    # (value, label) for key values the page names (also their order); groupings are named anyway.
    labels: tuple[tuple[str, str], ...] = ()
    # A matrix of percentages: (numerator, denominator) counts, each cell worked out from the
    # suppressed counts against its column's denominator, which the aggregate gives in rows whose
    # row key is NULL; pivot_base heads a first row showing those denominators (e.g. the number of
    # Current Views per grouping). pivot_rows names every row to show, in order: a row missing
    # from the aggregate (nothing counted) shows 0 of the denominator.
    pivot_percent: tuple[str, str] | None = None
    pivot_base: str = ""
    pivot_rows: Callable[[], list[str]] | None = None
    # (minimum, marker): a percentage whose denominator (before suppression) is below the minimum
    # is not shown; the marker is shown instead (CollaboRATE: fewer than 25 responses).
    min_denominator: tuple[int, str] | None = None
    # A month's figures are final only once this many days after its end have passed (the
    # follow-up its figures need: 12 months for re-referral, 4 weeks for a second contact); the
    # current month is never final.
    follow_up_days: int = 0
    drawn: bool = True  # False: a table only (the equity rates: counts and rates share no axis)

    @property
    def cube(self) -> bool:
        return self.aggregate in metrics.CUBE_AGGREGATES

    @property
    def by_month(self) -> bool:
        """A trend over months (its first key is the month)."""
        return bool(self.keys) and self.keys[0][0] == "month"


RATER_LABELS = (("self", "Self-rated (young person)"), ("parent", "Parent-rated"),
                ("clinician", "Clinician-rated"))
OUTCOME_COUNTS = (("paired", "Paired"), ("improved", "Reliably improved"),
                  ("no_change", "No reliable change"), ("deteriorated", "Reliably deteriorated"))
OUTCOME_PERCENTS = (("% improved", "improved", "paired"), ("% no change", "no_change", "paired"),
                    ("% deteriorated", "deteriorated", "paired"))
OUTCOME_NOTE = ("Paired scores on a measure with no published reliable-change threshold are counted "
                "as paired but in none of the three outcomes, so the three may add up to less than "
                "the number paired.")

CHARTS = (
    Chart("caseload", "Caseload by needs-based grouping", "caseload",
          "Referrals open at the end of each month, by the grouping agreed at that date.",
          (("month", "Month"), ("grouping", "Grouping")), (("referrals", "Referrals"),),
          pivot=("month", "grouping", "referrals"), running_total=True),
    Chart("transitions", "Moves between groupings", "transitions",
          "Each newly agreed grouping against the one before it, in the chosen period.",
          (("from_grouping", "From"), ("to_grouping", "To")), (("transitions", "Moves"),),
          pivot=("from_grouping", "to_grouping", "transitions")),
    Chart("waiting", "Waiting times", "waiting",
          "Referrals (not rejected) by month received; first and second attended contact within 4 weeks.",
          (("month", "Month received"),),
          (("referrals", "Referrals"), ("seen_once", "Had a first contact"),
           ("first_within_4_weeks", "First contact within 4 weeks"), ("seen_twice", "Had a second contact"),
           ("second_within_4_weeks", "Second contact within 4 weeks")),
          (("% first within 4 weeks", "first_within_4_weeks", "referrals"),
           ("% second within 4 weeks", "second_within_4_weeks", "referrals")),
          follow_up_days=metrics.FOUR_WEEKS_DAYS),
    Chart("attendance", "Did not attend and cancellations", "attendance",
          "Booked direct contacts by month.",
          (("month", "Month"),),
          (("booked", "Booked"), ("did_not_attend", "Did not attend"),
           ("cancelled_by_family", "Cancelled by the family"),
           ("cancelled_by_service", "Cancelled by the service")),
          (("% did not attend", "did_not_attend", "booked"),
           ("% cancelled by family", "cancelled_by_family", "booked"),
           ("% cancelled by service", "cancelled_by_service", "booked"))),
    Chart("endings", "Endings and re-referrals", "endings",
          "Referrals discharged by month, and how many came back within 6 and 12 months.",
          (("month", "Month discharged"),),
          (("endings", "Endings"), ("rereferred_6_months", "Re-referred within 6 months"),
           ("rereferred_12_months", "Re-referred within 12 months")),
          (("% re-referred within 6 months", "rereferred_6_months", "endings"),
           ("% re-referred within 12 months", "rereferred_12_months", "endings")),
          follow_up_days=metrics.TWELVE_MONTHS_DAYS),
    Chart("goals", "Goals agreed and met", "goals",
          "Referrals ended by month: how many had goals agreed with the young person, whether the "
          "ending recorded the goals as met, and goals rated at least twice that improved by "
          f"{metrics.GBO_RELIABLE_CHANGE} or more points (reliable change on a Goal Based Outcome).",
          (("month", "Month ended"),),
          (("endings", "Referrals ended"), ("with_goals", "With goals agreed"),
           ("goals_met", "Ending: goals met"), ("goals_partly_met", "Ending: goals partly met"),
           ("goals_agreed", "Goals agreed"), ("goals_rated_twice", "Goals rated twice or more"),
           ("goals_improved", "Goals reliably improved")),
          (("% with goals agreed", "with_goals", "endings"),
           ("% ended with goals met", "goals_met", "endings"),
           ("% of goals rated twice reliably improved", "goals_improved", "goals_rated_twice")),
          needs=("goals",)),
    Chart("shared-decisions", "Shared decision making recorded", "shared_decisions",
          "Grouping decisions by month agreed, and how many record that the young person or their "
          "family took part in the decision.",
          (("month", "Month agreed"),),
          (("decisions", "Grouping decisions"), ("shared", "Shared with the young person or family"),
           ("not_recorded", "Not recorded")),
          (("% shared", "shared", "decisions"),),
          needs=("groupings",)),
    Chart("outcomes", "Outcome measures paired and reliably improved", "outcomes",
          "The national children and young people's outcomes metric by month discharged: closed "
          "referrals with two or more "
          "contacts, how many had scores paired (a first and a later score on the same measure), and "
          "how many of those paired for each rater reliably improved.",
          (("month", "Month discharged"),),
          (("closed", "Closed referrals with 2+ contacts"), ("assessed", "With an assessment"),
           ("paired", "With paired scores"), ("paired_SR", "Self-rated paired"),
           ("improved_SR", "Self-rated reliably improved"), ("paired_PR", "Parent-rated paired"),
           ("improved_PR", "Parent-rated reliably improved"), ("paired_CR", "Clinician-rated paired"),
           ("improved_CR", "Clinician-rated reliably improved")),
          (("% paired", "paired", "closed"), ("% self-rated improved", "improved_SR", "paired_SR"),
           ("% parent-rated improved", "improved_PR", "paired_PR"),
           ("% clinician-rated improved", "improved_CR", "paired_CR")),
          needs=("contacts", "scores")),
    Chart("outcomes-by-rater", "Outcomes by rater: improvement, no change and deterioration",
          "outcomes_by_rater",
          "The national children and young people's outcomes metric for referrals discharged in the chosen "
          "months: of the closed referrals with scores paired for each rater, how many reliably "
          "improved, showed no reliable change, or reliably deteriorated.",
          (("rater", "Rater"),), OUTCOME_COUNTS, OUTCOME_PERCENTS, needs=("contacts", "scores"),
          labels=RATER_LABELS, note=OUTCOME_NOTE),
    Chart("outcomes-by-measure", "Outcomes by measure", "outcomes_by_measure",
          "The same metric for each measure (scale) paired: for referrals discharged in the chosen "
          "months, each scale scored at least twice, and whether its change was a reliable "
          "improvement, no reliable change or a reliable deterioration. A referral with two measures "
          "paired is counted under each.",
          (("measure", "Measure"), ("rater", "Rater")), OUTCOME_COUNTS, OUTCOME_PERCENTS,
          needs=("contacts", "scores"), labels=RATER_LABELS, note=OUTCOME_NOTE),
    Chart("outcomes-by-team", "Outcomes by team", "outcomes_by_rater",
          "The national CYP outcomes metric for each team and rater, over referrals discharged in the "
          "chosen months.",
          (("team", "Team"), ("rater", "Rater")), OUTCOME_COUNTS, OUTCOME_PERCENTS,
          needs=("contacts", "scores"), labels=RATER_LABELS, note=OUTCOME_NOTE),
    Chart("equity", "Equity: referrals per 10,000 young people", "equity",
          "Referrals received (not rejected) in the chosen months by age band, local authority, sex, "
          "ethnicity and deprivation, with the rate per 10,000 young people of the resident "
          "population where the population table gives one.",
          (("breakdown", "Breakdown"), ("group", "Group")),
          (("referrals", "Referrals"),), drawn=False,
          note="Rates are worked out from the rounded counts and the population table loaded by an "
               "administrator (thrive load_population, in the ONS mid-year estimate layout). The "
               "population table is by age and area only, so sex, ethnicity and deprivation have counts "
               "but no rates."),
    Chart("risk-support", "Risk Support plan coverage", "risk_support",
          "Young people in Getting Risk Support now (an open referral whose current grouping is "
          "Getting Risk Support), and how many have a current Risk Support plan naming two or more "
          "agencies.",
          (), (("young_people", "Young people in Getting Risk Support"),
               ("with_plan", "With a current plan"),
               ("with_plan_2_agencies", "With a current plan naming 2 or more agencies")),
          (("% with a plan naming 2 or more agencies", "with_plan_2_agencies", "young_people"),),
          needs=("groupings", "risk_plans"),
          note="A snapshot at the time the figures were computed: the month filter does not apply."),
    Chart("time-in-grouping", "Time in grouping", "time_in_grouping",
          "Completed grouping periods (ended by the next grouping decision or by discharge), with "
          "the median and mean number of days spent in each grouping.",
          (("grouping", "Grouping"),), (("periods", "Completed periods"),),
          values=(("Median days", "median_days", "periods"), ("Mean days", "mean_days", "periods")),
          needs=("groupings",), histogram=True,
          note="Medians do not add up across months, so these cover every completed period in the "
               "extract: the month filter does not apply."),
    Chart("collaborate", "Shared decision making: CollaboRATE top score", "collaborate",
          "Completed CollaboRATE encounters (all three questions answered) in the chosen months, and "
          "how many were a top score: every question answered 9, the highest.",
          (), (("encounters", "Completed encounters"), ("top_score", "Top score (every answer 9)")),
          (("% top score", "top_score", "encounters"),),
          needs=("collaborate",),
          min_denominator=(COLLABORATE_MIN_ENCOUNTERS, f"fewer than {COLLABORATE_MIN_ENCOUNTERS} responses"),
          note=f"The top-score percentage is shown only when there are {COLLABORATE_MIN_ENCOUNTERS} or "
               f"more completed encounters in the selection; otherwise the table says \"fewer than "
               f"{COLLABORATE_MIN_ENCOUNTERS} responses\"."),
    Chart("preferences", "Preferences offered versus chosen", "decision_options",
          "Options for help discussed in the grouping decisions agreed in the chosen months: how often "
          "each was offered, and how often the young person or family chose it (their preference).",
          (("option", "Option"),), (("offered", "Times offered"), ("chosen", "Times chosen")),
          (("% chosen when offered", "chosen", "offered"),),
          needs=("decision_options",), labels=tuple((o.value, label) for o, label in OPTION_LABELS.items())),
    Chart("current-view", "Current View profile by grouping", "current_view",
          "Presenting needs as practitioners described them on the Current View form, by the grouping "
          "agreed for the referral on the date of the Current View: for each item, the percentage of "
          "Current Views that rated it moderate or severe.",
          (("problem", "Current View item"), ("grouping", "Grouping")),
          (("moderate_or_severe", "Rated moderate or severe"), ("current_views", "Current Views")),
          pivot=("problem", "grouping", "moderate_or_severe"),
          pivot_percent=("moderate_or_severe", "current_views"), pivot_base="Current Views (number)",
          pivot_rows=lambda: list(dict.fromkeys(r["problem"] for r in current_view_rows())),
          needs=("scores", "groupings"), labels=(("none", "No grouping agreed yet"),),
          note="Current View describes needs: it is not an outcome measure and never sets a grouping. "
               "Items are named by number and section of the form (the Current View's wording is not "
               "shipped)."),
)
CHART_BY_SLUG = {c.slug: c for c in CHARTS}


@dataclass
class Selection:
    start: date | None = None
    end: date | None = None
    values: dict[str, str] = field(default_factory=dict)
    # Months whose figures are not final yet (incomplete_from): shown and marked, or left out of
    # the trend (the page's default).
    include_incomplete: bool = True


@dataclass
class Table:
    chart: Chart
    headings: list[str]
    rows: list[list]
    missing: list[str] = field(default_factory=list)  # tables the extract's source lacks
    # The first month whose figures are not final (a trend only), and whether such months were
    # left out (else they are among the rows, marked).
    incomplete_from: date | None = None
    incomplete_left_out: bool = False

    def is_incomplete(self, row) -> bool:
        return bool(self.incomplete_from and self.chart.by_month and isinstance(row[0], str)
                    and row[0] >= f"{self.incomplete_from:%Y-%m}")

    @property
    def missing_words(self) -> str:
        return " or ".join(TABLE_WORDS.get(t, t) for t in self.missing)


def _path(agg_dir, aggregate) -> str:
    return str(Path(agg_dir) / f"{aggregate}.parquet").replace("'", "''")


def available(agg_dir) -> bool:
    return (Path(agg_dir) / "meta.json").exists()


def meta(agg_dir) -> dict:
    return json.loads((Path(agg_dir) / "meta.json").read_text())


def as_of(agg_dir) -> date:
    """The date the figures describe: the platform's records as they were when recomputed; an
    imported extract up to the last date it holds."""
    m = meta(agg_dir)
    if m.get("extract_source") != "platform" and m.get("through"):
        return date.fromisoformat(m["through"])
    return datetime.fromisoformat(m["refreshed_at"]).astimezone(_zone()).date()


def _zone():
    from django.utils import timezone

    return timezone.get_current_timezone()


def incomplete_from(chart: Chart, on: date) -> date | None:
    """The first month of a trend whose figures are not final on `on`: a month is final once its
    last day plus the chart's follow-up (follow_up_days) is before `on`."""
    if not chart.by_month:
        return None
    cutoff = on - timedelta(days=chart.follow_up_days)
    first = date(cutoff.year, cutoff.month, 1)
    if cutoff == _last_day(first):  # the cutoff month has just ended: it is final
        first = _last_day(first) + timedelta(days=1)
    return first


def _last_day(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


def filter_options(agg_dir) -> dict[str, list[str]]:
    con = duckdb.connect()
    options = {}
    for column, _ in FILTERS:
        values = set()
        for chart in ("waiting", "attendance"):
            values |= {r[0] for r in con.execute(
                f"SELECT DISTINCT {column} FROM read_parquet('{_path(agg_dir, chart)}')").fetchall()}
        options[column] = sorted(v for v in values if v is not None)
    return options


def months_covered(agg_dir) -> tuple[date | None, date | None]:
    """The first and last month any monthly figure covers (referrals, contacts, endings)."""
    con = duckdb.connect()
    found = [con.execute(f"SELECT min(month), max(month) FROM read_parquet('{_path(agg_dir, name)}')")
             .fetchall()[0] for name in ("waiting", "attendance", "endings")]
    firsts = [f for f, _ in found if f]
    lasts = [last for _, last in found if last]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


def _where(sel: Selection, *, months: bool = True):
    """The chosen filters (and, unless months=False, the chosen months) as a WHERE clause."""
    chosen = [("month >= ?", sel.start), ("month <= ?", sel.end)] if months else []
    chosen += [(f"{column} = ?", sel.values.get(column)) for column, _ in FILTERS]
    chosen = [(clause, value) for clause, value in chosen if value]
    where = (" WHERE " + " AND ".join(c for c, _ in chosen)) if chosen else ""
    return where, [v for _, v in chosen]


def _cube_where(sel: Selection):
    """One row per filter combination: NULL in a dimension is "all"."""
    clauses = [f"{column} IS NOT DISTINCT FROM ?" for column, _ in FILTERS]
    return " WHERE " + " AND ".join(clauses), [sel.values.get(column) or None for column, _ in FILTERS]


def _value(value, count) -> str | None:
    if count is None or count < 5:
        return SUPPRESSED if count else None
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _running_totals(agg_dir, chart: Chart, sel: Selection) -> list[tuple]:
    """(month, key, level): the monthly changes over the chosen filters added up month by month,
    from the first month to the extract's last, then cut to the chosen months."""
    key = chart.pivot[1]
    source = f"read_parquet('{_path(agg_dir, chart.aggregate)}')"
    where, params = _where(sel, months=False)
    through = meta(agg_dir).get("through")
    cut = [("month >= ?", sel.start), ("month <= ?", sel.end)]
    sql = f"""
        WITH changes AS (SELECT month, {key}, sum(change) AS change FROM {source}{where} GROUP BY ALL),
        months AS (SELECT CAST(m AS DATE) AS month
                   FROM range((SELECT min(month) FROM changes),
                              CAST(? AS DATE) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)),
        levels AS (
            SELECT m.month, k.{key},
                   sum(coalesce(c.change, 0)) OVER (PARTITION BY k.{key} ORDER BY m.month) AS level
            FROM months m CROSS JOIN (SELECT DISTINCT {key} FROM changes) k
            LEFT JOIN changes c ON c.month = m.month AND c.{key} = k.{key})
        SELECT month, {key}, level::BIGINT FROM levels
        WHERE level > 0{"".join(f" AND {c}" for c, v in cut if v)} ORDER BY ALL"""
    return duckdb.connect().execute(sql, params + [through] + [v for _, v in cut if v]).fetchall()


def _histogram_values(agg_dir, chart: Chart, sel: Selection) -> list[tuple]:
    """(keys..., count, median, mean) from a histogram of days: the exact median (the middle
    value, or the mean of the two middle values) and mean for the chosen filters."""
    keys = ", ".join(k for k, _ in chart.keys)
    count = chart.counts[0][0]
    source = f"read_parquet('{_path(agg_dir, chart.aggregate)}')"
    where, params = _where(sel, months=False)
    sql = f"""
        WITH h AS (SELECT {keys}, days, sum({count}) AS n FROM {source}{where} GROUP BY ALL),
        c AS (SELECT *, sum(n) OVER (PARTITION BY {keys} ORDER BY days) AS upto,
                     sum(n) OVER (PARTITION BY {keys}) AS total FROM h)
        SELECT {keys}, any_value(total)::BIGINT,
               (min(days) FILTER (WHERE upto >= (total + 1) // 2)
                + min(days) FILTER (WHERE upto >= total // 2 + 1)) / 2.0,
               sum(days * n) / any_value(total)
        FROM c GROUP BY ALL ORDER BY ALL"""
    return duckdb.connect().execute(sql, params).fetchall()


def _raw(agg_dir, chart: Chart, sel: Selection) -> list[tuple]:
    if chart.running_total:
        return _running_totals(agg_dir, chart, sel)
    if chart.histogram:
        return _histogram_values(agg_dir, chart, sel)
    con = duckdb.connect()
    keys = [k for k, _ in chart.keys]
    source = f"read_parquet('{_path(agg_dir, chart.aggregate)}')"
    if chart.cube:
        where, params = _cube_where(sel)
        columns = keys + [c for c, _ in chart.counts]
        order = f" ORDER BY {', '.join(keys)}" if keys else ""
        rows = con.execute(f"SELECT {', '.join(columns)} FROM {source}{where}{order}", params).fetchall()
        if not keys and not rows:
            rows = [tuple(0 for _ in chart.counts)]
        return rows
    where, params = _where(sel)
    sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c, _ in chart.counts)
    rows = con.execute(f"SELECT {', '.join([*keys, sums])} FROM {source}{where} GROUP BY ALL ORDER BY ALL",
                       params).fetchall()
    return rows if keys else [r for r in rows if r[0] is not None]  # no keys: one total, if any


def table(agg_dir, chart: Chart, sel: Selection) -> Table:
    """The chart's figures for the selection, every count suppressed (disclosure.py)."""
    keys = [k for k, _ in chart.keys]
    headings = [h for _, h in chart.keys] + [h for _, h in chart.counts] + \
        [h for h, _, _ in chart.percents] + [h for h, _, _ in chart.values]
    missing = [t for t in chart.needs if t in meta(agg_dir).get("extract_absent", [])]
    if missing:
        return Table(chart, headings, [], missing)
    if chart.slug == "equity":
        return _equity(agg_dir, chart, sel)
    raw = _raw(agg_dir, chart, sel)
    first_incomplete = incomplete_from(chart, as_of(agg_dir))
    left_out = False
    if first_incomplete and not sel.include_incomplete:
        kept = [r for r in raw if r[0] is None or r[0] < first_incomplete]
        left_out = len(kept) < len(raw)
        raw = kept
    if "grouping" in keys:
        at = keys.index("grouping")
        raw.sort(key=lambda r: GROUPING_ORDER.get(r[at], len(GROUPING_ORDER)))
    if chart.labels and keys:
        raw.sort(key=lambda r: tuple(_order(chart, v) for v in r[:len(keys)]))
    if chart.pivot:
        return replace(_matrix(chart, raw), incomplete_from=first_incomplete, incomplete_left_out=left_out)
    index = {c: len(keys) + i for i, (c, _) in enumerate(chart.counts)}
    index |= {c: len(keys) + len(chart.counts) + i for i, (_, c, _) in enumerate(chart.values)}
    rows = []
    for r in raw:
        rows.append([_label(chart, v) for v in r[:len(keys)]]
                    + [suppress(r[index[c]]) for c, _ in chart.counts]
                    + [_percent(chart, r[index[n]], r[index[d]]) for _, n, d in chart.percents]
                    + [_value(r[index[v]], r[index[c]]) for _, v, c in chart.values])
    return Table(chart, headings, rows, incomplete_from=first_incomplete, incomplete_left_out=left_out)


EQUITY_BREAKDOWNS = (("age_band", "Age band at referral"), ("area", "Local authority"), ("sex", "Sex"),
                     ("gender_identity", "Gender identity"), ("ethnicity", "Ethnicity"),
                     ("imd_quintile", "Deprivation quintile (1 = most deprived)"))
EQUITY_HEADINGS = ["Breakdown", "Group", "Referrals", "Young people in the population",
                   "Referrals per 10,000 young people"]


def _rate(count, people) -> str | None:
    if count == SUPPRESSED:
        return SUPPRESSED
    if not people or count is None:
        return None
    return str((Decimal(count) * 10000 / Decimal(people)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _equity(agg_dir, chart: Chart, sel: Selection) -> Table:
    """Counts by each breakdown (filters and months applied), each beside the resident
    population of that group and the rate per 10,000, where the population table has the group
    (age bands and local authorities)."""
    from .locations import analytics_dir
    from .population import load

    people = load(analytics_dir())
    source = f"read_parquet('{_path(agg_dir, chart.aggregate)}')"
    where, params = _where(sel)
    band = sel.values.get("age_band")
    rows = []
    con = duckdb.connect()
    for column, heading in EQUITY_BREAKDOWNS:
        found = con.execute(f"SELECT {column}, sum(referrals)::BIGINT FROM {source}{where} GROUP BY ALL "
                            f"ORDER BY ALL", params).fetchall()
        if column == "age_band":
            found.sort(key=lambda r: [b for b, *_ in AGE_BAND_ORDER].index(r[0])
                       if r[0] in [b for b, *_ in AGE_BAND_ORDER] else 99)
        for value, count in found:
            shown = suppress(count)
            population = None
            label = value
            if people and column == "age_band":
                population = people.by_band(value) or None
            elif people and column == "area":
                population = people.by_area(value, band)
                label = people.name_of(value) or ("Not recorded" if value == "Unknown" else value)
            elif column == "area" and value == "Unknown":
                label = "Not recorded"
            rows.append([heading, label, shown, population, _rate(shown, population)])
    return Table(chart, list(EQUITY_HEADINGS), rows)


AGE_BAND_ORDER = (("0-4",), ("5-10",), ("11-15",), ("16-17",), ("18-25",), ("Unknown",))


def _matrix(chart: Chart, raw: list[tuple]) -> Table:
    """Rows of the pivot's row key against columns of its column key: each cell the count, or
    the percentage (pivot_percent) from the suppressed counts."""
    keys = [k for k, _ in chart.keys]
    row_key, col_key, count = chart.pivot
    at = {c: len(keys) + i for i, (c, _) in enumerate(chart.counts)}
    ri, ci = keys.index(row_key), keys.index(col_key)
    cols = sorted({r[ci] for r in raw}, key=lambda v: _order(chart, v))
    row_values = sorted({r[ri] for r in raw}, key=lambda v: _order(chart, v))
    cells = {(r[ri], r[ci]): r for r in raw}
    headings = [dict(chart.keys)[row_key]] + [str(_label(chart, c)) for c in cols]
    rows = []
    if chart.pivot_percent:
        num, den = chart.pivot_percent
        base = {r[ci]: r[at[den]] for r in raw if r[ri] is None}
        if not base:  # nothing counted in this selection
            return Table(chart, headings[:1], [])
        cols = [c for c in cols if c in base]
        headings = headings[:1] + [str(_label(chart, c)) for c in cols]
        if chart.pivot_base:
            rows.append([chart.pivot_base] + [suppress(base[c]) for c in cols])
        shown = chart.pivot_rows() if chart.pivot_rows else [v for v in row_values if v is not None]
        for rv in shown:
            found = [cells.get((rv, c)) for c in cols]
            rows.append([_label(chart, rv)] + [_percent(chart, r[at[num]] if r else 0, base[c])
                                               for r, c in zip(found, cols, strict=True)])
        return Table(chart, headings, rows)
    for rv in row_values:
        found = [cells.get((rv, c)) for c in cols]
        rows.append([_label(chart, rv)] + [suppress(r[at[count]] if r else 0) for r in found])
    return Table(chart, headings, rows)


def _percent(chart: Chart, numerator, denominator):
    if chart.min_denominator and (denominator or 0) < chart.min_denominator[0]:
        return chart.min_denominator[1]
    return suppressed_percent(numerator, denominator)


def _order(chart: Chart, value):
    """Groupings in their order, then labelled values in the labels' order, then the rest with
    numbers in number order (item 2 before item 10)."""
    labelled = [v for v, _ in chart.labels]
    natural = tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", str(value)))
    return (GROUPING_ORDER.get(value, len(GROUPING_ORDER)),
            labelled.index(value) if value in labelled else len(labelled), natural)


def _label(chart: Chart, value):
    return dict(chart.labels).get(value, _fmt(value)) if isinstance(value, str) else _fmt(value)


def _fmt(value):
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    try:
        return Grouping(value).label
    except ValueError:
        return value
