from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.care.models import GroupingDecision
from thrive.core.models import AuditEvent
from thrive.core.testing import form_data

TODAY = date.today()


def decision_form(**overrides):
    fields = dict(
        decided_on=TODAY - timedelta(days=3), young_person_took_part=True,
        parent_carer_took_part=True, other_participants="School mental health lead",
        options_discussed=["self_help", "one_to_one", "group"], options_preferred=["one_to_one"],
        decision_aid="THRIVE grouping cards", grouping="getting_help",
        rationale="Amira wants help with worry about school; six sessions of CBT, then review.",
        made_explicit=True, review_on=TODAY + timedelta(days=42), replaces="",
    )
    fields.update(overrides)
    return form_data(**fields)


def url_for(episode):
    return reverse("care:grouping", args=[episode.public_id])


def test_a_grouping_agreed_with_the_family_becomes_current(signed_in, episode, practitioner):
    response = signed_in.post(url_for(episode), decision_form(practitioners=[practitioner.pk]))
    assert response.status_code == 302
    decision = GroupingDecision.objects.get(episode=episode)
    assert decision.is_current and decision.grouping == "getting_help"
    assert decision.options_preferred == ["one_to_one"]
    assert list(decision.practitioners.all()) == [practitioner]
    page = signed_in.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert "Getting Help" in page and "six sessions of CBT" in page


def test_a_new_decision_replaces_the_current_one_and_keeps_history(signed_in, episode):
    signed_in.post(url_for(episode), decision_form())
    first = GroupingDecision.objects.get(episode=episode)
    signed_in.post(url_for(episode), decision_form(
        grouping="getting_more_help", replaces=str(first.pk), decided_on=TODAY,
        rationale="Worries have grown; joint work with school."))
    decisions = list(GroupingDecision.objects.filter(episode=episode).order_by("id"))
    assert [(d.grouping, d.is_current) for d in decisions] == [
        ("getting_help", False), ("getting_more_help", True)]


def test_a_second_current_grouping_is_refused_and_nothing_saved(signed_in, episode):
    signed_in.post(url_for(episode), decision_form())
    response = signed_in.post(url_for(episode), decision_form(grouping="getting_risk_support"))
    assert "There is a problem" in response.content.decode()
    assert "already has a current grouping (Getting Help" in response.content.decode()
    assert GroupingDecision.objects.filter(episode=episode).count() == 1


def test_a_stale_form_over_someone_elses_decision_is_refused(client, episode, practitioner,
                                                              colleague):
    client.force_login(colleague)
    client.post(url_for(episode), decision_form())
    first = GroupingDecision.objects.get(episode=episode)
    # Both open the form while `first` is current; the colleague saves first.
    client.post(url_for(episode), decision_form(grouping="getting_advice", replaces=str(first.pk)))
    client.force_login(practitioner)
    response = client.post(url_for(episode), decision_form(
        grouping="getting_more_help", replaces=str(first.pk)))
    assert "Someone else changed this record" in response.content.decode()
    current = GroupingDecision.objects.get(episode=episode, is_current=True)
    assert current.grouping == "getting_advice"


@pytest.mark.parametrize("overrides, message", [
    ({"decided_on": TODAY + timedelta(days=1)}, "Date agreed must be today or in the past"),
    ({"review_on": TODAY - timedelta(days=5)}, "Review date must be after the date agreed"),
    ({"decided_on": TODAY - timedelta(days=400)},
     "Date agreed must be on or after the referral was received"),
    ({"grouping": "tier_3"}, "Select a valid choice"),
    ({"rationale": ""}, "Enter why this grouping, in plain words"),
    ({"options_preferred": ["inpatient"]}, "Preferred options must be among the options discussed"),
    ({"made_explicit": None},
     "Select yes or no: Was the grouping made explicit to the young person and family?"),
])
def test_bad_decisions_get_a_clear_error_and_save_nothing(signed_in, episode, overrides, message):
    data = decision_form(**overrides)
    if overrides.get("made_explicit", True) is None:
        data.pop("made_explicit", None)
    response = signed_in.post(url_for(episode), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in body and message in body
    assert not GroupingDecision.objects.exists()


def test_recording_a_decision_is_audited(signed_in, episode, practitioner):
    signed_in.post(url_for(episode), decision_form())
    event = AuditEvent.objects.filter(action="create", object_type="GroupingDecision").get()
    assert event.user == practitioner and event.young_person_id == episode.young_person_id


def test_nothing_sets_a_grouping_except_a_recorded_decision(signed_in, episode):
    # Goals, ratings and contacts never create or change a grouping.
    signed_in.post(reverse("care:new-goal", args=[episode.public_id]), form_data(
        description="Go to school every day", agreed_on=TODAY,
        expected_by=TODAY + timedelta(days=60), plan_if_not_met="Review together"))
    signed_in.post(reverse("care:goal-rating", args=[episode.public_id, 1]), form_data(
        rated_on=TODAY, rating="9", rated_by="young_person"))
    assert not GroupingDecision.objects.exists()
