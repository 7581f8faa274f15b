"""Wording: PHQ-9 and GAD-7 ship theirs (items, instructions, answer labels); the others are shown
by number; a missing or malformed service wording file never breaks a page."""

import json

import pytest
from django.urls import reverse

from thrive.measures import services
from thrive.measures.engine import get_catalogue

pytestmark = pytest.mark.django_db


def query(measure, rater="self", method="items"):
    return f"?measure={measure}&rater={rater}&method={method}"


@pytest.fixture(autouse=True)
def fresh_cache():
    services._item_text_from.cache_clear()
    yield
    services._item_text_from.cache_clear()


def test_only_measures_free_to_reproduce_ship_wording_and_every_measure_names_its_licence():
    shipped = services.shipped_wording()
    assert set(shipped) == {"phq9", "gad7"}
    for measure in get_catalogue().measures.values():
        assert measure.licence_summary and measure.licence_source, measure.id
        if measure.id in shipped:
            assert measure.item_text_shippable
            assert set(shipped[measure.id].items) == set(measure.items)


def test_tablet_shows_phq9_instructions_and_answer_labels(signed_in, episode):
    url = reverse("measures:hand-over", args=[episode.public_id]) + query("phq9", method="tablet")
    hand_over = signed_in.get(url).content.decode()
    assert "The questions have no wording" not in hand_over
    signed_in.post(url, {"pin": "4321"})
    page = signed_in.get(reverse("measures:tablet")).content.decode()
    assert "Over the last 2 weeks" in page
    assert "Little interest or pleasure in doing things" in page
    assert "More than half the days" in page
    assert "Question 1 of 10" in page  # progress, the question itself is worded
    assert ">Question 1<" not in page and "Question 1\n" not in page
    last = signed_in.get(reverse("measures:tablet") + "?q=10").content.decode()
    assert "Extremely difficult" in last and "Question 10 of 10" in last


def test_hand_over_says_when_wording_is_missing_and_offers_paper_totals(signed_in, episode):
    url = reverse("measures:hand-over", args=[episode.public_id]) + query("rcads47_child", method="tablet")
    page = signed_in.get(url).content.decode()
    assert "The questions have no wording" in page
    assert "Use the paper form and copy its totals instead" in page
    assert "method=totals" in page


@pytest.mark.parametrize("content", ['{"phq9": {"11": "x"}}', "{not json", None, '["a"]'])
def test_a_broken_or_missing_wording_file_never_breaks_a_page(signed_in, episode, settings, tmp_path,
                                                               content):
    path = tmp_path / "wording.json"
    if content is not None:
        path.write_text(content)
    settings.THRIVE_MEASURE_ITEM_TEXT = str(path)
    for measure in services.recordable_measures():
        rater = measure.raters[0]
        method = "items" if measure.items else "totals"
        response = signed_in.get(reverse("measures:record", args=[episode.public_id])
                                 + query(measure.id, rater, method))
        assert response.status_code == 200, measure.id
        assert "Item wording file not used" in response.content.decode()
    assert signed_in.get(reverse("measures:episode", args=[episode.public_id])).status_code == 200
    hand_over = signed_in.get(reverse("measures:hand-over", args=[episode.public_id])
                              + query("phq9", method="tablet"))
    assert hand_over.status_code == 200 and "Item wording file not used" in hand_over.content.decode()
    fhir = signed_in.get("/measures/fhir/Questionnaire")
    assert fhir.status_code == 200
    phq9 = next(e["resource"] for e in json.loads(fhir.content)["entry"] if e["resource"]["id"] == "phq9")
    assert phq9["item"][0]["text"] == "Little interest or pleasure in doing things"  # shipped still used


def test_a_services_own_wording_is_used_and_changes_without_a_restart(signed_in, episode, settings,
                                                                      tmp_path):
    import os

    path = tmp_path / "wording.json"
    path.write_text('{"rcads47_child": {"1": "Own licensed wording one"}}')
    settings.THRIVE_MEASURE_ITEM_TEXT = str(path)
    url = reverse("measures:record", args=[episode.public_id]) + query("rcads47_child")
    assert "1. Own licensed wording one" in signed_in.get(url).content.decode()
    path.write_text('{"rcads47_child": {"1": "Corrected wording one"}}')
    os.utime(path, (1, 1))
    assert "1. Corrected wording one" in signed_in.get(url).content.decode()
