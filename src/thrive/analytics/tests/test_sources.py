"""The page shows figures from the platform's records or from the last imported MHSDS-style
extract, each computed on its own: `thrive import-mhsds DIR` puts an extract's figures on the page
without touching the platform's."""

import pytest
from django.core.management import CommandError, call_command

from thrive.accounts.models import Role
from thrive.analytics import dashboards
from thrive.analytics.locations import aggregates_dir
from thrive.conftest import make_user
from thrive.core.models import AuditEvent

from .test_import_mhsds import GOOD, write


@pytest.fixture
def analyst(client, camhs_team, settings, tmp_path):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    return client


@pytest.mark.django_db
def test_import_mhsds_puts_the_extract_on_the_page_beside_the_platform(analyst, platform_records, tmp_path,
                                                                       capsys):
    call_command("refresh_analytics")  # the platform's figures first
    platform_before = dashboards.meta(aggregates_dir("platform"))
    page = analyst.get("/analytics/?source=mhsds").content.decode()
    assert "No MHSDS-style extract has been imported yet" in page

    call_command("import_mhsds", str(write(tmp_path, GOOD)))
    assert "/analytics/?source=mhsds" in capsys.readouterr().out
    assert dashboards.meta(aggregates_dir("mhsds"))["extract_source"].startswith("mhsds:")
    assert dashboards.meta(aggregates_dir("platform")) == platform_before  # untouched

    page = analyst.get("/analytics/?source=mhsds").content.decode()
    assert "Figures from an MHSDS-style extract imported by an analyst" in page
    assert "extract-mhsds" not in page and str(tmp_path) not in page  # no server paths
    assert "Waiting times" in page and 'name="source" value="mhsds"' in page
    assert 'href="/analytics/?source=platform"' in page  # the other source is one link away
    assert "Figures from this platform&#39;s records" in analyst.get("/analytics/").content.decode()
    csv = analyst.get("/analytics/download/waiting.csv?source=mhsds")
    assert csv.status_code == 200 and csv.content.decode().startswith("Dashboard,Waiting times")
    assert "Source,The imported MHSDS extract" in csv.content.decode()
    assert "\r\nMonth received," in csv.content.decode()
    details = list(AuditEvent.objects.values_list("detail", flat=True))
    assert any("source=mhsds" in d and d.startswith("analytics CSV") for d in details)


@pytest.mark.django_db
def test_a_bad_import_leaves_the_page_as_it_was(analyst, tmp_path):
    call_command("import_mhsds", str(write(tmp_path, GOOD)))
    before = dashboards.meta(aggregates_dir("mhsds"))
    bad = write(tmp_path, GOOD, **{"MHS101Referral.csv": "Person_ID,UniqServReqID\nP1,R1\n"})
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_mhsds", str(bad))
    assert dashboards.meta(aggregates_dir("mhsds")) == before


@pytest.mark.django_db
def test_unknown_source_is_a_clear_error_and_shows_nothing(analyst):
    call_command("refresh_analytics")
    page = analyst.get("/analytics/?source=elsewhere").content.decode()
    assert "Choose a source of figures from the list" in page and "Waiting times</h2>" not in page
    assert analyst.get("/analytics/download/waiting.csv?source=elsewhere").status_code == 404


@pytest.mark.django_db
def test_refresh_the_imported_extract_on_its_own(analyst, tmp_path):
    with pytest.raises(CommandError, match="No MHSDS-style extract has been imported yet"):
        call_command("refresh_analytics", "--source", "mhsds")
    call_command("import_mhsds", str(write(tmp_path, GOOD)))
    first = dashboards.meta(aggregates_dir("mhsds"))["refreshed_at"]
    call_command("refresh_analytics", "--source", "mhsds")
    assert dashboards.meta(aggregates_dir("mhsds"))["extract_source"].startswith("mhsds:")
    assert dashboards.meta(aggregates_dir("mhsds"))["refreshed_at"] >= first
    assert not dashboards.available(aggregates_dir("platform"))
