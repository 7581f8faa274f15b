"""Schedules are true: overnight, nth weekday of the month, valid dates, bank holidays and the
service's own time zone; and said in words."""

import copy
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from thrive.directory import schedules
from thrive.directory.importer import import_services
from thrive.directory.search import Criteria, search

from .conftest import example

LONDON = ZoneInfo("Europe/London")


def at(text: str, zone=LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def is_open(schedule: dict, when: str, zone=LONDON) -> bool:
    return schedules.is_open([schedule], at(when, zone))


FRIDAY_NIGHTS = {"freq": "WEEKLY", "byday": "FR", "opens_at": "18:00", "closes_at": "02:00"}


@pytest.mark.parametrize("when, expected", [
    ("2026-12-04 17:59", False), ("2026-12-04 18:00", True), ("2026-12-04 23:30", True),
    ("2026-12-05 01:59", True),  # Saturday, in the small hours: Friday's session still on
    ("2026-12-05 02:00", False), ("2026-12-05 20:00", False), ("2026-12-03 01:00", False),
])
def test_overnight_opening_runs_past_midnight(when, expected):
    assert is_open(FRIDAY_NIGHTS, when) is expected


FIRST_MONDAY = {"freq": "MONTHLY", "byday": "1MO", "opens_at": "18:00", "closes_at": "20:00"}


@pytest.mark.parametrize("when, expected", [
    ("2026-12-07 19:00", True),   # 7 December 2026 is the first Monday
    ("2026-12-14 19:00", False), ("2026-12-28 19:00", False),
    ("2027-01-04 19:00", True), ("2027-01-11 19:00", False),
])
def test_the_first_monday_of_the_month_is_not_every_monday(when, expected):
    assert is_open(FIRST_MONDAY, when) is expected


def test_the_last_friday_of_the_month():
    rule = {"freq": "MONTHLY", "byday": "-1FR", "opens_at": "10:00", "closes_at": "12:00"}
    assert is_open(rule, "2026-12-25 11:00") and not is_open(rule, "2026-12-18 11:00")


def test_an_ordinal_day_under_a_weekly_frequency_still_means_that_day_of_the_month():
    rule = dict(FIRST_MONDAY, freq="WEEKLY")
    assert is_open(rule, "2026-12-07 19:00") and not is_open(rule, "2026-12-14 19:00")


WEEKDAYS = {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00",
            "closes_at": "17:00"}


def test_a_schedule_that_expired_never_matches():
    expired = dict(WEEKDAYS, valid_to="2020-03-01")
    assert not is_open(expired, "2026-12-07 10:00")
    assert is_open(expired, "2020-02-28 10:00")


def test_a_schedule_not_yet_valid_does_not_match():
    future = dict(WEEKDAYS, valid_from="2027-01-04")
    assert not is_open(future, "2026-12-07 10:00") and is_open(future, "2027-01-04 10:00")


def test_every_other_week_counts_from_its_start():
    fortnightly = {"freq": "WEEKLY", "interval": 2, "byday": "TU", "dtstart": "2026-12-01",
                   "opens_at": "10:00", "closes_at": "12:00"}
    assert is_open(fortnightly, "2026-12-01 11:00") and is_open(fortnightly, "2026-12-15 11:00")
    assert not is_open(fortnightly, "2026-12-08 11:00")


def test_days_of_the_month():
    rule = {"freq": "MONTHLY", "bymonthday": "2,3", "opens_at": "10:00", "closes_at": "18:00"}
    assert is_open(rule, "2026-12-02 11:00") and not is_open(rule, "2026-12-04 11:00")


def test_bank_holidays_close_a_schedule_that_says_so():
    closed = dict(WEEKDAYS, description="Closed on bank holidays.")
    assert not is_open(closed, "2026-12-25 10:00")  # Christmas Day, a Friday
    assert not is_open(closed, "2026-12-28 10:00")  # Boxing Day's substitute Monday
    assert is_open(closed, "2026-12-24 10:00")
    assert is_open(WEEKDAYS, "2026-12-25 10:00")  # one that does not say so stays open


def test_bank_holidays_in_england_and_wales():
    assert schedules.bank_holidays(2026) == {
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)}
    assert date(2028, 1, 3) in schedules.bank_holidays(2028)  # 1 January 2028 is a Saturday
    assert schedules.is_bank_holiday(date(2023, 5, 8))  # a one-off, from the reviewed list


