"""An agency administrator adds a member of staff in a real browser, who then signs in with the
temporary password and changes it; axe-core checks every page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import assert_accessible
from thrive.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_in(page, username, password):
    page.goto(reverse("accounts:sign-in"))
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_adds_staff_who_sign_in_and_change_their_password(new_page, camhs_team):
    make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    page = new_page()
    sign_in(page, "ada.admin", PASSWORD)
    # An agency administrator's home is their agency's staff.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staff")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Add a member of staff")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()  # empty: the error summary
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("nia.new")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("New")
    page.get_by_label("Practitioner", exact=True).check()
    page.get_by_label("Team", exact=True).select_option(label=camhs_team.name)
    page.get_by_role("group", name="Are they a named safeguarding lead?").get_by_label(
        "No", exact=True).check()
    page.get_by_role("button", name="Create account").click()
    assert_accessible(page)
    password = page.locator("[data-temporary-password]").inner_text().strip()
    assert len(password) >= 12
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)

    sign_in(page, "nia.new", password)
    # A temporary password: changing it comes before anything else.
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.get_by_text("You signed in with a temporary password")).to_be_visible()
    assert_accessible(page)
    page.goto(reverse("care:caseload"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)
    page.get_by_label("Your current password").fill(password)
    page.get_by_label("New password", exact=True).fill("a-long-new-passphrase-2026")
    page.get_by_label("Type the new password again").fill("a-long-new-passphrase-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert_accessible(page)
