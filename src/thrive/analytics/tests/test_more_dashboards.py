"""The section 7 dashboards beyond waiting and caseload: goals agreed and met, shared decision
making, outcome measures paired and improved, Risk Support plan coverage, time in grouping. Raw
aggregate counts are checked against hand-worked answers, then what the page shows (suppressed)."""

from datetime import date

import duckdb
import pytest
from django.core.management import call_command

from thrive.accounts.models import Role
from thrive.analytics import dashboards, metrics
from thrive.analytics.engine import connect
from thrive.conftest import make_user
from thrive.measures.engine.catalogue_loader import get_catalogue

from .builders import GAD7, Extract, all_pages, d, downloaded_csv

DIMS = metrics.DIMENSIONS


def build(x: Extract):
    for i in range(7):
        p, r = f"P{i}", f"R{i}"
        x.person(p, sex="2" if i % 2 else "1", ethnic_category="A", imd_decile=3)
        x.referral(r, p, received="2024-01-01", discharged="2024-03-15", provider="RX1",
                   goals_met="met" if i < 5 else "partly")
        x.rows["groupings"] += [
            dict(person_id=p, referral_id=r, grouping="getting_help", start_on=d("2024-01-01"),
                 end_on=date(2024, 1, 11 + i), shared_decision=True),  # 10 + i days
            dict(person_id=p, referral_id=r, grouping="getting_more_help", start_on=date(2024, 1, 11 + i),
                 end_on=d("2024-03-15"), shared_decision=True if i < 2 else (None if i == 6 else False))]
        last = 6 if i < 5 else 4
        x.rows["goals"].append(dict(
            goal_id=f"G{i}", person_id=p, referral_id=r, number=1, agreed_on=d("2024-01-05"),
            first_rating=2, first_rated_on=d("2024-01-05"), last_rating=2 if i == 6 else last,
            last_rated_on=d("2024-01-05") if i == 6 else d("2024-03-01")))
        x.contact("2024-01-05", r)
        x.contact("2024-02-05", r)
        if i < 5:  # self-rated GAD-7 12 -> 5: reliably improved; the others 12 -> 11: no change
            x.score(GAD7, 12, "2024-01-05", r)
        x.score(GAD7, 5 if i < 5 else 11, "2024-03-01", r)
        if i >= 5:
            x.score(GAD7, 12, "2024-01-05", r)
    # Getting Risk Support now: S0-S5 (S0 at two providers); plans naming 2+ agencies for S0-S3,
    # one agency for S4, only a superseded plan for S5. S6 left Risk Support; S7 was discharged.
    for i in range(8):
        p = f"S{i}"
        x.person(p, sex="1", ethnic_category="M", imd_decile=1)
        x.referral(f"RS{i}", p, received="2024-02-01", discharged="2024-05-01" if i == 7 else None,
                   provider="RX1")
        x.rows["groupings"].append(dict(person_id=p, referral_id=f"RS{i}", grouping="getting_risk_support",
                                        start_on=d("2024-02-02"), end_on=d("2024-04-01") if i == 6 else None,
                                        shared_decision=True))
        agencies, status = (3, "current") if i < 4 else (1, "current") if i == 4 else (3, "superseded")
        x.rows["risk_plans"].append(dict(plan_id=f"PL{i}", person_id=p, agreed_on=d("2024-02-03"),
                                         review_on=d("2024-08-01"), status=status, ended_on=None,
                                         agencies=agencies))
    x.referral("RS0b", "S0", received="2024-02-01", discharged=None, provider="RX2")
    x.rows["groupings"].append(dict(person_id="S0", referral_id="RS0b", grouping="getting_risk_support",
                                    start_on=d("2024-02-02"), end_on=None, shared_decision=False))


@pytest.fixture
def aggregates(tmp_path, settings):
    x = Extract()
    build(x)
    return x.refresh_page(tmp_path, settings)


def raw(agg, name, columns, cube_all=False):
    where = " WHERE " + " AND ".join(f"{c} IS NULL" for c in DIMS) if cube_all else ""
    sums = ", ".join(c if cube_all else f"sum({c})::BIGINT" for c in columns)
    return duckdb.connect().execute(
        f"SELECT {sums} FROM read_parquet('{agg}/{name}.parquet'){where}").fetchall()


def shown(agg, slug, **values):
    return dashboards.table(agg, dashboards.CHART_BY_SLUG[slug], dashboards.Selection(values=values))


def test_goals_agreed_and_met(aggregates):
    assert raw(aggregates, "goals", ["endings", "with_goals", "goals_met", "goals_partly_met", "goals_agreed",
                                     "goals_rated_twice", "goals_improved"]) == [(8, 7, 5, 2, 7, 6, 5)]
    # Shown: 7 referrals from the first group plus S7 (discharged in May, no goals).
    table = shown(aggregates, "goals")
    assert table.rows[0] == ["2024-03", 5, 5, 5, "*", 5, 5, 5, "100.0", "100.0", "100.0"]
    assert table.rows[1][:3] == ["2024-05", "*", 0]
    assert metrics.GBO_RELIABLE_CHANGE == get_catalogue().scale("gbo/goal_1").rc_threshold


def test_shared_decision_making(aggregates):
    # January: 7 getting_help decisions, all shared, and 7 getting_more_help: 2 shared, 1 not recorded.
    counts = raw(aggregates, "shared_decisions", ["decisions", "shared", "not_recorded"])
    assert counts == [(14 + 9, 9 + 8, 1)]
    rows = shown(aggregates, "shared-decisions").rows
    assert rows[0] == ["2024-01", 15, 10, "*", "66.7"]
    assert rows[1] == ["2024-02", 10, 10, 0, "100.0"]  # 9 risk support decisions, 8 shared


