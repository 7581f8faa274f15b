"""The analytics pages people can find and trust: one page per dashboard listed from /analytics/,
readable dates and words, months whose figures are not final marked and left out of trends by
default, a clear error for a reversed or empty range of months, and CSV files named by dashboard,
period and filters with the filters written in the file."""

import csv
import io
import re

import pytest

from thrive.accounts.models import Role
from thrive.analytics import dashboards
from thrive.conftest import make_user
from thrive.core.models import AuditEvent

from .builders import Extract
from .test_dashboards import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client, camhs_team, tmp_path, settings):
    x = Extract()
    build(x)  # referrals Jan 2024 (discharged March), one in May 2024: the extract ends 1 May 2024
    x.refresh_page(tmp_path, settings)
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    return client


def page(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)  # chart specs are data
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_list_links_every_dashboard_on_its_own_page(analyst, tmp_path):
    html = page(analyst, "/analytics/")
    for chart in dashboards.CHARTS:
        assert f'href="/analytics/{chart.slug}/"' in html
        assert chart.title in page(analyst, f"/analytics/{chart.slug}/")
    words = text(html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d", words)  # no ISO timestamps
    assert str(tmp_path) not in html and "/tmp" not in html  # no server paths
    assert "recomputed on" in words and "the latest record in them is dated 1 May 2024" in words


def test_filters_are_kept_on_the_links_to_each_dashboard(analyst):
    html = page(analyst, "/analytics/", {"sex": "Female", "from": "2024-01"})
    assert 'href="/analytics/waiting/?sex=Female&amp;from=2024-01"' in html


def test_months_read_as_words_in_the_table(analyst):
    words = text(page(analyst, "/analytics/waiting/"))
    assert "January 2024" in words and "2024-01" not in words.replace("like 2024-04", "")


def test_months_not_final_are_left_out_by_default_and_marked_when_included(analyst):
    # Waiting times need 4 weeks after the month: on 1 May 2024, April and May are not final.
    left_out = text(page(analyst, "/analytics/waiting/"))
    assert "Figures from April 2024 on are not final yet" in left_out
    assert "They are left out of the trend" in left_out
    assert "May 2024" not in left_out.split("are not final")[1]
    included = text(page(analyst, "/analytics/waiting/", {"incomplete": "1"}))
    assert re.search(r"May 2024 not final", included)
    assert "January 2024 not final" not in included
    # Re-referral needs 12 months after the discharge: March 2024's endings are not final.
    endings = dashboards.table(dashboards_dir(analyst), dashboards.CHART_BY_SLUG["endings"],
                               dashboards.Selection(include_incomplete=False))
    assert endings.rows == [] and endings.incomplete_left_out
    assert "No figures for this selection" in text(page(analyst, "/analytics/endings/"))
    assert "March 2024 not final" in text(page(analyst, "/analytics/endings/", {"incomplete": "1"}))


def dashboards_dir(client):
    from thrive.analytics.locations import aggregates_dir

    return aggregates_dir("platform")


@pytest.mark.parametrize("params, message, field", [
    ({"from": "2024-05", "to": "2024-01"},
     "The end month (January 2024) must be the same as or after the start month (May 2024)", "filter-to"),
    ({"from": "2030-01", "to": "2030-06"},
     "There are no figures for the months chosen: the figures cover January 2024 to May 2024", "filter-from"),
    ({"to": "2019-12"},
     "There are no figures for the months chosen: the figures cover January 2024 to May 2024", "filter-to"),
    ({"from": "April"}, "Enter the start month as YYYY-MM, like 2024-04", "filter-from"),
])
def test_a_reversed_or_empty_range_is_a_clear_error(analyst, params, message, field):
    for url in ("/analytics/", "/analytics/waiting/"):
        html = page(analyst, url, params)
        assert "There is a problem" in html
        assert f'<a href="#{field}">{message}</a>' in html
        assert f'id="{field}-error"' in html
        assert "<table" not in html
    assert analyst.get("/analytics/download/waiting.csv", params).status_code == 404


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_is_named_by_dashboard_period_and_filters_and_says_them(analyst):
    response = analyst.get("/analytics/download/waiting.csv", {"from": "2024-01", "to": "2024-03",
                                                              "sex": "Female", "age_band": "11-15"})
    assert response["Content-Disposition"] == (
        'attachment; filename="thrive-waiting-2024-01-to-2024-03-age_band-11-15-sex-female.csv"'
        ) or response["Content-Disposition"] == (
        'attachment; filename="thrive-waiting-2024-01-to-2024-03-sex-female-age_band-11-15.csv"')
    rows = csv_rows(response)
    header = {r[0]: r[1] for r in rows[:rows.index([])]}
    assert header["Dashboard"] == "Waiting times"
    assert header["Source"] == "This platform's records"
    assert header["From month"] == "January 2024" and header["To month"] == "March 2024"
    assert header["Sex"] == "Female" and header["Age band at referral"] == "11-15"
    assert header["Ethnicity"] == "All"
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", header["Figures computed"])
    table = rows[rows.index([]) + 1:]
    assert table[0][0] == "Month received" and table[1][:2] == ["2024-01", "5"]


def test_two_downloads_with_different_filters_never_share_a_name(analyst):
    names = {analyst.get("/analytics/download/endings.csv", params)["Content-Disposition"]
             for params in ({}, {"sex": "Male"}, {"sex": "Female"}, {"incomplete": "1"},
                            {"from": "2024-02"}, {"source": "platform", "to": "2024-04"})}
    assert len(names) == 6
    assert 'filename="thrive-endings-start-to-latest.csv"' in str(names)


def test_a_csv_with_months_not_final_marks_them(analyst):
    rows = csv_rows(analyst.get("/analytics/download/waiting.csv", {"incomplete": "1"}))
    header = {r[0]: r[1] for r in rows[:rows.index([])]}
    assert header["Months not final"] == "From April 2024: included, marked in the last column"
    table = rows[rows.index([]) + 1:]
    assert table[0][-1] == "Month final"
    assert [r[0] + ":" + r[-1] for r in table[1:]] == ["2024-01:yes", "2024-05:no"]


def test_each_dashboard_page_view_is_audited(analyst):
    page(analyst, "/analytics/waiting/", {"sex": "Male"})
    event = AuditEvent.objects.filter(username="ana.analyst").latest("id")
    assert event.detail == "analytics dashboard: Waiting times (source=platform, sex=Male)"


def test_no_page_shows_timestamps_paths_or_field_codes(analyst, tmp_path):
    from .builders import all_pages

    words = text(all_pages(analyst, {"incomplete": "1"}))
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d", words)
    assert str(tmp_path) not in words
    for jargon in ("THRIVEGrouping", "SharedDecision", "MHSDS has no", "extract_source", "None"):
        assert jargon not in words, jargon
