from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.accounts.models import Role
from thrive.care.models import Episode
from thrive.conftest import make_episode, make_user
from thrive.core.models import AuditEvent
from thrive.core.testing import form_data
from thrive.sharing import services
from thrive.sharing.models import AccessAlert, AgencyReferral, BreakGlassGrant

TODAY = date.today()


@pytest.fixture
def school_worker(school_team):
    return make_user("sue.school", school_team)


@pytest.fixture
def school_episode(person, school_team, school_worker):
    return make_episode(person, school_team, school_worker)


def consent(client, person, agency, **overrides):
    data = form_data(given_by="parent_carer", given_by_name="Sara Khan", with_agency=agency.pk,
                     purpose="referral", given_on=TODAY,
                     expires_on=TODAY + timedelta(days=180))
    data.update(overrides)
    return client.post(reverse("sharing:new-consent", args=[person.public_id]), data)


def refer(client, person, agency, **overrides):
    data = {"to_agency": agency.pk, "reason": "Low mood for months; school support not enough",
            "is_transfer": "no", **overrides}
    return client.post(reverse("sharing:refer", args=[person.public_id]), data)


def test_refer_from_school_to_camhs_then_accept_gives_camhs_access(
        client, person, school_episode, school_worker, camhs, camhs_team, practitioner):
    client.force_login(practitioner)
    record_url = reverse("people:record", args=[person.public_id])
    assert client.get(record_url).status_code == 404  # CAMHS has no relationship yet
    client.force_login(school_worker)
    consent(client, person, camhs)
    assert refer(client, person, camhs).status_code == 302
    referral = AgencyReferral.objects.get()
    assert referral.consent is not None and referral.status == "sent"

    client.force_login(practitioner)
    assert client.get(record_url).status_code == 404  # a sent referral is not access
    inbox = client.get(reverse("sharing:referrals")).content.decode()
    assert "Amira Khan" in inbox
    response = client.post(reverse("sharing:accept", args=[referral.public_id]),
                           {"accept-team": camhs_team.pk, "accept-version": referral.version,
                            "accept-leave_on_waiting_list": "no"})
    episode = Episode.objects.get(agency=camhs)
    assert response.url == reverse("care:episode", args=[episode.public_id])
    assert episode.accepted_on == TODAY and episode.referral_source == "school"
    assert client.get(record_url).status_code == 200

    # Ending CAMHS's episode completes the referral; CAMHS keeps a read-only relationship.
    client.post(reverse("care:ending", args=[episode.public_id]), form_data(
        ended_on=TODAY, reason="goals_met", goals_met="met", agreed_with_family=True,
        next_step="school_support", version=str(Episode.objects.get(pk=episode.pk).version)))
    referral.refresh_from_db()
    assert referral.status == "completed"
    page = client.get(record_url)
    assert page.status_code == 200 and "the record is read only" in page.content.decode()
    assert "Add a note" not in page.content.decode()


def test_a_referral_without_consent_is_refused_unless_a_manager_overrides(
        client, person, school_episode, school_worker, school_team, camhs):
    client.force_login(school_worker)
    page = refer(client, person, camhs).content.decode()
    assert "There is no current consent to refer to Test CAMHS" in page
    page = refer(client, person, camhs, override_reason="Risk of harm at home").content.decode()
    assert "Only a team manager or safeguarding lead" in page
    assert not AgencyReferral.objects.exists()
    manager = make_user("sal.manager", school_team, Role.TEAM_MANAGER)
    client.force_login(manager)
    assert refer(client, person, camhs, override_reason="Risk of harm at home").status_code == 302
    referral = AgencyReferral.objects.get()
    assert referral.consent is None and referral.consent_override_reason == "Risk of harm at home"
    event = AuditEvent.objects.get(object_type="AgencyReferral", action="create")
    assert event.reason == "Risk of harm at home"


def test_expired_or_withdrawn_consent_does_not_count(client, person, school_episode,
                                                      school_worker, camhs):
    client.force_login(school_worker)
    consent(client, person, camhs, **form_data(given_on=TODAY - timedelta(days=400),
                                               expires_on=TODAY - timedelta(days=30)))
    assert "no current consent" in refer(client, person, camhs).content.decode()


def test_consent_valid_until_before_it_was_given_is_refused(client, person, school_episode,
                                                             school_worker, camhs):
    client.force_login(school_worker)
    page = consent(client, person, camhs,
                   **form_data(expires_on=TODAY - timedelta(days=1))).content.decode()
    assert "Valid until must be on or after the date consent was given" in page
    assert not person.consents.exists()


