"""Risk items (PHQ-9 item 9, YP-CORE item 4, CORE-10 item 6) alert the clinician until one
acknowledges the alert and records what was done; never shown on the tablet."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from thrive.core.models import AuditEvent
from thrive.core.testing import form_data
from thrive.measures.models import Completion, RiskReview
from thrive.measures.tests.stepping import answer_in_steps

pytestmark = pytest.mark.django_db

YESTERDAY = date.today() - timedelta(days=1)


def record(client, episode, measure, answers):
    url = (reverse("measures:record", args=[episode.public_id])
           + f"?measure={measure}&rater=self&method=items")
    data = {f"item_{n}": str(v) for n, v in answers.items()}
    response = client.post(url, {**data, **form_data(completed_on=YESTERDAY)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Completion.objects.latest("id")


@pytest.mark.parametrize("measure, item, n_items", [("phq9", 9, 9), ("yp_core", 4, 10),
                                                     ("core10", 6, 10)])
def test_each_risk_item_raises_an_alert_naming_the_item(signed_in, episode, measure, item, n_items):
    answers = {n: 0 for n in range(1, n_items + 1)}
    answers[item] = 1
    completion = record(signed_in, episode, measure, answers)
    assert completion.risk_alerts and f"item {item}" in completion.risk_alerts[0]
    page = signed_in.get(reverse("measures:completion", args=[completion.public_id])).content.decode()
    assert "Risk item answered" in page
    assert "&lt;p&gt;" not in page  # the alert is not escaped twice


@pytest.mark.parametrize("measure, n_items", [("phq9", 9), ("yp_core", 10), ("core10", 10)])
def test_no_alert_when_the_risk_item_is_zero(signed_in, episode, measure, n_items):
    completion = record(signed_in, episode, measure, {n: 0 for n in range(1, n_items + 1)})
    assert completion.risk_alerts == []


def test_alert_stays_on_episode_and_caseload_until_acknowledged(signed_in, episode):
    answers = {n: 0 for n in range(1, 11)}
    answers[6] = 2
    completion = record(signed_in, episode, "core10", answers)
    episode_page = signed_in.get(reverse("measures:episode", args=[episode.public_id])).content.decode()
    assert "Risk item to review" in episode_page
    caseload = signed_in.get(reverse("care:caseload")).content.decode()
    assert "Risk item to review" in caseload

    url = reverse("measures:acknowledge-risk", args=[completion.public_id])
    refused = signed_in.post(url, {"action_taken": "  "})
    assert "Enter what was done about the risk item" in refused.content.decode()
    assert not RiskReview.objects.exists()

    response = signed_in.post(url, {"action_taken": "Phoned today; safety plan reviewed with mum."})
    assert response.status_code == 302
    review = RiskReview.objects.get(completion=completion)
    assert review.action_taken.startswith("Phoned today")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE,
                                     detail__contains="risk alert acknowledged").exists()
    detail = signed_in.get(reverse("measures:completion", args=[completion.public_id])).content.decode()
    assert "Acknowledged by" in detail and "safety plan reviewed" in detail
    assert "Risk item to review" not in signed_in.get(
        reverse("measures:episode", args=[episode.public_id])).content.decode()
    assert "Risk item to review" not in signed_in.get(reverse("care:caseload")).content.decode()


def test_someone_from_another_agency_cannot_acknowledge(signed_in, episode, outsider, client):
    answers = {n: 0 for n in range(1, 10)}
    answers[9] = 1
    completion = record(signed_in, episode, "phq9", answers)
    signed_in.logout()
    client.force_login(outsider)
    response = client.post(reverse("measures:acknowledge-risk", args=[completion.public_id]),
                           {"action_taken": "x"})
    assert response.status_code in (403, 404)
    assert not RiskReview.objects.exists()


def test_a_risk_answer_on_the_tablet_is_never_shown_to_the_young_person(signed_in, episode):
    from .test_django_handover import hand_over

    hand_over(signed_in, episode, measure="yp_core")
    answers = {n: "0" for n in range(1, 11)} | {4: "3"}
    assert answer_in_steps(signed_in, reverse("measures:tablet"), "yp_core", answers).status_code == 302
    done = signed_in.get(reverse("measures:tablet")).content.decode()
    assert "Thank you" in done and "risk" not in done.lower()
    completion = Completion.objects.get()
    assert completion.risk_alerts and not RiskReview.objects.exists()
    response = signed_in.post(reverse("measures:hand-back"), {"secret": "4821"})
    detail = signed_in.get(response.url).content.decode()
    assert "Risk item answered" in detail


def test_a_questionnaire_entered_in_error_raises_no_alert(signed_in, episode, rf, practitioner):
    from thrive.history.services import mark_entered_in_error

    answers = {n: 0 for n in range(1, 10)}
    answers[9] = 1
    completion = record(signed_in, episode, "phq9", answers)
    assert "Risk item to review" in signed_in.get(reverse("care:caseload")).content.decode()
    request = rf.post("/")
    request.user = practitioner
    mark_entered_in_error(request, completion, "Recorded on the wrong young person's episode")
    assert "Risk item to review" not in signed_in.get(reverse("care:caseload")).content.decode()
    assert "Risk item to review" not in signed_in.get(
        reverse("measures:episode", args=[episode.public_id])).content.decode()
