from datetime import date, timedelta

from django.urls import reverse

from thrive.accounts.models import User
from thrive.care.models import Contact, GroupingDecision
from thrive.conftest import make_episode, make_young_person, valid_nhs_number
from thrive.core.models import AuditEvent
from thrive.core.testing import form_data
from thrive.people.models import ParentCarer, YoungPerson

TODAY = date.today()


def test_the_record_shows_demographics_carers_and_a_timeline(signed_in, episode, practitioner):
    person = episode.young_person
    ParentCarer.objects.create(young_person=person, name="Sara Khan", relationship="mother",
                               parental_responsibility=True)
    GroupingDecision.objects.create(
        episode=episode, decided_on=TODAY - timedelta(days=10), grouping="getting_help",
        young_person_took_part=True, parent_carer_took_part=True, rationale="Worry about exams",
        made_explicit=True, review_on=TODAY + timedelta(days=30), recorded_by=practitioner)
    Contact.objects.create(episode=episode, date=TODAY - timedelta(days=3), time="09:15",
                           mode="face_to_face", attendance="did_not_attend")
    page = signed_in.get(reverse("people:record", args=[person.public_id])).content.decode()
    assert person.nhs_number_display in page and "27 March 2011" in page
    assert "Sara Khan" in page and "has parental responsibility" in page
    timeline = page[page.index('id="timeline"'):]
    # Newest first: the contact, then the decision, then the referral.
    assert (timeline.index("Face to face contact at 09:15: did not attend")
            < timeline.index("Grouping agreed: Getting Help")
            < timeline.index("Referral received by Getting Help team"))


def test_each_record_view_writes_one_audit_entry(signed_in, episode, practitioner):
    signed_in.get(reverse("people:record", args=[episode.young_person.public_id]))
    signed_in.get(reverse("care:episode", args=[episode.public_id]))
    views = AuditEvent.objects.filter(action="view", young_person_id=episode.young_person_id)
    assert sorted(views.values_list("object_type", flat=True)) == ["Episode", "YoungPerson"]
    assert all(v.user == practitioner for v in views)


def test_no_relationship_no_record_and_the_answer_does_not_reveal_it_exists(
        client, outsider, episode):
    client.force_login(outsider)
    for url in (reverse("people:record", args=[episode.young_person.public_id]),
                reverse("care:episode", args=[episode.public_id]),
                reverse("care:new-contact", args=[episode.public_id])):
        assert client.get(url).status_code == 404
    missing = client.get(reverse("people:record", args=["00000000-0000-0000-0000-000000000000"]))
    assert missing.status_code == 404
    assert not AuditEvent.objects.filter(action="view", outcome="allowed").exists()
    # Each refusal is audited (issue 12), linked to the young person only in the log.
    assert list(AuditEvent.objects.filter(outcome="refused").values_list(
        "user_id", "young_person_id")) == [(outsider.pk, episode.young_person.pk)] * 3 + [
        (outsider.pk, None)]


def test_search_finds_by_name_nhs_number_or_date_of_birth_without_putting_them_in_the_url(
        signed_in, episode, camhs_team, practitioner):
    person = episode.young_person
    other = make_young_person(given_name="Zac", family_name="Morris", date_of_birth=date(2012, 1, 5))
    make_episode(other, camhs_team, practitioner)
    url = reverse("people:find")
    for query in ("amira khan", person.nhs_number_display, "27/03/2011", "KHAN"):
        page = signed_in.post(url, {"q": query}).content.decode()
        assert "Amira Khan" in page and "Zac Morris" not in page, query
    assert "Zac Morris" in signed_in.post(url, {"q": "05/01/2012"}).content.decode()
    assert signed_in.get(url, {"q": "Khan"}).content.decode().count("Amira Khan") == 0
    assert AuditEvent.objects.filter(action="search").count() == 5


def test_search_never_returns_young_people_the_user_may_not_open(client, outsider, episode):
    client.force_login(outsider)
    page = client.post(reverse("people:find"), {"q": "Amira"}).content.decode()
    assert "Amira Khan" not in page and "0 results" in page


def test_a_too_short_search_gets_an_error_summary(signed_in):
    page = signed_in.post(reverse("people:find"), {"q": " "}).content.decode()
    assert "There is a problem" in page and "Enter a name, NHS number or date of birth" in page


def register_form(**overrides):
    fields = {
        "person-given_name": "Noah", "person-family_name": "Price",
        "person-nhs_number": valid_nhs_number(), "person-sex": "1", "person-gender_identity": "1",
        "person-ethnic_category": "A", "person-school": "Hillside Primary",
        "person-local_authority": "Northvale",
        **form_data(**{"person-date_of_birth": date(2015, 6, 1),
                       "referral-referral_received_on": TODAY - timedelta(days=1)}),
        "referral-referral_source": "school", "referral-referral_reason": "anxiety",
        "referral-urgency": "routine",
        # The practitioner signed in leads, as the form offers first.
        "referral-lead_practitioner": User.objects.get(username="pat.practitioner").pk,
    }
    fields.update(overrides)
    return fields


def test_registering_a_young_person_opens_a_referral_led_by_me(signed_in, practitioner):
    response = signed_in.post(reverse("people:register"), register_form())
    person = YoungPerson.objects.get(given_name="Noah")
    assert response.url == reverse("people:record", args=[person.public_id])
    episode = person.episodes.get()
    assert episode.lead_practitioner == practitioner and episode.status == "awaiting_decision"


def test_an_invalid_nhs_number_or_future_birth_date_is_refused_and_nothing_saved(signed_in):
    page = signed_in.post(reverse("people:register"),
                          register_form(**{"person-nhs_number": "943 476 5918"})).content.decode()
    assert "does not pass the NHS check" in page and 'href="#id_person-nhs_number"' in page
    future = TODAY + timedelta(days=30)
    page = signed_in.post(reverse("people:register"), register_form(**form_data(
        **{"person-date_of_birth": future}))).content.decode()
    assert "Date of birth must be today or in the past" in page
    assert not YoungPerson.objects.exists()


def test_a_duplicate_nhs_number_leads_to_the_possible_match_step_not_a_second_record(
        signed_in, person):
    response = signed_in.post(reverse("people:register"), register_form(
        **{"person-nhs_number": person.nhs_number}))
    assert response.url == reverse("people:possible-match")
    assert YoungPerson.objects.count() == 1


def test_stale_demographics_are_refused(signed_in, episode):
    person = episode.young_person
    url = reverse("people:edit-details", args=[person.public_id])
    data = {"given_name": "Amira", "family_name": "Khan-Ali", "nhs_number": person.nhs_number,
            "sex": "2", "version": str(person.version),
            **form_data(date_of_birth=person.date_of_birth)}
    assert signed_in.post(url, data).status_code == 302
    data["family_name"] = "Something Else"
    assert "Someone else changed this record" in signed_in.post(url, data).content.decode()
    person.refresh_from_db()
    assert person.family_name == "Khan-Ali"


def test_a_parent_or_carer_is_added(signed_in, episode):
    person = episode.young_person
    response = signed_in.post(reverse("people:new-parent-carer", args=[person.public_id]), {
        "name": "Jo Bloggs", "relationship": "foster_carer", "parental_responsibility": "no",
        "lives_with_young_person": "yes"})
    assert response.status_code == 302
    assert person.parents_carers.get().get_relationship_display() == "Foster carer"
