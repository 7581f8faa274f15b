"""Marking a clinical entry entered in error: one service, access through the sharing policy,
a reason required, refused twice, audited; the entry stays, struck through, and stops counting."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from thrive.care.models import Contact, Ending, Goal, GroupingDecision
from thrive.conftest import make_episode
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.history import services
from thrive.sharing.models import RecordNote

from .helpers import TODAY, contact, decision, goal, request_for

pytestmark = pytest.mark.django_db


def mark_url(episode, kind, entry):
    return reverse("history:entered-in-error", args=[episode.public_id, kind, entry.pk])


def episode_page(client, episode):
    response = client.get(reverse("care:episode", args=[episode.public_id]))
    assert response.status_code == 200
    return response.content.decode()


# --- the service ------------------------------------------------------------------------------

def test_marking_keeps_the_entry_with_who_when_and_why_and_audits_it(episode, practitioner):
    c = contact(episode, practitioner)
    before = AuditEvent.objects.count()
    services.mark_entered_in_error(request_for(practitioner), c, "  Wrong young person  ")
    c.refresh_from_db()
    assert c.is_entered_in_error and c.entered_in_error_by == practitioner
    assert c.entered_in_error_reason == "Wrong young person"
    assert Contact.objects.valid().count() == 0 and Contact.objects.count() == 1
    entry = AuditEvent.objects.order_by("id")[before]
    assert (entry.action, entry.object_type, entry.young_person_id) == (
        "change", "Contact", episode.young_person_id)
    assert "Wrong young person" not in entry.detail  # the reason stays with the record


def test_a_reason_is_required(episode, practitioner):
    c = contact(episode, practitioner)
    with pytest.raises(RuleBroken) as broken:
        services.mark_entered_in_error(request_for(practitioner), c, "   ")
    assert broken.value.field == "reason"
    c.refresh_from_db()
    assert not c.is_entered_in_error


def test_marking_twice_is_refused(episode, practitioner):
    c = contact(episode, practitioner)
    services.mark_entered_in_error(request_for(practitioner), c, "Duplicate")
    with pytest.raises(RuleBroken, match="already marked"):
        services.mark_entered_in_error(request_for(practitioner), c, "Again")
    c.refresh_from_db()
    assert c.entered_in_error_reason == "Duplicate"


def test_someone_with_no_relationship_gets_the_same_404(episode, practitioner, outsider):
    c = contact(episode, practitioner)
    with pytest.raises(Http404):
        services.mark_entered_in_error(request_for(outsider), c, "Not mine")
    c.refresh_from_db()
    assert not c.is_entered_in_error


def test_a_read_only_relationship_may_not_correct(episode, practitioner, colleague):
    c = contact(episode, practitioner)
    Ending.objects.create(episode=episode, ended_on=TODAY - timedelta(days=60), reason="goals_met",
                          goals_met="met", agreed_with_family=True, next_step="none_needed",
                          recorded_by=practitioner)
    episode.refresh_from_db()
    # An ended episode, past the late-addition window: read only even for its lead.
    with pytest.raises(PermissionDenied):
        services.mark_entered_in_error(request_for(practitioner), c, "Wrong")


def test_the_lead_may_correct_within_the_window_after_the_ending(episode, practitioner, colleague):
    c = contact(episode, practitioner, days_ago=5)
    Ending.objects.create(episode=episode, ended_on=TODAY - timedelta(days=2), reason="goals_met",
                          goals_met="met", agreed_with_family=True, next_step="none_needed",
                          recorded_by=practitioner)
    services.mark_entered_in_error(request_for(practitioner), c, "Wrong date")
    assert Contact.objects.get(pk=c.pk).is_entered_in_error
    c2 = contact(episode, practitioner, days_ago=4)
    with pytest.raises(PermissionDenied):  # a colleague who did not lead it: read only
        services.mark_entered_in_error(request_for(colleague), c2, "Wrong")


def test_an_erroneous_current_grouping_hands_current_back_to_the_previous_one(
        episode, practitioner):
    first = decision(episode, practitioner, "getting_advice", 30, False)
    wrong_old = decision(episode, practitioner, "getting_risk_support", 20, False)
    services.mark_entered_in_error(request_for(practitioner), wrong_old, "Wrong episode")
    latest = decision(episode, practitioner, "getting_help", 10, True)
    services.mark_entered_in_error(request_for(practitioner), latest, "Wrong grouping chosen")
    current = GroupingDecision.objects.filter(episode=episode, is_current=True)
    assert list(current) == [first]  # the latest valid one, not the erroneous one before it
    latest.refresh_from_db()
    assert not latest.is_current
    # A new decision now replaces the restored one, as the form expects.
    from thrive.care.services import current_decision
    assert current_decision(episode) == first


def test_the_only_grouping_in_error_leaves_none_current(episode, practitioner):
    only = decision(episode, practitioner, "getting_help", 10, True)
    services.mark_entered_in_error(request_for(practitioner), only, "Wrong record")
    assert not GroupingDecision.objects.filter(episode=episode, is_current=True).exists()


def test_an_ending_past_the_window_is_refused_with_what_to_do(episode, practitioner):
    ending = Ending.objects.create(episode=episode, ended_on=TODAY - timedelta(days=60),
                                   reason="goals_met", goals_met="met", agreed_with_family=True,
                                   next_step="none_needed", recorded_by=practitioner)
    episode.refresh_from_db()
    with pytest.raises(PermissionDenied, match="record a new referral"):
        services.mark_entered_in_error(request_for(practitioner), ending, "Ended by mistake")
    assert Ending.objects.filter(pk=ending.pk).exists()


def test_a_note_can_be_marked_by_its_agency(episode, practitioner, outsider):
    note = RecordNote.objects.create(young_person=episode.young_person, author=practitioner,
                                     agency=practitioner.agency, text="Wrong family")
    with pytest.raises(Http404):
        services.mark_entered_in_error(request_for(outsider), note, "Not mine")
    services.mark_entered_in_error(request_for(practitioner), note, "Meant for another record")
    assert RecordNote.objects.get(pk=note.pk).is_entered_in_error


def test_a_goal_in_error_takes_its_ratings_out_of_the_outcome(episode, practitioner):
    from thrive.measures import services as measures

    g = goal(episode, practitioner, 1, 2, 8)
    assert len(measures.goal_results(measures.episode_goal_ratings(episode))) == 2
    services.mark_entered_in_error(request_for(practitioner), g, "Goal of another young person")
    assert measures.goal_results(measures.episode_goal_ratings(episode)) == []


# --- the pages --------------------------------------------------------------------------------

def test_the_episode_shows_an_erroneous_contact_struck_through_with_the_reason(
        signed_in, episode, practitioner):
    c = contact(episode, practitioner)
    contact(episode, practitioner, days_ago=3)
    html = episode_page(signed_in, episode)
    assert mark_url(episode, "contact", c) in html
    response = signed_in.post(mark_url(episode, "contact", c), {"reason": "Wrong young person"})
    assert response.status_code == 302
    html = episode_page(signed_in, episode)
    assert "<s>" in html and "Entered in error:</strong> Wrong young person, by" in html
    assert mark_url(episode, "contact", c) not in html  # no link on an entry already marked
    # The erroneous contact no longer counts as the first attended contact.
    assert html.count((TODAY - timedelta(days=10)).strftime("%B %Y")) >= 1


def test_the_first_attended_contact_skips_an_erroneous_one(signed_in, episode, practitioner):
    wrong = contact(episode, practitioner, days_ago=10)
    contact(episode, practitioner, days_ago=3)
    services.mark_entered_in_error(request_for(practitioner), wrong, "Wrong record")
    from thrive.config.jinja2 import nice_date
    html = episode_page(signed_in, episode)
    first = html.split("First attended contact")[1][:300]
    assert nice_date(TODAY - timedelta(days=3)) in first


def test_missing_reason_shows_an_error_summary_and_saves_nothing(signed_in, episode, practitioner):
    c = contact(episode, practitioner)
    response = signed_in.post(mark_url(episode, "contact", c), {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html and "Enter why this was entered in error" in html
    c.refresh_from_db()
    assert not c.is_entered_in_error


def test_no_relationship_is_a_404_on_the_confirmation_page(client, episode, practitioner, outsider):
    c = contact(episode, practitioner)
    client.force_login(outsider)
    assert client.get(mark_url(episode, "contact", c)).status_code == 404
    assert client.post(mark_url(episode, "contact", c), {"reason": "x"}).status_code == 404
    c.refresh_from_db()
    assert not c.is_entered_in_error


def test_an_entry_of_another_episode_is_a_404(signed_in, episode, practitioner, camhs_team):
    other = make_episode(episode.young_person, camhs_team, practitioner)
    c = contact(other, practitioner)
    assert signed_in.get(mark_url(episode, "contact", c)).status_code == 404
    assert signed_in.get(mark_url(episode, "nonsense", c)).status_code == 404


def test_read_only_viewers_see_the_marker_but_no_link(client, episode, practitioner, colleague):
    c = contact(episode, practitioner, days_ago=5)
    services.mark_entered_in_error(request_for(practitioner), c, "Wrong date")
    c2 = contact(episode, practitioner, days_ago=4)
    Ending.objects.create(episode=episode, ended_on=TODAY - timedelta(days=2), reason="goals_met",
                          goals_met="met", agreed_with_family=True, next_step="none_needed",
                          recorded_by=practitioner)
    client.force_login(colleague)
    html = episode_page(client, episode)
    assert "Entered in error:</strong> Wrong date" in html
    assert mark_url(episode, "contact", c2) not in html
    assert client.get(mark_url(episode, "contact", c2)).status_code == 403


def test_goal_rating_and_grouping_links_and_struck_display(signed_in, episode, practitioner):
    g = goal(episode, practitioner, 1, 3, 6)
    d = decision(episode, practitioner, "getting_help", 10, True)
    rating = g.ratings.first()
    html = episode_page(signed_in, episode)
    for kind, entry in (("goal", g), ("goal-rating", rating), ("grouping", d)):
        assert mark_url(episode, kind, entry) in html
    signed_in.post(mark_url(episode, "grouping", d), {"reason": "Recorded twice"})
    html = episode_page(signed_in, episode)
    assert "No grouping agreed yet" in html
    assert "Entered in error:</strong> Recorded twice" in html


def test_the_ending_link_explains_why_it_cannot_be_marked_past_the_window(
        signed_in, episode, practitioner):
    ending = Ending.objects.create(episode=episode, ended_on=TODAY - timedelta(days=60),
                                   reason="goals_met", goals_met="met", agreed_with_family=True,
                                   next_step="none_needed", recorded_by=practitioner)
    response = signed_in.get(mark_url(episode, "ending", ending))
    assert response.status_code == 403 and "record a new referral" in response.content.decode()
    assert Ending.objects.filter(pk=ending.pk).exists()


def test_a_goal_in_error_cannot_be_rated(episode, practitioner):
    from thrive.care import services as care

    g = goal(episode, practitioner, 1)
    services.mark_entered_in_error(request_for(practitioner), g, "Wrong young person")
    g.refresh_from_db()
    with pytest.raises(RuleBroken, match="entered in error"):
        care.rate_goal(request_for(practitioner), g, rated_on=TODAY, rating=5,
                       rated_by="young_person")


def test_a_questionnaire_page_says_it_was_entered_in_error(signed_in, episode, practitioner):
    from thrive.measures.services import record_completion

    request = request_for(practitioner)
    completion = record_completion(request, episode, measure_id="phq9", rater="self",
                                   completed_on=TODAY, responses={i: 1 for i in range(1, 10)})
    services.mark_entered_in_error(request, completion, "Another child's answers")
    html = signed_in.get(reverse("measures:completion", args=[completion.public_id])).content.decode()
    assert "Entered in error:</strong> Another child&#39;s answers" in html or \
        "Entered in error:</strong> Another child's answers" in html


def test_an_entry_already_marked_sends_back_to_the_episode_without_auditing_a_view(
        signed_in, episode, practitioner):
    c = contact(episode, practitioner)
    services.mark_entered_in_error(request_for(practitioner), c, "Wrong")
    before = AuditEvent.objects.count()
    response = signed_in.get(mark_url(episode, "contact", c))
    assert response.status_code == 302
    assert AuditEvent.objects.count() == before


def test_the_episode_page_costs_the_same_queries_with_2_or_20_corrected_entries(
        signed_in, episode, practitioner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            c = contact(episode, practitioner, days_ago=40 - i)
            g = goal(episode, practitioner, Goal.objects.filter(episode=episode).count() + 1, 3, 5)
            services.mark_entered_in_error(request_for(practitioner), c, f"Wrong {i}")
            services.mark_entered_in_error(request_for(practitioner), g.ratings.first(), "Typo")

    add(2)
    with CaptureQueriesContext(connection) as two:
        episode_page(signed_in, episode)
    add(18)
    with CaptureQueriesContext(connection) as twenty:
        html = episode_page(signed_in, episode)
    assert html.count("Entered in error:</strong> Wrong") == 20
    assert len(twenty) == len(two)
