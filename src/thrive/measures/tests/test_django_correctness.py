"""Decimals, contradictory paper totals, saying when nothing could be scored, and conversions."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from thrive.core.testing import form_data
from thrive.measures import engine, services
from thrive.measures.models import Completion

pytestmark = pytest.mark.django_db
YESTERDAY = date.today() - timedelta(days=1)


def url(episode, measure, method="items", rater="self"):
    return (reverse("measures:record", args=[episode.public_id])
            + f"?measure={measure}&rater={rater}&method={method}")


def post(client, episode, measure, data, method="items", rater="self"):
    return client.post(url(episode, measure, method, rater), {**data, **form_data(completed_on=YESTERDAY)},
                       follow=True)


def test_ors_items_and_total_take_one_decimal_place(signed_in, episode):
    response = post(signed_in, episode, "ors", {"item_1": "7.3", "item_2": "8", "item_3": "9.5",
                                                "item_4": "8.5"})
    assert "saved and scored" in response.content.decode()
    completion = Completion.objects.get()
    assert completion.scores.get(scale_id="total").value == Decimal("33.3")
    assert completion.responses["1"] == 7.3
    response = post(signed_in, episode, "cors", {"total_total": "33.3"}, method="totals")
    assert "saved and scored" in response.content.decode()
    assert Completion.objects.latest("id").scores.get(scale_id="total").value == Decimal("33.3")


def test_ors_item_with_two_decimal_places_is_refused(signed_in, episode):
    response = post(signed_in, episode, "ors", {"item_1": "7.35", "item_2": "8", "item_3": "9",
                                                "item_4": "8"})
    assert "at most 1 decimal place" in response.content.decode()
    assert not Completion.objects.exists()


def test_phq9_items_stay_whole_numbers(signed_in, episode):
    data = {f"item_{n}": "1" for n in range(1, 10)} | {"item_1": "1.5"}
    response = post(signed_in, episode, "phq9", data)
    assert "must be a whole number" in response.content.decode()
    assert not Completion.objects.exists()


def test_sdq_total_that_contradicts_its_subscales_is_refused(signed_in, episode):
    totals = {"total_emotional": "5", "total_conduct": "5", "total_hyperactivity": "5",
              "total_peer_problems": "5", "total_total_difficulties": "30"}
    response = post(signed_in, episode, "sdq_parent", totals, method="totals", rater="parent")
    page = response.content.decode()
    assert "There is a problem" in page and "Total difficulties 30 does not match" in page
    assert not Completion.objects.exists()
    totals["total_total_difficulties"] = "20"
    response = post(signed_in, episode, "sdq_parent", totals, method="totals", rater="parent")
    assert Completion.objects.count() == 1


def test_rcads_total_anxiety_below_its_subscales_is_refused(signed_in, episode):
    totals = {"total_separation_anxiety": "12", "total_social_phobia": "20",
              "total_generalised_anxiety": "12", "total_panic": "10",
              "total_obsessions_compulsions": "5", "total_total_anxiety": "5"}
    response = post(signed_in, episode, "rcads47_child", totals, method="totals")
    page = response.content.decode()
    assert "Total anxiety 5 does not match" in page or "is less than" in page
    assert not Completion.objects.exists()


def test_gad7_with_too_many_missing_items_says_no_score_could_be_given(signed_in, episode):
    response = post(signed_in, episode, "gad7", {"item_1": "2", "item_2": "1", "item_3": "1"})
    page = response.content.decode()
    assert "no score could be given" in page
    assert "saved and scored" not in page


@pytest.fixture
def swemwbs_table(tmp_path):
    table = {str(raw): f"{raw + 0.5:.2f}" for raw in range(7, 36)}
    path = tmp_path / "swemwbs.json"
    path.write_text(json.dumps({"measure": "swemwbs", "scale": "total", "name": "metric",
                                "table": table}))
    services._conversion_tables_from.cache_clear()
    yield path
    services._conversion_tables_from.cache_clear()


def test_swemwbs_metric_score_is_shown_from_the_loaded_table(signed_in, episode, swemwbs_table):
    with override_settings(THRIVE_CONVERSION_TABLES=str(swemwbs_table)):
        response = post(signed_in, episode, "swemwbs", {f"item_{n}": "3" for n in range(1, 8)})
        page = response.content.decode()
    assert "Total, metric score" in page and "21.50" in page


def test_a_broken_conversion_table_never_breaks_the_page(signed_in, episode, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    services._conversion_tables_from.cache_clear()
    with override_settings(THRIVE_CONVERSION_TABLES=str(bad)):
        response = post(signed_in, episode, "swemwbs", {f"item_{n}": "3" for n in range(1, 8)})
        assert response.status_code == 200
        assert services.conversion_tables()[1]
    services._conversion_tables_from.cache_clear()


def test_engine_refuses_partial_subscales_exceeding_the_total():
    with pytest.raises(engine.MeasureError, match="is less than"):
        engine.score("rcads47_child", {}, rater="self", age=12, sex="M",
                     entered_totals={"social_phobia": 20, "total_anxiety": 5})
