"""The Content Security Policy allows no inline script without the response's nonce. Key pages
work with it and nothing is blocked: the caseload, a record, the outcome measures page (Vega
charts) and a measure form, the community directory's search, and the analytics dashboard with
its charts. (Every browser test also fails on any violation: see support.py.)"""

from datetime import date, timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.analytics.tests.test_browser_analytics import charts_drawn, figures  # noqa: F401
from thrive.browser_tests.support import assert_accessible, csp_violations, sign_in
from thrive.conftest import PASSWORD, make_episode, make_user, make_young_person
from thrive.directory import services as directory
from thrive.measures import services as measures

pytestmark = pytest.mark.browser


def _no_violations(page):
    page.wait_for_load_state("load")
    assert csp_violations(page) == [], page.url
    # The NHS.UK frontend's components ran: its inline, nonce-carrying script marked the page.
    assert page.evaluate("document.body.classList.contains('js-enabled')"), page.url


def test_key_pages_run_under_the_policy_with_nothing_blocked(page, camhs_team, figures):  # noqa: F811
    directory.load_demo()
    user = make_user("bea.browser", camhs_team)
    person = make_young_person(given_name="Bea", family_name="Private", sex="2",
                               date_of_birth=date(2012, 5, 1))
    episode = make_episode(person, camhs_team, user)
    request = RequestFactory().post("/")
    request.user = user
    for days_ago, value in ((30, 2), (16, 1)):
        measures.record_completion(request, episode, measure_id="phq9", rater="self",
                                   completed_on=date.today() - timedelta(days=days_ago),
                                   responses={n: value for n in range(1, 10)})

    sign_in(page, user.username)  # the sign-in page and the caseload
    _no_violations(page)
    page.goto(reverse("care:episode", args=[episode.public_id]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bea Private")
    assert_accessible(page)
    _no_violations(page)
    page.goto(f"/measures/episodes/{episode.public_id}/")
    expect(page.locator("#chart-phq9-self svg").first).to_be_visible()
    assert_accessible(page)
    _no_violations(page)
    page.get_by_role("link", name="Record a questionnaire").click()
    expect(page.get_by_label("Questionnaire")).to_be_visible()
    assert_accessible(page)
    _no_violations(page)
    # The header's menu and the skip link are the NHS.UK frontend's scripts at work.
    page.goto(reverse("directory:search"))
    assert_accessible(page)
    page.get_by_label("What are you looking for?").fill("youth club")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="services found", exact=False)).to_be_visible()
    assert_accessible(page)
    _no_violations(page)
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)

    make_user("ana.analyst", camhs_team, Role.ANALYST)
    page.get_by_label("Username").fill("ana.analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # An analyst lands on the analytics.
    expect(page.get_by_role("heading", level=1)).to_have_text("THRIVE system measures")
    assert_accessible(page)
    _no_violations(page)
    charts_drawn(page)
    assert_accessible(page)
    _no_violations(page)


def test_an_inline_script_without_the_nonce_is_blocked_and_reported(page, live_server):
    """The guard itself: an injected inline script does not run, and is reported."""
    page.goto(reverse("accounts:sign-in"))
    assert_accessible(page)
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "document.body.dataset.injected = 'ran'";
        document.body.appendChild(s);
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("document.body.dataset.injected") is None
    assert any("script-src" in v for v in csp_violations(page))
    # Expected here: clear it, so the fixture's end-of-test check does not fail this test.
    from thrive.browser_tests import support
    support._visits[id(page)].csp.clear()
