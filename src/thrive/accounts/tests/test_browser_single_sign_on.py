"""Single sign-on in a real browser against a real OpenID provider (panva's oidc-provider on a
loopback port, `openid_provider_for_browser`): an administrator gives a link code; the member of
staff signs in at the provider, links once, signs out of both, and signs in again by subject
alone; a deactivated account and someone with no account are refused; an agency with passwords
off refuses the password form. axe-core checks every page, the provider's included."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from thrive.accounts.models import Role, SingleSignOnIdentity
from thrive.accounts.tests.openid_provider import ACCOUNTS, PROVIDER_LABEL
from thrive.browser_tests.support import assert_accessible
from thrive.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser
SSO_BUTTON = f"Sign in with {PROVIDER_LABEL}"


@pytest.fixture
def provider(openid_provider_for_browser, settings):
    return openid_provider_for_browser.configure(settings)


def password_sign_in(page, username, password=PASSWORD):
    page.goto(reverse("accounts:sign-in"))
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def at_the_provider(page, username):
    """From the platform's sign-in page to the provider's form, filled in and sent."""
    page.goto(reverse("accounts:sign-in"))
    assert_accessible(page)
    page.get_by_role("button", name=SSO_BUTTON).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to your organisation")
    assert_accessible(page)
    page.get_by_label("Organisation username").fill(username)
    page.get_by_label("Organisation password").fill(ACCOUNTS[username]["password"])
    page.get_by_role("button", name="Sign in to your organisation").click()


def test_first_link_sign_out_of_both_and_sign_in_again_by_subject(new_page, provider,
                                                                  camhs_team):
    make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    alice = make_user("alice.local", camhs_team)

    # The administrator makes a link code, shown once.
    admin_page = new_page()
    password_sign_in(admin_page, "ada.admin")
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text("Staff")
    assert_accessible(admin_page)
    admin_page.goto(reverse("accounts:staff-member", args=[alice.pk]))
    expect(admin_page.get_by_text("Not linked")).to_be_visible()
    assert_accessible(admin_page)
    admin_page.get_by_role("link", name="Give a single sign-on link code").click()
    assert_accessible(admin_page)
    admin_page.get_by_role("button", name="Make a link code").click()
    code = admin_page.locator("[data-link-code]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert_accessible(admin_page)

    # Alice signs in at her organisation for the first time and links with the code.
    page = new_page()
    at_the_provider(page, "alice.adams")
    expect(page.get_by_role("heading", level=1)).to_have_text("Link your account")
    assert_accessible(page)
    page.get_by_label("Link code").fill("WRONG-CODE")
    page.get_by_role("button", name="Link my account").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the link code")
    assert_accessible(page)
    page.get_by_label("Link code").fill(code)
    page.get_by_role("button", name="Link my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"caseload$"))
    expect(page.get_by_text("sign-in is now linked to this account")).to_be_visible()
    assert_accessible(page)

    # Signing out ends the session here and, after the provider's confirmation, there.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out of your organisation")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.goto(reverse("care:caseload"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)

    # Next time the provider asks for the password again, and the subject alone signs her in.
    at_the_provider(page, "alice.adams")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"caseload$"))
    assert_accessible(page)
    page.goto(reverse("accounts:account"))
    expect(page.get_by_text(f"You can sign in with {PROVIDER_LABEL}")).to_be_visible()
    assert_accessible(page)

    # The administrator sees the link.
    admin_page.goto(reverse("accounts:staff-member", args=[alice.pk]))
    expect(admin_page.get_by_text(f"Linked to {PROVIDER_LABEL}")).to_be_visible()
    assert_accessible(admin_page)


def test_a_deactivated_account_and_someone_with_no_account_are_refused(page, provider,
                                                                       camhs_team):
    dan = make_user("dan.local", camhs_team, is_active=False)
    SingleSignOnIdentity.objects.create(
        user=dan, provider="test", issuer=provider.issuer,
        subject=ACCOUNTS["dan.departed"]["claims"]["sub"], linked_at=timezone.now())

    at_the_provider(page, "dan.departed")
    expect(page.get_by_text("This account is not active")).to_be_visible()
    assert_accessible(page)
    page.goto(reverse("care:caseload"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()  # someone else at the same computer
    at_the_provider(page, "sam.stranger")
    expect(page.get_by_role("heading", level=1)).to_have_text("Link your account")
    expect(page.get_by_text("until your agency administrator has set up your account")
           ).to_be_visible()
    assert_accessible(page)
    page.goto(reverse("care:caseload"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)


def test_an_agency_with_passwords_off_points_the_password_form_to_single_sign_on(
        page, provider, camhs_team):
    camhs_team.agency.passwords_allowed = False
    camhs_team.agency.save()
    make_user("pat.practitioner", camhs_team)

    password_sign_in(page, "pat.practitioner")

    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Staff of Test CAMHS sign in with single sign-on, not a password")
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    assert_accessible(page)


def test_a_system_administrator_turns_passwords_off_and_unlinks_an_account(page, provider,
                                                                           camhs_team):
    make_user("sys.admin", None, Role.SYSTEM_ADMIN)
    alice = make_user("alice.local", camhs_team)
    SingleSignOnIdentity.objects.create(
        user=alice, provider="test", issuer=provider.issuer,
        subject=ACCOUNTS["alice.adams"]["claims"]["sub"], linked_at=timezone.now())

    password_sign_in(page, "sys.admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies and staff")
    assert_accessible(page)
    page.goto(reverse("accounts:agency-staff", args=[camhs_team.agency_id]))
    expect(page.get_by_text("Staff may sign in with a password or with single sign-on")
           ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change password sign-in").click()
    assert_accessible(page)
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("the password form refuses them")).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("accounts:staff-member", args=[alice.pk]))
    expect(page.get_by_text("Off: single sign-on only")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Unlink single sign-on").click()
    assert_accessible(page)
    page.get_by_role("button", name="Unlink single sign-on").click()
    expect(page.get_by_text("Single sign-on is unlinked")).to_be_visible()
    expect(page.get_by_text("Not linked")).to_be_visible()
    assert_accessible(page)
