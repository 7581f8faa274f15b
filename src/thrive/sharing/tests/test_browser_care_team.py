"""In a real browser, with axe on every page: a CAMHS manager cannot add a charity's youth
worker to a care team without consent; with a safeguarding reason they can, the member is
marked as added under override, and the privacy officer sees the alert."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Agency, Role, Team
from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.conftest import PASSWORD, make_episode, make_user
from thrive.sharing.models import CareTeamMember

pytestmark = pytest.mark.browser

REASON = "Disclosure of harm at home; the family refuses consent and she trusts this worker"


def test_cross_agency_member_needs_consent_or_an_override_and_the_officer_is_alerted(
        new_page, person, camhs_team):
    manager = make_user("mia.manager", camhs_team, Role.TEAM_MANAGER)
    make_episode(person, camhs_team, manager)
    charity = Agency.objects.create(name="Open Door Youth", kind=Agency.Kind.CHARITY)
    worker = make_user("oli.youth", Team.objects.create(agency=charity, name="Drop-in"),
                       job_title="Youth worker")
    make_user("pip.privacy", None, Role.PRIVACY_OFFICER)

    page = new_page()
    sign_in(page, manager.username)
    page.goto(reverse("people:record", args=[person.public_id]))
    assert_accessible(page)
    page.get_by_role("link", name="Change the care team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Care team")
    assert_accessible(page)

    # Searching narrows the picker to the charity.
    page.get_by_label("Search practitioners by name or agency").fill("open door")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    option = "Oli Tester, Youth worker (Open Door Youth) – needs a safeguarding override"
    page.get_by_label("Practitioner", exact=True).select_option(label=option)
    page.get_by_label("Their role in the care team").fill("Youth worker")
    page.get_by_role("group", name="Are they the keyworker?").get_by_label("No").check()
    page.get_by_role("button", name="Add to care team").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "There is no current consent to share with Open Door Youth")
    assert_accessible(page)
    assert not CareTeamMember.objects.filter(user=worker).exists()

    page.get_by_label("Safeguarding reason to add them without consent").fill(REASON)
    page.get_by_role("button", name="Add to care team").click()
    expect(page.get_by_role("status")).to_contain_text("Added to the care team")
    expect(page.get_by_role("table")).to_contain_text("Added under safeguarding override")
    assert_accessible(page)

    officer = new_page()
    officer.goto(reverse("care:home"))
    assert_accessible(officer)
    officer.get_by_label("Username").fill("pip.privacy")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Sign in").click()
    # A privacy officer lands on the access alerts.
    expect(officer.get_by_role("heading", level=1)).to_have_text("Access alerts")
    expect(officer.get_by_role("main")).to_contain_text(
        "Care-team member added under safeguarding override")
    assert_accessible(officer)