def test_decline_needs_a_reason_and_withdraw_is_only_for_the_sender(
        client, person, school_episode, school_worker, camhs, practitioner):
    client.force_login(school_worker)
    consent(client, person, camhs)
    refer(client, person, camhs)
    referral = AgencyReferral.objects.get()
    client.force_login(practitioner)
    page = client.post(reverse("sharing:decline", args=[referral.public_id]),
                       {"decline-reason": " ", "decline-version": referral.version}).content.decode()
    assert "Enter why you are declining the referral" in page
    client.post(reverse("sharing:withdraw", args=[referral.public_id]),
                {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "sent"
    client.post(reverse("sharing:decline", args=[referral.public_id]),
                {"decline-reason": "Needs are best met in school",
                 "decline-version": referral.version})
    referral.refresh_from_db()
    assert referral.status == "declined" and not Episode.objects.filter(agency=camhs).exists()
    # A second decision on the same referral is refused: it is no longer waiting.
    page = client.post(reverse("sharing:accept", args=[referral.public_id]),
                       {"accept-team": practitioner.team_id, "accept-version": referral.version,
                        "accept-leave_on_waiting_list": "no"}).content
    assert b"already been declined" in page


def test_break_glass_gives_four_hours_read_only_and_alerts_the_privacy_officer(
        client, person, school_episode, practitioner, camhs_team):
    client.force_login(practitioner)
    url = reverse("sharing:break-glass")
    page = client.post(url, {"nhs_number": person.nhs_number, "reason": "short",
                             **form_data(date_of_birth=person.date_of_birth)}).content.decode()
    assert "Give the reason in a sentence" in page
    page = client.post(url, {"nhs_number": person.nhs_number,
                             "reason": "Brought to A&E after an overdose; need the safety plan",
                             **form_data(date_of_birth=person.date_of_birth - timedelta(days=1))}
                       ).content.decode()
    assert "No young person has this NHS number and date of birth" in page
    assert not BreakGlassGrant.objects.exists()
    response = client.post(url, {"nhs_number": person.nhs_number,
                                 "reason": "Brought to A&E after an overdose; need the safety plan",
                                 **form_data(date_of_birth=person.date_of_birth)}, follow=True)
    assert "Emergency access" in response.content.decode()
    grant = BreakGlassGrant.objects.get()
    assert grant.expires_at - grant.started_at == timedelta(hours=4)
    assert AccessAlert.objects.get().grant == grant
    assert AuditEvent.objects.filter(action="break_glass", reason__startswith="Brought").exists()
    # Read-only: no notes, no referrals.
    assert client.get(reverse("sharing:new-note", args=[person.public_id])).status_code == 403

    officer = make_user("pia.privacy", camhs_team, Role.PRIVACY_OFFICER)
    client.force_login(officer)
    assert "Break-glass access" in client.get(reverse("sharing:alerts")).content.decode()
    alert = AccessAlert.objects.get()
    page = client.post(reverse("sharing:alert", args=[alert.pk]), {"note": ""}).content.decode()
    assert "Enter what you found and did" in page
    client.post(reverse("sharing:alert", args=[alert.pk]),
                {"note": "Confirmed with A&E consultant; appropriate"})
    alert.refresh_from_db()
    assert alert.closed_by == officer
    # The privacy officer sees the record's access history, not the record.
    history = client.get(reverse("sharing:access-history", args=[person.public_id]))
    assert "Broke glass" in history.content.decode()
    assert client.get(reverse("people:record", args=[person.public_id])).status_code == 404


def test_opening_many_records_quickly_raises_an_alert(rf, practitioner, camhs_team):
    from thrive.conftest import make_young_person

    request = rf.get("/")
    request.user = practitioner
    people = [make_young_person(given_name=f"P{i}") for i in range(services.UNUSUAL_RECORD_COUNT)]
    for p in people[:-1]:
        services.note_record_viewed(request, p)
    assert not AccessAlert.objects.exists()
    services.note_record_viewed(request, people[-1])
    services.note_record_viewed(request, people[0])
    assert AccessAlert.objects.get().kind == "unusual_volume"


def test_care_team_has_one_keyworker_and_members_from_any_agency(
        client, person, episode, practitioner, school_worker):
    client.force_login(practitioner)
    url = reverse("sharing:care-team", args=[person.public_id])
    client.post(url, {"member": practitioner.pk, "role": "CAMHS clinician", "is_keyworker": "yes"})
    # Another agency's worker needs consent for working together on care (see test_care_teams).
    consent(client, person, school_worker.agency, purpose="care_coordination")
    client.post(url, {"member": school_worker.pk, "role": "School mental health practitioner",
                      "is_keyworker": "yes", "keyworker_change_confirmed": "True"})
    keyworkers = person.care_team.filter(is_keyworker=True, removed_at__isnull=True)
    assert [m.user for m in keyworkers] == [school_worker]
    page = client.post(url, {"member": school_worker.pk, "role": "x", "is_keyworker": "no"})
    assert "already on the care team" in page.content.decode()
    # The school worker now sees the record through the care team.
    client.force_login(school_worker)
    assert client.get(reverse("people:record", args=[person.public_id])).status_code == 200
