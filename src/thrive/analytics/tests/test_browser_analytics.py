"""The analytics pages in a real browser: an analyst signs in, opens /analytics/, sees a chart
drawn beside every table (and a flow diagram of moves between groupings), narrows the figures
with a filter and downloads one table as CSV, whose small numbers are suppressed. Every page
passes axe-core, at desktop and phone width; every view and download is audited."""

import csv
import re

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.analytics import dashboards
from thrive.browser_tests.support import DESKTOP, PHONE, assert_accessible
from thrive.conftest import PASSWORD, make_user
from thrive.core.models import AuditEvent

from .builders import Extract, d
from .test_dashboards import build

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(transactional_db, tmp_path, settings):
    x = Extract()
    build(x)
    for row in x.rows["groupings"][:7]:  # seven move on to Getting Help in February
        row["end_on"] = d("2024-02-01")
        x.rows["groupings"].append(dict(row, grouping="getting_help", start_on=d("2024-02-01"), end_on=None))
    for i in range(2):  # two girls referred in March: a small number
        x.person(f"Q{i}", sex="2", ethnic_category="A", imd_decile=3)
        x.referral(f"Q{i}", f"Q{i}", received="2024-03-04", discharged=None, age=14, provider="RX1")
        x.contact("2024-03-10", f"Q{i}")
    x.refresh_page(tmp_path, settings)


