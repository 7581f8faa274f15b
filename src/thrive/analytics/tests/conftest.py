from datetime import date, time
from decimal import Decimal

import pytest

from thrive.care.models import Contact, Ending, Goal, GoalRating, GroupingDecision
from thrive.conftest import make_episode, make_young_person, valid_nhs_number
from thrive.measures.models import Completion, ScaleScore
from thrive.risk.models import PlanAgency, RiskSupportPlan


def decision(episode, user, on, grouping, current, yp=True, parent=False):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=on, grouping=grouping, young_person_took_part=yp,
        parent_carer_took_part=parent, rationale="Agreed together.", made_explicit=True,
        review_on=date(2024, 6, 1), is_current=current, recorded_by=user)


def risk_plan(person, user, agencies, status="current"):
    plan = RiskSupportPlan.objects.create(
        young_person=person, keyworker=user, what_helps="Talking to her aunt",
        preventive_actions="Weekly check-in", agreed_with_young_person=True, agreed_on=date(2024, 2, 1),
        review_on=date(2024, 8, 1), status=status, created_by=user, updated_by=user)
    for n, agency in enumerate(agencies, 1):
        PlanAgency.objects.create(plan=plan, order=n, agency=agency, role="Keeps in touch")
    return plan


@pytest.fixture
def platform_records(camhs_team, practitioner, school):
    """Two young people with every kind of record the extract carries, and identifiers (names,
    NHS numbers, dates of birth, postcodes, free text) that must never reach an analytical extract."""
    amira = make_young_person(given_name="Amira", family_name="Khanbury", date_of_birth=date(2011, 6, 15),
                              nhs_number=valid_nhs_number(), postcode="NV1 2AB", sex="2",
                              local_authority="E06000001", deprivation_decile=2, ethnic_category="A")
    ep = make_episode(amira, camhs_team, practitioner, referral_received_on=date(2023, 11, 1),
                      accepted_on=date(2023, 11, 5), referral_detail="Worried about panic attacks at school")
    for day, attendance in ((10, "attended"), (12, "did_not_attend"), (24, "attended")):
        Contact.objects.create(episode=ep, date=date(2024, 1, day), time=time(9, 30), mode="face_to_face",
                               attendance=attendance, practitioner=practitioner, summary="Talked about sleep")
    for on, total in ((date(2024, 1, 10), "12"), (date(2024, 3, 20), "7")):
        completion = Completion.objects.create(
            episode=ep, measure_id="gad7", rater="self", respondent="self", completed_on=on,
            source="entered_total", recorded_by=practitioner)
        ScaleScore.objects.create(completion=completion, scale_id="total", value=Decimal(total),
                                  source="entered_total")
    goal = Goal.objects.create(episode=ep, number=1, description="Go back to school",
                               agreed_on=date(2024, 1, 10), expected_by=date(2024, 4, 1),
                               plan_if_not_met="Review", recorded_by=practitioner)
    for on, rating in ((date(2024, 1, 10), 2), (date(2024, 2, 1), 4), (date(2024, 3, 20), 7)):
        GoalRating.objects.create(goal=goal, rated_on=on, rating=rating, rated_by="young_person",
                                  recorded_by=practitioner)
    decision(ep, practitioner, date(2023, 11, 20), "getting_advice", False)
    decision(ep, practitioner, date(2024, 1, 10), "getting_help", True, yp=False)
    Ending.objects.create(episode=ep, ended_on=date(2024, 4, 30), reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed", recorded_by=practitioner,
                          next_step_detail="Knows how to come back")
    ben = make_young_person(given_name="Benedikt", family_name="Oyelaran", date_of_birth=date(2009, 2, 3),
                            nhs_number=valid_nhs_number(), postcode="NV3 9ZZ", sex="1",
                            local_authority="Northvale")
    risk = make_episode(ben, camhs_team, practitioner, referral_received_on=date(2024, 1, 15),
                        accepted_on=date(2024, 1, 16))
    decision(risk, practitioner, date(2024, 1, 20), "getting_risk_support", True)
    risk_plan(ben, practitioner, [camhs_team.agency, school])
    return ep, risk


@pytest.fixture(autouse=True)
def _analytics_in_tmp(settings, tmp_path):
    """Figures and population tables a test makes or reads are under its own temporary folder,
    never the installation's var/ (a population table loaded there would change the extract)."""
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
