"""An ending recorded by mistake: marked entered in error, it is kept word for word (struck
through on the episode page) and the episode is open again everywhere: caseload, access policy,
extract and the national metric. Only the lead practitioner, within the post-ending window."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.care.models import Ending, Episode, GroupingDecision
from thrive.care.services import record_ending
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.history import services
from thrive.history.models import EndingEnteredInError
from thrive.sharing.models import AgencyReferral

from .helpers import TODAY, decision, request_for
from .test_leaves_every_count import closed, flags, metric_row  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def end(episode, user, days_ago=2, **fields):
    """Record the ending through the service, so it changes what an ending really changes."""
    episode.refresh_from_db()
    values = dict(ended_on=TODAY - timedelta(days=days_ago), reason="agreed_enough",
                  goals_met="partly", agreed_with_family=True, next_step="signposted",
                  next_step_detail="Youth club on Tuesdays")
    values.update(fields)
    ending = record_ending(request_for(user), episode, version=episode.version, **values)
    return Ending.objects.select_related("episode").get(pk=ending.pk)


def mark_url(episode, ending):
    return reverse("history:entered-in-error", args=[episode.public_id, "ending", ending.pk])


def reload(episode):
    return Episode.objects.get(pk=episode.pk)


# --- the service ------------------------------------------------------------------------------

def test_the_ending_is_kept_word_for_word_and_the_episode_is_open_again(episode, practitioner):
    ending = end(episode, practitioner)
    before = AuditEvent.objects.count()
    archived = services.mark_entered_in_error(request_for(practitioner), ending,
                                              "  Ended the wrong episode  ")
    assert not Ending.objects.filter(pk=ending.pk).exists()
    episode = reload(episode)
    assert episode.is_open and episode.status == "open"
    assert (archived.ending_id, archived.ended_on, archived.reason, archived.goals_met,
            archived.agreed_with_family, archived.next_step, archived.next_step_detail,
            archived.recorded_by, archived.recorded_at) == (
        ending.pk, ending.ended_on, "agreed_enough", "partly", True, "signposted",
        "Youth club on Tuesdays", practitioner, ending.recorded_at)
    assert (archived.entered_in_error_by, archived.entered_in_error_reason) == (
        practitioner, "Ended the wrong episode")
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.object_type, e.young_person_id) for e in events] == [
        ("change", "Episode", episode.young_person_id)]
    assert "ending" in events[0].detail and "wrong episode" not in events[0].detail


def test_the_episode_can_end_again_after_the_correction(episode, practitioner):
    services.mark_entered_in_error(request_for(practitioner), end(episode, practitioner), "Early")
    second = end(episode, practitioner, days_ago=0, reason="family_chose")
    assert reload(episode).ending == second
    assert EndingEnteredInError.objects.filter(episode=episode).count() == 1


def test_a_reason_is_required_and_nothing_changes_without_one(episode, practitioner):
    ending = end(episode, practitioner)
    with pytest.raises(RuleBroken) as broken:
        services.mark_entered_in_error(request_for(practitioner), ending, "  ")
    assert broken.value.field == "reason"
    assert Ending.objects.filter(pk=ending.pk).exists()
    assert not EndingEnteredInError.objects.exists()


def test_the_grouping_the_ending_retired_is_current_again(episode, practitioner):
    decision(episode, practitioner, "getting_advice", 30, False)
    wrong = decision(episode, practitioner, "getting_risk_support", 20, False)
    services.mark_entered_in_error(request_for(practitioner), wrong, "Wrong episode")
    latest = decision(episode, practitioner, "getting_help", 10, True)
    ending = end(episode, practitioner)
    assert not GroupingDecision.objects.filter(episode=episode, is_current=True).exists()
    archived = services.mark_entered_in_error(request_for(practitioner), ending, "Too early")
    assert list(GroupingDecision.objects.filter(episode=episode, is_current=True)) == [latest]
    assert archived.grouping_made_current == latest


def test_an_erroneous_latest_decision_is_not_made_current(episode, practitioner):
    first = decision(episode, practitioner, "getting_advice", 30, False)
    latest = decision(episode, practitioner, "getting_help", 10, True)
    services.mark_entered_in_error(request_for(practitioner), latest, "Wrong young person")
    ending = end(episode, practitioner)
    services.mark_entered_in_error(request_for(practitioner), ending, "Too early")
    assert list(GroupingDecision.objects.filter(episode=episode, is_current=True)) == [first]


def test_the_inter_agency_referral_the_ending_completed_is_accepted_again(
        episode, practitioner, school, outsider, camhs):
    referral = AgencyReferral.objects.create(
        young_person=episode.young_person, from_agency=school, to_agency=camhs, sent_by=outsider,
        reason="Low mood", consent_override_reason="Safeguarding", status="accepted",
        episode=episode)
    ending = end(episode, practitioner)
    referral.refresh_from_db()
    assert referral.status == "completed"
    archived = services.mark_entered_in_error(request_for(practitioner), ending, "Too early")
    referral.refresh_from_db()
    assert referral.status == "accepted" and archived.referral_reopened


def test_nothing_else_is_changed(episode, practitioner, person, camhs_team, school, outsider,
                                 camhs):
    from thrive.conftest import make_episode

    other = make_episode(person, camhs_team, practitioner)
    other_referral = AgencyReferral.objects.create(
        young_person=person, from_agency=school, to_agency=camhs, sent_by=outsider,
        reason="Low mood", consent_override_reason="Safeguarding", status="accepted",
        episode=other)
    other_ending = end(other, practitioner)
    other_decision = decision(other, practitioner, "getting_help", 10, False)
    services.mark_entered_in_error(request_for(practitioner), end(episode, practitioner), "Early")
    other_referral.refresh_from_db()
    other_decision.refresh_from_db()
    assert other_referral.status == "completed" and not other_decision.is_current
    assert Ending.objects.filter(pk=other_ending.pk).exists()


# --- who may ----------------------------------------------------------------------------------

def test_a_colleague_who_did_not_lead_it_is_refused_with_a_clear_message(
        episode, practitioner, colleague):
    ending = end(episode, practitioner)
    with pytest.raises(PermissionDenied, match="Only the episode's lead practitioner"):
        services.mark_entered_in_error(request_for(colleague), ending, "Wrong")
    assert Ending.objects.filter(pk=ending.pk).exists()


def test_the_lead_is_refused_after_the_window(episode, practitioner, settings):
    ending = end(episode, practitioner, days_ago=settings.THRIVE_POST_ENDING_WINDOW_DAYS + 1)
    with pytest.raises(PermissionDenied, match="within 28 days of the ending"):
        services.mark_entered_in_error(request_for(practitioner), ending, "Wrong")
    assert Ending.objects.filter(pk=ending.pk).exists()


def test_someone_with_no_relationship_gets_the_same_404(
        client, episode, practitioner, outsider):
    ending = end(episode, practitioner)
    with pytest.raises(Http404):
        services.mark_entered_in_error(request_for(outsider), ending, "Not mine")
    client.force_login(outsider)
    assert client.get(mark_url(episode, ending)).status_code == 404
    assert client.post(mark_url(episode, ending), {"reason": "x"}).status_code == 404
    assert Ending.objects.filter(pk=ending.pk).exists()


# --- the pages --------------------------------------------------------------------------------

def test_the_lead_marks_it_through_the_page_and_sees_it_struck_through(
        signed_in, episode, practitioner):
    ending = end(episode, practitioner)
    page = signed_in.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert mark_url(episode, ending) in page
    form = signed_in.get(mark_url(episode, ending)).content.decode()
    assert "the episode will be open again" in form
    missing = signed_in.post(mark_url(episode, ending), {"reason": ""})
    assert missing.status_code == 200 and "nhsuk-error-summary" in missing.content.decode()
    assert Ending.objects.filter(pk=ending.pk).exists()
    response = signed_in.post(mark_url(episode, ending), {"reason": "Ended the wrong episode"},
                              follow=True)
    page = response.content.decode()
    assert "the episode is open again" in page
    assert "Ending entered in error" in page
    assert "<s>Ended " in page and "Agreed that enough has been done for now" in page
    assert "Entered in error:</strong> Ended the wrong episode, by" in page
    assert "read only" not in page
    assert reverse("care:ending", args=[episode.public_id]) in page  # may end it again
    # The ending no longer exists: its address answers 404.
    assert signed_in.get(mark_url(episode, ending)).status_code == 404


def test_a_colleague_sees_no_link_and_the_page_says_why(client, episode, practitioner, colleague):
    ending = end(episode, practitioner)
    client.force_login(colleague)
    page = client.get(reverse("care:episode", args=[episode.public_id])).content.decode()
    assert mark_url(episode, ending) not in page
    response = client.get(mark_url(episode, ending))
    assert response.status_code == 403
    assert "Only the episode&#39;s lead practitioner" in response.content.decode() or \
        "Only the episode's lead practitioner" in response.content.decode()


def test_the_episode_page_query_count_is_flat(signed_in, episode, practitioner):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert signed_in.get(reverse("care:episode", args=[episode.public_id])
                                 ).status_code == 200
        return len(ctx.captured_queries)

    services.mark_entered_in_error(request_for(practitioner), end(episode, practitioner), "One")
    one = queries()
    for n in range(4):
        services.mark_entered_in_error(request_for(practitioner), end(episode, practitioner),
                                       f"Again {n}")
    assert EndingEnteredInError.objects.filter(episode=episode).count() == 5
    assert queries() == one


def test_it_leaves_recently_ended_and_returns_to_the_caseload(signed_in, episode, practitioner):
    ending = end(episode, practitioner)
    url = reverse("care:episode", args=[episode.public_id])
    page = signed_in.get(reverse("care:caseload")).content.decode()
    assert "Recently ended" in page and page.count(url) == 1
    services.mark_entered_in_error(request_for(practitioner), ending, "Too early")
    page = signed_in.get(reverse("care:caseload")).content.decode()
    assert "Recently ended" not in page and page.count(url) == 1


# --- the extract and the national metric -------------------------------------------------------

def test_the_metric_sees_the_referral_open_again(tmp_path, closed, practitioner, settings):  # noqa: F811
    ep, *_ = closed
    ending = end(ep, practitioner, days_ago=(TODAY - date(2024, 4, 30)).days)
    before = metric_row(tmp_path, "before", ep)
    assert flags(before, "SR") == dict(Assessment=1, Paired=1, Improvement=1, NoChange=0, Deter=0)
    settings.THRIVE_POST_ENDING_WINDOW_DAYS = (TODAY - date(2024, 4, 30)).days + 1
    services.mark_entered_in_error(request_for(practitioner), ending, "Still being seen")
    after = metric_row(tmp_path, "after", ep)
    # Open again: the metric counts closed referrals only, so this one has no row and no flags.
    assert after is None
