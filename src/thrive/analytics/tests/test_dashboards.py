"""The /analytics/ page: analysts and team managers only; suppressed tables and CSV downloads
from precomputed aggregates."""


import pytest

from thrive.accounts.models import Role
from thrive.analytics import dashboards
from thrive.conftest import make_user
from thrive.core.models import AuditEvent

from .builders import Extract, downloaded_csv


def build(x: Extract):
    for i in range(12):
        person = f"P{i}"
        x.person(person, sex="2" if i % 2 else "1", ethnic_category="A", imd_decile=3)
        x.referral(f"R{i}", person, received="2024-01-02", discharged="2024-03-15", age=12, provider="RX1")
        x.contact("2024-01-05", f"R{i}")
        x.contact("2024-01-20", f"R{i}", attend="3" if i < 3 else "5")
        x.contact("2024-02-20", f"R{i}")
        x.rows["groupings"].append(dict(person_id=person, referral_id=f"R{i}", grouping="getting_advice",
                                        start_on=x.rows["referrals"][-1]["received_on"],
                                        end_on=None, shared_decision=True))
    x.referral("R99", "P0", received="2024-05-01", discharged=None, provider="RX1")  # back within 6 months


@pytest.fixture
def aggregates(tmp_path, settings):
    x = Extract()
    build(x)
    return x.refresh_page(tmp_path, settings)


def test_tables_are_suppressed(aggregates):
    sel = dashboards.Selection()
    waiting = dashboards.table(aggregates, dashboards.CHART_BY_SLUG["waiting"], sel)
    # 12 referrals -> 10; 9 seen twice within 4 weeks -> 10; R99 alone in May -> "*".
    assert waiting.rows == [["2024-01", 10, 10, 10, 10, 10, "100.0", "100.0"],
                            ["2024-05", "*", 0, 0, 0, 0, "*", "*"]]
    attendance = dashboards.table(aggregates, dashboards.CHART_BY_SLUG["attendance"], sel)
    assert attendance.rows[0][:3] == ["2024-01", 25, "*"]  # 24 booked, 3 did not attend
    endings = dashboards.table(aggregates, dashboards.CHART_BY_SLUG["endings"], sel)
    assert endings.rows == [["2024-03", 10, "*", "*", "*", "*"]]
    caseload = dashboards.table(aggregates, dashboards.CHART_BY_SLUG["caseload"], sel)
    assert caseload.headings == ["Month", "Getting Advice and Signposting"]
    assert caseload.rows == [["2024-01", 10], ["2024-02", 10]]  # discharged 15 March


def test_filters(aggregates):
    sel = dashboards.Selection(values={"sex": "Female"})
    waiting = dashboards.table(aggregates, dashboards.CHART_BY_SLUG["waiting"], sel)
    assert waiting.rows[0][1] == 5  # 6 girls, rounded


@pytest.mark.django_db
@pytest.mark.parametrize("role, status", [
    (Role.ANALYST, 200), (Role.TEAM_MANAGER, 200), (Role.PRACTITIONER, 403),
    (Role.AGENCY_ADMIN, 403), (Role.PRIVACY_OFFICER, 403), (Role.SYSTEM_ADMIN, 403),
])
def test_roles(client, camhs_team, aggregates, role, status):
    client.force_login(make_user(f"u.{role}", camhs_team, role))
    assert client.get("/analytics/").status_code == status
    assert client.get("/analytics/download/waiting.csv").status_code == status


@pytest.mark.django_db
def test_page_and_csv(client, camhs_team, aggregates):
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = client.get("/analytics/waiting/",
                      {"from": "2024-01", "to": "2024-12", "sex": "Male"}).content.decode()
    assert "Waiting times" in page and "Download as CSV" in page
    rows = downloaded_csv(client, "waiting", {"sex": "Male"})
    assert rows[0][0] == "Month received" and rows[1][:2] == ["2024-01", "5"]
    events = list(AuditEvent.objects.filter(username="ana.analyst", action__in=["view", "export"])
                  .order_by("id"))
    assert [(e.action, e.detail) for e in events] == [
        ("view", "analytics dashboard: Waiting times (source=platform, from 2024-01, to 2024-12, "
                 "sex=Male)"),
        ("export", "analytics CSV: Waiting times (source=platform, sex=Male)")]
    assert "Small numbers are suppressed" in page
    bad = client.get("/analytics/", {"from": "April"})
    assert "Enter the start month as YYYY-MM" in bad.content.decode()


@pytest.mark.django_db
def test_page_before_any_refresh(client, camhs_team, settings, tmp_path):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "nothing"
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    assert "No figures yet" in client.get("/analytics/").content.decode()
