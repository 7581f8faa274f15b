"""Matching rules for possible duplicates: pure functions, plus the indexed query."""

from datetime import date

import pytest

from thrive.conftest import make_young_person, valid_nhs_number
from thrive.people import matching
from thrive.people.matching import Details, match_reason

BORN = date(2011, 3, 7)
AMIRA = Details("Amira", "Khan", BORN)


@pytest.mark.parametrize(("given", "family", "born", "reason"), [
    ("Amira", "Khan", BORN, matching.SAME_NAME_SAME_DOB),
    ("  AMIRA ", "khan", BORN, matching.SAME_NAME_SAME_DOB),
    ("Amira", "Khan", date(2011, 7, 3), matching.SAME_NAME_SWAPPED_DOB),
    ("Amirah", "Khan", BORN, matching.SIMILAR_NAME_SAME_DOB),
    ("Amira", "Kahn", BORN, matching.SIMILAR_NAME_SAME_DOB),  # neighbours swapped
    ("Amira", "Khann", date(2011, 7, 3), matching.SIMILAR_NAME_SWAPPED_DOB),
    ("Khan", "Amira", BORN, matching.SIMILAR_NAME_SAME_DOB),  # boxes swapped
    ("Ami", "Khan", BORN, matching.SIMILAR_NAME_SAME_DOB),  # a shortened first name
])
def test_names_and_birth_dates_that_look_like_the_same_person_match(given, family, born, reason):
    assert match_reason(Details(given, family, born), AMIRA) == reason


def test_hyphens_apostrophes_spaces_and_accents_do_not_make_a_different_name():
    existing = Details("Zoë", "O'Brien-Smith", BORN)
    assert match_reason(Details("zoe", "OBrien Smith", BORN), existing) == matching.SAME_NAME_SAME_DOB
    assert match_reason(Details("Mary Ann", "Jones", BORN), Details("Mary", "Jones", BORN)) == (
        matching.SIMILAR_NAME_SAME_DOB)


@pytest.mark.parametrize(("given", "family", "born"), [
    ("Amira", "Khan", date(2011, 3, 8)),      # a different day
    ("Amira", "Khan", date(2012, 3, 7)),      # a different year
    ("Amira", "Kennedy", BORN),               # a different family name
    ("Sophie", "Khan", BORN),                 # a different first name (a sibling?)
])
def test_no_match_on_a_different_birth_date_or_a_different_name(given, family, born):
    assert match_reason(Details(given, family, born), AMIRA) is None


def test_the_nhs_number_decides_when_both_have_one():
    number = valid_nhs_number()
    assert match_reason(Details("Someone", "Else", date(2010, 1, 1), number),
                        Details("Amira", "Khan", BORN, number)) == matching.SAME_NHS_NUMBER
    # Two different valid NHS numbers are two people, even with the same name and birthday.
    assert match_reason(Details("Amira", "Khan", BORN, valid_nhs_number()),
                        Details("Amira", "Khan", BORN, valid_nhs_number())) is None
    # One blank: the name and date of birth still count.
    assert match_reason(Details("Amira", "Khan", BORN, number),
                        Details("Amira", "Khan", BORN, "")) == matching.SAME_NAME_SAME_DOB


def test_day_month_swap_only_where_it_makes_another_date():
    assert matching.day_month_swapped(date(2011, 3, 7)) == date(2011, 7, 3)
    assert matching.day_month_swapped(date(2011, 3, 15)) is None
    assert matching.day_month_swapped(date(2011, 4, 4)) is None


def test_within_one_edit():
    assert matching.within_one_edit("jon", "john") and matching.within_one_edit("khan", "kahn")
    assert matching.within_one_edit("smith", "smyth")
    assert not matching.within_one_edit("steven", "stephen")
    assert not matching.within_one_edit("khan", "nahk")


@pytest.mark.django_db
def test_the_query_finds_matches_anywhere_strongest_first_and_never_merged_records(
        django_assert_max_num_queries):
    number = valid_nhs_number()
    by_number = make_young_person(given_name="Other", family_name="Name", nhs_number=number,
                                  date_of_birth=date(2009, 1, 1))
    swapped = make_young_person(given_name="Amira", family_name="Khan",
                                date_of_birth=date(2011, 7, 3), nhs_number="")
    make_young_person(given_name="Amira", family_name="Khan", date_of_birth=date(2011, 3, 8))
    survivor = make_young_person(given_name="Amira", family_name="Kahn", date_of_birth=BORN,
                                 nhs_number="")
    make_young_person(given_name="Amira", family_name="Khan", date_of_birth=BORN, nhs_number="",
                      merged_into=survivor)
    with django_assert_max_num_queries(1):
        found = matching.possible_matches(Details("Amira", "Khan", BORN, number))
    assert [(m.person, m.reason) for m in found] == [
        (by_number, matching.SAME_NHS_NUMBER), (swapped, matching.SAME_NAME_SWAPPED_DOB),
        (survivor, matching.SIMILAR_NAME_SAME_DOB)]
