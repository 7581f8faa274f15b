"""Before a practitioner is deactivated, what they carry is shown and moved in one step."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.accounts import services
from thrive.accounts.models import Role
from thrive.care.models import Allocation
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.core.models import AuditEvent
from thrive.risk.models import RiskSupportPlan
from thrive.sharing.models import CareTeamMember

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def as_admin(client, camhs_team):
    client.force_login(make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN))
    return client


@pytest.fixture
def caseload(practitioner, colleague, camhs_team):
    """Pat leads two open episodes, is keyworker on one care team and a member of another, and
    is keyworker on a Risk Support plan."""
    led = [make_episode(make_young_person(given_name=f"Led{i}"), camhs_team, practitioner)
           for i in range(2)]
    keyworked = make_young_person(given_name="Keyworked")
    make_episode(keyworked, camhs_team, colleague)
    member = make_young_person(given_name="Member")
    make_episode(member, camhs_team, colleague)
    CareTeamMember.objects.create(young_person=keyworked, user=practitioner, role="Therapist",
                                  is_keyworker=True, added_by=colleague)
    CareTeamMember.objects.create(young_person=member, user=practitioner, role="Family work",
                                  added_by=colleague)
    # The successor is already on this care team: they take over as keyworker.
    CareTeamMember.objects.create(young_person=keyworked, user=colleague, role="Psychiatrist",
                                  added_by=colleague)
    plan = RiskSupportPlan.objects.create(
        young_person=keyworked, keyworker=practitioner, what_helps="w", preventive_actions="p",
        agreed_with_young_person=True, agreed_on=TODAY, review_on=TODAY + timedelta(days=30),
        created_by=colleague, updated_by=colleague)
    return led, plan


def _version(member):
    member.refresh_from_db()
    return services.version_of(member)


def _handover_page(client, member):
    return client.get(reverse("accounts:staff-handover", args=[member.pk])).content.decode()


def _token(page):
    import re

    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def test_deactivating_someone_with_a_caseload_is_refused_until_it_is_handed_over(
        as_admin, practitioner, colleague, caseload):
    led, plan = caseload
    deactivate = reverse("accounts:staff-active", args=[practitioner.pk])
    # Opening "Deactivate" leads to the handover, which shows what they carry, without names.
    response = as_admin.get(deactivate)
    assert response.url == reverse("accounts:staff-handover", args=[practitioner.pk])
    page = _handover_page(as_admin, practitioner)
    assert ("leads 2 open episodes, is on 2 care teams, is keyworker on 1 Risk Support plan"
            in page)
    assert "Led0" not in page and "Keyworked" not in page  # no young person named
    # Posting the deactivation anyway is refused with a clear error, and changes nothing.
    page = as_admin.post(deactivate, {"version": _version(practitioner)}).content.decode()
    assert "Pat Tester still leads 2 open episodes" in page and "Hand these over" in page
    practitioner.refresh_from_db()
    assert practitioner.is_active

    # One step moves everything to Cal.
    page = _handover_page(as_admin, practitioner)
    response = as_admin.post(reverse("accounts:staff-handover", args=[practitioner.pk]), {
        "leads_to_waiting_list": "no", "to_user": colleague.pk, "reason": "Leaving the service",
        "version": _version(practitioner), "token": _token(page)})
    assert response.url == deactivate
    for episode in led:
        episode.refresh_from_db()
        assert episode.lead_practitioner == colleague
        assert episode.allocations.get().reason == "Leaving the service"
    active = CareTeamMember.objects.filter(removed_at__isnull=True)
    assert not active.filter(user=practitioner).exists()
    assert active.get(user=colleague, young_person__given_name="Keyworked").is_keyworker
    assert active.get(user=colleague, young_person__given_name="Member").role == "Family work"
    plan.refresh_from_db()
    assert plan.keyworker == colleague and plan.version == 2
    assert AuditEvent.objects.filter(
        object_id=str(practitioner.pk),
        detail__startswith="staff: caseload handed over to cal.colleague").exists()
    assert AuditEvent.objects.filter(detail="keyworker: pat.practitioner > cal.colleague").exists()

    # Now the account can be deactivated.
    assert "Deactivate this account" in as_admin.get(deactivate).content.decode()
    assert as_admin.post(deactivate, {"version": _version(practitioner)}).status_code == 302
    practitioner.refresh_from_db()
    assert not practitioner.is_active

    # And Cal sees them on their caseload with their roles.
    as_admin.force_login(colleague)
    caseload_page = as_admin.get(reverse("care:caseload")).content.decode()
    assert "Led0 Khan" in caseload_page and "Keyworker" in caseload_page


def test_lead_episodes_can_go_to_the_waiting_list_but_roles_need_a_person(
        as_admin, client, practitioner, colleague, manager, caseload):
    led, _ = caseload
    url = reverse("accounts:staff-handover", args=[practitioner.pk])
    page = _handover_page(as_admin, practitioner)
    data = {"leads_to_waiting_list": "yes", "to_user": "", "reason": "Leaving",
            "version": _version(practitioner), "token": _token(page)}
    assert "Choose who takes over" in as_admin.post(url, data).content.decode()
    assert Allocation.objects.count() == 0
    assert as_admin.post(url, {**data, "to_user": colleague.pk}).status_code == 302
    for episode in led:
        episode.refresh_from_db()
        assert episode.lead_practitioner is None
    client.force_login(manager)
    assert "Led1 Khan" in client.get(reverse("care:waiting-list")).content.decode()


def test_the_handover_refuses_a_stale_page_a_missing_reason_and_the_leaver_themselves(
        as_admin, practitioner, colleague, outsider, caseload, camhs_team):
    url = reverse("accounts:staff-handover", args=[practitioner.pk])
    page = _handover_page(as_admin, practitioner)
    data = {"leads_to_waiting_list": "no", "to_user": colleague.pk, "reason": "Leaving",
            "version": _version(practitioner), "token": _token(page)}
    assert "Enter why the caseload is moving" in as_admin.post(
        url, {**data, "reason": ""}).content.decode()
    assert "Choose someone from the list" in as_admin.post(
        url, {**data, "to_user": practitioner.pk}).content.decode()
    assert "Choose someone from the list" in as_admin.post(
        url, {**data, "to_user": outsider.pk}).content.decode()
    # A new episode allocated to them after the page was opened: the page is stale.
    make_episode(make_young_person(given_name="Late"), camhs_team, practitioner)
    assert "Someone else changed this record" in as_admin.post(url, data).content.decode()
    assert not Allocation.objects.exists()
    assert CareTeamMember.objects.filter(user=practitioner, removed_at__isnull=True).count() == 2


def test_someone_with_nothing_to_hand_over_is_deactivated_directly(as_admin, colleague):
    url = reverse("accounts:staff-active", args=[colleague.pk])
    assert "Deactivate this account" in as_admin.get(url).content.decode()
    staff_page = as_admin.get(reverse("accounts:staff-member", args=[colleague.pk]))
    assert "Hand over their caseload" in staff_page.content.decode()
