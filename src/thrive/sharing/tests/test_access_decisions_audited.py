"""Every access decision is audited: refused ones too, with the basis of each allowed one."""

from datetime import date, timedelta

from django.urls import reverse

from thrive.core.models import AuditEvent
from thrive.core.testing import form_data
from thrive.sharing.models import BreakGlassGrant, CareTeamMember, Consent

REASON = "Brought to A&E after an overdose; need the safety plan"


def test_a_failed_break_glass_attempt_is_audited_as_refused(client, person, outsider):
    client.force_login(outsider)
    url = reverse("sharing:break-glass")
    wrong_birthday = form_data(date_of_birth=person.date_of_birth - timedelta(days=1))
    page = client.post(url, {"nhs_number": person.nhs_number, "reason": REASON,
                             **wrong_birthday}).content.decode()
    assert "No young person has this NHS number and date of birth" in page
    client.post(url, {"nhs_number": "not a number", "reason": "", **wrong_birthday})
    assert not BreakGlassGrant.objects.exists()
    refused = list(AuditEvent.objects.filter(action="break_glass").order_by("id"))
    assert [(e.outcome, e.young_person_id, e.user_id) for e in refused] == [
        ("refused", person.pk, outsider.pk), ("refused", None, outsider.pk)]
    assert refused[0].reason == REASON and refused[0].basis == "none"


def test_break_glass_access_is_audited_with_its_basis_and_a_refused_change(
        client, person, episode, outsider):
    client.force_login(outsider)
    client.post(reverse("sharing:break-glass"), {
        "nhs_number": person.nhs_number, "reason": REASON,
        **form_data(date_of_birth=person.date_of_birth)})
    before = AuditEvent.objects.count()
    assert client.get(reverse("people:record", args=[person.public_id])).status_code == 200
    assert client.get(reverse("sharing:new-note", args=[person.public_id])).status_code == 403
    entries = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.outcome, e.basis) for e in entries] == [
        ("view", "allowed", "break_glass"), ("view", "refused", "break_glass")]


def test_a_failed_form_post_that_shows_the_name_again_is_audited_once(signed_in, episode):
    person = episode.young_person
    before = AuditEvent.objects.count()
    page = signed_in.post(reverse("sharing:new-note", args=[person.public_id]), {"text": ""})
    assert person.full_name in page.content.decode()
    entries = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.outcome, e.young_person_id, e.basis) for e in entries] == [
        ("view", "allowed", person.pk, "relationship")]


def test_the_basis_says_consent_or_override_for_care_team_members(
        client, person, episode, practitioner, outsider, school):
    consent = Consent.objects.create(young_person=person, given_by="young_person",
                                     given_by_name="Amira", with_agency=school,
                                     purpose=Consent.Purpose.CARE_COORDINATION,
                                     given_on=date.today(),
                                     expires_on=date.today() + timedelta(30),
                                     recorded_by=practitioner)
    member = CareTeamMember.objects.create(young_person=person, user=outsider, role="Mentor",
                                           added_by=practitioner, consent=consent)
    client.force_login(outsider)
    client.get(reverse("people:record", args=[person.public_id]))
    assert AuditEvent.objects.order_by("-id").first().basis == "consent"
    CareTeamMember.objects.filter(pk=member.pk).update(consent=None,
                                                       override_reason="Risk to life")
    client.get(reverse("people:record", args=[person.public_id]))
    assert AuditEvent.objects.order_by("-id").first().basis == "override"


def test_a_refused_fhir_search_is_audited_without_saying_more(client, person, episode, outsider):
    client.force_login(outsider)
    url = reverse("measures:fhir-observations")
    for patient in (f"Patient/{person.public_id}", "Patient/00000000-0000-0000-0000-000000000000",
                    "not-a-uuid"):
        assert client.get(url, {"patient": patient}).status_code == 404
    refused = AuditEvent.objects.filter(outcome="refused").order_by("id")
    assert [(e.young_person_id, e.basis) for e in refused] == [
        (person.pk, "none"), (None, "none"), (None, "none")]
