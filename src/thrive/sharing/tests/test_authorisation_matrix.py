"""Every role × relationship × action, through the real pages: zero leaks."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Agency, Role, Team
from thrive.care.models import Ending
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.measures.models import Completion
from thrive.people.models import YoungPerson
from thrive.risk.models import PlanAgency, RiskSupportPlan
from thrive.sharing.models import (
    AgencyReferral,
    BreakGlassGrant,
    CareTeamMember,
    Consent,
    RecordNote,
)

TODAY = date.today()
ROLES = [r.value for r in Role]
RELATIONSHIPS = ["none", "agency_open_episode", "agency_ended_episode", "agency_declined_referral",
                 "agency_ended_beyond_retention", "care_team", "break_glass", "break_glass_expired"]
# Ended and declined episodes at the user's agency keep a read-only relationship (view and search,
# never change, refer or export) for the retention period; beyond it, nothing.
READ_ONLY = ("agency_ended_episode", "agency_declined_referral")
# Care-team membership is only as good as its basis; a named agency sees the plan, not the record.
CONSENT_RELATIONSHIPS = ["care_team_no_consent", "care_team_consent_withdrawn",
                         "care_team_consent_expired", "care_team_override", "named_on_plan",
                         "named_on_plan_consent", "named_on_plan_safeguarding"]
RELATIONSHIPS += CONSENT_RELATIONSHIPS
CLINICAL = {Role.PRACTITIONER, Role.TEAM_MANAGER}


def expected(role, relationship, action) -> bool:
    if role not in CLINICAL:
        return False
    standing = relationship in ("agency_open_episode", "care_team", "care_team_override")
    can_open = standing or relationship == "break_glass" or relationship in READ_ONLY
    return {
        "plan_view": can_open or relationship in ("named_on_plan_consent",
                                                  "named_on_plan_safeguarding"),
        "view": can_open,
        "search_hit": can_open,
        # Break-glass export: reading is not exporting. The JSON API and FHIR take the record
        # out of the platform, so break-glass (read-only) gets none of them (issue 12 item 3).
        "api_view": standing,
        "api_search_hit": standing,
        "fhir_response": standing,
        "fhir_observation": standing,
        "edit": standing,
        "export": standing,
        "refer": standing,
        # Safeguarding notes: team managers (and safeguarding leads) among those who can open.
        "see_sensitive": can_open and role == Role.TEAM_MANAGER,
    }[action]


@pytest.fixture
def world(db):
    home = Agency.objects.create(name="Home CAMHS", kind="nhs")
    home_team = Team.objects.create(agency=home, name="Home team")
    other = Agency.objects.create(name="Other MHST", kind="school")
    other_team = Team.objects.create(agency=other, name="Other team")
    third = Agency.objects.create(name="Third charity", kind="charity")
    author = make_user("sam.safeguarding", other_team, is_safeguarding_lead=True)
    person = make_young_person()
    elsewhere = make_episode(person, other_team, author)  # the record exists through another agency
    questionnaire(elsewhere, author)
    RecordNote.objects.create(young_person=person, author=author, agency=other,
                              text="Disclosure discussed with children's social care",
                              sensitivity="safeguarding")
    plan = RiskSupportPlan.objects.create(
        young_person=person, keyworker=author, what_helps="Her dog", preventive_actions="Check-ins",
        agreed_with_young_person=True, agreed_on=TODAY, review_on=TODAY + timedelta(days=30),
        created_by=author, updated_by=author)
    return dict(home=home, home_team=home_team, third=third, author=author, person=person,
                plan=plan)


def questionnaire(episode, by):
    return Completion.objects.create(
        episode=episode, measure_id="phq9", rater="self", respondent="self", completed_on=TODAY,
        source="items", responses={"1": 2}, recorded_by=by)


def build(world, role, relationship):
    user = make_user("u.under-test", world["home_team"], role)
    person = world["person"]
    if relationship == "agency_open_episode":
        questionnaire(make_episode(person, world["home_team"], user), user)
    elif relationship == "agency_declined_referral":
        make_episode(person, world["home_team"], user, declined_on=TODAY, accepted_on=None)
    elif relationship == "agency_ended_episode":
        end(make_episode(person, world["home_team"], user), TODAY - timedelta(days=400), user)
    elif relationship == "agency_ended_beyond_retention":
        # Ended 21 years ago, for someone now 40: past both the 20 years and the 25th birthday.
        YoungPerson.objects.filter(pk=person.pk).update(date_of_birth=TODAY - timedelta(days=40 * 366))
        episode = make_episode(person, world["home_team"], user,
                               referral_received_on=TODAY - timedelta(days=22 * 366),
                               accepted_on=TODAY - timedelta(days=22 * 366))
        end(episode, TODAY - timedelta(days=21 * 366), user)
    elif relationship == "care_team":
        CareTeamMember.objects.create(young_person=person, user=user, role="Clinician",
                                      added_by=world["author"],
                                      consent=_consent(world, "care_coordination"))
    elif relationship in CONSENT_RELATIONSHIPS:
        build_consent_relationship(world, user, relationship)
    elif relationship.startswith("break_glass"):
        started = timezone.now() - timedelta(hours=5 if relationship.endswith("expired") else 1)
        BreakGlassGrant.objects.create(user=user, young_person=person, reason="Emergency",
                                       started_at=started,
                                       expires_at=started + timedelta(hours=4))
    Consent.objects.create(young_person=person, given_by="young_person", given_by_name="Amira",
                           with_agency=world["third"], purpose="referral",
                           given_on=TODAY, expires_on=TODAY + timedelta(days=90),
                           recorded_by=world["author"])
    return user


def end(episode, on, user):
    Ending.objects.create(episode=episode, ended_on=on, reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed", recorded_by=user)


def _consent(world, purpose, **dates):
    given_on = dates.get("given_on", TODAY - timedelta(days=10))
    return Consent.objects.create(
        young_person=world["person"], given_by="parent_carer", given_by_name="Sara Khan",
        with_agency=world["home"], purpose=purpose, given_on=given_on,
        expires_on=dates.get("expires_on", TODAY + timedelta(days=90)),
        withdrawn_on=dates.get("withdrawn_on"), recorded_by=world["author"])


def build_consent_relationship(world, user, relationship):
    person, author = world["person"], world["author"]
    member = dict(young_person=person, user=user, role="Worker", added_by=author)
    if relationship == "care_team_no_consent":
        # As the old picker allowed: another agency's worker on the care team with no basis.
        CareTeamMember.objects.create(**member)
    elif relationship == "care_team_consent_withdrawn":
        CareTeamMember.objects.create(**member, consent=_consent(
            world, "care_coordination", withdrawn_on=TODAY))
    elif relationship == "care_team_consent_expired":
        CareTeamMember.objects.create(**member, consent=_consent(
            world, "care_coordination", expires_on=TODAY - timedelta(days=1)))
    elif relationship == "care_team_override":
        CareTeamMember.objects.create(**member, override_reason="Police report of harm at home")
    else:
        PlanAgency.objects.create(plan=world["plan"], order=1, agency=world["home"],
                                  role="Weekly check-ins")
        if relationship == "named_on_plan_consent":
            _consent(world, "risk_support")
        elif relationship == "named_on_plan_safeguarding":
            RiskSupportPlan.objects.filter(pk=world["plan"].pk).update(
                safeguarding_basis="Risk of harm from an adult at home", safeguarding_basis_by=author)
        else:  # named, but consent for something else only: not enough
            _consent(world, "care_coordination", withdrawn_on=TODAY)


def observe(client, world, user) -> dict:
    person = world["person"]
    record = client.get(reverse("people:record", args=[person.public_id]))
    page = record.content.decode() if record.status_code == 200 else ""
    found = client.post(reverse("people:find"), {"q": person.nhs_number}) \
        if user.works_with_records else None
    api_record = client.get(f"/api/v1/young-people/{person.public_id}")
    api_found = client.post("/api/v1/search/young-people", {"q": person.nhs_number},
                            content_type="application/json")
    assert api_record.status_code in (200, 403, 404) and api_found.status_code in (200, 403)
    responses = [client.get(f"/measures/fhir/QuestionnaireResponse/{c.public_id}")
                 for c in Completion.objects.filter(episode__young_person=person)]
    observations = client.get(f"/measures/fhir/Observation?patient={person.public_id}")
    pdf = client.get(reverse("risk:pdf", args=[person.public_id, world["plan"].public_id]))
    plan_page = client.get(reverse("risk:plan", args=[person.public_id, world["plan"].public_id]))
    notes_before = RecordNote.objects.count()
    client.post(reverse("sharing:new-note", args=[person.public_id]),
                {"text": "Phoned mum", "sensitivity": "none"})
    client.post(reverse("sharing:refer", args=[person.public_id]),
                {"to_agency": world["third"].pk, "reason": "Youth club", "is_transfer": "no"})
    return {
        "view": record.status_code == 200,
        "api_view": api_record.status_code == 200 and person.nhs_number in api_record.content.decode(),
        "search_hit": bool(found) and person.full_name in found.content.decode(),
        "api_search_hit": (api_found.status_code == 200
                           and str(person.public_id) in api_found.content.decode()),
        "edit": RecordNote.objects.count() > notes_before,
        "fhir_response": any(r.status_code == 200 and str(person.public_id) in r.content.decode()
                             for r in responses),
        "fhir_observation": observations.status_code == 200,
        "export": pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf",
        "refer": AgencyReferral.objects.filter(young_person=person).exists(),
        "see_sensitive": "Disclosure discussed" in page,
        "plan_view": plan_page.status_code == 200 and "Her dog" in plan_page.content.decode(),
    }


@pytest.mark.parametrize("relationship", RELATIONSHIPS)
@pytest.mark.parametrize("role", ROLES)
def test_role_relationship_action(client, world, role, relationship):
    user = build(world, role, relationship)
    client.force_login(user)
    seen = observe(client, world, user)
    want = {action: expected(role, relationship, action) for action in seen}
    assert seen == want


def test_a_record_withheld_note_says_something_is_withheld(client, world):
    user = build(world, Role.PRACTITIONER, "care_team")
    client.force_login(user)
    page = client.get(reverse("people:record", args=[world["person"].public_id])).content.decode()
    assert "1 safeguarding note is withheld" in page


@pytest.mark.parametrize("role", ROLES)
def test_a_care_team_member_from_another_agency_cannot_be_added_without_consent(client, world,
                                                                               role):
    """Through the page, for every role (override-capable ones too, without a reason): refused."""
    adder = make_user("a.adder", world["home_team"], role)
    make_episode(world["person"], world["home_team"], adder)
    outsider = make_user("o.outsider", Team.objects.create(agency=world["third"], name="T3"))
    client.force_login(adder)
    client.post(reverse("sharing:care-team", args=[world["person"].public_id]),
                {"member": outsider.pk, "role": "Youth worker", "is_keyworker": "no"})
    assert not CareTeamMember.objects.filter(user=outsider).exists()
