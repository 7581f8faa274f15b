"""What a young person, a parent or a practitioner meets on the search and service pages."""

import html

import pytest
from django.urls import reverse

from thrive.directory import listing
from thrive.directory.models import Service

pytestmark = pytest.mark.django_db


def page(client, **params) -> str:
    response = client.get(reverse("directory:search"), params)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_feeling_low_finds_low_mood_support_first(client, demo_directory):
    text = page(client, q="feeling low")
    assert text.index("Low mood support sessions") < text.index("Youth counselling drop-in")
    # No risk in the words: the help-now box stays folded at the bottom.
    assert text.index("If you need help now") > text.index("Low mood support sessions")


def test_words_that_suggest_risk_put_urgent_help_first(client, demo_directory):
    text = page(client, q="suicidal")
    assert "nhsuk-card--care--urgent" in text
    assert text.index("If you need help now") < text.index("<h1")
    assert text.index("24-hour crisis line") > text.index("If you need help now")


def test_no_results_suggests_wider_filters_and_always_shows_urgent_help(client, demo_directory):
    text = page(client, q="youth club", age="3", when="SU")
    assert "No services found" in text
    assert "Search for any age" in text and "Search any time, not only when open" in text
    assert "nhsuk-card--care--urgent" in text and 'href="tel:999"' in text


def test_no_results_link_takes_one_filter_off(client, demo_directory):
    response = client.get(reverse("directory:search"), {"q": "youth club", "age": "3"})
    assert b"age=3" not in response.content.split(b"Search for any age")[0].rsplit(b"<a", 1)[1]


def test_did_you_mean(client, demo_directory):
    text = page(client, q="climbng")
    assert "Did you mean" in text and ">climbing</a>" in text


def test_a_known_misspelling_is_put_right(client, demo_directory):
    text = page(client, q="councelling")
    assert "Showing results for counselling" in text.replace("<strong>", "").replace(
        "</strong>", "")
    assert "Counselling for young people" in text


def test_cards_show_age_times_in_words_cost_access_and_last_checked(client, demo_directory):
    text = page(client, q="anxiety group")
    card = text.split("Anxiety and worry group for teenagers", 1)[1].split("</li>", 1)[0]
    assert "Ages 13 to 17" in card
    assert "Thursdays 4:30pm to 6pm" in card
    assert "Free" in card and "How to get help" in card and "Phone" in card
    assert "Last checked 15 January 2026" in card
    assert "TH 16:30" not in text


def test_the_24_hour_line_says_so_in_words(client, demo_directory):
    service = Service.objects.get(name="24-hour crisis line")
    text = html.unescape(client.get(reverse("directory:service", args=[service.oruk_id]))
                         .content.decode())
    assert "Open 24 hours, every day" in text and "MO, TU" not in text


def test_families_see_everyday_words_for_the_kind_of_help(client, demo_directory):
    text = page(client, q="crisis")
    assert "Urgent help and crisis support" in text
    assert "Getting Risk Support" not in text


def test_practitioners_keep_the_thrive_groupings(signed_in, episode, demo_directory):
    response = signed_in.get(reverse("directory:episode-find", args=[episode.public_id]),
                             {"q": "crisis"})
    text = html.unescape(response.content.decode())
    assert "Getting Risk Support" in text


def test_filters_are_folded_away_until_used(client, demo_directory):
    closed = page(client, q="counselling")
    assert '<details class="nhsuk-details thrive-filters">' in closed
    opened = page(client, q="counselling", age="14")
    assert '<details class="nhsuk-details thrive-filters" open>' in opened


@pytest.mark.parametrize("data, ways", [
    ({"description": "Drop-in counselling. No referral needed.",
      "contacts": [{"phones": [{"number": "01632 960000"}]}]},
     ["Refer yourself", "Drop in", "Phone"]),
    ({"description": "Free gym sessions for teenagers referred for low mood."},
     ["Needs a referral"]),
    ({"description": "Text chat with a counsellor."}, ["Refer yourself", "Online or by text"]),
])
def test_how_to_get_help(data, ways):
    assert listing.how_to_access(data) == ways


def test_cost_in_words():
    assert listing.cost({"cost_options": [{"option": "Free", "amount": 0}]}) == "Free"
    assert listing.cost({"cost_options": [{"option": "Per session", "amount": 5,
                                           "currency": "GBP"}]}) == "Per session: £5"
    assert listing.cost({}) == "Ask the service"