def test_outcomes_reuse_the_metric(aggregates, tmp_path):
    con = connect(tmp_path / "extract")
    table = metrics.compute_cyp_outcomes(con, *metrics.ALL_TIME)
    published = metrics.published_figures(con, table).counts
    assert raw(aggregates, "outcomes", ["closed", "assessed", "paired", "paired_SR", "improved_SR"]) == [
        (published["mhs110"], published["assessed_any"], published["paired_any"], published["paired_SR"],
         published["improvement_SR"])] == [(7, 7, 7, 7, 5)]
    row = shown(aggregates, "outcomes").rows[0]
    assert row[:6] == ["2024-03", 5, 5, 5, 5, 5] and row[-4:-2] == ["100.0", "100.0"]


def test_risk_support_plan_coverage(aggregates):
    everyone = raw(aggregates, "risk_support", ["young_people", "with_plan", "with_plan_2_agencies"], True)
    assert everyone == [(6, 5, 4)]  # S0 counted once though open at two providers
    assert shown(aggregates, "risk-support").rows == [[5, 5, "*", "*"]]
    assert shown(aggregates, "risk-support", provider="RX2").rows == [["*", "*", "*", "*"]]
    assert shown(aggregates, "risk-support", sex="Female").rows == [[0, 0, 0, None]]
    # The month filter does not apply to a snapshot.
    sel = dashboards.Selection(start=date(2030, 1, 1), values={})
    chart = dashboards.CHART_BY_SLUG["risk-support"]
    assert dashboards.table(aggregates, chart, sel).rows == [[5, 5, "*", "*"]]


def test_time_in_grouping(aggregates):
    table = shown(aggregates, "time-in-grouping")
    assert table.headings == ["Grouping", "Completed periods", "Median days", "Mean days"]
    # Getting Help: 10..16 days -> median 13; More Help ends 15 March: 64..58 days -> median 61;
    # Risk Support: one completed period (S6, 59 days) -> "*".
    assert table.rows == [["Getting Help", 5, "13.0", "13.0"], ["Getting More Help", 5, "61.0", "61.0"],
                          ["Getting Risk Support", "*", "*", "*"]]
    # Girls (i = 1, 3, 5): 11, 13, 15 days: too few for a median.
    assert shown(aggregates, "time-in-grouping", sex="Female").rows[0] == ["Getting Help", "*", "*", "*"]
    boys = shown(aggregates, "time-in-grouping", sex="Male", ethnicity="White").rows[0]
    assert boys == ["Getting Help", "*", "*", "*"]  # i = 0, 2, 4, 6: 4 periods


@pytest.mark.django_db
def test_page_and_downloads(client, camhs_team, aggregates):
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = all_pages(client)
    for title in ("Goals agreed and met", "Shared decision making recorded", "Risk Support plan coverage",
                  "Outcome measures paired and reliably improved", "Time in grouping"):
        assert title in page
    assert "the month filter does not apply" in page
    assert "has no goals" not in page and "has no Risk Support plans" not in page  # this extract has both
    for slug in ("goals", "shared-decisions", "outcomes", "risk-support", "time-in-grouping"):
        rows = downloaded_csv(client, slug)
        assert rows[0] == dashboards.table(
            aggregates, dashboards.CHART_BY_SLUG[slug], dashboards.Selection()).headings
        assert len(rows) > 1
        assert not {c for r in rows[1:] for c in r} & {"1", "2", "3", "4"}


@pytest.mark.django_db
def test_a_source_without_goals_or_plans_says_so(client, camhs_team, tmp_path, settings):
    x = Extract()
    build(x)
    x.rows["goals"] = []
    x.rows["risk_plans"] = []
    x.refresh_page(tmp_path, settings)  # absent: goals, risk_plans (as an MHSDS import)
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = all_pages(client)
    # ... and so do the CollaboRATE and preferences dashboards (no such tables in this extract).
    assert page.count("Not available from this source") == 4
    assert "has no goals, so" in page and "has no Risk Support plans, so" in page
    # Said accurately: MHSDS carries goal-based outcome scores, not the goals themselves.
    assert "carry goal-based outcome scores among their coded assessments" in page
    agg = tmp_path / "analytics" / "aggregates"
    assert shown(agg, "goals").missing == ["goals"] and shown(agg, "goals").rows == []


@pytest.mark.django_db
def test_from_the_platform_records(tmp_path, settings, platform_records):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    call_command("refresh_analytics")
    agg = tmp_path / "analytics" / "aggregates"
    assert dashboards.meta(agg)["extract_absent"] == []
    assert raw(agg, "goals", ["endings", "with_goals", "goals_met", "goals_rated_twice", "goals_improved"]) \
        == [(1, 1, 1, 1, 1)]  # Amira: goal rated 2 then 7, ending says met
    assert raw(agg, "risk_support", ["young_people", "with_plan_2_agencies"], True) == [(1, 1)]
    assert raw(agg, "shared_decisions", ["decisions", "shared"]) == [(3, 2)]
    # Getting Advice 20 Nov -> 10 Jan (51 days); Getting Help 10 Jan -> 30 Apr (111 days).
    got = duckdb.connect().execute(
        f"SELECT grouping, days, sum(periods) FROM read_parquet('{agg}/time_in_grouping.parquet') "
        f"GROUP BY ALL ORDER BY grouping").fetchall()
    assert got == [("getting_advice", 51, 1), ("getting_help", 111, 1)]
