"""The outcomes dashboard shows improvement, no change and deterioration per rater, by measure and
by team, from the national metric's own per-referral classification (not re-derived)."""

import duckdb
import pytest

from thrive.analytics import dashboards, metrics
from thrive.analytics.engine import connect

from .builders import GAD7, PHQ9, Extract

OUTCOMES = {"improved": 5, "deteriorated": 20, "no_change": 11}  # GAD-7 from 12


def build(x: Extract):
    """16 closed referrals, GAD-7 self-rated 12 -> 5 (6 improved), 12 -> 20 (5 deteriorated),
    12 -> 11 (5 no change); the first 11 in one team, the rest in another. Four also have PHQ-9
    paired (14 -> 4, improved)."""
    kinds = ["improved"] * 6 + ["deteriorated"] * 5 + ["no_change"] * 5
    for i, kind in enumerate(kinds):
        r = f"R{i}"
        x.person(f"P{i}", sex="1" if i % 2 else "2", ethnic_category="A", imd_decile=4)
        x.referral(r, f"P{i}", received="2024-01-02", discharged="2024-03-20", provider="RX1",
                   team="Getting Help team" if i < 11 else "MHST East")
        x.contact("2024-01-05", r)
        x.contact("2024-02-05", r)
        x.score(GAD7, 12, "2024-01-05", r)
        x.score(GAD7, OUTCOMES[kind], "2024-03-01", r)
        if i < 4:
            x.score(PHQ9, 14, "2024-01-05", r)
            x.score(PHQ9, 4, "2024-03-01", r)


@pytest.fixture
def aggregates(tmp_path, settings):
    x = Extract()
    build(x)
    return x.refresh_page(tmp_path, settings)


def raw(agg, name, keys):
    return duckdb.connect().execute(
        f"SELECT {keys}, sum(paired)::INT, sum(improved)::INT, sum(no_change)::INT, sum(deteriorated)::INT "
        f"FROM read_parquet('{agg}/{name}.parquet') GROUP BY ALL ORDER BY ALL").fetchall()


def shown(agg, slug, **values):
    return dashboards.table(agg, dashboards.CHART_BY_SLUG[slug], dashboards.Selection(values=values))


def test_per_rater_counts_are_the_metrics_own(aggregates, tmp_path):
    assert raw(aggregates, "outcomes_by_rater", "rater") == [("self", 16, 6, 5, 5)]
    con = connect(tmp_path / "extract")
    published = metrics.published_figures(con, metrics.compute_cyp_outcomes(con, *metrics.ALL_TIME)).counts
    assert (published["paired_SR"], published["improvement_SR"], published["no_change_SR"],
            published["deterioration_SR"]) == (16, 6, 5, 5)


def test_the_page_table_shows_all_three_outcomes_suppressed(aggregates):
    table = shown(aggregates, "outcomes-by-rater")
    assert table.headings == ["Rater", "Paired", "Reliably improved", "No reliable change",
                              "Reliably deteriorated", "% improved", "% no change", "% deteriorated"]
    # 16 -> 15, 6 -> 5, 5, 5; percentages from the rounded counts.
    assert table.rows == [["Self-rated (young person)", 15, 5, 5, 5, "33.3", "33.3", "33.3"]]


def test_by_measure(aggregates):
    measures = raw(aggregates, "outcomes_by_measure", "measure, rater")
    assert sorted(m[1:] for m in measures) == [("self", 4, 4, 0, 0), ("self", 16, 6, 5, 5)]
    rows = shown(aggregates, "outcomes-by-measure").rows
    assert sorted((r[1:6] for r in rows), key=str) == [["Self-rated (young person)", "*", "*", 0, 0],
                                                       ["Self-rated (young person)", 15, 5, 5, 5]]
    assert all(r[0] and not str(r[0]).isdigit() for r in rows)  # named, not a code


def test_by_team(aggregates):
    assert raw(aggregates, "outcomes_by_rater", "team, rater") == [
        ("Getting Help team", "self", 11, 6, 0, 5), ("MHST East", "self", 5, 0, 5, 0)]
    rows = shown(aggregates, "outcomes-by-team").rows
    assert rows == [["Getting Help team", "Self-rated (young person)", 10, 5, 0, 5, "50.0", "0.0", "50.0"],
                    ["MHST East", "Self-rated (young person)", 5, 0, 5, 0, "0.0", "100.0", "0.0"]]
    # The team filter narrows the per-rater table to one team.
    assert shown(aggregates, "outcomes-by-rater", team="MHST East").rows[0][1:5] == [5, 0, 5, 0]
