"""Recording a questionnaire by items or by totals: scored at once, bad input refused whole."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from thrive.conftest import make_episode, make_user
from thrive.core.models import AuditEvent
from thrive.core.testing import form_data
from thrive.measures.models import Completion, ScaleScore

pytestmark = pytest.mark.django_db


def record_url(episode, measure, rater, method="items"):
    return (reverse("measures:record", args=[episode.public_id])
            + f"?measure={measure}&rater={rater}&method={method}")


def items(**values):
    return {f"item_{k[1:]}": str(v) for k, v in values.items()}


def phq9_all(value):
    return {f"item_{n}": str(value) for n in range(1, 10)}


YESTERDAY = date.today() - timedelta(days=1)


def test_choose_measure_redirects_to_the_item_form(signed_in, episode):
    url = reverse("measures:new", args=[episode.public_id])
    response = signed_in.post(url, {"measure": "phq9", "rater": "self", "method": "items"})
    assert response.status_code == 302
    assert response.url == record_url(episode, "phq9", "self")


def test_choose_refuses_a_rater_the_measure_does_not_have(signed_in, episode):
    url = reverse("measures:new", args=[episode.public_id])
    response = signed_in.post(url, {"measure": "phq9", "rater": "parent", "method": "items"})
    assert response.status_code == 200
    assert "has no parent- or carer-rated version" in response.content.decode()
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("query", ["measure=nope&rater=self&method=items",
                                   "measure=phq9&rater=parent&method=items",
                                   "measure=phq9&rater=self&method=bogus"])
def test_record_page_refuses_bad_choice_with_an_error_summary(signed_in, episode, query):
    url = reverse("measures:record", args=[episode.public_id]) + "?" + query
    for response in (signed_in.get(url), signed_in.post(url, {**phq9_all(2), **form_data(
            completed_on=YESTERDAY)})):
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    assert not Completion.objects.exists()


def test_phq9_by_items_is_scored_at_once(signed_in, episode):
    response = signed_in.post(record_url(episode, "phq9", "self"),
                              {**phq9_all(2), **form_data(completed_on=YESTERDAY)})
    assert response.status_code == 302, response.content.decode()[:3000]
    completion = Completion.objects.get()
    assert completion.source == "items" and completion.rater == "self"
    assert completion.responses["1"] == 2
    total = completion.scores.get(scale_id="total")
    assert total.value == Decimal(18) and total.band == "moderately severe" and total.caseness
    page = signed_in.get(response.url).content.decode()
    assert "18" in page and "moderately severe" in page
    assert "Risk item answered" in page  # item 9 answered 2: clinician only
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE,
                                     object_type="Completion").count() == 1


def test_prorated_score_is_marked_and_missing_score_says_why(signed_in, episode):
    # SDQ parent emotional: items 3, 8, 13 = 2, 1, 1; 16 and 24 missing -> 7, prorated.
    data = {"item_3": "2", "item_8": "1", "item_13": "1", "item_5": "1", "item_7": "0"}
    response = signed_in.post(record_url(episode, "sdq_parent", "parent"),
                              {**data, **form_data(completed_on=YESTERDAY)})
    assert response.status_code == 302
    emotional = ScaleScore.objects.get(scale_id="emotional")
    assert emotional.value == 7 and emotional.prorated and emotional.n_answered == 3
    assert emotional.band == "abnormal"
    conduct = ScaleScore.objects.get(scale_id="conduct")
    assert conduct.value is None and "missing" in conduct.missing_reason
    page = signed_in.get(response.url).content.decode()
    assert "Prorated" in page and "Not computed" in page and conduct.missing_reason in page


def test_rcads_t_scores_by_age_and_sex(signed_in, camhs_team, practitioner):
    from thrive.conftest import make_young_person

    born = date.today().replace(year=date.today().year - 12) - timedelta(days=40)
    boy = make_young_person(sex="1", date_of_birth=born)
    episode = make_episode(boy, camhs_team, practitioner)
    depression = {2: 2, 6: 2, 11: 2, 15: 2, 19: 2, 21: 2, 25: 2, 29: 2, 40: 2, 47: 2}  # raw 20
    data = {f"item_{n}": str(v) for n, v in depression.items()}
    response = signed_in.post(record_url(episode, "rcads47_child", "self"),
                              {**data, **form_data(completed_on=YESTERDAY)})
    assert response.status_code == 302
    score = ScaleScore.objects.get(scale_id="depression")
    assert score.value == 20
    assert score.t_score.quantize(Decimal("0.01")) == Decimal("86.51")
    assert score.band == "clinical"


def test_no_t_score_when_sex_not_known_says_so(signed_in, camhs_team, practitioner):
    from thrive.conftest import make_young_person

    person = make_young_person(sex="X", date_of_birth=date(2013, 1, 1))
    episode = make_episode(person, camhs_team, practitioner)
    data = {f"item_{n}": "1" for n in (2, 6, 11, 15, 19, 21, 25, 29, 40, 47)}
    response = signed_in.post(record_url(episode, "rcads47_child", "self"),
                              {**data, **form_data(completed_on=YESTERDAY)})
    page = signed_in.get(response.url).content.decode()
    assert "No T-score: norms exist only for sex M or F." in page


def test_totals_from_paper(signed_in, episode):
    response = signed_in.post(record_url(episode, "core10", "self", "totals"),
                              {"total_clinical": "14.4", **form_data(completed_on=YESTERDAY)})
    assert response.status_code == 302
    completion = Completion.objects.get()
    assert completion.source == "entered_total" and completion.entered_totals == {"clinical": "14.4"}
    score = completion.scores.get()
    assert score.value == Decimal("14.4") and score.source == "entered_total" and score.band == "mild"


@pytest.mark.parametrize("data, message", [
    ({"item_1": "4"}, "Question 1 must be a whole number from 0 to 3"),
    ({"item_1": "-1"}, "Question 1 must be a whole number from 0 to 3"),
    ({"item_1": "two"}, "Question 1 must be a whole number from 0 to 3"),
    ({}, "Enter at least one answer"),
])
def test_bad_item_responses_are_refused(signed_in, episode, data, message):
    response = signed_in.post(record_url(episode, "phq9", "self"),
                              {**phq9_all(1), **data, **form_data(completed_on=YESTERDAY)}
                              if data else form_data(completed_on=YESTERDAY))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert not Completion.objects.exists() and not ScaleScore.objects.exists()


@pytest.mark.parametrize("total, message", [
    ("28", "Total must be from 0 to 27"), ("3.5", "Total must be a whole number from 0 to 27"),
    ("abc", "Total must be a number from 0 to 27"),
])
def test_bad_totals_are_refused(signed_in, episode, total, message):
    response = signed_in.post(record_url(episode, "phq9", "self", "totals"),
                              {"total_total": total, **form_data(completed_on=YESTERDAY)})
    assert message in response.content.decode()
    assert not Completion.objects.exists()


def test_date_before_birth_or_in_future_is_refused(signed_in, episode, person):
    for day, message in [
        (person.date_of_birth - timedelta(days=1), "on or after the young person&#39;s date of birth"),
        (date.today() + timedelta(days=1), "must be today or in the past"),
        (episode.referral_received_on - timedelta(days=1), "on or after the referral was received"),
    ]:
        response = signed_in.post(record_url(episode, "phq9", "self"),
                                  {**phq9_all(1), **form_data(completed_on=day)})
        page = response.content.decode()
        assert response.status_code == 200 and message in page, page[:2000]
    assert not Completion.objects.exists()


def test_missing_date_is_refused(signed_in, episode):
    response = signed_in.post(record_url(episode, "phq9", "self"), phq9_all(1))
    assert "Enter the date the questionnaire was completed" in response.content.decode()
    assert not Completion.objects.exists()


def test_service_refuses_whole_when_engine_refuses(episode, practitioner, rf):
    """Nothing half-saved: a bad response found by the engine leaves no completion or score."""
    from thrive.core.rules import RuleBroken
    from thrive.measures import services

    request = rf.post("/")
    request.user = practitioner
    with pytest.raises(RuleBroken):
        services.record_completion(request, episode, measure_id="phq9", rater="self",
                                   completed_on=YESTERDAY, responses={1: 2, 2: 9})
    with pytest.raises(RuleBroken):
        services.record_completion(request, episode, measure_id="phq9", rater="clinician",
                                   completed_on=YESTERDAY, responses={1: 2})
    with pytest.raises(RuleBroken):
        services.record_completion(request, episode, measure_id="nope", rater="self",
                                   completed_on=YESTERDAY, responses={1: 2})
    assert not Completion.objects.exists() and not ScaleScore.objects.exists()


def test_outsider_cannot_see_or_record(client, episode, school_team):
    outsider = make_user("olu.outsider2", school_team)
    client.force_login(outsider)
    assert client.get(reverse("measures:episode", args=[episode.public_id])).status_code == 404
    assert client.post(record_url(episode, "phq9", "self"),
                       {**phq9_all(1), **form_data(completed_on=YESTERDAY)}).status_code == 404
    assert not Completion.objects.exists()


def test_licensed_item_text_is_loaded_from_settings(signed_in, episode, settings, tmp_path):
    from thrive.measures import services

    path = tmp_path / "items.json"
    path.write_text('{"rcads47_child": {"1": "Licensed wording of item one"}}')
    settings.THRIVE_MEASURE_ITEM_TEXT = str(path)
    services._item_text_from.cache_clear()
    page = signed_in.get(record_url(episode, "rcads47_child", "self")).content.decode()
    assert "1. Licensed wording of item one" in page and "Question 2" in page
    settings.THRIVE_MEASURE_ITEM_TEXT = None
    page = signed_in.get(record_url(episode, "rcads47_child", "self")).content.decode()
    assert "Licensed wording" not in page and "Question 1" in page


# Current View describes presenting needs: rated item by item by the clinician, never scored.

def test_current_view_is_chosen_only_to_rate_item_by_item(signed_in, episode):
    url = reverse("measures:new", args=[episode.public_id])
    for method in ("totals", "tablet"):
        page = signed_in.post(url, {"measure": "current_view", "rater": "clinician", "method": method})
        assert page.status_code == 200
        assert "Current View is rated item by item by the clinician" in page.content.decode()
    response = signed_in.post(url, {"measure": "current_view", "rater": "clinician", "method": "items"})
    assert response.url == record_url(episode, "current_view", "clinician")


def test_current_view_is_recorded_item_by_item_and_never_scored(signed_in, episode):
    from thrive.analytics.platform_extract import episode_ids, read_whole, scores_table

    form = signed_in.get(record_url(episode, "current_view", "clinician")).content.decode()
    assert "Item 1" in form and "Item 50" in form and "9 not known" in form
    ratings = {"item_1": "2", "item_9": "3", "item_21": "1", "item_32": "9", "item_37": "1"}
    response = signed_in.post(record_url(episode, "current_view", "clinician"),
                              {**ratings, **form_data(completed_on=YESTERDAY)})
    assert response.status_code == 302, response.content.decode()[:3000]
    completion = Completion.objects.get()
    assert (completion.measure_id, completion.source) == ("current_view", "items")
    assert completion.responses["9"] == 3 and completion.responses["2"] is None
    assert not ScaleScore.objects.exists()
    page = signed_in.get(response.url).content.decode()
    assert "Current View saved" in page and "is not scored" in page
    assert "3 of 50 items rated moderate or severe" in page  # items 1 and 9, complexity factor 37
    assert "3 – severe" in page and "9 – not known" in page and "Not answered" in page
    listed = signed_in.get(reverse("measures:episode", args=[episode.public_id])).content.decode()
    assert "Current View" in listed
    # The analytics extract carries the coded items as MHSDS does ("not known" and the
    # complexity factors have no code), so the Current View profile counts this one.
    coded = read_whole("scores", scores_table(episode_ids())).to_pylist()
    assert sorted(r["score"] for r in coded) == ["1", "2", "3"]


@pytest.mark.parametrize("value", ["4", "5", "-1", "x"])
def test_current_view_rating_outside_its_options_is_refused(signed_in, episode, value):
    response = signed_in.post(record_url(episode, "current_view", "clinician"),
                              {"item_1": value, **form_data(completed_on=YESTERDAY)})
    assert "Item 1 must be a whole number from 0 to 3 or 9" in response.content.decode()
    assert not Completion.objects.exists()


def test_current_view_totals_are_refused_by_the_service(episode, practitioner, rf):
    from thrive.core.rules import RuleBroken
    from thrive.measures import services

    request = rf.post("/")
    request.user = practitioner
    with pytest.raises(RuleBroken, match="Current View has no totals"):
        services.record_completion(request, episode, measure_id="current_view", rater="clinician",
                                   completed_on=YESTERDAY, entered_totals={"total": Decimal(3)})
    assert not Completion.objects.exists()
