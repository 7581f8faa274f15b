"""Goals are recorded once, in the episode's Goals section, and the episode's outcome table counts
their ratings exactly as the extract and the national metric do (GBO goal scores, as self)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.care.models import Goal, GoalRating
from thrive.measures import services
from thrive.measures.models import Completion

pytestmark = pytest.mark.django_db
START = date.today() - timedelta(days=40)


def goal(episode, user, number, *ratings, rated_by="young_person"):
    g = Goal.objects.create(episode=episode, number=number, description=f"Goal {number}",
                            agreed_on=START, expected_by=START + timedelta(days=90),
                            plan_if_not_met="Review", recorded_by=user)
    for i, rating in enumerate(ratings):
        GoalRating.objects.create(goal=g, rated_on=START + timedelta(days=10 * i), rating=rating,
                                  rated_by=rated_by, recorded_by=user)
    return g


def rater_row(html, rater):
    match = re.search(rf'data-rater="{rater}">(.*?)</tr>', html, re.S)
    assert match, rater
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def outcome_page(client, episode):
    response = client.get(reverse("measures:episode", args=[episode.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_goal_rated_2_then_8_is_a_reliable_improvement_for_the_young_person(
        signed_in, episode, practitioner):
    goal(episode, practitioner, 1, 2, 8)
    html = outcome_page(signed_in, episode)
    assert "Cannot be classified" not in html
    assert "Reliable improvement" in rater_row(html, "self")
    assert 'data-scale="gbo/goal_1"' in html


def test_goal_ratings_count_as_self_whoever_rated_them_as_the_metric_does(
        signed_in, episode, practitioner):
    goal(episode, practitioner, 1, 7, 2, rated_by="parent_carer")
    html = outcome_page(signed_in, episode)
    assert "Reliable deterioration" in rater_row(html, "self")
    assert rater_row(html, "parent").split() == ["Parent,", "carer", "or", "teacher", "No", "No", "–"]


def test_goals_beyond_three_are_not_counted_as_the_extract_leaves_them_out(episode, practitioner):
    g = goal(episode, practitioner, 4, 2, 9)
    outcome = services.episode_outcome([], goal_ratings=list(g.ratings.select_related("goal")))
    assert outcome.paired == []


def test_gbo_is_not_offered_as_a_questionnaire_and_the_page_points_to_goals(signed_in, episode):
    url = reverse("measures:new", args=[episode.public_id])
    page = signed_in.get(url).content.decode()
    assert 'value="gbo"' not in page and 'value="phq9"' in page
    assert "agree goals and rate progress in the episode&#39;s Goals section" in page
    response = signed_in.post(url, {"measure": "gbo", "rater": "self", "method": "items"})
    assert "Select a questionnaire from the list" in response.content.decode()
    record = reverse("measures:record", args=[episode.public_id]) + "?measure=gbo&rater=self&method=items"
    assert "There is a problem" in signed_in.get(record).content.decode()


def test_a_gbo_questionnaire_recorded_before_stays_readable(signed_in, episode, practitioner, rf):
    request = rf.post("/")
    request.user = practitioner
    completion = services.record_completion(request, episode, measure_id="gbo", rater="self",
                                            completed_on=START, responses={1: 3})
    assert Completion.objects.filter(measure_id="gbo").count() == 1
    detail = signed_in.get(reverse("measures:completion", args=[completion.public_id]))
    assert detail.status_code == 200 and "Goal Based Outcomes" in detail.content.decode()
    assert "Goal Based Outcomes" in outcome_page(signed_in, episode)


def test_a_parents_rating_is_never_paired_with_the_young_persons(signed_in, episode, practitioner):
    g = goal(episode, practitioner, 1, 2)  # the young person rates 2
    GoalRating.objects.create(goal=g, rated_on=START + timedelta(days=30), rating=9,
                              rated_by="parent_carer", recorded_by=practitioner)
    outcome = services.episode_outcome([], goal_ratings=list(
        GoalRating.objects.filter(goal=g).select_related("goal")))
    [row] = outcome.paired
    assert row.last is None and row.classification_label == "Only one score so far"
    GoalRating.objects.create(goal=g, rated_on=START + timedelta(days=40), rating=6,
                              rated_by="young_person", recorded_by=practitioner)
    outcome = services.episode_outcome([], goal_ratings=list(
        GoalRating.objects.filter(goal=g).select_related("goal")))
    [row] = outcome.paired
    assert (row.first.value, row.last.value) == (2, 6)
