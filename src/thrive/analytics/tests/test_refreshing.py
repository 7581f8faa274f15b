"""Refreshing the figures: one refresh at a time; a refused one changes nothing."""

import fcntl

import pytest
from django.core.management import CommandError, call_command

from thrive.accounts.models import Role
from thrive.analytics import dashboards
from thrive.analytics.refreshing import RefreshBusy, refresh
from thrive.conftest import make_user
from thrive.core.models import AuditEvent

from .builders import Extract


@pytest.fixture
def extract(tmp_path):
    x = Extract()
    x.referral("R1", "P1", received="2024-01-02", discharged=None)
    return x.write(tmp_path / "extract")


def test_a_second_refresh_while_one_runs_is_refused_and_changes_nothing(tmp_path, extract, settings):
    out = tmp_path / "analytics" / "aggregates"
    first = refresh(out, extract)
    with open(out.parent / ".aggregates.lock", "w") as held:  # as a running refresh holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RefreshBusy, match="already being recomputed"):
            refresh(out, extract)
        settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
        with pytest.raises(CommandError, match="already being recomputed"):
            call_command("refresh_analytics", "--extract", str(extract))
    assert dashboards.meta(out)["refreshed_at"] == first["refreshed_at"]
    assert refresh(out, extract)["rows"]["waiting"] == 1  # free again once it finished


@pytest.mark.django_db
def test_an_analyst_recomputes_the_figures_from_the_page(client, camhs_team, platform_records, settings,
                                                         tmp_path):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = client.get("/analytics/").content.decode()
    assert "No figures yet" in page and "Recompute from this platform" in page
    assert client.get("/analytics/refresh/").status_code == 405  # a GET changes nothing
    response = client.post("/analytics/refresh/", follow=True)
    assert "Figures recomputed from the platform" in response.content.decode()
    agg = tmp_path / "analytics" / "aggregates"
    assert dashboards.meta(agg)["extract_source"] == "platform"
    assert AuditEvent.objects.filter(detail__contains="figures recomputed").count() == 1
    with open(agg.parent / ".aggregates.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = client.post("/analytics/refresh/", follow=True).content.decode()
    assert "already being recomputed" in busy


@pytest.mark.django_db
def test_team_managers_see_the_figures_but_cannot_recompute_them(client, camhs_team, settings, tmp_path):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    client.force_login(make_user("manager", camhs_team, Role.TEAM_MANAGER))
    assert "Recompute" not in client.get("/analytics/").content.decode()
    assert client.post("/analytics/refresh/").status_code == 403
    assert not (tmp_path / "analytics" / "aggregates").exists()


@pytest.mark.django_db
def test_a_refresh_running_on_another_host_is_respected(tmp_path, settings):
    """Another application host shares the database, not the file system: on PostgreSQL its
    refresh of the platform's figures holds the advisory lock (from its own connection); on SQLite
    (one host only) the file lock."""
    from contextlib import ExitStack

    from django.db import connection

    from thrive.analytics.refreshing import lock_key

    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    out = tmp_path / "analytics" / "aggregates"
    out.parent.mkdir()
    with ExitStack() as other_host:
        if connection.vendor == "postgresql":
            import psycopg

            db = connection.settings_dict
            held = other_host.enter_context(psycopg.connect(
                dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
                host=db["HOST"] or None, port=db["PORT"] or None, autocommit=True))
            assert held.execute("SELECT pg_try_advisory_lock(%s)", [lock_key(out)]).fetchone()[0]
            # That host's refresh ends: it lets go (before its connection closes, which the
            # server notices only a moment later).
            other_host.callback(held.execute, "SELECT pg_advisory_unlock(%s)", [lock_key(out)])
        else:
            held = other_host.enter_context(open(out.parent / ".aggregates.lock", "w"))
            fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="already being recomputed"):
            call_command("refresh_analytics")
        assert not dashboards.available(out)
    call_command("refresh_analytics")  # free again once the other host finished
    assert dashboards.meta(out)["extract_source"] == "platform"
