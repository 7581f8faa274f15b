"""Continuity of care for ONE young person, end to end in a real browser, axe-core on every page
(issue 11, "Must hold"): the practitioner records an ending; the record is still found by search,
marked "Ended"; a re-referral hits the possible-match step and opens a new episode on the same
record; a look-alike is warned about; the team manager allocates the new episode from the waiting
list; before the practitioner is deactivated their caseload is handed over; and the colleague who
takes over marks a contact entered in error, which stays struck through. A second journey marks an
ending entered in error: the episode is open again, back on the caseload."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.care.models import Contact, Ending, Episode
from thrive.conftest import PASSWORD, make_episode, make_user, make_young_person
from thrive.core import dates
from thrive.history.models import EndingEnteredInError
from thrive.people.models import NewRecordDespiteMatch, YoungPerson

pytestmark = pytest.mark.browser
BORN = date(2015, 6, 1)


def today():
    return dates.today()


def fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(page, question, answer):
    page.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)


def record_ending(page):
    page.get_by_role("link", name="Record the ending").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record the ending")
    assert_accessible(page)
    fill_date(page, "Date ended", today())
    choose(page, "Why is help ending?", "Goals reached; help ended as planned")
    choose(page, "Were the goals met?", "Met")
    choose(page, "Was the ending agreed with the young person and family?", "Yes")
    choose(page, "What happens next?", "Told how to come back if needed")
    page.get_by_role("button", name="Save ending").click()
    expect(page.get_by_role("status")).to_contain_text("Ending recorded")
    assert_accessible(page)


def add_young_person(page, given, family, born, *, lead=None):
    page.get_by_role("link", name="Add a young person").first.click()
    expect(page.get_by_role("heading", level=1, name="Add a young person")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("First name", exact=True).fill(given)
    page.get_by_label("Last name", exact=True).fill(family)
    fill_date(page, "Date of birth", born)
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    fill_date(page, "Date referral received", today() - timedelta(days=1))
    page.get_by_label("Referred by").select_option(label="GP")
    page.get_by_label("Main reason for referral").select_option(label="Low mood or depression")
    page.get_by_role("group", name="How urgent is it?").get_by_label("Routine", exact=True).check()
    if lead is not None:
        page.get_by_label("Lead practitioner").select_option(label=lead)
    page.get_by_role("button", name="Add young person").click()


def test_one_young_person_from_ending_to_a_correction_on_the_next_episode(
        page, practitioner, colleague, manager, camhs_team):
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    noah = make_young_person(given_name="Noah", family_name="Price", date_of_birth=BORN,
                             nhs_number="")
    first = make_episode(noah, camhs_team, practitioner,
                         referral_received_on=today() - timedelta(days=120),
                         accepted_on=today() - timedelta(days=110))

    # 1. The practitioner records the ending.
    sign_in(page, practitioner.username)
    page.locator("tr", has_text="Noah Price").get_by_role("link", name="Noah Price").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(camhs_team.name)
    assert_accessible(page)
    record_ending(page)
    expect(page.get_by_role("region", name="Recently ended").get_by_role(
        "link", name=re.compile("Noah Price"))).to_be_visible()

    # 2. The record is still there: found by search, marked "Ended", and opens read only.
    page.goto(reverse("people:find"))
    assert_accessible(page)
    page.get_by_label("Name, NHS number or date of birth").fill("Price, Noah")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row", name=re.compile("Noah Price"))).to_contain_text("Ended")
    assert_accessible(page)
    page.get_by_role("link", name="Noah Price").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noah Price")
    expect(page.locator("#read-only")).to_contain_text("the record is read only")
    assert_accessible(page)

    # 3. Noah is referred again: the possible-match step, then a new episode on his record,
    # left on the team's waiting list.
    add_young_person(page, "Noah", "Price", BORN, lead="Leave on the team's waiting list")
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
    assert YoungPerson.objects.filter(family_name="Price").count() == 1
    second = noah.episodes.exclude(pk=first.pk).get()
    assert second.lead_practitioner is None and second.is_open

    # 4. A look-alike (spelling and day/month swapped) is warned about, then added with a reason.
    add_young_person(page, "Noah", "Pryce", date(BORN.year, BORN.day, BORN.month))
    expect(page.get_by_role("table", name="Possible matches")).to_contain_text(
        "Similar name, day and month swapped")
    assert_accessible(page)
    page.get_by_label("If you add a new record").fill("A different boy: different parents")
    page.get_by_label("No, add a new record").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Noah Pryce")
    assert_accessible(page)
    assert NewRecordDespiteMatch.objects.get().possible_match == noah
    sign_out(page)

    # 5. The team manager allocates Noah's new episode from the waiting list.
    sign_in(page, manager.username)
    page.get_by_role("link", name="Waiting list").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Waiting list")
    expect(page.locator("#waiting-list tbody tr")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Allocate Noah Price").click()
    assert_accessible(page)
    page.get_by_label("New lead practitioner").select_option(
        label=f"{practitioner.display_name} – {camhs_team.name}")
    page.get_by_label("Why?").fill("Knows Noah from his first referral")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("No one is waiting")).to_be_visible()
    assert_accessible(page)
    sign_out(page)
    second.refresh_from_db()
    assert second.lead_practitioner == practitioner

    # The practitioner sees it on their caseload and records a contact on the new episode.
    sign_in(page, practitioner.username)
    row = page.locator("tr", has_text="Noah Price")
    expect(row).to_contain_text("Newly allocated to you")
    row.get_by_role("link", name="Noah Price").click()
    expect(page.locator("#allocation-history")).to_contain_text("Knows Noah from his first")
    assert_accessible(page)
    page.get_by_role("link", name="Record a contact").click()
    assert_accessible(page)
    fill_date(page, "Date of contact", today())
    page.get_by_label("Time").fill("10:30")
    choose(page, "How", "Face to face")
    choose(page, "Attendance", "Attended")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_contain_text("Contact recorded")
    assert_accessible(page)
    sign_out(page)

    # 6. Before the practitioner is deactivated, their caseload is handed over in one step.
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # An agency administrator's home is their agency's staff.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staff")
    assert_accessible(page)
    page.get_by_role("link", name=practitioner.display_name).click()
    assert_accessible(page)
    page.get_by_role("link", name="Deactivate account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hand over their caseload")
    expect(page.locator("main")).to_contain_text("leads 2 open episodes")
    assert_accessible(page)
    page.get_by_label("To the practitioner chosen below").check()
    page.get_by_label("Who takes over?").select_option(
        label=f"{colleague.display_name} – {camhs_team.name}")
    page.get_by_label("Why is the caseload moving?").fill("Leaving the service")
    page.get_by_role("button", name="Hand over caseload").click()
    expect(page.locator("main")).to_contain_text("caseload has been handed over")
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator("main")).to_contain_text("Deactivated: cannot sign in")
    assert_accessible(page)
    sign_out(page)
    second.refresh_from_db()
    assert second.lead_practitioner == colleague

    # 7. The colleague who took over marks the contact entered in error: struck through, kept.
    sign_in(page, colleague.username)
    page.locator("tr", has_text="Noah Price").get_by_role("link", name="Noah Price").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Mark as entered in error.*contact on")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Mark this contact as entered in error")
    assert_accessible(page)
    page.get_by_label("Why was this entered in error?").fill("Recorded on the wrong day")
    page.get_by_role("button", name="Mark as entered in error").click()
    wrong = page.locator("tr.thrive-entered-in-error")
    expect(wrong).to_have_count(1)
    expect(wrong).to_contain_text("Entered in error: Recorded on the wrong day, by")
    expect(wrong.locator("s").first).to_be_visible()
    assert_accessible(page)
    assert Contact.objects.filter(episode=second).count() == 1
    assert Contact.objects.valid().filter(episode=second).count() == 0


def test_an_ending_recorded_by_mistake_is_marked_and_the_episode_is_open_again(
        page, practitioner, camhs_team):
    sienna = make_young_person(given_name="Sienna", family_name="Hughes")
    episode = make_episode(sienna, camhs_team, practitioner)
    sign_in(page, practitioner.username)
    page.locator("tr", has_text="Sienna Hughes").get_by_role("link", name="Sienna Hughes").click()
    assert_accessible(page)
    record_ending(page)
    page.get_by_role("region", name="Recently ended").get_by_role(
        "link", name=re.compile("Sienna Hughes")).click()
    expect(page.locator("#read-only")).to_contain_text("This episode ended")
    assert_accessible(page)

    page.get_by_role("link", name="Was this ending recorded by mistake?").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Mark this ending as entered in error")
    assert_accessible(page)
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter why this was entered in error")
    assert_accessible(page)
    page.get_by_label("Why was this entered in error?").fill("Ended the wrong episode")
    page.get_by_role("button", name="Mark as entered in error").click()
    expect(page.get_by_role("status")).to_contain_text("the episode is open again")
    wrong = page.locator(".thrive-entered-in-error", has_text="Goals reached")
    expect(wrong).to_contain_text("Entered in error: Ended the wrong episode, by")
    expect(wrong.locator("s").first).to_be_visible()
    expect(page.locator("#read-only")).to_have_count(0)
    expect(page.get_by_role("link", name="Record the ending")).to_be_visible()
    assert_accessible(page)
    assert not Ending.objects.filter(episode=episode).exists()
    assert EndingEnteredInError.objects.get().episode == episode
    assert Episode.objects.get(pk=episode.pk).is_open

    page.goto(reverse("care:caseload"))
    expect(page.get_by_role("region", name="Recently ended")).to_have_count(0)
    expect(page.locator("tr", has_text="Sienna Hughes")).to_have_count(1)
    assert_accessible(page)