def test_open_now_is_judged_in_the_services_time_zone():
    # 08:30 UTC in July is 09:30 in London: open by the directory's zone...
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert schedules.is_open([WEEKDAYS], moment)
    # ...but a schedule kept in UTC (HSDS timezone offset 0) has not opened yet.
    assert not schedules.is_open([dict(WEEKDAYS, timezone=0)], moment)
    # In winter London is on UTC, so 08:30 UTC is before 9am there.
    assert not schedules.is_open([WEEKDAYS], datetime(2026, 12, 2, 8, 30, tzinfo=UTC))


def test_open_all_day():
    always = {"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00",
              "closes_at": "24:00"}
    assert is_open(always, "2026-12-06 03:00") and is_open(always, "2026-12-25 23:59")


@pytest.mark.parametrize("schedule, words", [
    ({"byday": "TH", "opens_at": "16:30", "closes_at": "18:00"}, "Thursdays 4:30pm to 6pm"),
    ({"byday": "MO,TU,WE,TH,FR,SA,SU", "opens_at": "00:00", "closes_at": "24:00"},
     "Open 24 hours, every day"),
    (WEEKDAYS, "Monday to Friday, 9am to 5pm"),
    ({"byday": "MO,WE,FR", "opens_at": "12:00", "closes_at": "13:30"},
     "Mondays, Wednesdays and Fridays, midday to 1:30pm"),
    (FRIDAY_NIGHTS, "Fridays 6pm to 2am (overnight)"),
    (FIRST_MONDAY, "First Monday of the month, 6pm to 8pm"),
    ({"freq": "WEEKLY", "interval": 2, "byday": "TU", "opens_at": "10:00",
      "closes_at": "12:00"}, "Every other Tuesday, 10am to midday"),
    (dict(WEEKDAYS, valid_to="2027-03-31", description="Not open on public holidays"),
     "Monday to Friday, 9am to 5pm (until 31 March 2027; closed on bank holidays)"),
    ({"byday": "SA,SU", "opens_at": "09:00", "closes_at": "12:00"},
     "Saturdays and Sundays, 9am to midday"),
])
def test_opening_times_in_words(schedule, words):
    assert schedules.describe(schedule) == words


@pytest.mark.django_db
def test_search_open_now_and_on_a_day_use_the_engine():
    base = example("service_full")

    def make(n, name, rules):
        record = copy.deepcopy(base)
        record["id"] = f"00000000-0000-4000-8000-00000000000{n}"
        record["name"] = name
        record["service_at_locations"] = []
        record["schedules"] = [dict(rule, id=f"00000000-0000-4000-9000-00000000000{n}")
                               for rule in rules]
        return record

    import_services([
        make(1, "Late night listening", [FRIDAY_NIGHTS]),
        make(2, "Monthly parents evening", [FIRST_MONDAY]),
        make(3, "Old weekday clinic", [dict(WEEKDAYS, valid_to="2020-01-01")]),
    ])

    def names(**criteria):
        found = search(Criteria(**criteria), now=criteria.pop("now", None) or
                       at("2026-12-05 01:00"), per_page=50)
        return {h.service.name for h in found.hits}

    assert names(open_now=True) == {"Late night listening"}
    saturday_early = at("2026-12-05 01:00")
    assert {h.service.name for h in search(Criteria(open_now=True), now=saturday_early).hits} \
        == {"Late night listening"}
    first_monday = at("2026-12-07 19:00")
    assert {h.service.name for h in search(Criteria(open_now=True), now=first_monday).hits} \
        == {"Monthly parents evening"}
    second_monday = at("2026-12-14 19:00")
    assert search(Criteria(open_now=True), now=second_monday).total == 0
    # "Open on Monday" means the coming Monday: 7 December is a first Monday, 14th is not.
    assert {h.service.name for h in search(Criteria(day="MO"), now=at("2026-12-05 12:00")).hits} \
        == {"Monthly parents evening"}
    assert search(Criteria(day="MO"), now=at("2026-12-08 12:00")).total == 0
