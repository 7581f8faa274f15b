"""The resident population table (ONS mid-year estimate layout) and the equity dashboard's rates
per 10,000 young people beside the counts."""

import csv

import pytest
from django.core.management import CommandError, call_command

from thrive.accounts.models import Role
from thrive.analytics import dashboards, population
from thrive.analytics.locations import analytics_dir
from thrive.conftest import make_user

from .builders import Extract

AGES = [str(a) for a in range(90)] + ["90+"]
DEMO = population.DEMO_FILE


def write(path, rows, headings=None):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(headings or ["Code", "Name", "Geography", "All ages", *AGES])
        w.writerows(rows)
    return path


def area(code, name, per_year, total=None):
    counts = [per_year if a < 26 else 0 for a in range(91)]
    return [code, name, "Unitary Authority", sum(counts) if total is None else total, *counts]


def test_single_years_are_added_up_into_the_dashboards_age_bands(tmp_path):
    areas = population.parse(write(tmp_path / "p.csv", [area("E06000001", "Hartlepool", 100)]))
    assert areas[0].bands == {"0-4": 500, "5-10": 600, "11-15": 500, "16-17": 200, "18-25": 800}


@pytest.mark.parametrize("rows, headings, problem", [
    ([area("E06000001", "A", 100, total=5)], None, "All ages is 5 but the single years add up to 2,600"),
    ([area("Hartlepool", "A", 100)], None, "'Hartlepool' is not an ONS area code"),
    ([area("E06000001", "A", 100), area("E06000001", "B", 100)], None, "area E06000001 appears twice"),
    ([area("E06000001", "", 100)], None, "Line 2: the area has no name"),
    ([area("E06000001", "A", 100)[:4] + ["lots"] + area("E06000001", "A", 100)[5:]], None,
     "the population aged 0 ('lots') is not a whole number of people"),
    ([area("E06000001", "A", 100)[:-1]], None, "Line 2: 94 values, but the heading row has 95"),
    ([["E06000001", "A", "10"]], ["Code", "Name", "All ages"], "The heading row has no column 0, 1"),
    ([], None, "The file has a heading row but no areas"),
])
def test_a_bad_table_is_refused_whole_with_every_problem(tmp_path, settings, rows, headings, problem):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    bad = write(tmp_path / "bad.csv", rows, headings)
    with pytest.raises(population.PopulationRejected) as refused:
        population.parse(bad)
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_population", str(bad))
    assert population.load(analytics_dir()) is None


