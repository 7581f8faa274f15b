from datetime import date

import pytest

from thrive.assessment import services
from thrive.assessment.models import Round
from thrive.assessment.principles import IDS
from thrive.core.rules import RuleBroken

from .conftest import all_scores


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: date(2025, 6, 1))


def test_reversed_period_is_refused(site_lead):
    with pytest.raises(RuleBroken, match="on or after its start"):
        services.create_round(
            lead=site_lead,
            title="x",
            scope="locality",
            locality="N",
            held_on=date(2025, 3, 1),
            period_start=date(2025, 1, 1),
            period_end=date(2024, 1, 1),
        )
    assert not Round.objects.exists()


def test_outside_member_and_duplicate_member(round_, member_a):
    outside = services.add_member(round_, name="Dee Outside", organisation="Parent carer forum")
    assert outside.is_outside and outside.display_name == "Dee Outside"
    with pytest.raises(RuleBroken, match="already on the panel"):
        services.add_member(round_, user=member_a)


def test_submitting_needs_every_principle_and_is_final(round_):
    member = round_.panel.first()
    with pytest.raises(RuleBroken, match="Score every principle"):
        services.save_scores(member, {"M1": ("3", "")}, submit=True)
    services.save_scores(member, {"M1": ("3", "draft")}, submit=False)
    services.save_scores(member, {**all_scores("2"), "I8": ("na", "not seen")}, submit=True)
    member.refresh_from_db()
    assert member.submitted
    assert member.scores.get(principle="I8").score is None
    with pytest.raises(RuleBroken, match="submitted"):
        services.save_scores(member, all_scores("4"), submit=False)


def test_a_score_outside_one_to_four_is_refused(round_):
    with pytest.raises(RuleBroken):
        services.save_scores(round_.panel.first(), {"M1": ("5", "")}, submit=False)


def test_round_lifecycle_and_closed_round_is_immutable(round_, site_lead):
    with pytest.raises(RuleBroken, match="At least one"):
        services.start_moderation(round_)
    services.save_scores(round_.panel.first(), all_scores("2"), submit=True)
    services.start_moderation(round_)
    with pytest.raises(RuleBroken, match="moderation"):
        services.save_scores(round_.panel.last(), all_scores("2"), submit=False)
    services.agree_scores(round_, {"M1": ("3", "Policy signed by all")})
    with pytest.raises(RuleBroken, match="every principle"):
        services.close_round(round_)
    with pytest.raises(RuleBroken, match="rationale"):
        services.agree_scores(round_, {"M2": ("2", " ")})
    services.agree_scores(round_, {pid: ("2", "Agreed") for pid in IDS if pid != "M1"})
    services.close_round(round_, evidence={"indicators": []})
    round_.refresh_from_db()
    assert round_.is_closed and round_.evidence_at_close == {"indicators": []}
    with pytest.raises(RuleBroken, match="closed"):
        services.agree_scores(round_, {"M1": ("4", "Changed later")})
    with pytest.raises(RuleBroken, match="closed"):
        services.add_member(round_, name="Late")
    assert services.agreed_scores(round_)["M1"] == 3

    # copy to a new round: same site, set and panel, no scores; change since last round.
    new = services.copy_round(
        round_,
        lead=site_lead,
        title="Northvale follow-up",
        held_on=date(2025, 5, 1),
        period_start=date(2025, 4, 1),
        period_end=date(2025, 5, 31),
    )
    assert new.is_open and new.panel.count() == 2 and not new.agreed.exists()
    assert new.principle_set == round_.principle_set and new.copied_from == round_
    assert services.previous_round(new) == round_


def test_principle_set_cannot_change_once_used(round_):
    with pytest.raises(RuleBroken, match="used by a round"):
        services.update_descriptors(round_.principle_set, "M1", {"1": "a", "2": "b", "3": "c", "4": "d"})


def test_unused_set_descriptors_can_be_edited(db):
    ps = services.default_principle_set()
    services.update_descriptors(ps, "M1", {"1": "a", "2": "b", "3": "c", "4": "d"})
    ps.refresh_from_db()
    assert ps.principle("M1")["descriptors"]["3"] == "c"


def test_actions_only_for_principles_below_three_with_pdsa_log(round_, site_lead):
    services.save_scores(round_.panel.first(), all_scores("2"), submit=True)
    services.start_moderation(round_)
    services.agree_scores(round_, {pid: ("3" if pid == "M1" else "2", "Agreed") for pid in IDS})
    services.close_round(round_)
    with pytest.raises(RuleBroken, match="already THRIVE-like"):
        services.add_action(
            round_, principle="M1", description="x", owner="y", due_on=date(2025, 9, 1), created_by=site_lead
        )
    action = services.add_action(
        round_,
        principle="I5",
        description="Agree goals at first contact",
        owner="CAMHS lead",
        due_on=date(2025, 9, 1),
        created_by=site_lead,
    )
    services.record_pdsa(
        action, stage="plan", note="Try in one team", status="in_progress", recorded_by=site_lead
    )
    action.refresh_from_db()
    assert action.status == "in_progress" and action.pdsa.count() == 1
