"""Adding a young person who may already have a record: the possible-match step, re-referral on
the same record, and a new record only with a reason."""

from datetime import date, timedelta

from django.urls import reverse

from thrive.care.models import Contact, Ending
from thrive.conftest import make_episode, make_young_person
from thrive.core.models import AuditEvent
from thrive.people.models import NewRecordDespiteMatch, YoungPerson
from thrive.people.tests.test_record_and_search import register_form

TODAY = date.today()


def _known_elsewhere(school_team, outsider, **fields):
    """A young person an agency other than the user's works with, with details it holds."""
    person = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 6, 1),
                               postcode="NV1 2AB", school="St Secret's", **fields)
    episode = make_episode(person, school_team, outsider, referral_detail="Private school notes")
    Contact.objects.create(episode=episode, date=TODAY - timedelta(days=3), time="09:15",
                           mode="face_to_face", attendance="attended")
    return person


def test_a_look_alike_shows_only_name_birth_date_and_why_and_nothing_of_the_other_agency(
        signed_in, school_team, outsider, practitioner):
    existing = _known_elsewhere(school_team, outsider, nhs_number="")
    response = signed_in.post(reverse("people:register"), register_form(**{
        "person-nhs_number": "", "person-given_name": "noah", "person-family_name": "Pryce"}))
    assert response.status_code == 302 and response.url == reverse("people:possible-match")
    assert "Noah" not in response.url and str(existing.public_id) not in response.url
    page = signed_in.get(response.url).content.decode()
    assert "Noah Price" in page and "1 June 2015" in page and "Similar name, same date of birth" in page
    for secret in (school_team.agency.name, school_team.name, "NV1 2AB", "St Secret",
                   "Private school notes", outsider.display_name, "Face to face",
                   reverse("people:record", args=[existing.public_id])):
        assert secret not in page
    assert YoungPerson.objects.count() == 1  # nothing added yet
    shown = AuditEvent.objects.filter(young_person_id=existing.pk, user=practitioner)
    assert [(e.action, e.detail) for e in shown] == [
        ("view", "shown as a possible match: Similar name, same date of birth")]


def test_every_match_shown_is_audited_each_time_it_is_shown(signed_in, school_team, outsider,
                                                             practitioner):
    first = _known_elsewhere(school_team, outsider, nhs_number="")
    second = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 1, 6),
                               nhs_number="")
    signed_in.post(reverse("people:register"), register_form(**{"person-nhs_number": ""}))
    signed_in.get(reverse("people:possible-match"))
    signed_in.post(reverse("people:possible-match"), {})  # nothing chosen: shown again
    for person, reason in ((first, "Same name and date of birth"),
                           (second, "Same name, day and month swapped")):
        details = list(AuditEvent.objects.filter(young_person_id=person.pk).values_list(
            "detail", flat=True))
        assert details == [f"shown as a possible match: {reason}"] * 2


def test_linking_opens_a_new_episode_on_the_same_record_and_only_then_may_i_see_it(
        signed_in, school_team, outsider, practitioner):
    existing = _known_elsewhere(school_team, outsider)
    record_url = reverse("people:record", args=[existing.public_id])
    assert signed_in.get(record_url).status_code == 404
    signed_in.post(reverse("people:register"),
                   register_form(**{"person-nhs_number": existing.nhs_number}))
    response = signed_in.post(reverse("people:possible-match"),
                              {"choice": str(existing.public_id)})
    assert YoungPerson.objects.count() == 1
    new = existing.episodes.get(agency=practitioner.agency)
    assert response.url == reverse("care:episode", args=[new.public_id])
    assert new.lead_practitioner == practitioner and new.referral_source == "school"
    assert signed_in.get(record_url).status_code == 200
    assert "pending_registration" not in signed_in.session


def test_re_referral_to_my_agency_after_a_discharge_shows_the_earlier_episode(
        signed_in, camhs_team, practitioner):
    person = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 6, 1),
                               nhs_number="")
    earlier = make_episode(person, camhs_team, practitioner, referral_received_on=TODAY - timedelta(400),
                           accepted_on=TODAY - timedelta(390))
    Ending.objects.create(episode=earlier, ended_on=TODAY - timedelta(100), reason="goals_met",
                          goals_met="met", agreed_with_family=True, next_step="none_needed",
                          recorded_by=practitioner)
    signed_in.post(reverse("people:register"), register_form(**{"person-nhs_number": ""}))
    signed_in.post(reverse("people:possible-match"), {"choice": str(person.public_id)})
    assert person.episodes.count() == 2
    page = signed_in.get(reverse("people:record", args=[person.public_id])).content.decode()
    assert reverse("care:episode", args=[earlier.public_id]) in page


def test_a_new_record_despite_a_match_needs_a_reason_which_is_kept(signed_in, school_team,
                                                                   outsider, practitioner):
    existing = _known_elsewhere(school_team, outsider, nhs_number="")
    signed_in.post(reverse("people:register"), register_form())
    page = signed_in.post(reverse("people:possible-match"), {"choice": "new", "reason": "  "})
    assert "Enter why this is a different young person" in page.content.decode()
    assert YoungPerson.objects.count() == 1
    response = signed_in.post(reverse("people:possible-match"),
                              {"choice": "new", "reason": "Different school and parents"})
    new = YoungPerson.objects.exclude(pk=existing.pk).get()
    assert response.url == reverse("people:record", args=[new.public_id])
    decision = NewRecordDespiteMatch.objects.get()
    assert (decision.young_person, decision.possible_match, decision.reason, decision.decided_by) == (
        new, existing, "Different school and parents", practitioner)


def test_a_new_record_with_an_nhs_number_already_held_is_refused(signed_in, school_team, outsider):
    existing = _known_elsewhere(school_team, outsider)
    signed_in.post(reverse("people:register"),
                   register_form(**{"person-nhs_number": existing.nhs_number,
                                    "person-given_name": "Someone", "person-family_name": "Else"}))
    page = signed_in.post(reverse("people:possible-match"),
                          {"choice": "new", "reason": "Not them"}).content.decode()
    assert "Same NHS number" in page and "A record with this NHS number already exists" in page
    assert YoungPerson.objects.count() == 1


def test_no_match_adds_the_record_straight_away(signed_in, school_team, outsider):
    _known_elsewhere(school_team, outsider, nhs_number="")
    response = signed_in.post(reverse("people:register"), register_form(
        **{"person-given_name": "Olivia", "person-family_name": "Stone"}))
    assert response.url.startswith("/young-people/") and "possible-match" not in response.url
    assert YoungPerson.objects.count() == 2


def test_the_match_step_without_a_pending_registration_goes_back_to_the_form(signed_in):
    response = signed_in.get(reverse("people:possible-match"))
    assert response.url == reverse("people:register")


def test_someone_already_on_my_caseload_is_offered_with_a_link_to_their_record(
        signed_in, camhs_team, practitioner):
    mine = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 6, 1),
                             nhs_number="")
    make_episode(mine, camhs_team, practitioner)
    signed_in.post(reverse("people:register"), register_form(**{"person-nhs_number": ""}))
    page = signed_in.get(reverse("people:possible-match")).content.decode()
    assert reverse("people:record", args=[mine.public_id]) in page
    assert "already known to your agency" in page
    assert YoungPerson.objects.count() == 1
