"""A record outlives its episode, in a real browser: the practitioner records an ending; the young
person is still found (marked "Ended", by "Surname, Forename" and by a date written with dots),
the record and the episode open read only, showing the grouping it ended in, and the lead
practitioner writes a closing letter within the window. axe-core checks every page."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.care.models import ClosingLetter, GroupingDecision
from thrive.conftest import make_episode, make_young_person

pytestmark = pytest.mark.browser
TODAY = timezone.localdate()


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(page, question, answer):
    page.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def nice(day):
    return f"{day.day} {day:%B %Y}"


def test_after_the_ending_the_record_is_still_found_and_read_only(page, practitioner, camhs_team):
    sienna = make_young_person(given_name="Sienna", family_name="Hughes")
    episode = make_episode(sienna, camhs_team, practitioner)
    GroupingDecision.objects.create(
        episode=episode, decided_on=TODAY - timedelta(days=30), grouping="getting_help",
        young_person_took_part=True, parent_carer_took_part=True, rationale="Six sessions of CBT",
        made_explicit=True, review_on=TODAY + timedelta(days=60), recorded_by=practitioner)
    born = sienna.date_of_birth

    sign_in(page, practitioner.username)
    page.goto(reverse("care:episode", args=[episode.public_id]))
    assert_accessible(page)
    page.get_by_role("link", name="Record the ending").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record the ending")
    assert_accessible(page)
    fill_date(page, "Date ended", TODAY)
    choose(page, "Why is help ending?", "Goals reached; help ended as planned")
    choose(page, "Were the goals met?", "Met")
    choose(page, "Was the ending agreed with the young person and family?", "Yes")
    choose(page, "What happens next?", "Told how to come back if needed")
    page.get_by_role("button", name="Save ending").click()
    expect(page.get_by_role("status")).to_contain_text("Ending recorded")
    recent = page.get_by_role("region", name="Recently ended")
    expect(recent.get_by_role("link", name=re.compile("Sienna Hughes"))).to_be_visible()
    assert_accessible(page)

    # Found by search, marked ended, whichever way the name or the date is written.
    page.goto(reverse("people:find"))
    assert_accessible(page)
    for query in ("Hughes, Sienna", f"{born.day:02}.{born.month:02}.{born.year}"):
        page.get_by_label("Name, NHS number or date of birth").fill(query)
        page.get_by_role("button", name="Search").click()
        result = page.get_by_role("row", name=re.compile("Sienna Hughes"))
        expect(result).to_contain_text("Ended")
        assert_accessible(page)
    page.get_by_label("Name, NHS number or date of birth").fill("31.02.2010")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a real date of birth")
    assert_accessible(page)

    page.get_by_label("Name, NHS number or date of birth").fill("Sienna Hughes")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row", name=re.compile("Sienna Hughes"))).to_contain_text("Ended")
    assert_accessible(page)
    page.get_by_role("link", name="Sienna Hughes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sienna Hughes")
    expect(page.locator("#read-only")).to_contain_text("the record is read only")
    expect(page.get_by_role("link", name="Add a note")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name=camhs_team.name).first.click()
    expect(page.locator("#read-only")).to_contain_text(f"This episode ended on {nice(TODAY)}")
    expect(page.locator("#current-grouping")).to_have_text("Getting Help")
    expect(page.get_by_role("link", name="Record a contact")).to_have_count(0)
    assert_accessible(page)

    page.locator("#read-only").get_by_role("link", name="Write a closing letter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Write a closing letter")
    assert_accessible(page)
    fill_date(page, "Date of the letter", TODAY)
    page.get_by_label("Who the letter is to").fill("Dr Patel, Northvale Surgery")
    page.get_by_label("Letter", exact=True).fill("Sienna reached her goals and knows how to come back.")
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_role("status")).to_contain_text("Closing letter saved")
    expect(page.get_by_role("heading", name=re.compile("To Dr Patel"))).to_be_visible()
    assert_accessible(page)
    assert ClosingLetter.objects.get().episode == episode
