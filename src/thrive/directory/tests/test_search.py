"""Search over the Northvale demo directory, with results a person would agree with."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from thrive.core.rules import RuleBroken
from thrive.directory.search import Criteria, search

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def names(criteria=None, per_page=100, **fields):
    return [h.service.name for h in search(criteria or Criteria(**fields),
                                           per_page=per_page).hits]


def test_counselling_puts_services_named_counselling_first(demo_directory):
    found = names(text="counselling")
    assert set(found[:2]) == {"Counselling for young people", "Online chat with a counsellor"} or \
        found[0] == "Counselling for young people"
    # Mentioned only in the description: found, but after the named ones.
    assert found.index("Youth counselling drop-in") < found.index("Talking therapy for parents")


def test_bereavement_finds_grief_support(demo_directory):
    found = names(text="bereavement")
    assert found[:2] == ["Children's bereavement support", "Grief group for teenagers"]


def test_anxious_finds_anxiety_and_worry_services(demo_directory):
    found = names(text="anxious")
    assert found[0] in ("Anxiety and worry group for teenagers", "Worry busters group (ages 8 to 11)")
    assert "Family swim" not in found


def test_age_leaves_out_services_for_other_ages(demo_directory):
    found = names(age=8)
    assert "Worry busters group (ages 8 to 11)" in found
    assert "Anxiety and worry group for teenagers" not in found
    assert "24-hour crisis line" in found  # open to all ages


def test_need_and_kind(demo_directory):
    crisis = names(need="getting-risk-support")
    assert {"24-hour crisis line", "Crisis café"} <= set(crisis)
    assert "Family swim" not in crisis
    groups = names(need="getting-advice", kind="peer-support")
    assert "Peer support circle" in groups and "Family support worker" not in groups


def test_open_on_a_day_and_open_now(demo_directory):
    sunday = names(day="SU")
    assert "Family swim" in sunday and "Parenting teenagers course" not in sunday
    tuesday_evening = datetime(2026, 3, 3, 19, 0, tzinfo=LONDON)  # a Tuesday
    now = [h.service.name for h in search(Criteria(open_now=True), per_page=100,
                                          now=tuesday_evening).hits]
    assert "Parenting teenagers course" in now  # Tuesdays 18:30 to 20:30
    assert "Family hub Northvale" not in now  # closes at 17:00


def test_distance_puts_the_nearest_first_and_respects_the_radius(demo_directory):
    results = search(Criteria(postcode="nv3 1aa", within_miles=2), per_page=100)
    placed = [h for h in results.hits if h.distance_km is not None]
    assert placed and all(h.distance_miles <= 2 for h in placed)
    assert placed == sorted(placed, key=lambda h: h.distance_km)
    towns = [h.service.published_sals[0].location.data["addresses"][0]["city"] for h in placed]
    assert towns[0] == "Westmere" and "Kirkby Fold" not in towns
    # Online and phone services reach everyone, so they are listed after the local ones.
    assert results.hits[-1].distance_km is None


def test_a_sensitive_location_never_places_a_service(demo_directory):
    results = search(Criteria(text="refuge", postcode="NV1 1AA"), per_page=100)
    refuge = [h for h in results.hits if h.service.name == "Children's refuge outreach"]
    assert refuge and refuge[0].distance_km is None
    assert refuge[0].service.published_sals == []


def test_text_and_postcode_together(demo_directory):
    found = names(text="youth club", postcode="NV2 1AA")
    assert found[0] == "Eastbrook youth club"


def test_unknown_postcode_is_a_clear_error(demo_directory):
    with pytest.raises(RuleBroken) as broken:
        search(Criteria(postcode="ZZ9 9ZZ"))
    assert broken.value.field == "postcode" and "ZZ9 9ZZ" in broken.value.message
    with pytest.raises(RuleBroken):
        search(Criteria(postcode="hello"))


def test_pages(demo_directory):
    first = search(Criteria(), page=1, per_page=10)
    second = search(Criteria(), page=2, per_page=10)
    assert first.total == second.total == 60 and first.pages == 6
    assert not {h.service.pk for h in first.hits} & {h.service.pk for h in second.hits}
