"""Forms refuse contradictions (issue 11 item 5): each through the page, with the NHS error
summary, a message saying what to fix, and nothing saved."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.accounts.models import Agency, User
from thrive.care.models import Ending, Episode, Goal, GoalRating, GroupingDecision
from thrive.conftest import make_episode
from thrive.core.dates import today
from thrive.core.testing import form_data
from thrive.people.models import YoungPerson

from .test_grouping_decisions import decision_form

TODAY = today()


def refused(response, message):
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page, page[:2000]
    assert message in page
    return page


# --- Endings ---------------------------------------------------------------------------------

def ending_form(episode, **overrides):
    fields = dict(ended_on=TODAY, reason="agreed_enough", goals_met="no_goals",
                  agreed_with_family=True, next_step="signposted", version=str(episode.version))
    fields.update(overrides)
    return form_data(**fields)


def test_no_goals_were_set_is_refused_on_an_episode_with_rated_goals(signed_in, episode,
                                                                     practitioner):
    goal = Goal.objects.create(episode=episode, number=1, description="Sleep better",
                               agreed_on=TODAY - timedelta(days=40),
                               expected_by=TODAY + timedelta(days=30), plan_if_not_met="Review",
                               recorded_by=practitioner)
    GoalRating.objects.create(goal=goal, rated_on=TODAY - timedelta(days=5), rating=6,
                              rated_by="young_person", recorded_by=practitioner)
    url = reverse("care:ending", args=[episode.public_id])
    refused(signed_in.post(url, ending_form(episode)),
            "This episode has 1 agreed goal, 1 of them rated, so 'No goals were set' "
            "cannot be right")
    assert not Ending.objects.exists()
    assert signed_in.post(url, ending_form(episode, goals_met="partly")).status_code == 302


def test_goals_reached_as_the_reason_with_goals_not_met_is_refused(signed_in, episode):
    url = reverse("care:ending", args=[episode.public_id])
    refused(signed_in.post(url, ending_form(episode, reason="goals_met", goals_met="not_met")),
            "You said help is ending because the goals were reached")
    assert not Ending.objects.exists()


def test_an_ending_before_first_help_is_refused(signed_in, person, camhs_team, practitioner):
    episode = make_episode(person, camhs_team, practitioner,
                           first_help_on=TODAY - timedelta(days=10))
    response = signed_in.post(reverse("care:ending", args=[episode.public_id]),
                              ending_form(episode, ended_on=TODAY - timedelta(days=20)))
    refused(response, "Date ended must be on or after the first help date")
    assert not Ending.objects.exists()


# --- Shared decisions ------------------------------------------------------------------------

def _grouping(client, episode, **overrides):
    return client.post(reverse("care:grouping", args=[episode.public_id]),
                       decision_form(**overrides))


NO_FAMILY = dict(young_person_took_part=False, parent_carer_took_part=False)


@pytest.mark.parametrize("overrides, message", [
    ({"options_preferred": ["one_to_one"], "made_explicit": True},
     "Neither the young person nor a parent or carer took part, so there is no family "
     "preference to record"),
    ({"options_preferred": [], "made_explicit": True},
     "so the grouping cannot have been made explicit to them yet"),
    ({"options_preferred": [], "made_explicit": False},
     "Enter why neither the young person nor a parent or carer took part"),
])
def test_a_decision_without_the_family_cannot_claim_their_preference(signed_in, episode,
                                                                      overrides, message):
    refused(_grouping(signed_in, episode, **NO_FAMILY, **overrides), message)
    assert not GroupingDecision.objects.exists()


def test_a_decision_without_the_family_is_saved_with_why_and_shown(signed_in, episode):
    reason = "Agreed in the professionals' meeting; Amira was in hospital"
    response = _grouping(signed_in, episode, **NO_FAMILY, options_preferred=[],
                         made_explicit=False, without_family_reason=reason)
    assert response.status_code == 302
    decision = GroupingDecision.objects.get()
    assert decision.options_preferred == [] and decision.without_family_reason == reason
    page = signed_in.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "Amira was in hospital" in page and "not yet made explicit to the family" in page


def test_with_the_family_their_preference_is_still_required(signed_in, episode):
    refused(_grouping(signed_in, episode, options_preferred=[]),
            "Select what the young person and family preferred")
    assert not GroupingDecision.objects.exists()


# --- Review dates ----------------------------------------------------------------------------

def test_a_review_more_than_a_year_ahead_needs_a_confirmation(signed_in, episode):
    far = TODAY + timedelta(days=5 * 365)
    refused(_grouping(signed_in, episode, review_on=far),
            "Review date is more than a year after")
    assert not GroupingDecision.objects.exists()
    response = _grouping(signed_in, episode, review_on=far, confirm_distant_review=["yes"])
    assert response.status_code == 302
    assert GroupingDecision.objects.get().review_on == far


def test_a_review_within_a_year_needs_no_confirmation(signed_in, episode):
    assert _grouping(signed_in, episode, review_on=TODAY + timedelta(days=300)).status_code == 302


# --- Key dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("dates, message", [
    ({"triaged_on": 30, "assessed_on": 40},
     "Assessment date must be on or after the triage date"),
    ({"triaged_on": 40, "assessed_on": 30, "accepted_on": 35, "first_help_on": 32},
     "First help date must be on or after the assessment date"),
    ({"triaged_on": 40, "accepted_on": 20, "first_help_on": 30},
     "First help date must be on or after the date accepted"),
    ({"accepted_on": 70}, "Date accepted must be on or after the referral was received"),
])
def test_key_dates_out_of_order_are_refused(signed_in, person, camhs_team, practitioner, dates,
                                            message):
    episode = make_episode(person, camhs_team, practitioner, accepted_on=None)  # referred 60 days ago
    data = form_data(version=str(episode.version),
                     **{name: TODAY - timedelta(days=ago) for name, ago in dates.items()})
    refused(signed_in.post(reverse("care:key-dates", args=[episode.public_id]), data), message)
    episode.refresh_from_db()
    assert (episode.triaged_on, episode.assessed_on, episode.accepted_on,
            episode.first_help_on) == (None, None, None, None)


def test_key_dates_in_order_are_saved(signed_in, person, camhs_team, practitioner):
    episode = make_episode(person, camhs_team, practitioner, accepted_on=None)
    data = form_data(version=str(episode.version), triaged_on=TODAY - timedelta(days=50),
                     assessed_on=TODAY - timedelta(days=40), accepted_on=TODAY - timedelta(days=40),
                     first_help_on=TODAY - timedelta(days=30))
    assert signed_in.post(reverse("care:key-dates", args=[episode.public_id]),
                          data).status_code == 302


# --- Ages ------------------------------------------------------------------------------------

def registration(**overrides):
    fields = {"person-given_name": "Dana", "person-family_name": "Price", "person-sex": "2",
              "referral-referral_source": "gp", "referral-referral_reason": "anxiety",
              "referral-urgency": "routine",
              "referral-lead_practitioner": User.objects.get(username="pat.practitioner").pk}
    fields.update(form_data(**{"person-date_of_birth": date(1980, 4, 2),
                               "referral-referral_received_on": TODAY - timedelta(days=2)}))
    fields.update(overrides)
    return fields


def test_an_age_outside_the_agencys_range_needs_a_reason(signed_in, camhs):
    Agency.objects.filter(pk=camhs.pk).update(min_age=0, max_age=18)
    page = refused(signed_in.post(reverse("people:register"), registration()),
                   "outside Test CAMHS's age range (0 to 18)")
    assert "Check the date of birth, or enter why they are being seen here" in page
    assert not YoungPerson.objects.exists() and not Episode.objects.exists()
    response = signed_in.post(reverse("people:register"), registration(
        **{"referral-age_reason": "Registered in error? No: parent-infant work with her baby"}))
    assert response.status_code == 302
    assert Episode.objects.get().age_reason.startswith("Registered in error? No")


def test_an_agency_with_no_age_range_asks_nothing(signed_in):
    assert signed_in.post(reverse("people:register"), registration()).status_code == 302


def test_the_referral_form_says_the_agencys_age_range(signed_in, camhs):
    Agency.objects.filter(pk=camhs.pk).update(min_age=5, max_age=18)
    page = signed_in.get(reverse("people:register")).content.decode()
    assert "Test CAMHS sees young people aged 5 to 18" in page


@pytest.mark.parametrize("born, message", [
    (TODAY + timedelta(days=1), "Date of birth must be today or in the past"),
    (date(TODAY.year - 121, 1, 1), "Date of birth must be within the last 120 years"),
])
def test_impossible_dates_of_birth_are_refused(signed_in, born, message):
    response = signed_in.post(reverse("people:register"),
                              registration(**form_data(**{"person-date_of_birth": born})))
    refused(response, message)
    assert not YoungPerson.objects.exists()
