"""Every measure a young person, parent or teacher completes on the tablet, on a phone-sized
screen (375 px): the hand-over page, each step of the questionnaire with its wording and progress,
and the result on the episode, with axe-core on every page. Measures whose wording may not ship
use a wording version loaded for the agency, made of neutral placeholder text (never a
questionnaire's real wording). And a broken wording file, for the service or the agency, leaves
every page working.
"""

import json
import re
from datetime import date

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import PHONE, assert_accessible
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.measures import services, tablet_steps
from thrive.measures.engine import get_catalogue

pytestmark = pytest.mark.browser
PIN = "2580"


def tablet_cases():
    cases = []
    for measure in services.tablet_measures():
        for rater in measure.raters:
            if rater != "clinician":
                cases.append(pytest.param(measure.id, rater, id=f"{measure.id}-{rater}"))
    return cases


def placeholder_wording(measure_id: str) -> dict:
    measure = get_catalogue().measure(measure_id)
    out = {"instructions": f"Placeholder instructions for {measure_id}: think about the last weeks.",
           "items": {str(n): f"Placeholder statement number {n}" for n in measure.items},
           "item_answers": {}}
    for n, item in measure.items.items():
        values = list(range(item.min, item.max + 1)) + sorted(item.unscored_responses)
        out["item_answers"][str(n)] = {str(v): f"Placeholder answer {v}" for v in values}
    return out


def signed_in_page(new_page, live_server, user):
    """A phone-sized page already signed in (sign-in itself is checked elsewhere)."""
    client = Client()
    client.force_login(user)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return page


def no_sideways_scroll(page) -> bool:
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    return scroll <= min(inner, PHONE["width"])


@pytest.fixture
def setting(camhs_team):
    user = make_user("tab.let", camhs_team)
    admin = make_user("tab.admin", camhs_team, Role.AGENCY_ADMIN)
    person = make_young_person(given_name="Tabitha", family_name="Private", sex="2",
                               date_of_birth=date(2011, 5, 1))
    return user, admin, make_episode(person, camhs_team, user)


def load_placeholders(admin, measure_id):
    request = RequestFactory().post("/")
    request.user = admin
    raw = json.dumps({measure_id: placeholder_wording(measure_id)}).encode()
    services.load_agency_wording(request, raw=raw, file_name="placeholder.json")


