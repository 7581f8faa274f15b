"""In a real browser, axe-core on every page: a team manager allocates from the waiting list, the
practitioner finds the young person on their caseload, and before the practitioner is
deactivated the agency administrator sees their caseload and moves it in one step."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.conftest import PASSWORD, make_episode, make_user, make_young_person
from thrive.sharing.models import CareTeamMember

pytestmark = pytest.mark.browser


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_allocate_from_the_waiting_list_then_hand_over_before_deactivating(
        page, manager, practitioner, colleague, camhs_team):
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    make_episode(make_young_person(given_name="Noah", family_name="Price"), camhs_team, None,
                 referral_received_on=date.today() - timedelta(days=30), accepted_on=None,
                 urgency="urgent")
    cared = make_young_person(given_name="Isla", family_name="Reed")
    make_episode(cared, camhs_team, colleague)
    CareTeamMember.objects.create(young_person=cared, user=practitioner, role="Family therapist",
                                  is_keyworker=True, added_by=colleague)

    # The team manager allocates Noah from the waiting list.
    sign_in(page, manager.username)
    page.get_by_role("link", name="Waiting list").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Waiting list")
    row = page.locator("#waiting-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("4 weeks")
    assert_accessible(page)
    page.get_by_role("link", name="Allocate Noah Price").click()
    assert_accessible(page)
    page.get_by_role("button", name="Allocate").click()  # nothing chosen: the error summary
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose who will lead")
    assert_accessible(page)
    page.get_by_label("New lead practitioner").select_option(
        label=f"{practitioner.display_name} – {camhs_team.name}")
    page.get_by_label("Why?").fill("Knows the family from a previous referral")
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("No one is waiting")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The practitioner sees Noah on their caseload, and Isla as her keyworker.
    sign_in(page, practitioner.username)
    noah = page.locator("tr", has_text="Noah Price")
    expect(noah).to_contain_text("Lead practitioner")
    expect(noah).to_contain_text("Newly allocated to you")
    expect(page.locator("tr", has_text="Isla Reed")).to_contain_text(
        "Keyworker, Care team: Family therapist")
    noah.get_by_role("link", name="Noah Price").click()
    expect(page.locator("#allocation-history")).to_contain_text(
        "Knows the family from a previous referral")
    assert_accessible(page)
    sign_out(page)

    # Deactivating the practitioner first shows what they carry, and moves it in one step.
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
    expect(page.locator("main")).to_contain_text("leads 1 open episode, is on 1 care team")
    expect(page.locator("main")).not_to_contain_text("Noah")
    assert_accessible(page)
    page.get_by_label("To the practitioner chosen below").check()
    page.get_by_label("Who takes over?").select_option(
        label=f"{colleague.display_name} – {camhs_team.name}")
    page.get_by_label("Why is the caseload moving?").fill("Leaving the service")
    page.get_by_role("button", name="Hand over caseload").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deactivate this account")
    expect(page.locator("main")).to_contain_text("caseload has been handed over")
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator("main")).to_contain_text("Deactivated: cannot sign in")
    assert_accessible(page)
