from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from thrive.care.models import Contact, Ending, Goal, GoalRating
from thrive.conftest import make_episode
from thrive.core.testing import form_data

TODAY = date.today()


def post(client, name, episode, data, *args):
    return client.post(reverse(name, args=[episode.public_id, *args]), data)


def goal_form(**overrides):
    fields = dict(description="Sleep through the night most nights", agreed_on=TODAY,
                  expected_by=TODAY + timedelta(weeks=10),
                  plan_if_not_met="Talk together about what got in the way and try sleep clinic")
    fields.update(overrides)
    return form_data(**fields)


def test_goals_are_numbered_and_ratings_build_a_history(signed_in, episode):
    post(signed_in, "care:new-goal", episode, goal_form(agreed_on=TODAY - timedelta(days=20)))
    post(signed_in, "care:new-goal", episode, goal_form(description="Go back to football"))
    for days_ago, rating in [(20, 2), (10, 5), (0, 7)]:
        post(signed_in, "care:goal-rating", episode,
             form_data(rated_on=TODAY - timedelta(days=days_ago), rating=str(rating),
                       rated_by="young_person"), 1)
    assert list(Goal.objects.values_list("number", "description")) == [
        (1, "Sleep through the night most nights"), (2, "Go back to football")]
    assert list(GoalRating.objects.values_list("rating", flat=True)) == [2, 5, 7]
    page = signed_in.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "Go back to football" in page and "talk together" in page.lower()


@pytest.mark.parametrize("rating, message", [
    ("11", "Rating must be a whole number from 0 to 10"),
    ("-1", "Rating must be a whole number from 0 to 10"),
    ("seven", "Rating must be a whole number from 0 to 10"),
    ("", "Enter a rating from 0 to 10"),
])
def test_a_goal_rating_outside_0_to_10_is_refused(signed_in, episode, rating, message):
    post(signed_in, "care:new-goal", episode, goal_form(agreed_on=TODAY - timedelta(days=5)))
    response = post(signed_in, "care:goal-rating", episode,
                    form_data(rated_on=TODAY, rating=rating, rated_by="young_person"), 1)
    assert message in response.content.decode()
    assert not GoalRating.objects.exists()


def test_a_rating_before_the_goal_was_agreed_is_refused(signed_in, episode):
    post(signed_in, "care:new-goal", episode, goal_form())
    response = post(signed_in, "care:goal-rating", episode,
                    form_data(rated_on=TODAY - timedelta(days=3), rating="4",
                              rated_by="young_person"), 1)
    assert "Date rated must be on or after the goal was agreed" in response.content.decode()
    assert not GoalRating.objects.exists()


def test_rating_a_goal_that_does_not_exist_is_not_found(signed_in, episode):
    response = post(signed_in, "care:goal-rating", episode,
                    form_data(rated_on=TODAY, rating="4", rated_by="young_person"), 3)
    assert response.status_code == 404


def contact_form(**overrides):
    fields = dict(date=TODAY - timedelta(days=1), time="14:30", mode="video",
                  attendance="did_not_attend", summary="")
    fields.update(overrides)
    return form_data(**fields)


def test_a_contact_is_recorded_with_mode_and_attendance(signed_in, episode, practitioner):
    response = post(signed_in, "care:new-contact", episode, contact_form())
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.date, contact.time, contact.mode, contact.attendance, contact.practitioner) == (
        TODAY - timedelta(days=1), time(14, 30), "video", "did_not_attend", practitioner)


