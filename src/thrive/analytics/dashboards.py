"""Dashboards: precomputed aggregates (refresh) and the filtered, suppressed tables pages show.

``refresh`` runs every aggregate of metrics.AGGREGATES_SQL over an extract and writes each as a
Parquet file; pages only ever read those small files (never person-level rows), sum them over
the chosen filters and apply small-number suppression to every figure shown.
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from . import metrics
from .disclosure import suppress, suppressed_percent
from .engine import connect


def refresh(extract_dir: str | os.PathLike, out_dir: str | os.PathLike) -> dict:
    """Compute every aggregate and swap the directory in whole (readers never see half)."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        con = connect(extract_dir)
        rows = {}
        for name, rel in metrics.compute_aggregates(con).items():
            target = str(staging / f"{name}.parquet").replace("'", "''")
            con.execute(f"COPY ({rel.sql_query()}) TO '{target}' (FORMAT parquet)")
            rows[name] = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0]
        manifest = json.loads((Path(extract_dir) / "manifest.json").read_text())
        meta = {"refreshed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "extract_source": manifest.get("source"), "extract_created_at": manifest.get("created_at"),
                "rows": rows}
        (staging / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        old = out.with_name(out.name + ".old")
        if out.exists():
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
        return meta
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


FILTERS = (
    ("provider", "Agency"),
    ("age_band", "Age band at referral"),
    ("sex", "Sex"),
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


CHARTS = (
    Chart("caseload", "Caseload by needs-based grouping", "caseload",
          "Referrals open at the end of each month, by the grouping agreed at that date.",
          (("month", "Month"), ("grouping", "Grouping")), (("referrals", "Referrals"),),
          pivot=("month", "grouping", "referrals")),
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
           ("% second within 4 weeks", "second_within_4_weeks", "referrals"))),
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
           ("% re-referred within 12 months", "rereferred_12_months", "endings"))),
)
CHART_BY_SLUG = {c.slug: c for c in CHARTS}


@dataclass
class Selection:
    start: date | None = None
    end: date | None = None
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    chart: Chart
    headings: list[str]
    rows: list[list]


def _path(agg_dir, aggregate) -> str:
    return str(Path(agg_dir) / f"{aggregate}.parquet").replace("'", "''")


def available(agg_dir) -> bool:
    return (Path(agg_dir) / "meta.json").exists()


def meta(agg_dir) -> dict:
    return json.loads((Path(agg_dir) / "meta.json").read_text())


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


def _where(chart: Chart, sel: Selection):
    clauses, params = [], []
    if sel.start:
        clauses.append("month >= ?")
        params.append(sel.start)
    if sel.end:
        clauses.append("month <= ?")
        params.append(sel.end)
    for column, _ in FILTERS:
        if sel.values.get(column):
            clauses.append(f"{column} = ?")
            params.append(sel.values[column])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def table(agg_dir, chart: Chart, sel: Selection) -> Table:
    """The chart's figures for the selection, every count suppressed (disclosure.py)."""
    con = duckdb.connect()
    keys = [k for k, _ in chart.keys]
    where, params = _where(chart, sel)
    sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c, _ in chart.counts)
    raw = con.execute(
        f"SELECT {', '.join(keys)}, {sums} FROM read_parquet('{_path(agg_dir, chart.aggregate)}')"
        f"{where} GROUP BY ALL ORDER BY ALL", params).fetchall()
    if chart.pivot:
        row_key, col_key, count = chart.pivot
        cols = sorted({r[keys.index(col_key)] for r in raw})
        cells: dict = {}
        for r in raw:
            cells[(r[keys.index(row_key)], r[keys.index(col_key)])] = r[len(keys)]
        row_values = sorted({r[keys.index(row_key)] for r in raw}, key=str)
        headings = [dict(chart.keys)[row_key]] + [str(c) for c in cols]
        rows = [[_fmt(rv)] + [suppress(cells.get((rv, c), 0)) for c in cols] for rv in row_values]
        return Table(chart, headings, rows)
    headings = [h for _, h in chart.keys] + [h for _, h in chart.counts] + [h for h, _, _ in chart.percents]
    index = {c: len(keys) + i for i, (c, _) in enumerate(chart.counts)}
    rows = []
    for r in raw:
        rows.append([_fmt(v) for v in r[:len(keys)]]
                    + [suppress(r[index[c]]) for c, _ in chart.counts]
                    + [suppressed_percent(r[index[n]], r[index[d]]) for _, n, d in chart.percents])
    return Table(chart, headings, rows)


def _fmt(value):
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    return value
