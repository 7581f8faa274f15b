"""Care teams across agencies: consent or a safeguarding override, alerts, marks, keyworker
changes and who may remove whom — all through the pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.accounts.models import Agency, Role, Team
from thrive.conftest import make_user
from thrive.core.testing import form_data
from thrive.sharing.models import AccessAlert, CareTeamMember, Consent, Notification

TODAY = date.today()
REASON = "Police report of harm at home; family refusing contact"


@pytest.fixture
def early_help(db):
    agency = Agency.objects.create(name="Early Help Hub", kind=Agency.Kind.COUNCIL)
    return make_user("eve.earlyhelp", Team.objects.create(agency=agency, name="EH East"))


@pytest.fixture
def open_door(db):
    agency = Agency.objects.create(name="Open Door Counselling", kind=Agency.Kind.CHARITY)
    return make_user("oli.opendoor", Team.objects.create(agency=agency, name="Counsellors"))


def give_consent(person, agency, recorder, purpose="care_coordination", **fields):
    values = dict(young_person=person, given_by="parent_carer", given_by_name="Sara Khan",
                  with_agency=agency, purpose=purpose, given_on=TODAY - timedelta(days=3),
                  expires_on=TODAY + timedelta(days=180), recorded_by=recorder)
    values.update(fields)
    return Consent.objects.create(**values)


def add(client, person, member, **extra):
    data = {"member": member.pk, "role": "Family support worker", "is_keyworker": "no", **extra}
    return client.post(reverse("sharing:care-team", args=[person.public_id]), data)


def record_url(person):
    return reverse("people:record", args=[person.public_id])


def picker(client, person, q=None):
    url = reverse("sharing:care-team", args=[person.public_id])
    return client.get(url, {"q": q} if q else {}).content.decode()


def test_the_issue_scenario_is_refused_at_every_step(client, person, episode, manager, camhs,
                                                       early_help, open_door, practitioner):
    """Only consent is 'CAMHS, for referral': a CAMHS manager cannot add an Early Help worker
    without a reason; a member added under consent cannot add an Open Door counsellor."""
    give_consent(person, camhs, practitioner, purpose="referral")
    client.force_login(manager)
    page = add(client, person, early_help).content.decode()
    assert "There is no current consent to share with Early Help Hub" in page
    assert not CareTeamMember.objects.filter(user=early_help).exists()
    client.force_login(early_help)
    assert client.get(record_url(person)).status_code == 404

    # With consent for care coordination with Early Help, the manager adds her...
    give_consent(person, early_help.agency, manager)
    client.force_login(manager)
    assert add(client, person, early_help).status_code == 302
    # ...she can read the record, but cannot bring in Open Door without consent.
    client.force_login(early_help)
    assert client.get(record_url(person)).status_code == 200
    page = add(client, person, open_door, override_reason=REASON).content.decode()
    assert "needs consent to share with their agency for working together on care" in page
    assert not CareTeamMember.objects.filter(user=open_door).exists()


def test_the_picker_lists_only_covered_people_and_searches_by_name_and_agency(
        client, person, episode, practitioner, colleague, manager, early_help, open_door):
    client.force_login(practitioner)
    page = picker(client, person)
    assert "Cal Tester" in page  # own agency always
    assert "Eve Tester" not in page and "Oli Tester" not in page
    give_consent(person, early_help.agency, practitioner)
    page = picker(client, person)
    assert "Eve Tester, Practitioner (Early Help Hub)" in page and "Oli Tester" not in page
    page = picker(client, person, q="early")
    assert "Eve Tester" in page and "Cal Tester" not in page
    page = picker(client, person, q="cal")
    assert "Cal Tester" in page and "Eve Tester" not in page
    # A manager may override, so sees everyone, marked.
    client.force_login(manager)
    page = picker(client, person)
    assert "Oli Tester, Practitioner (Open Door Counselling) – needs a safeguarding override" in page
    assert "Safeguarding reason to add them without consent" in page


def test_a_practitioner_cannot_override_but_a_manager_can_and_the_privacy_officer_is_alerted(
        client, person, episode, practitioner, manager, open_door, camhs_team):
    client.force_login(practitioner)
    page = add(client, person, open_door, override_reason=REASON).content.decode()
    assert "needs consent to share with their agency for working together on care" in page
    assert not CareTeamMember.objects.filter(user=open_door).exists()
    client.force_login(manager)
    page = add(client, person, open_door, override_reason="because").content.decode()
    assert "Give the safeguarding reason in a sentence" in page
    assert add(client, person, open_door, override_reason=REASON).status_code == 302
    member = CareTeamMember.objects.get(user=open_door)
    assert member.override_reason == REASON and member.consent is None
    alert = AccessAlert.objects.get(kind="care_team_override")
    assert alert.user == manager and alert.young_person == person and REASON in alert.detail
    assert "Added under safeguarding override" in picker(client, person)
    assert "Added under safeguarding override" in client.get(record_url(person)).content.decode()
    # The member sees the record through the override.
    client.force_login(open_door)
    assert client.get(record_url(person)).status_code == 200
    officer = make_user("pip.privacy", None, Role.PRIVACY_OFFICER)
    client.force_login(officer)
    alerts = client.get(reverse("sharing:alerts")).content.decode()
    assert "Care-team member added under safeguarding override" in alerts


def test_an_addition_with_consent_is_marked_and_alerted_and_lapses_with_the_consent(
        client, person, episode, practitioner, early_help):
    consent = give_consent(person, early_help.agency, practitioner)
    client.force_login(practitioner)
    assert add(client, person, early_help).status_code == 302
    given = f"{consent.given_on:%-d %B %Y}"
    assert f"Added with consent given on {given}" in client.get(record_url(person)).content.decode()
    assert AccessAlert.objects.filter(kind="care_team_consent", young_person=person).count() == 1
    client.force_login(early_help)
    assert client.get(record_url(person)).status_code == 200
    Consent.objects.filter(pk=consent.pk).update(withdrawn_on=TODAY)
    assert client.get(record_url(person)).status_code == 404
    client.force_login(practitioner)
    assert "Consent withdrawn or expired: no access" in picker(client, person)


def test_an_expired_consent_ends_access_but_an_override_does_not(
        client, person, episode, practitioner, manager, early_help, open_door):
    consent = give_consent(person, early_help.agency, practitioner)
    client.force_login(manager)
    add(client, person, early_help)
    add(client, person, open_door, override_reason=REASON)
    Consent.objects.filter(pk=consent.pk).update(expires_on=TODAY - timedelta(days=1))
    client.force_login(early_help)
    assert client.get(record_url(person)).status_code == 404
    client.force_login(open_door)
    assert client.get(record_url(person)).status_code == 200


def test_a_colleague_of_an_agency_working_with_them_needs_no_consent_and_raises_no_alert(
        client, person, episode, practitioner, colleague):
    client.force_login(practitioner)
    assert add(client, person, colleague).status_code == 302
    assert not AccessAlert.objects.exists()
    assert "Own agency" in picker(client, person)


def test_changing_the_keyworker_asks_first_and_tells_both(client, person, episode, practitioner,
                                                          colleague):
    client.force_login(practitioner)
    add(client, person, practitioner, is_keyworker="yes")
    page = add(client, person, colleague, is_keyworker="yes").content.decode()
    assert "Change the keyworker?" in page and "Pat Tester" in page and "is the keyworker now" in page
    assert not CareTeamMember.objects.filter(user=colleague).exists()  # nothing yet
    response = add(client, person, colleague, is_keyworker="yes", keyworker_change_confirmed="True")
    assert response.status_code == 302
    keyworker = CareTeamMember.objects.get(young_person=person, is_keyworker=True,
                                           removed_at__isnull=True)
    assert keyworker.user == colleague
    assert CareTeamMember.objects.get(user=practitioner).removed_at is None  # stays a member
    told = {n.user: n.text for n in Notification.objects.all()}
    assert "Cal Tester is now the keyworker for Amira Khan instead of you" == told[practitioner]
    assert "taking over from Pat Tester" in told[colleague]
    caseload = client.get(reverse("care:caseload")).content.decode()
    assert "instead of you" in caseload
    note = Notification.objects.get(user=practitioner)
    client.post(reverse("sharing:dismiss-notification", args=[note.pk]))
    assert "instead of you" not in client.get(reverse("care:caseload")).content.decode()


def test_only_the_keyworker_a_manager_or_the_person_themself_can_remove(
        client, person, episode, practitioner, colleague, manager, camhs_team):
    third = make_user("tia.third", camhs_team)
    client.force_login(practitioner)
    add(client, person, practitioner, is_keyworker="yes")
    add(client, person, colleague)
    add(client, person, third)
    url = reverse("sharing:care-team", args=[person.public_id])
    practitioner_row = CareTeamMember.objects.get(user=practitioner)
    # A plain member cannot remove someone else: no button, and the POST is refused.
    client.force_login(colleague)
    page = client.get(url).content.decode()
    assert "Remove<span class=\"nhsuk-u-visually-hidden\"> Pat Tester" not in page
    response = client.post(reverse("sharing:remove-member",
                                   args=[person.public_id, practitioner_row.pk]), follow=True)
    assert "Only the keyworker, a team manager or the person themself" in response.content.decode()
    assert CareTeamMember.objects.get(pk=practitioner_row.pk).removed_at is None
    # Themself: yes.
    own = CareTeamMember.objects.get(user=colleague)
    client.post(reverse("sharing:remove-member", args=[person.public_id, own.pk]))
    assert CareTeamMember.objects.get(pk=own.pk).removed_at is not None
    # The keyworker: yes; and the removed person is told.
    client.force_login(practitioner)
    row = CareTeamMember.objects.get(user=third)
    client.post(reverse("sharing:remove-member", args=[person.public_id, row.pk]))
    assert CareTeamMember.objects.get(pk=row.pk).removed_by == practitioner
    assert Notification.objects.filter(user=third, text__contains="removed you").exists()
    # A team manager of the agency involved: yes.
    client.force_login(manager)
    client.post(reverse("sharing:remove-member", args=[person.public_id, practitioner_row.pk]))
    assert CareTeamMember.objects.get(pk=practitioner_row.pk).removed_at is not None


def test_a_referral_under_override_alerts_and_is_marked_in_the_lists(
        client, person, episode, manager, school, school_team):
    client.force_login(manager)
    client.post(reverse("sharing:refer", args=[person.public_id]), {
        "to_agency": school.pk, "reason": "Needs support at school", "is_transfer": "no",
        "override_reason": REASON})
    alert = AccessAlert.objects.get(kind="referral_override")
    assert "Test MHST" in alert.detail and REASON in alert.detail
    assert "Sent under safeguarding override" in client.get(
        reverse("sharing:referrals")).content.decode()
    assert "sent under safeguarding override" in client.get(record_url(person)).content.decode()
    receiver = make_user("rex.receiver", school_team)
    client.force_login(receiver)
    assert "Sent under safeguarding override" in client.get(
        reverse("sharing:referrals")).content.decode()


def test_a_referral_with_consent_shows_the_consent_date(client, person, episode, practitioner,
                                                        school):
    client.force_login(practitioner)
    client.post(reverse("sharing:new-consent", args=[person.public_id]), form_data(
        given_by="parent_carer", given_by_name="Sara Khan", with_agency=school.pk,
        purpose="referral", given_on=TODAY, expires_on=TODAY + timedelta(days=30)))
    client.post(reverse("sharing:refer", args=[person.public_id]), {
        "to_agency": school.pk, "reason": "Needs support at school", "is_transfer": "no"})
    assert f"Consent given on {TODAY.day} {TODAY:%B %Y}" in client.get(
        reverse("sharing:referrals")).content.decode()
    assert not AccessAlert.objects.exists()


def test_the_picker_makes_the_same_number_of_queries_however_many_staff(
        client, person, episode, practitioner, camhs_team, django_assert_max_num_queries):
    client.force_login(practitioner)
    url = reverse("sharing:care-team", args=[person.public_id])
    client.get(url)
    for i in range(40):
        make_user(f"s{i}.staff", camhs_team)
    with django_assert_max_num_queries(40):
        page = client.get(url).content.decode()
    assert page.count("Tester, Practitioner (Test CAMHS)") >= 41
