"""In a real browser, with axe on every page: a stranger's refused attempt to open a record shows
in the record's access history in plain English; the privacy officer finds the young person by
name, filters the access log, gets a clear error for a reversed date range, and downloads a CSV
for a subject access request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from thrive.accounts.models import Agency, Role, Team
from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.conftest import PASSWORD, make_episode, make_user
from thrive.core.dates import today

pytestmark = pytest.mark.browser


def fill_date(scope, legend: str, day) -> None:
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_refusals_show_in_plain_english_and_the_officer_filters_and_exports(
        new_page, person, camhs_team, practitioner):
    make_episode(person, camhs_team, practitioner)
    charity = Agency.objects.create(name="Open Door Youth", kind=Agency.Kind.CHARITY)
    make_user("oli.youth", Team.objects.create(agency=charity, name="Drop-in"))
    make_user("pip.privacy", None, Role.PRIVACY_OFFICER)
    record_url = reverse("people:record", args=[person.public_id])

    stranger = new_page()
    sign_in(stranger, "oli.youth")
    stranger.goto(record_url)
    expect(stranger.get_by_role("heading", level=1)).to_contain_text("not found")
    assert_accessible(stranger)

    page = new_page()
    sign_in(page, practitioner.username)
    page.goto(record_url)
    assert_accessible(page)
    page.get_by_role("link", name="See who has looked at this record").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Refused: no relationship")
    expect(table).to_contain_text("Oli Tester, Open Door Youth")
    expect(table).to_contain_text("Viewed the record")
    expect(table).to_contain_text("Their agency works with them")
    assert_accessible(page)

    officer = new_page()
    officer.goto(reverse("sharing:alerts"))
    assert_accessible(officer)
    officer.get_by_label("Username").fill("pip.privacy")
    officer.get_by_label("Password").fill(PASSWORD)
    officer.get_by_role("button", name="Sign in").click()
    assert_accessible(officer)
    officer.goto(reverse("sharing:alerts"))
    assert_accessible(officer)
    officer.get_by_role("link", name="Access log").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Access log")
    assert_accessible(officer)
    officer.get_by_label("Young person's name or NHS number").fill(person.family_name)
    officer.get_by_role("button", name="Find").click()
    assert person.family_name not in officer.url
    assert_accessible(officer)
    officer.get_by_role("link", name=f"{person.full_name}, born").click()
    assert person.family_name not in officer.url
    expect(officer.get_by_role("table")).to_contain_text("Refused: no relationship")
    assert_accessible(officer)

    officer.get_by_label("What").select_option(label="Refused")
    officer.get_by_role("button", name="Show these entries").click()
    expect(officer.get_by_role("table")).not_to_contain_text("Viewed the record")
    expect(officer.get_by_role("table")).to_contain_text("Refused: no relationship")
    assert_accessible(officer)

    fill_date(officer, "From", today())
    fill_date(officer, "To", today() - timedelta(days=3))
    officer.get_by_role("button", name="Show these entries").click()
    expect(officer.get_by_role("alert")).to_contain_text(
        "The 'To' date must be the same as or after the 'From' date")
    assert_accessible(officer)

    officer.get_by_role("link", name="Clear the filters").click()
    expect(officer.get_by_role("table")).to_contain_text("Viewed the record")
    assert_accessible(officer)
    with officer.expect_download() as download:
        officer.get_by_role("link", name="Download this young person's entries").click()
    assert download.value.suggested_filename.startswith("access-log-one-young-person-")
    body = open(download.value.path(), encoding="utf-8").read()
    assert "Refused: no relationship" in body and person.full_name in body
