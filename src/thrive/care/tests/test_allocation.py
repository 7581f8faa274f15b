"""The team's waiting list, allocating the lead practitioner, and the caseload's roles."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.care import services
from thrive.care.models import Allocation, Ending, GroupingDecision
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.core.testing import form_data
from thrive.risk.models import RiskSupportPlan
from thrive.sharing.models import CareTeamMember, Consent

pytestmark = pytest.mark.django_db
TODAY = date.today()


def waiting(team, name, days, urgency="routine", **fields):
    return make_episode(make_young_person(given_name=name), team, None,
                        referral_received_on=TODAY - timedelta(days=days), urgency=urgency,
                        **fields)


def _names_in_order(page: str, names) -> list[str]:
    return sorted(names, key=page.index)


# --- The waiting list -------------------------------------------------------------------------

def test_the_waiting_list_shows_the_teams_unallocated_episodes_most_urgent_then_longest_wait(
        client, manager, practitioner, camhs_team, school_team):
    waiting(camhs_team, "Routineold", 90)
    waiting(camhs_team, "Routinenew", 3, accepted_on=None)
    waiting(camhs_team, "Urgentnew", 5, "urgent")
    waiting(camhs_team, "Urgentold", 40, "urgent")
    emergency = waiting(camhs_team, "Emergency", 1, "emergency")
    GroupingDecision.objects.create(
        episode=emergency, decided_on=TODAY, grouping="getting_risk_support",
        young_person_took_part=True, parent_carer_took_part=True, rationale="r",
        made_explicit=True, review_on=TODAY + timedelta(days=30), recorded_by=manager)
    # Not waiting: allocated, declined, ended, or another team's.
    make_episode(make_young_person(given_name="Allocated"), camhs_team, practitioner)
    waiting(camhs_team, "Declined", 20, accepted_on=None, declined_on=TODAY,
            declined_reason="Not for us")
    ended = waiting(camhs_team, "Ended", 20)
    Ending.objects.create(episode=ended, ended_on=TODAY, reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed", recorded_by=manager)
    waiting(school_team, "Otherteam", 50)

    client.force_login(manager)
    home = client.get(reverse("care:caseload")).content.decode()
    assert f'href="{reverse("care:waiting-list")}"' in home  # the header and the caseload
    page = client.get(reverse("care:waiting-list")).content.decode()
    shown = ["Emergency", "Urgentold", "Urgentnew", "Routineold", "Routinenew"]
    assert _names_in_order(page, shown) == shown
    for absent in ("Allocated", "Declined", "Ended", "Otherteam"):
        assert absent not in page
    assert "12 weeks" in page and "5 weeks" in page and "3 days" in page and "1 day " in page
    assert "Getting Risk Support" in page and "Not agreed yet" in page
    assert "Awaiting decision" in page and "Accepted" in page
    assert AuditEvent.objects.filter(detail="waiting list (5 episodes)").exists()


def test_the_waiting_list_is_for_team_managers(signed_in):
    assert signed_in.get(reverse("care:waiting-list")).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_waiting_list_queries_do_not_grow_with_the_list(client, manager, camhs_team):
    client.force_login(manager)
    for i in range(2):
        waiting(camhs_team, f"Few{i}", i)
    small = _queries(client, reverse("care:waiting-list"))
    for i in range(38):
        waiting(camhs_team, f"Many{i}", i, ["routine", "urgent", "emergency"][i % 3])
    assert _queries(client, reverse("care:waiting-list")) == small


# --- New referrals can wait -------------------------------------------------------------------

def referral_data(lead, urgency="urgent"):
    return {**form_data(referral_received_on=TODAY), "referral_source": "gp",
            "referral_reason": "anxiety", "urgency": urgency, "lead_practitioner": lead}


def test_a_new_referral_can_be_left_on_the_waiting_list_with_its_urgency(
        signed_in, client, person, manager):
    make_episode(person, manager.team, manager)  # a relationship with the young person
    url = reverse("people:new-referral", args=[person.public_id])
    form = signed_in.get(url).content.decode()
    assert "Leave on the team&#39;s waiting list" in form and "How urgent is it?" in form
    response = signed_in.post(url, referral_data("waiting"))
    assert response.status_code == 302
    episode = person.episodes.get(lead_practitioner__isnull=True)
    assert episode.urgency == "urgent"
    client.force_login(manager)
    assert "Amira Khan" in client.get(reverse("care:waiting-list")).content.decode()


def test_a_new_referral_can_go_to_a_team_colleague_but_not_to_another_team(
        signed_in, person, practitioner, colleague, outsider, episode):
    url = reverse("people:new-referral", args=[person.public_id])
    page = signed_in.post(url, referral_data(outsider.pk)).content.decode()
    assert "Choose a lead practitioner or the team" in page
    page = signed_in.post(url, referral_data("", urgency="")).content.decode()
    assert "Select how urgent the referral is" in page
    assert person.episodes.count() == 1
    signed_in.post(url, referral_data(colleague.pk))
    new = person.episodes.exclude(pk=episode.pk).get()
    assert new.lead_practitioner == colleague
    assert new.allocations.get().to_user == colleague


def test_an_accepted_referral_from_another_agency_can_wait_on_the_teams_list(
        client, person, practitioner, manager, camhs, camhs_team, school, outsider):
    from thrive.sharing.models import AgencyReferral

    make_episode(person, outsider.team, outsider)
    referral = AgencyReferral.objects.create(
        young_person=person, from_agency=school, to_agency=camhs, sent_by=outsider,
        reason="Low mood", consent_override_reason="Safeguarding: risk at home")
    client.force_login(practitioner)
    response = client.post(reverse("sharing:accept", args=[referral.public_id]), {
        "accept-team": camhs_team.pk, "accept-version": referral.version,
        "accept-leave_on_waiting_list": "yes"})
    assert response.status_code == 302
    episode = person.episodes.get(agency=camhs)
    assert episode.lead_practitioner is None and episode.accepted_on is not None
    client.force_login(manager)
    assert "Amira Khan" in client.get(reverse("care:waiting-list")).content.decode()


# --- Allocating -------------------------------------------------------------------------------

def allocate_data(to, episode, reason="Has capacity and knows the school"):
    return {"to_user": to, "reason": reason, "version": episode.version}


def test_a_manager_allocates_from_the_waiting_list_and_the_practitioner_sees_it(
        client, manager, practitioner, camhs_team):
    episode = waiting(camhs_team, "Noah", 30, "urgent")
    client.force_login(manager)
    url = reverse("care:allocate", args=[episode.public_id])
    response = client.post(url, allocate_data(practitioner.pk, episode))
    assert response.url == reverse("care:waiting-list")
    episode.refresh_from_db()
    assert episode.lead_practitioner == practitioner and episode.version == 2
    allocation = Allocation.objects.get(episode=episode)
    assert (allocation.from_user, allocation.to_user, allocation.allocated_by) == (
        None, practitioner, manager)
    assert AuditEvent.objects.filter(
        object_id=str(episode.public_id), young_person_id=episode.young_person_id,
        detail="lead practitioner: waiting list > pat.practitioner").exists()
    after = client.get(reverse("care:waiting-list")).content.decode()
    assert "Noah Khan: Pat Tester is now the lead practitioner" in after
    assert "No one is waiting" in after
    history = client.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "Allocation history" in history and "Has capacity and knows the school" in history

    client.force_login(practitioner)
    caseload = client.get(reverse("care:caseload")).content.decode()
    assert "Noah Khan" in caseload and "Newly allocated to you" in caseload
    assert "Lead practitioner" in caseload


def test_reallocation_keeps_the_history_and_can_send_back_to_the_waiting_list(
        client, manager, practitioner, colleague, episode):
    client.force_login(manager)
    url = reverse("care:allocate", args=[episode.public_id])
    client.post(url, allocate_data(colleague.pk, episode, "Pat is on long leave"))
    episode.refresh_from_db()
    client.post(url, allocate_data("waiting", episode, "Cal's caseload is full"))
    episode.refresh_from_db()
    assert episode.lead_practitioner is None
    moves = list(episode.allocations.order_by("pk").values_list("from_user", "to_user"))
    assert moves == [(practitioner.pk, colleague.pk), (colleague.pk, None)]
    page = client.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "Pat is on long leave" in page and "Cal&#39;s caseload is full" in page


def test_only_a_team_manager_of_the_agency_allocates(client, rf, practitioner, colleague, episode,
                                                     school_team):
    client.force_login(practitioner)
    url = reverse("care:allocate", args=[episode.public_id])
    episode_url = reverse("care:episode", args=[episode.public_id])
    assert client.get(url).url == episode_url
    assert client.post(url, allocate_data(colleague.pk, episode)).url == episode_url
    assert "Only a team manager of this agency" in client.get(episode_url).content.decode()
    other_manager = make_user("oma.manager", school_team, Role.TEAM_MANAGER)
    client.force_login(other_manager)
    assert client.get(url).status_code == 404  # another agency's episode is not theirs to see
    request = rf.post("/")
    request.user = other_manager
    with pytest.raises(RuleBroken, match="Only a team manager of this agency"):
        services.allocate(request, episode, to_user=colleague, reason="x", version=episode.version)
    episode.refresh_from_db()
    assert episode.lead_practitioner == practitioner and not Allocation.objects.exists()


def test_allocation_needs_an_active_colleague_of_the_agency_a_reason_and_a_fresh_form(
        client, rf, manager, practitioner, colleague, outsider, episode):
    client.force_login(manager)
    url = reverse("care:allocate", args=[episode.public_id])
    page = client.post(url, allocate_data(colleague.pk, episode, reason="  ")).content.decode()
    assert "Enter why you are allocating this episode" in page
    page = client.post(url, allocate_data(outsider.pk, episode)).content.decode()
    assert "Choose who will lead, or the team" in page
    colleague.is_active = False
    colleague.save()
    page = client.post(url, allocate_data(colleague.pk, episode)).content.decode()
    assert "Choose who will lead, or the team" in page  # not offered, so refused
    request = rf.post("/")
    request.user = manager
    with pytest.raises(RuleBroken, match="active practitioner or team manager of this agency"):
        services.allocate(request, episode, to_user=colleague, reason="x", version=episode.version)
    with pytest.raises(RuleBroken, match="active practitioner or team manager of this agency"):
        services.allocate(request, episode, to_user=outsider, reason="x", version=episode.version)
    # Someone else's change since the form was opened: refused, not overwritten.
    stale = {"to_user": manager.pk, "reason": "Me", "version": episode.version - 1}
    page = client.post(url, stale).content.decode()
    assert "Someone else changed this record after you opened this page" in page
    episode.refresh_from_db()
    assert episode.lead_practitioner == practitioner and not Allocation.objects.exists()


def test_an_ended_episode_cannot_be_allocated(rf, manager, colleague, episode):
    Ending.objects.create(episode=episode, ended_on=TODAY, reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed",
                          recorded_by=colleague)
    request = rf.post("/")
    request.user = manager
    with pytest.raises(RuleBroken, match="has ended"):
        services.allocate(request, episode, to_user=colleague, reason="x", version=episode.version)


# --- The caseload shows my roles --------------------------------------------------------------

def test_my_caseload_shows_care_team_and_keyworker_roles_once_each(
        client, practitioner, colleague, outsider, episode, camhs_team, school_team):
    # On the care team of a young person led by a colleague (CAMHS): labelled with the role.
    cared = make_young_person(given_name="Careteam")
    make_episode(cared, camhs_team, colleague)
    CareTeamMember.objects.create(young_person=cared, user=practitioner, role="Family therapist",
                                  added_by=colleague)
    # Keyworker on a Risk Support plan for a young person a colleague leads.
    planned = make_young_person(given_name="Planned")
    make_episode(planned, camhs_team, colleague)
    RiskSupportPlan.objects.create(
        young_person=planned, keyworker=practitioner, what_helps="w", preventive_actions="p",
        agreed_with_young_person=True, agreed_on=TODAY, review_on=TODAY + timedelta(days=30),
        created_by=colleague, updated_by=colleague)
    # Both lead and keyworker: one row with both roles.
    CareTeamMember.objects.create(young_person=episode.young_person, user=practitioner,
                                  role="Lead clinician", is_keyworker=True, added_by=practitioner)
    # A school practitioner on the care team (with the family's consent) sees the CAMHS episode
    # on their caseload.
    consent = Consent.objects.create(
        young_person=cared, given_by="parent_carer", given_by_name="Sara Khan",
        with_agency=school_team.agency, purpose="care_coordination", given_on=TODAY,
        expires_on=TODAY + timedelta(days=90), recorded_by=colleague)
    CareTeamMember.objects.create(young_person=cared, user=outsider, role="School counsellor",
                                  added_by=colleague, consent=consent)
    # No relationship, no row: a plan naming them at an agency that holds nothing for them.
    unrelated = make_young_person(given_name="Unrelated")
    make_episode(unrelated, school_team, None)
    RiskSupportPlan.objects.create(
        young_person=unrelated, keyworker=practitioner, what_helps="w", preventive_actions="p",
        agreed_with_young_person=True, agreed_on=TODAY, review_on=TODAY + timedelta(days=30),
        created_by=outsider, updated_by=outsider)

    client.force_login(practitioner)
    page = client.get(reverse("care:caseload")).content.decode()
    assert "Careteam Khan" in page and "Care team: Family therapist" in page
    assert "Planned Khan" in page and page.count("Amira Khan") == 1
    assert "Lead practitioner, Keyworker, Care team: Lead clinician" in page
    assert "Unrelated" not in page
    assert "4 open episodes" not in page and "3 open episodes" in page

    client.force_login(outsider)
    page = client.get(reverse("care:caseload")).content.decode()
    assert "Careteam Khan" in page and "Care team: School counsellor" in page
