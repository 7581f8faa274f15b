"""Refreshing the figures: one refresh at a time; a refused one changes nothing."""

import fcntl

import pytest
from django.core.management import CommandError, call_command

from thrive.analytics import dashboards
from thrive.analytics.refreshing import RefreshBusy, refresh

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
