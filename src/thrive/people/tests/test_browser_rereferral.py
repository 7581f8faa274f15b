"""In a real browser: a discharged young person referred again opens a new episode on the same
record, and a look-alike is warned about as a possible match. axe-core checks every page."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.care.models import Ending
from thrive.conftest import make_episode, make_young_person
from thrive.people.models import NewRecordDespiteMatch, YoungPerson

pytestmark = pytest.mark.browser
TODAY = date.today()


def fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def add_young_person(page, given: str, family: str, born: date) -> None:
    page.get_by_role("link", name="Add a young person").first.click()
    expect(page.get_by_role("heading", level=1, name="Add a young person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("First name", exact=True).fill(given)
    page.get_by_label("Last name", exact=True).fill(family)
    fill_date(page, "Date of birth", born)
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    fill_date(page, "Date referral received", TODAY - timedelta(days=1))
    page.get_by_label("Referred by").select_option(label="GP")
    page.get_by_label("Main reason for referral").select_option(label="Low mood or depression")
    page.get_by_role("group", name="How urgent is it?").get_by_label("Routine", exact=True).check()
    page.get_by_role("button", name="Add young person").click()


def test_re_referral_opens_a_new_episode_and_a_look_alike_is_warned_about(
        page, practitioner, camhs_team):
    noah = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 6, 1),
                             nhs_number="")
    earlier = make_episode(noah, camhs_team, practitioner,
                           referral_received_on=TODAY - timedelta(days=400),
                           accepted_on=TODAY - timedelta(days=390))
    Ending.objects.create(episode=earlier, ended_on=TODAY - timedelta(days=100), reason="goals_met",
                          goals_met="met", agreed_with_family=True, next_step="none_needed",
                          recorded_by=practitioner)
    sign_in(page, "pat.practitioner")

    # Noah is referred again: the possible-match step offers his record.
    add_young_person(page, "Noah", "Price", date(2015, 6, 1))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This young person may already have a record")
    matches = page.get_by_role("table", name="Possible matches")
    expect(matches.get_by_role("row", name=re.compile("Noah Price"))).to_contain_text(
        "Same name and date of birth")
    assert_accessible(page)
    page.get_by_label("Yes: Noah Price").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("status")).to_contain_text("Referral added to their existing record")
    assert_accessible(page)
    assert YoungPerson.objects.count() == 1 and noah.episodes.count() == 2

    # His record shows both episodes.
    page.goto(f"/young-people/{noah.public_id}/")
    episodes = page.get_by_role("table", name="Episodes with your agency")
    expect(episodes.get_by_role("row")).to_have_count(3)  # a header and two episodes
    assert_accessible(page)

    # A look-alike (spelling and day/month swapped): warned, then added with a reason.
    add_young_person(page, "Noah", "Pryce", date(2015, 1, 6))
    expect(page.get_by_role("table", name="Possible matches")).to_contain_text(
        "Similar name, day and month swapped")
    assert_accessible(page)
    page.get_by_label("No, add a new record").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=2, name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("If you add a new record").fill("A different boy: different parents")
    page.get_by_label("No, add a new record").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noah Pryce")
    assert_accessible(page)
    assert NewRecordDespiteMatch.objects.get().possible_match == noah


def test_a_system_administrator_reviews_and_merges_a_possible_duplicate(page, practitioner,
                                                                        camhs_team):
    from thrive.accounts.models import Role
    from thrive.conftest import make_user

    make_user("sam.sysadmin", None, Role.SYSTEM_ADMIN)
    noah = make_young_person(given_name="Noah", family_name="Price", date_of_birth=date(2015, 6, 1))
    twin = make_young_person(given_name="Noah", family_name="Pryce", date_of_birth=date(2015, 6, 1),
                             nhs_number="")
    make_episode(twin, camhs_team, practitioner)
    NewRecordDespiteMatch.objects.create(young_person=twin, possible_match=noah,
                                         match_reason="Similar name, same date of birth",
                                         reason="Different parents", decided_by=practitioner)
    page.goto("/")
    assert_accessible(page)
    page.get_by_label("Username").fill("sam.sysadmin")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies and staff")
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Duplicate records").click()
    expect(page.get_by_role("heading", level=1, name="Possible duplicate records")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Review Noah Price and Noah Pryce")).click()
    expect(page.get_by_role("heading", level=1, name="Merge two records")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Episodes")
    assert_accessible(page)
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_role("heading", level=2, name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why are these the same young person?").fill("Same child: GP confirmed")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_role("status")).to_contain_text("Records merged")
    assert_accessible(page)
    twin.refresh_from_db()
    assert twin.merged_into == noah and noah.episodes.count() == 1