@pytest.mark.parametrize("measure_id, rater", tablet_cases())
def test_each_measure_is_completed_on_the_tablet(new_page, live_server, setting, measure_id, rater):
    user, admin, episode = setting
    measure = get_catalogue().measure(measure_id)
    shipped = measure_id in services.shipped_wording()
    if not shipped:
        load_placeholders(admin, measure_id)
    wording = services.wording(measure_id, episode.agency_id)
    page = signed_in_page(new_page, live_server, user)

    page.goto(f"/measures/episodes/{episode.public_id}/hand-over/"
              f"?measure={measure_id}&rater={rater}&method=tablet")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hand the tablet over")
    expect(page.locator("body")).not_to_contain_text("The questions have no wording")
    assert_accessible(page)
    page.get_by_label("Choose a 4-digit PIN").fill(PIN)
    page.get_by_role("button", name="Hand the tablet over").click()

    steps = tablet_steps.steps(measure)
    for step in steps:
        expect(page.get_by_role("heading", level=1)).to_have_text("Your questionnaire")
        expect(page.locator("#progress-label")).to_have_text(step.progress)
        progress = page.get_by_role("progressbar", name=step.progress)
        expect(progress).to_have_attribute("value", str(step.done))
        if step.first and wording.instructions:
            expect(page.locator("#instructions")).to_have_text(wording.instructions)
        for n in step.items:
            group = page.get_by_role("group", name=f"{n}. {wording.items[n]}")
            expect(group).to_be_visible()
            first = group.get_by_role("radio").first
            label = page.locator(f"label[for='{first.get_attribute('id')}']")
            box = label.bounding_box()
            assert box["height"] >= 44, (n, box)  # a large target: WCAG 2.2 asks for 24
            label.click()
            expect(first).to_be_checked()
        assert "Tabitha" not in page.locator("body").inner_text()
        assert no_sideways_scroll(page), page.url
        assert_accessible(page)
        page.get_by_role("button", name="Finish" if step.last else "Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page)
    page.get_by_role("link", name="Hand back").click()
    page.get_by_label("Practitioner: enter your PIN or your password").fill(PIN)
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(measure.name)
    expect(page.get_by_role("status")).to_contain_text("Completed on the tablet")
    assert_accessible(page)

    page.goto(f"/measures/episodes/{episode.public_id}/")
    row = page.locator("#completions-table tbody tr").first
    expect(row).to_contain_text(measure.name)
    expect(row).to_contain_text("Tablet")
    assert no_sideways_scroll(page)
    assert_accessible(page)


def test_a_broken_wording_file_leaves_every_page_working(new_page, live_server, setting, settings,
                                                         tmp_path):
    user, admin, episode = setting
    broken = tmp_path / "wording.json"
    broken.write_text('{"phq9": {"11": "x"}, "rcads47": {}}')
    settings.THRIVE_MEASURE_ITEM_TEXT = str(broken)

    # The agency administrator's broken upload: every problem named, nothing loaded.
    page = signed_in_page(new_page, live_server, admin)
    page.goto("/measures/wording/")
    assert_accessible(page)
    page.get_by_label("Wording file (JSON)").set_input_files(str(broken))
    page.get_by_role("button", name="Check and load").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("phq9 › items › 11: not in this questionnaire")
    expect(summary).to_contain_text("rcads47: no such questionnaire in the catalogue")
    expect(page.locator("#current-version")).to_have_text("No wording loaded by your agency yet.")
    assert_accessible(page)

    # The practitioner's pages all work, say what is wrong, and fall back.
    page = signed_in_page(new_page, live_server, user)
    page.goto(f"/measures/episodes/{episode.public_id}/")
    expect(page.locator("body")).to_contain_text("Item wording file not used")
    assert_accessible(page)
    page.goto(f"/measures/episodes/{episode.public_id}/record/?measure=rcads25&rater=self&method=items")
    expect(page.get_by_label("Question 1", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto(f"/measures/episodes/{episode.public_id}/hand-over/?measure=rcads25&rater=self&method=tablet")
    expect(page.locator("body")).to_contain_text("The questions have no wording")
    assert_accessible(page)
    page.get_by_role("link", name="Use the paper form and copy its totals instead").click()
    expect(page.get_by_label("Total", exact=True)).to_be_visible()
    assert_accessible(page)
    fhir = page.request.get("/measures/fhir/Questionnaire")
    assert fhir.status == 200 and "Little interest or pleasure in doing things" in fhir.text()
    page.goto(f"/measures/episodes/{episode.public_id}/hand-over/?measure=phq9&rater=self&method=tablet")
    assert_accessible(page)
    page.get_by_label("Choose a 4-digit PIN").fill(PIN)
    page.get_by_role("button", name="Hand the tablet over").click()
    expect(page.get_by_role("group", name=re.compile(r"^1\. Little interest"))).to_be_visible()
    assert_accessible(page)


TABLET = {"width": 1024, "height": 768}


def test_the_tablet_at_tablet_width_with_back_and_a_skipped_question(new_page, live_server, setting):
    """At 1024 px (a tablet held landscape): Previous keeps the answers given, a question left out
    is allowed, and the score counts only what was answered."""
    user, admin, episode = setting
    client = Client()
    client.force_login(user)
    page = new_page(viewport=TABLET, has_touch=True)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(f"/measures/episodes/{episode.public_id}/hand-over/?measure=gad7&rater=self&method=tablet")
    assert_accessible(page)
    page.get_by_label("Choose a 4-digit PIN").fill(PIN)
    page.get_by_role("button", name="Hand the tablet over").click()
    expect(page.locator("#progress-label")).to_have_text("Question 1 of 7")
    page.get_by_label("Nearly every day").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#progress-label")).to_have_text("Question 2 of 7")
    assert_accessible(page)
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_label("Nearly every day")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    for n in range(2, 8):
        expect(page.locator("#progress-label")).to_have_text(f"Question {n} of 7")
        if n != 4:  # question 4 left out
            page.get_by_label("Several days").check()
        assert_accessible(page)
        page.get_by_role("button", name="Finish" if n == 7 else "Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert_accessible(page)
    from thrive.measures.models import Completion

    completion = Completion.objects.get()
    assert completion.responses == {"1": 3, "2": 1, "3": 1, "4": None, "5": 1, "6": 1, "7": 1}


def test_the_tablet_works_without_javascript(browser, live_server, setting):
    """Steps are plain forms and redirects: with JavaScript off, a questionnaire is completed.
    (axe needs JavaScript, so these same pages are checked by the tests above.)"""
    user, admin, episode = setting
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, base_url=live_server.url)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    try:
        page.goto(f"/measures/episodes/{episode.public_id}/hand-over/?measure=phq9&rater=self&method=tablet")
        page.get_by_label("Choose a 4-digit PIN").fill(PIN)
        page.get_by_role("button", name="Hand the tablet over").click()
        for step in tablet_steps.steps(get_catalogue().measure("phq9")):
            expect(page.locator("#progress-label")).to_have_text(step.progress)
            page.locator(f"input[name=item_{step.items[0]}]").first.check()
            page.get_by_role("button", name="Finish" if step.last else "Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    finally:
        context.close()
    from thrive.measures.models import Completion

    assert Completion.objects.get().scores.get(scale_id="total").value == 0
