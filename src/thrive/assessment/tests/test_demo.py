from datetime import date

from thrive.accounts.models import Role
from thrive.assessment.demo import PANEL, add_self_assessment
from thrive.assessment.models import Round
from thrive.conftest import make_user


def test_demo_has_a_closed_round_with_a_plan_and_an_open_one(camhs_team, settings, tmp_path):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    make_user("sitelead", None, role=Role.SITE_LEAD)
    for username in PANEL:
        make_user(username, camhs_team, role=Role.ANALYST if username == "analyst" else Role.TEAM_MANAGER)
    for _ in range(2):  # a reload replaces the rounds
        counts = add_self_assessment(2026, date(2026, 3, 2))
    assert counts == {
        "self-assessment rounds": 2,
        "improvement actions": 2,
        "staff seniority": len(PANEL) - 1,
    }
    closed = Round.objects.get(status=Round.Status.CLOSED)
    assert closed.held_on == date(2025, 3, 2) and closed.evidence_at_close["indicators"]
    assert closed.actions.get(principle="I5").pdsa.count() == 4
    i7 = next(r for r in closed.evidence_at_close["indicators"] if r["principle"] == "I7")
    assert "period" in i7  # staff seniority was extracted beside the records
    current = Round.objects.get(status=Round.Status.OPEN)
    assert current.copied_from == closed
    assert current.panel.filter(submitted_at__isnull=False).count() == 2
    assert not current.panel.get(user__username="manager.camhs").submitted


def test_refresh_command_extracts_the_records_for_the_evidence(db, settings, tmp_path, capsys):
    from django.core.management import call_command

    from thrive.assessment import sources

    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    assert not sources.available("platform")
    call_command("refresh_assessment_evidence")
    assert sources.available("platform") and "Extracted" in capsys.readouterr().out
    assert (sources.extract_dir("platform") / "contact_staff.parquet").exists()