def sign_in_as_analyst(page):
    page.goto("/analytics/")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("ana.analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("THRIVE system measures")
    assert_accessible(page)


def test_an_analyst_filters_and_downloads_a_suppressed_csv(page, figures, camhs_team):
    make_user("ana.analyst", camhs_team, Role.ANALYST)
    sign_in_as_analyst(page)
    # Found from the header, and each dashboard is one link away.
    expect(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Analytics")).to_be_visible()
    expect(page.get_by_text("Small numbers are suppressed")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Sex").select_option("Female")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(re.compile(r"sex=Female"))
    expect(page.get_by_label("Sex")).to_have_value("Female")
    assert_accessible(page)
    page.get_by_role("link", name="Waiting times").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting times")
    expect(page).to_have_url(re.compile(r"/analytics/waiting/\?.*sex=Female"))
    waiting = page.get_by_role("region", name="Waiting times")
    expect(waiting.get_by_role("row", name=re.compile("^March 2024"))).to_contain_text("*")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV (Waiting times)").click()
    download = download_info.value
    assert download.suggested_filename == "thrive-waiting-start-to-latest-sex-female.csv"
    with open(download.path(), newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    said = {line[0]: line[1] for line in lines[:lines.index([])]}
    assert said["Dashboard"] == "Waiting times" and said["Sex"] == "Female" and said["Ethnicity"] == "All"
    rows = lines[lines.index([]) + 1:]
    assert rows[0] == ["Month received", "Referrals", "Had a first contact", "First contact within 4 weeks",
                       "Had a second contact", "Second contact within 4 weeks", "% first within 4 weeks",
                       "% second within 4 weeks"]
    # Six girls referred in January -> 5; two in March -> "*", and every percentage built on it too.
    assert rows[1][:2] == ["2024-01", "5"]
    assert rows[2] == ["2024-03", "*", "*", "*", "0", "0", "*", "*"]
    counts = [cell for row in rows[1:] for cell in row[1:6]]
    assert not set(counts) & {"1", "2", "3", "4"}
    assert all(cell in ("*", "0") or int(cell) % 5 == 0 for cell in counts)

    events = AuditEvent.objects.filter(username="ana.analyst", action__in=["view", "export"]).order_by("id")
    assert [(e.action, e.detail) for e in events] == [
        ("view", "analytics dashboard: THRIVE system measures (source=platform)"),
        ("view", "analytics dashboard: THRIVE system measures (source=platform, sex=Female)"),
        ("view", "analytics dashboard: Waiting times (source=platform, sex=Female)"),
        ("export", "analytics CSV: Waiting times (source=platform, sex=Female)"),
    ]


def test_a_reversed_range_is_a_clear_error_at_phone_and_desktop_width(new_page, figures, camhs_team):
    make_user("ana.analyst", camhs_team, Role.ANALYST)
    for viewport in (PHONE, DESKTOP):
        page = new_page(viewport=viewport)
        sign_in_as_analyst(page)
        page.goto("/analytics/endings/")
        assert_accessible(page)
        page.get_by_text("Change the months or filters").click()
        page.get_by_label("From month").fill("2024-05")
        page.get_by_label("To month").fill("2024-01")
        page.get_by_role("button", name="Show figures").click()
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("There is a problem")
        expect(summary).to_contain_text("The end month (January 2024) must be the same as or after the "
                                        "start month (May 2024)")
        expect(page.get_by_role("table")).to_have_count(0)
        assert_accessible(page)
        # Re-referral needs a year of follow-up: those months are left out, and can be shown, marked.
        page.goto("/analytics/endings/")
        assert_accessible(page)
        expect(page.get_by_text(re.compile("^Figures from May 2023 on are not final yet"))).to_be_visible()
        expect(page.get_by_text("No figures for this selection")).to_be_visible()
        page.get_by_text("Change the months or filters").click()
        page.get_by_label("Include months whose figures are not final yet").check()
        page.get_by_role("button", name="Show figures").click()
        expect(page.get_by_role("region", name="Endings and re-referrals").get_by_role(
            "row", name=re.compile("^March 2024"))).to_contain_text("not final")
        assert_accessible(page)


def charts_drawn(page):
    """Every dashboard with figures has its chart drawn (an svg in its container) on its own page,
    named by its description; moves between groupings also have their flow diagram. (Months not
    final are included, so every trend has something to draw.)"""
    for slug in ("caseload", "waiting", "attendance", "endings", "transitions"):
        page.goto(f"/analytics/{slug}/?incomplete=1")
        chart = page.locator(f"#chart-{slug}")
        expect(chart.locator("svg").first).to_be_visible()
        # vega-embed names the container with the spec's description (and gives it a graphics role).
        expect(chart).to_have_attribute("aria-label", re.compile(r"as \* \(1 to 4\) is not drawn"))
        assert_accessible(page)
    flow = page.locator("#flow-transitions")
    expect(flow.locator("svg").first).to_be_visible()
    expect(flow).to_have_attribute("aria-label", re.compile("^Moves between groupings: flow diagram"))
    expect(flow.locator("svg text", has_text="Getting Help").first).to_be_visible()
    # Each chart sits above the table that is its accessible alternative.
    section = page.get_by_role("region", name=dashboards.CHART_BY_SLUG["transitions"].title)
    expect(section.get_by_role("row", name=re.compile("^Getting Advice and Signposting"))).to_be_visible()


def test_the_charts_fit_a_phone(new_page, figures, camhs_team):
    make_user("ana.analyst", camhs_team, Role.ANALYST)
    page = new_page(viewport=PHONE, is_mobile=True)
    sign_in_as_analyst(page)
    assert_accessible(page)
    for slug in ("caseload", "waiting", "transitions"):
        page.goto(f"/analytics/{slug}/?incomplete=1")
        charts = [f"#chart-{slug}"] + (["#flow-transitions"] if slug == "transitions" else [])
        for chart in charts:
            expect(page.locator(f"{chart} svg").first).to_be_visible()
            box = page.locator(f"{chart} svg").first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], chart
        too_wide = page.evaluate("""width => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > width + 1)
            .map(e => `${e.tagName}#${e.id}.${e.className}`).slice(0, 10)""", PHONE["width"])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], too_wide
        assert_accessible(page)


@pytest.fixture
def needs(transactional_db, tmp_path, settings):
    from .test_decision_and_needs_dashboards import build as build_needs

    x = Extract()
    build_needs(x)
    x.refresh_page(tmp_path, settings)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_the_current_view_heat_map_is_readable_at_phone_and_desktop_width(new_page, needs, camhs_team,
                                                                          viewport):
    make_user("ana.analyst", camhs_team, Role.ANALYST)
    page = new_page(viewport=viewport)
    sign_in_as_analyst(page)
    page.goto("/analytics/current-view/?incomplete=1")
    chart = page.locator("#chart-current-view svg").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    # The column labels do not overlap one another.
    labels = page.locator("#chart-current-view svg g.role-axis-label text")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    top = [b for b in boxes if b and b["y"] < box["y"] + 120]
    top.sort(key=lambda b: b["x"])
    for left, right in zip(top, top[1:], strict=False):
        overlap_x = left["x"] + left["width"] > right["x"] + 1
        overlap_y = left["y"] < right["y"] + right["height"] and right["y"] < left["y"] + left["height"]
        assert not (overlap_x and overlap_y and abs(left["y"] - right["y"]) < 2), (left, right)
    # The table beside the chart keeps the count row the colours leave out.
    expect(page.get_by_role("region", name="Current View profile by grouping").get_by_role(
        "row", name=re.compile("^Current Views \\(number\\)"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page)
    page.goto("/analytics/equity/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Equity: referrals per 10,000 young people")
    assert_accessible(page)
