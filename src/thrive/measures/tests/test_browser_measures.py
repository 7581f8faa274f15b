"""Outcome measures in a real browser: record a PHQ-9 (refused, then saved and scored), see the
charts render under the CSP beside their tables, and hand a tablet over and back. axe-core checks
every page."""

import re
from datetime import date, timedelta

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.measures import services

pytestmark = pytest.mark.browser
START = date.today() - timedelta(days=30)


@pytest.fixture
def setting(camhs_team):
    user = make_user("bea.browser", camhs_team)
    person = make_young_person(given_name="Bea", family_name="Private", sex="2",
                               date_of_birth=date(2012, 5, 1))
    episode = make_episode(person, camhs_team, user)
    request = RequestFactory().post("/")
    request.user = user
    for day, value in ((START, 2), (START + timedelta(days=14), 1)):
        services.record_completion(request, episode, measure_id="phq9", rater="self", completed_on=day,
                                   responses={n: value for n in range(1, 10)})
    return user, person, episode


def test_record_score_chart_and_tablet(page, setting, live_server):  # noqa: F811
    user, person, episode = setting
    csp_errors = []
    # Vega must run without eval and without inline styles (the site's web font is not ours).
    page.on("console", lambda m: csp_errors.append(m.text)
            if "Content Security Policy" in m.text and "font" not in m.text else None)
    sign_in(page, user.username)

    page.goto(f"/measures/episodes/{episode.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcome measures")
    expect(page.locator("#chart-phq9-self svg").first).to_be_visible()
    expect(page.locator('[data-chart-table="chart-phq9-self"]')).to_be_visible()
    expect(page.locator("#paired-change")).to_contain_text("Reliable improvement")
    assert_accessible(page)

    page.get_by_role("link", name="Record a questionnaire").click()
    page.get_by_label("Questionnaire").select_option("phq9")
    page.get_by_role("group", name="Whose version was completed?").get_by_label(
        "Self-rated (young person)").check()
    page.get_by_role("group", name="How will you record it?").get_by_label(
        "Enter the answer to each question").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    day = date.today() - timedelta(days=1)
    group = page.get_by_role("group", name="Date completed", exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
    expect(page.get_by_label("1. Little interest or pleasure in doing things")).to_be_visible()
    for n in range(1, 10):
        page.locator(f"#id_item_{n}").fill("1")  # PHQ-9's own wording labels each question
    page.locator("#id_item_3").fill("5")
    assert_accessible(page)
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Question 3 must be a whole number")
    assert_accessible(page)
    page.locator("#id_item_3").fill("3")
    page.get_by_role("button", name="Save and score").click()
    expect(page.locator("#scores")).to_contain_text("11")
    expect(page.locator("#scores")).to_contain_text("moderate")
    assert_accessible(page)

    # Hand the tablet over.
    page.goto(f"/measures/episodes/{episode.public_id}/new/")
    assert_accessible(page)
    page.get_by_label("Questionnaire").select_option("gad7")
    page.get_by_role("group", name="Whose version was completed?").get_by_label(
        "Self-rated (young person)").check()
    page.get_by_role("group", name="How will you record it?").get_by_label(
        "Hand the tablet to the young person or parent to complete").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Choose a 4-digit PIN").fill("2468")
    assert_accessible(page)
    page.get_by_role("button", name="Hand the tablet over").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your questionnaire")
    body = page.locator("body").inner_text()
    assert "Bea" not in body and "Private" not in body and user.first_name not in body
    assert_accessible(page)
    expect(page.locator("#instructions")).to_contain_text("Over the last 2 weeks")
    for n in range(1, 8):  # one question at a time, with progress
        expect(page.locator("#progress-label")).to_have_text(f"Question {n} of 7")
        page.get_by_role("group", name=re.compile(rf"^{n}\. ")).get_by_label(
            "Several days", exact=True).check()
        if n > 1:
            assert_accessible(page)
        page.get_by_role("button", name="Finish" if n == 7 else "Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page)
    page.goto("/caseload/")  # locked: back to the tablet
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page)
    page.get_by_role("link", name="Hand back").click()
    page.get_by_label("Practitioner: enter your PIN or your password").fill("2468")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GAD-7")
    expect(page.locator("#scores")).to_contain_text("7")
    assert_accessible(page)
    assert not csp_errors, csp_errors


def test_record_a_current_view(page, setting, live_server):  # noqa: F811
    user, person, episode = setting
    sign_in(page, user.username)
    page.goto(f"/measures/episodes/{episode.public_id}/new/")
    assert_accessible(page)
    page.get_by_label("Questionnaire").select_option("current_view")
    page.get_by_role("group", name="Whose version was completed?").get_by_label("Clinician-rated").check()
    page.get_by_role("group", name="How will you record it?").get_by_label(
        "Enter the answer to each question").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Current View")
    day = date.today() - timedelta(days=1)
    group = page.get_by_role("group", name="Date completed", exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Item 9", exact=True).fill("3")
    page.get_by_label("Item 21", exact=True).fill("7")
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Item 21 must be a whole number from 0 to 3 or 9")
    assert_accessible(page)
    page.get_by_label("Item 21", exact=True).fill("2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Current View")
    expect(page.locator("body")).to_contain_text("2 of 50 items rated moderate or severe")
    assert_accessible(page)
