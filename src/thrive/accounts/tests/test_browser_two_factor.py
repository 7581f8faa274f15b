"""Two-step sign-in in a real browser: a practitioner sets it up from their account page (QR code
or typed key, a code from the app, ten recovery codes), signs out, and signs in with password and
code; an administrator whose role requires it is led to set it up first. axe-core checks every
page."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from thrive.accounts.models import Role
from thrive.browser_tests.support import assert_accessible, sign_in
from thrive.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def app_code(key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed in from the page."""
    from base64 import b32decode
    secret = b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    totp = TOTP(secret)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def password_step(page, username):
    page.goto(reverse("accounts:sign-in"))
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_practitioner_turns_on_two_step_sign_in_and_signs_in_with_a_code(page, camhs_team):
    make_user("tia.twostep", camhs_team)
    sign_in(page, "tia.twostep")
    page.get_by_role("link", name=re.compile("Tia Tester")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(page)
    page.get_by_role("link", name="Set up two-step sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("[data-totp-key]").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Turn on two-step sign-in").click()  # no code: an error
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter code from your "
                                                                 "authenticator app")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(app_code(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in is on")
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)

    password_step(page, "tia.twostep")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    assert_accessible(page)
    page.get_by_label("Security code").fill("000000" if app_code(key, 1) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a correct security code")
    assert_accessible(page)
    page.wait_for_timeout(1500)  # django-otp asks for a moment's pause after a wrong code
    page.get_by_label("Security code").fill(app_code(key, 1))  # the app's next code
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert_accessible(page)


def test_a_role_that_requires_it_is_led_to_set_it_up(page, camhs_team, settings):
    settings.THRIVE_2FA_REQUIRED_ROLES = frozenset({"agency_admin"})
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    password_step(page, "ada.admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_text("Your role needs two-step sign-in")).to_be_visible()
    assert_accessible(page)
    page.goto(reverse("accounts:staff"))  # nothing else until it is set up
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    code = TOTP(device.bin_key)
    code.time = time.time()
    page.get_by_label("Code from your authenticator app").fill(f"{code.token():06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in is on")
    assert_accessible(page)
    page.get_by_role("link", name="Continue to your account").click()
    expect(page.get_by_text("you cannot turn it off")).to_be_visible()
    assert_accessible(page)
