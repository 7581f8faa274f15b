"""Notes, signposts, questionnaires and the timeline: struck through with the reason, linked for
those who may correct them, and no longer counted."""

from datetime import timedelta

import pytest
from django.urls import reverse

from thrive.directory import services as directory
from thrive.directory.models import Service
from thrive.history import services
from thrive.measures.services import record_completion
from thrive.sharing.models import RecordNote

from .helpers import TODAY, contact, goal, request_for

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_note_is_struck_through_on_the_record(signed_in, episode, practitioner):
    person = episode.young_person
    note = RecordNote.objects.create(young_person=person, author=practitioner,
                                     agency=practitioner.agency, text="Mum phoned about school")
    url = reverse("history:note-entered-in-error", args=[person.public_id, note.pk])
    record = reverse("people:record", args=[person.public_id])
    assert url in page(signed_in, record)
    assert signed_in.post(url, {"reason": "Wrong family"}).status_code == 302
    html = page(signed_in, record)
    assert "<s>Mum phoned about school</s>" in html
    assert "Entered in error:</strong> Wrong family, by" in html and url not in html


def test_another_agencys_note_has_no_link(client, episode, practitioner, outsider):
    person = episode.young_person
    note = RecordNote.objects.create(young_person=person, author=outsider, agency=outsider.agency,
                                     text="From school")
    client.force_login(practitioner)
    url = reverse("history:note-entered-in-error", args=[person.public_id, note.pk])
    assert url not in page(client, reverse("people:record", args=[person.public_id]))
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_a_signpost_in_error_is_struck_through_and_not_overdue(signed_in, episode, practitioner):
    directory.load_demo()
    service = Service.objects.first()
    item = directory.signpost(request_for(practitioner), episode, service, reason="Peer group",
                              follow_up_on=TODAY + timedelta(days=1))
    item.follow_up_on = TODAY - timedelta(days=3)
    item.save()
    assert directory.overdue_follow_ups([episode.pk]) == {episode.pk: 1}
    url = reverse("history:entered-in-error", args=[episode.public_id, "signpost", item.pk])
    signposts = reverse("directory:episode-signposts", args=[episode.public_id])
    assert url in page(signed_in, signposts)
    assert signed_in.post(url, {"reason": "Meant for another service"}).status_code == 302
    html = page(signed_in, signposts)
    assert f"<s>{service.name}</s>" in html and "Meant for another service" in html
    assert "Overdue" not in html
    assert directory.overdue_follow_ups([episode.pk]) == {}


def test_a_questionnaire_in_error_leaves_the_outcome_table(signed_in, episode, practitioner):
    request = request_for(practitioner)
    record_completion(request, episode, measure_id="phq9", rater="self",
                      completed_on=TODAY - timedelta(days=30), responses={i: 3 for i in range(1, 10)})
    second = record_completion(request, episode, measure_id="phq9", rater="self",
                               completed_on=TODAY - timedelta(days=2),
                               responses={i: 0 for i in range(1, 10)})
    measures_page = reverse("measures:episode", args=[episode.public_id])
    html = page(signed_in, measures_page)
    assert "Reliable improvement" in html
    url = reverse("history:entered-in-error", args=[episode.public_id, "questionnaire", second.pk])
    assert url in html
    assert signed_in.post(url, {"reason": "Filled in by a sibling"}).status_code == 302
    html = page(signed_in, measures_page)
    assert "Reliable improvement" not in html
    assert "Entered in error:</strong> Filled in by a sibling" in html


def test_the_timeline_strikes_through_erroneous_entries(signed_in, episode, practitioner):
    c = contact(episode, practitioner)
    g = goal(episode, practitioner, 1, 4)
    services.mark_entered_in_error(request_for(practitioner), c, "Wrong day")
    services.mark_entered_in_error(request_for(practitioner), g, "Not agreed")
    html = page(signed_in, reverse("people:record", args=[episode.young_person.public_id]))
    timeline = html.split('id="timeline"')[1]
    assert timeline.count("Entered in error:") == 3  # the contact, the goal and its rating
    assert "<s>Goal 1 agreed</s>" in timeline


def test_fhir_marks_the_response_entered_in_error_and_leaves_it_out_of_the_search(
        signed_in, episode, practitioner):
    import json

    request = request_for(practitioner)
    keep = record_completion(request, episode, measure_id="phq9", rater="self",
                             completed_on=TODAY - timedelta(days=9),
                             responses={i: 1 for i in range(1, 10)})
    wrong = record_completion(request, episode, measure_id="phq9", rater="self",
                              completed_on=TODAY - timedelta(days=2),
                              responses={i: 2 for i in range(1, 10)})
    services.mark_entered_in_error(request, wrong, "Wrong young person")
    body = json.loads(signed_in.get(f"/measures/fhir/QuestionnaireResponse/{wrong.public_id}").content)
    assert body["status"] == "entered-in-error"
    bundle = json.loads(signed_in.get(
        f"/measures/fhir/Observation?patient=Patient/{episode.young_person.public_id}").content)
    derived = {e["resource"]["derivedFrom"][0]["reference"] for e in bundle["entry"]}
    assert derived == {f"QuestionnaireResponse/{keep.public_id}"}


def test_a_signpost_in_error_takes_no_follow_up(episode, practitioner):
    from thrive.core.rules import RuleBroken

    directory.load_demo()
    request = request_for(practitioner)
    item = directory.signpost(request, episode, Service.objects.first(), reason="Peer group",
                              follow_up_on=TODAY + timedelta(days=7))
    services.mark_entered_in_error(request, item, "Wrong young person")
    item.refresh_from_db()
    with pytest.raises(RuleBroken, match="entered in error"):
        directory.record_outcome(request, item, version=item.version, outcome="engaged",
                                 recorded_on=TODAY)


def test_the_confirmation_page_describes_the_entry_in_plain_words(signed_in, episode, practitioner):
    directory.load_demo()
    request = request_for(practitioner)
    item = directory.signpost(request, episode, Service.objects.first(), reason="Peer group",
                              follow_up_on=TODAY + timedelta(days=7))
    completion = record_completion(request, episode, measure_id="phq9", rater="self",
                                   completed_on=TODAY, responses={i: 1 for i in range(1, 10)})
    for kind, entry, words in (("signpost", item, f"Signpost to {item.service.name}"),
                               ("questionnaire", completion, "PHQ-9")):
        url = reverse("history:entered-in-error", args=[episode.public_id, kind, entry.pk])
        html = page(signed_in, url)
        assert words in html and "This cannot be undone" in html