def test_an_empty_or_unreadable_file_is_refused(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(population.PopulationRejected, match="problem"):
        population.parse(tmp_path / "empty.csv")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(population.PopulationRejected):
        population.parse(tmp_path / "binary.csv")


def test_a_refused_table_leaves_the_one_in_use(tmp_path, settings):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    call_command("load_population", str(DEMO))
    before = population.load(analytics_dir())
    with pytest.raises(CommandError):
        call_command("load_population", str(write(tmp_path / "bad.csv", [area("X", "A", 1)])))
    assert population.load(analytics_dir()) == before
    assert [a.name for a in before.areas] == ["Northvale", "Southmoor"]


def build(x: Extract):
    """Referrals in January 2024: 20 aged 12 from Hartlepool (E06000001), 10 aged 7 from an area
    the table does not have, 5 with no local authority; 3 aged 17 with no local authority."""
    for i in range(38):
        la = "E06000001" if i < 20 else ("E06000002" if i < 30 else None)
        x.person(f"P{i}", sex="1" if i % 2 else "2", la_code=la, ethnic_category="A", imd_decile=5)
        x.referral(f"R{i}", f"P{i}", received="2024-01-10", discharged=None,
                   age=12 if i < 20 else (7 if i < 35 else 17), provider="RX1")


@pytest.fixture
def equity(tmp_path, settings):
    x = Extract()
    build(x)
    agg = x.refresh_page(tmp_path, settings)
    call_command("load_population", str(write(tmp_path / "pop.csv", [area("E06000001", "Hartlepool", 1000)])))
    return agg


def test_rates_per_10000_beside_counts(equity):
    table = dashboards.table(equity, dashboards.CHART_BY_SLUG["equity"], dashboards.Selection())
    assert table.headings == ["Breakdown", "Group", "Referrals", "Young people in the population",
                              "Referrals per 10,000 young people"]
    rows = {(r[0], r[1]): r[2:] for r in table.rows}
    # 20 aged 11-15 against 5 x 1,000; 15 aged 5-10 (rounded from 15) against 6,000.
    assert rows[("Age band at referral", "11-15")] == [20, 5000, "40.0"]
    assert rows[("Age band at referral", "5-10")] == [15, 6000, "25.0"]
    # Hartlepool: 20 referrals against 26,000 aged 0 to 25; an area not in the table has no rate.
    assert rows[("Local authority", "Hartlepool")] == [20, 26000, "7.7"]
    assert rows[("Local authority", "E06000002")] == [10, None, None]
    assert rows[("Local authority", "Not recorded")] == [10, None, None]  # 8, rounded
    # No population by sex: counts only.
    assert rows[("Sex", "Male")][1:] == [None, None]
    # Age band chosen: the area's population is that band's.
    chosen = dashboards.table(equity, dashboards.CHART_BY_SLUG["equity"],
                              dashboards.Selection(values={"age_band": "11-15"}))
    assert {(r[0], r[1]): r[2:] for r in chosen.rows}[("Local authority", "Hartlepool")] == [20, 5000, "40.0"]


def test_a_suppressed_count_has_a_suppressed_rate(equity):
    table = dashboards.table(equity, dashboards.CHART_BY_SLUG["equity"], dashboards.Selection())
    rows = {(r[0], r[1]): r[2:] for r in table.rows}
    assert rows[("Age band at referral", "16-17")] == ["*", 2000, "*"]  # 3 referrals: never a rate


@pytest.mark.django_db
def test_the_equity_page_says_where_rates_come_from(client, camhs_team, equity):
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    html = client.get("/analytics/equity/").content.decode()
    assert "Referrals per 10,000 young people" in html and "Hartlepool" in html
    assert "thrive load_population" in html


@pytest.mark.django_db
def test_the_platform_extract_matches_an_authority_recorded_by_name(tmp_path, settings, platform_records):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    call_command("load_population", str(DEMO))
    call_command("refresh_analytics")
    agg = tmp_path / "analytics" / "aggregates"
    table = dashboards.table(agg, dashboards.CHART_BY_SLUG["equity"], dashboards.Selection())
    areas = [r[1] for r in table.rows if r[0] == "Local authority"]
    assert "Northvale" in areas  # Benedikt's "Northvale" matched to the table's area


@pytest.mark.django_db
def test_a_communitys_own_assessment_sits_beside_its_areas_population(client, camhs_team, equity):
    """Community THRIVE (issue 15 item 7): the latest closed assessment of a community whose
    geography is a local authority in the population table is shown on the equity page; a ward,
    or an area the table does not have, is not (an open assessment never is: community tests)."""
    from datetime import date

    from thrive.community import services as community
    from thrive.community.models import Community

    lead = make_user("fay.facilitator", None, Role.FACILITATOR)
    factor_set = community.load_factor_set()

    def assessment(name, scheme, code, *, close):
        place = community.create_community(name=name, scheme=scheme, code=code)
        made = community.open_for_ratings(community.create_assessment(
            user=lead, community=place, period_start=date(2026, 9, 1),
            period_end=date(2026, 11, 30), purpose="Annual community assessment",
            factor_set=factor_set, factors=factor_set.factors.all()))
        if close:
            community.close(made, reason="A short round")
        return made

    assessment("Hartlepool together", Community.Scheme.LAD, "E06000001", close=True)
    assessment("A ward elsewhere", Community.Scheme.WARD, "E06000001", close=True)
    assessment("Still rating", Community.Scheme.LAD, "E06000002", close=False)
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    html = client.get("/analytics/equity/").content.decode()
    assert "Community THRIVE: Hartlepool together" in html
    assert "A ward elsewhere" not in html and "Still rating" not in html
    assert "Community THRIVE" not in client.get("/analytics/waiting/").content.decode()