@pytest.mark.parametrize("overrides, message", [
    ({"date": TODAY + timedelta(days=2)}, "Date of contact must be today or in the past"),
    ({"date": TODAY - timedelta(days=365)},
     "Date of contact must be on or after the referral was received"),
    ({"time": "25:00"}, "Enter the time as hours and minutes, for example 14:30"),
    ({"mode": "carrier_pigeon"}, "Select a valid choice"),
    ({"attendance": ""}, "Select attendance"),
])
def test_bad_contacts_are_refused(signed_in, episode, overrides, message):
    response = post(signed_in, "care:new-contact", episode, contact_form(**overrides))
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_a_date_with_a_missing_part_or_impossible_day_is_named(signed_in, episode):
    data = contact_form()
    data["date-month"] = ""
    assert "Date of contact must include a month" in post(
        signed_in, "care:new-contact", episode, data).content.decode()
    data = contact_form()
    data.update({"date-day": "31", "date-month": "2", "date-year": "2025"})
    assert "Date of contact must be a real date" in post(
        signed_in, "care:new-contact", episode, data).content.decode()


def ending_form(episode, **overrides):
    fields = dict(ended_on=TODAY, reason="goals_met", goals_met="met", agreed_with_family=True,
                  next_step="signposted", next_step_detail="Youth club on Tuesdays",
                  version=str(episode.version))
    fields.update(overrides)
    return form_data(**fields)


def test_an_ending_closes_the_episode_and_its_current_grouping(signed_in, episode):
    from thrive.care.models import GroupingDecision

    GroupingDecision.objects.create(
        episode=episode, decided_on=TODAY - timedelta(days=30), grouping="getting_help",
        young_person_took_part=True, parent_carer_took_part=True, rationale="r",
        made_explicit=True, review_on=TODAY, recorded_by=episode.lead_practitioner)
    response = post(signed_in, "care:ending", episode, ending_form(episode))
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.status == "discharged"
    assert not GroupingDecision.objects.filter(is_current=True).exists()
    # Nothing more can be added to an ended episode.
    assert post(signed_in, "care:new-contact", episode, contact_form()).status_code in (403, 404)


def test_an_ending_before_the_episode_began_is_refused(signed_in, episode):
    response = post(signed_in, "care:ending", episode,
                    ending_form(episode, ended_on=episode.referral_received_on - timedelta(days=1)))
    assert "Date ended must be on or after the episode began" in response.content.decode()
    assert not Ending.objects.exists()


def test_an_ending_before_the_last_contact_is_refused(signed_in, episode):
    post(signed_in, "care:new-contact", episode, contact_form(date=TODAY, attendance="attended"))
    episode.refresh_from_db()
    response = post(signed_in, "care:ending", episode,
                    ending_form(episode, ended_on=TODAY - timedelta(days=2)))
    assert "Date ended must be on or after the last contact" in response.content.decode()
    assert not Ending.objects.exists()


def test_an_ending_submitted_over_someone_elses_change_is_refused(signed_in, episode):
    stale = ending_form(episode)
    post(signed_in, "care:new-contact", episode, contact_form())  # someone adds a contact
    response = post(signed_in, "care:ending", episode, stale)
    assert "Someone else changed this record" in response.content.decode()
    assert not Ending.objects.exists()


def test_key_dates_accept_or_decline_but_never_both(signed_in, person, camhs_team, practitioner):
    episode = make_episode(person, camhs_team, practitioner, accepted_on=None)
    url = reverse("care:key-dates", args=[episode.public_id])
    both = form_data(triaged_on=TODAY - timedelta(days=50), accepted_on=TODAY,
                     declined_on=TODAY, declined_reason="x", version=str(episode.version))
    assert "either accepted or declined, not both" in signed_in.post(url, both).content.decode()
    ok = form_data(triaged_on=TODAY - timedelta(days=50), accepted_on=TODAY - timedelta(days=40),
                   first_help_on=TODAY - timedelta(days=20), version=str(episode.version))
    assert signed_in.post(url, ok).status_code == 302
    episode.refresh_from_db()
    assert episode.status == "open" and episode.first_help_on == TODAY - timedelta(days=20)
    # The same stale form a second time is refused: the version moved on.
    assert "Someone else changed this record" in signed_in.post(url, ok).content.decode()
