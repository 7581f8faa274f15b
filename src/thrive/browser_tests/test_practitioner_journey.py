"""A practitioner's day in a real browser: sign in, find a young person, agree a grouping, a goal
and a rating, record a contact, and see it all on the timeline. axe-core checks every page."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from thrive.care.models import GroupingDecision
from thrive.conftest import make_episode, make_young_person

from .support import PHONE, assert_accessible, sign_in

pytestmark = pytest.mark.browser

RATIONALE = "Amira wants help with worry about school: six sessions of CBT, then review together."
GOAL = "To go into school on my own without feeling sick"


def fill_date(page, legend: str, day: date) -> None:
    """An NHS.UK date input: three boxes in a fieldset named by its legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def choose(page, question: str, answer: str) -> None:
    """Tick a radio or checkbox by its question (legend) and answer (label)."""
    page.get_by_role("group", name=question, exact=True).get_by_label(answer, exact=True).check()


def success_message(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def nice(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_a_practitioner_records_a_young_persons_help_and_sees_it_on_the_timeline(
    page, practitioner, colleague, camhs_team
):
    amira = make_young_person(given_name="Amira", family_name="Khan")
    episode = make_episode(amira, camhs_team, practitioner)
    make_episode(make_young_person(given_name="Sam", family_name="Jones"), camhs_team, practitioner)
    today = date.today()
    decided_on, goal_agreed_on = today - timedelta(days=7), today - timedelta(days=5)
    review_on, goal_expected_by = today + timedelta(days=42), today + timedelta(days=60)
    rated_on, contact_on = today - timedelta(days=2), today - timedelta(days=1)

    # Signing in lands on the caseload, where Amira has no grouping yet. (sign_in runs axe on
    # the sign-in page and on the caseload.)
    sign_in(page, "pat.practitioner")
    no_grouping = page.get_by_role("region", name=re.compile("^No grouping agreed yet"))
    expect(no_grouping.get_by_role("link", name="Amira Khan")).to_be_visible()

    # Find her by name, then by NHS number.
    page.get_by_role("link", name="Find a young person").click()
    expect(page.get_by_role("heading", level=1, name="Find a young person")).to_be_visible()
    assert_accessible(page)
    search_box = page.get_by_label("Name, NHS number or date of birth")
    search_box.fill("amira khan")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name="1 result")).to_be_visible()
    results = page.get_by_role("table", name="Search results")
    expect(results.get_by_role("link")).to_have_text(["Amira Khan"])
    assert_accessible(page)

    search_box.fill(amira.nhs_number_display)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=2, name="1 result")).to_be_visible()
    expect(results.get_by_role("row", name=re.compile("Amira Khan"))).to_contain_text(
        amira.nhs_number_display)
    assert_accessible(page)

    # Her record, then the episode.
    results.get_by_role("link", name="Amira Khan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amira Khan")
    assert_accessible(page)
    page.get_by_role("table", name="Episodes with your agency").get_by_role(
        "link", name="Getting Help team").click()
    expect(page.locator("#current-grouping")).to_have_text("No grouping agreed yet.")
    assert_accessible(page)

    # A grouping decision, every field through the form.
    page.get_by_role("link", name="Record a grouping decision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a grouping decision")
    assert_accessible(page)
    fill_date(page, "Date agreed", decided_on)
    choose(page, "Did the young person take part in the decision?", "Yes")
    choose(page, "Did a parent or carer take part?", "Yes")
    who = page.get_by_role("group", name="Practitioners who took part")
    expect(who.get_by_label("Pat Tester")).to_be_checked()  # the person recording, by default
    who.get_by_label("Cal Tester").check()
    page.get_by_label("Anyone else who took part").fill("School mental health lead")
    for option in ("Self-help (books, apps, self-management)", "One-to-one therapy", "Group work"):
        choose(page, "Options discussed", option)
    choose(page, "What the young person and family preferred", "One-to-one therapy")
    page.get_by_label("Decision aid used, if any").fill("THRIVE grouping cards")
    choose(page, "Agreed needs-based grouping", "Getting Help")
    page.get_by_label("Why this grouping, in plain words").fill(RATIONALE)
    choose(page, "Was the grouping made explicit to the young person and family?", "Yes")
    fill_date(page, "Review date", review_on)
    page.get_by_role("button", name="Save decision").click()

    success_message(page, "Grouping agreed: Getting Help")
    expect(page.locator("#current-grouping")).to_have_text("Getting Help")
    assert_accessible(page)
    decision = GroupingDecision.objects.get(episode=episode)
    assert decision.practitioners.count() == 2
    card = page.locator(".nhsuk-card").filter(
        has=page.get_by_role("heading", level=3, name=re.compile("^Getting Help")))
    expect(card.get_by_role("heading", level=3)).to_have_text(re.compile(r"Getting Help\s+Current"))
    summary = dict(zip(card.get_by_role("term").all_inner_texts(),
                       card.get_by_role("definition").all_inner_texts(), strict=True))
    assert summary == {
        "Agreed": nice(decided_on),
        "Who took part": summary["Who took part"],  # checked below: colleagues in any order
        "Options discussed":
            "Self-help (books, apps, self-management), Group work, One-to-one therapy",
        "Preferred": "One-to-one therapy",
        "Decision aid": "THRIVE grouping cards",
        "Why": RATIONALE,
        "Made explicit to family": "Yes",
        "Review by": nice(review_on),
    }
    who_took_part = summary["Who took part"].split(", ")
    assert who_took_part[:2] == ["Young person", "Parent or carer"]
    assert who_took_part[-1] == "School mental health lead"
    assert sorted(who_took_part[2:-1]) == ["Cal Tester", "Pat Tester"]

    # A goal: first submitted empty, so the error summary shows, then filled in.
    page.get_by_role("link", name="Agree a goal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agree a goal")
    assert_accessible(page)
    page.get_by_role("button", name="Save goal").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    # The NHS.UK error summary takes focus on load, so screen readers announce it first.
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: Agree a goal"))
    expect(summary.get_by_role("link")).to_have_count(4)
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("The goal, in the young person's words")).to_be_focused()

    page.get_by_label("The goal, in the young person's words").fill(GOAL)
    fill_date(page, "Date agreed", goal_agreed_on)
    fill_date(page, "Likely to be reached by", goal_expected_by)
    page.get_by_label("What happens if the goal is not reached").fill(
        "Review the plan with Amira and school")
    page.get_by_role("button", name="Save goal").click()
    success_message(page, "Goal agreed")
    goal_card = page.locator(".nhsuk-card").filter(
        has=page.get_by_role("heading", level=3, name="Goal 1"))
    expect(goal_card).to_contain_text(GOAL)
    assert_accessible(page)

    # A rating of that goal.
    page.get_by_role("link", name="Rate progress on goal 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rate progress on goal 1")
    assert_accessible(page)
    fill_date(page, "Date rated", rated_on)
    page.get_by_label("Rating", exact=True).fill("4")
    choose(page, "Who gave the rating?", "Young person")
    page.get_by_role("button", name="Save rating").click()
    success_message(page, "Rating saved for goal 1")
    ratings = page.get_by_role("table", name=re.compile("^Progress ratings for goal 1"))
    expect(ratings.get_by_role("row").nth(1)).to_have_text(
        re.compile(f"{nice(rated_on)}\\s*4\\s*Young person"))
    assert_accessible(page)

    # A contact.
    page.get_by_role("link", name="Record a contact").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a contact")
    assert_accessible(page)
    fill_date(page, "Date of contact", contact_on)
    page.get_by_label("Time", exact=True).fill("14:30")
    choose(page, "How", "Face to face")
    choose(page, "Attendance", "Attended")
    page.get_by_label("Short summary (optional)").fill("Started a worry diary together")
    page.get_by_role("button", name="Save contact").click()
    success_message(page, "Contact recorded")
    contacts = page.get_by_role("table", name="Contacts, newest first")
    expect(contacts.get_by_role("row").nth(1)).to_have_text(
        re.compile(f"{nice(contact_on)}\\s*14:30\\s*Face to face\\s*Attended"))
    assert_accessible(page)

    # Back on the record, the timeline shows everything, newest first.
    page.get_by_role("link", name="Back", exact=True).click()
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("heading", level=3)).to_have_text([
        "Face to face contact at 14:30: attended",
        "Goal 1 rated 4 out of 10",
        "Goal 1 agreed",
        "Grouping agreed: Getting Help",
        "Referral received by Getting Help team",
    ])
    entries = timeline.get_by_role("listitem")
    for n, (on, detail) in enumerate([
        (contact_on, "Started a worry diary together"),
        (rated_on, "Rated by: Young person"),
        (goal_agreed_on, GOAL),
        (decided_on, RATIONALE),
        (episode.referral_received_on, "GP: Anxiety"),
    ]):
        expect(entries.nth(n).locator("time")).to_have_attribute("datetime", on.isoformat())
        expect(entries.nth(n)).to_contain_text(nice(on))
        expect(entries.nth(n)).to_contain_text(detail)
    assert_accessible(page)

    # The caseload now has Amira under Getting Help, with her review date.
    page.get_by_role("link", name="My caseload", exact=True).click()
    getting_help = page.get_by_role("region", name=re.compile("^Getting Help "))
    expect(getting_help.get_by_role("row", name=re.compile("Amira Khan"))).to_contain_text(
        nice(review_on))
    assert_accessible(page)

    # Signing out returns to the sign-in page.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_the_caseload_on_a_phone_is_accessible_and_shows_every_grouping(
    new_page, camhs_team, practitioner
):
    today = date.today()
    for given, grouping in [("Amira", "getting_help"), ("Ben", "getting_risk_support"),
                            ("Cara", None)]:
        episode = make_episode(make_young_person(given_name=given, family_name="Khan"),
                               camhs_team, practitioner)
        if grouping:
            GroupingDecision.objects.create(
                episode=episode, decided_on=today - timedelta(days=20), grouping=grouping,
                young_person_took_part=True, parent_carer_took_part=True,
                rationale="Agreed together", made_explicit=True, review_on=today - timedelta(days=1),
                recorded_by=practitioner,
            )
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)

    sign_in(page, "pat.practitioner")  # axe has checked the caseload at phone size
    for heading, person in [("Thriving", None), ("Getting Advice and Signposting", None),
                            ("Getting Help", "Amira Khan"), ("Getting More Help", None),
                            ("Getting Risk Support", "Ben Khan"),
                            ("No grouping agreed yet", "Cara Khan")]:
        section = page.get_by_role("region", name=re.compile(f"^{heading} "))
        expect(section.get_by_role("heading", level=2)).to_be_visible()
        if person:
            expect(section.get_by_role("link", name=person)).to_be_visible()
        else:
            expect(section).to_contain_text("No one in this grouping.")
    expect(page.get_by_role("navigation", name="Groupings")).to_contain_text(
        "Getting Help: 1, 1 review overdue")
    # Nothing wider than the phone: WCAG 1.4.10 reflow.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The header's navigation folds into a menu rather than running off the screen.
    expect(page.get_by_role("navigation", name="Menu").get_by_role("button", name="More")
           ).to_be_visible()
