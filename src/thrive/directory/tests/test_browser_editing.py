"""The directory team in a real browser: an editor changes a service's opening times and the
public page shows them; a family reports a problem with the listing. axe-core checks every page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import assert_accessible
from thrive.conftest import PASSWORD, make_user
from thrive.directory import services
from thrive.directory.models import ProblemReport, Service

pytestmark = pytest.mark.browser


@pytest.fixture
def directory(transactional_db):
    services.load_demo()
    make_user("eddie.editor", None, role=Role.DIRECTORY_EDITOR)


def test_an_editor_changes_opening_times_and_the_public_page_shows_them(page, directory):
    swim = Service.objects.get(name="Family swim")
    page.goto(reverse("directory:manage"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("eddie.editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory listings")
    assert_accessible(page)

    page.get_by_label("Service name").fill("swim")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("table")).to_contain_text("Family swim")
    assert_accessible(page)
    page.get_by_role("link", name="Family swim").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Family swim")
    assert_accessible(page)

    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_label(day, exact=True).set_checked(day == "Saturday")
    page.get_by_label("Opens at (optional)").fill("nine")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the opening time like 16:30")
    assert_accessible(page)

    page.get_by_label("Opens at (optional)").fill("09:30")
    page.get_by_label("Closes at (optional)").fill("11:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text("Saved Family swim")
    expect(page.get_by_text("Opening times now: Saturdays 9:30am to 11am")).to_be_visible()
    expect(page.get_by_role("cell", name="Opening times")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("View the public page")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Family swim")
    expect(page.get_by_text("Saturdays 9:30am to 11am")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Report a problem with this listing").click()
    assert_accessible(page)
    page.get_by_label("The opening times are wrong").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    assert_accessible(page)
    assert ProblemReport.objects.get().service == swim
