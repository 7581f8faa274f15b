"""Two-step sign-in with real TOTP codes: setting it up, signing in with a code or a recovery
code, the lockout counting wrong codes, roles that require it, turning it off, and an
administrator's reset."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts import services, two_factor
from thrive.accounts.models import Role
from thrive.conftest import PASSWORD, make_user
from thrive.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
CODE = "/account/sign-in/code/"


def code_for(device, steps_ahead=0) -> str:
    """What the authenticator app shows (now, or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def next_code(device) -> str:
    """A code not used yet: a code works once, so after one is used the next step's code."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    return code_for(device, steps_ahead=1 if device.last_t >= now else 0)


def wrong_code(device) -> str:
    right = {code_for(device, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def turn_on(user) -> tuple[TOTPDevice, list[str]]:
    """Set up through the pages, as the user would."""
    client = Client()
    client.force_login(user)
    page = client.get(reverse("accounts:two-factor-setup")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two-factor-setup"), {"code": code_for(device)})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


def password_step(client, username="pat.practitioner", ip="127.0.0.1"):
    return client.post(SIGN_IN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


# --- Setting it up ---------------------------------------------------------------------------

def test_setting_up_needs_a_right_code_and_shows_ten_recovery_codes_once(signed_in, practitioner):
    url = reverse("accounts:two-factor-setup")
    page = signed_in.get(url).content.decode()
    assert "<svg" in page and "http" not in page.split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org", "")  # drawn here, no request elsewhere
    device = TOTPDevice.objects.get(user=practitioner, confirmed=False)
    key = re.search(r"<code data-totp-key>([A-Z2-7 ]+)</code>", page).group(1)
    assert len(key.replace(" ", "")) == 32
    # Reloading keeps the same key (the QR code already scanned stays valid).
    assert key in signed_in.get(url).content.decode()

    wrong = signed_in.post(url, {"code": wrong_code(device)}).content.decode()
    assert "There is a problem" in wrong and "Enter the 6-digit code" in wrong
    assert not two_factor.is_on(practitioner)

    done = signed_in.post(url, {"code": code_for(device)})
    page = done.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(set(codes)) == 10
    assert "only time these codes are shown" in page
    assert two_factor.is_on(practitioner)
    assert StaticToken.objects.filter(device__user=practitioner).count() == 10
    event = AuditEvent.objects.get(detail="staff: two-step sign-in turned on")
    assert event.user == practitioner
    for entry in AuditEvent.objects.all():
        assert not any(code in entry.canonical() for code in codes)
    # The codes are never shown again; the account page says how many are left.
    account = signed_in.get(reverse("accounts:account")).content.decode()
    assert "You have 10 recovery codes left" in account
    assert not any(code in account for code in codes)
    # This session passed the check, so it carries on.
    assert signed_in.get(reverse("care:caseload")).status_code == 200


# --- Signing in ------------------------------------------------------------------------------

def test_sign_in_asks_for_the_code_after_the_password(practitioner):
    device, _ = turn_on(practitioner)
    sign_ins = AuditEvent.objects.filter(action="sign_in", user=practitioner)
    before = sign_ins.count()
    client = Client()
    response = password_step(client)
    assert response.status_code == 302 and response.url == CODE
    # The password alone signs no one in.
    assert client.get(reverse("care:caseload")).status_code == 302
    assert sign_ins.count() == before

    page = client.get(CODE).content.decode()
    assert "Enter your security code" in page
    response = client.post(CODE, {"code": next_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("care:caseload")).status_code == 200
    assert sign_ins.count() == before + 1


def test_a_code_works_only_once(practitioner):
    device, _ = turn_on(practitioner)
    first = Client()
    password_step(first)
    code = next_code(device)
    first.post(CODE, {"code": code})
    second = Client()
    password_step(second)
    page = second.post(CODE, {"code": code}).content.decode()
    assert "Enter a correct security code" in page
    assert second.get(reverse("care:caseload")).status_code == 302


def test_a_recovery_code_signs_in_once(practitioner):
    _, codes = turn_on(practitioner)
    client = Client()
    password_step(client)
    response = client.post(CODE, {"code": codes[0].upper()}, follow=True)
    assert "You used a recovery code. You have 9 left" in response.content.decode()
    assert client.get(reverse("care:caseload")).status_code == 200

    again = Client()
    password_step(again)
    assert "Enter a correct security code" in again.post(CODE, {"code": codes[0]}).content.decode()


def test_the_code_step_expires(practitioner):
    device, _ = turn_on(practitioner)
    client = Client()
    password_step(client)
    session = client.session
    session["thrive_sign_in_pending"]["since"] -= 10 * 60
    session.save()
    response = client.post(CODE, {"code": next_code(device)})
    assert response.status_code == 302 and response.url == SIGN_IN
    assert "the time to enter your security code ran out" in client.get(SIGN_IN).content.decode()
    assert client.get(reverse("care:caseload")).status_code == 302


def test_the_code_step_without_a_password_goes_back_to_sign_in(client):
    response = client.get(CODE)
    assert response.status_code == 302 and response.url == SIGN_IN


def test_an_empty_code_says_what_to_enter(practitioner):
    turn_on(practitioner)
    client = Client()
    password_step(client)
    page = client.post(CODE, {"code": ""}).content.decode()
    assert "There is a problem" in page and "Enter security code" in page


# --- Lockout through the second step ----------------------------------------------------------

def test_wrong_codes_count_towards_the_lockout_for_that_user_and_address(practitioner,
                                                                          colleague):
    device, _ = turn_on(practitioner)
    client = Client()
    password_step(client, ip="10.1.1.1")
    failures_before = AuditEvent.objects.filter(action="sign_in_failed").count()
    responses = [client.post(CODE, {"code": wrong_code(device)}, REMOTE_ADDR="10.1.1.1")
                 for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses[-1].status_code == 429
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == (
        failures_before + settings.AXES_FAILURE_LIMIT)
    # Locked: the right password and code no longer get in from there...
    device.throttle_reset()
    again = Client()
    assert password_step(again, ip="10.1.1.1").status_code == 429
    # ...while a colleague at the same address still signs in.
    assert password_step(Client(), "cal.colleague", ip="10.1.1.1").status_code == 302


def test_the_right_password_does_not_reset_the_count_of_wrong_codes(practitioner):
    device, _ = turn_on(practitioner)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, ip="10.1.1.1")
        client.post(CODE, {"code": wrong_code(device)}, REMOTE_ADDR="10.1.1.1")
    password_step(client, ip="10.1.1.1")
    last = client.post(CODE, {"code": wrong_code(device)}, REMOTE_ADDR="10.1.1.1")
    assert last.status_code == 429


# --- Required per role ------------------------------------------------------------------------

@pytest.fixture
def admins_need_it(settings):
    settings.THRIVE_2FA_REQUIRED_ROLES = frozenset({"agency_admin"})


def test_a_role_that_requires_it_must_set_it_up_before_anything_else(admins_need_it, camhs,
                                                                       camhs_team):
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    client = Client()
    response = password_step(client, "ada.admin")
    assert response.status_code == 302
    setup = reverse("accounts:two-factor-setup")
    for url in (reverse("care:home"), reverse("accounts:staff"), reverse("accounts:account"),
                reverse("accounts:agency-staff", args=[camhs.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == setup, url
    page = client.get(setup).content.decode()
    assert "Your role needs two-step sign-in" in page
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    client.post(setup, {"code": code_for(device)})
    assert client.get(reverse("accounts:staff")).status_code == 302  # to their agency's list
    assert client.get(reverse("accounts:agency-staff", args=[camhs.pk])).status_code == 200
    # It cannot be turned off.
    account = client.get(reverse("accounts:account")).content.decode()
    assert "you cannot turn it off" in account
    refused = client.post(reverse("accounts:two-factor-off"), {"code": next_code(device)})
    assert "Your role needs two-step sign-in" in refused.content.decode()
    assert two_factor.is_on(admin)


def test_a_temporary_password_is_changed_before_setting_up(admins_need_it, camhs_team):
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN, must_change_password=True)
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("care:home")).url == reverse("accounts:password")


def test_other_roles_sign_in_with_a_password_alone(admins_need_it, practitioner):
    client = Client()
    password_step(client)
    assert client.get(reverse("care:caseload")).status_code == 200


# --- Turning it off, new codes, sessions -------------------------------------------------------

def test_turning_it_off_needs_a_code(practitioner):
    device, _ = turn_on(practitioner)
    client = Client()
    password_step(client)
    client.post(CODE, {"code": next_code(device)})
    url = reverse("accounts:two-factor-off")
    assert "Enter a correct code" in client.post(url, {"code": wrong_code(device)}).content.decode()
    assert two_factor.is_on(practitioner)
    device.throttle_reset()
    response = client.post(url, {"code": next_code(device)}, follow=True)
    assert "Two-step sign-in is off" in response.content.decode()
    assert not two_factor.is_on(practitioner)
    assert not StaticDevice.objects.filter(user=practitioner).exists()
    assert AuditEvent.objects.filter(detail="staff: two-step sign-in turned off").count() == 1
    # And the password alone signs in again.
    again = Client()
    password_step(again)
    assert again.get(reverse("care:caseload")).status_code == 200


def test_new_recovery_codes_replace_the_old(practitioner):
    device, old = turn_on(practitioner)
    client = Client()
    password_step(client)
    client.post(CODE, {"code": next_code(device)})
    page = client.post(reverse("accounts:recovery-codes")).content.decode()
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    other = Client()
    password_step(other)
    assert "Enter a correct" in other.post(CODE, {"code": old[1]}).content.decode()
    # A minute later (django-otp makes the user wait a moment after a wrong code):
    StaticDevice.objects.filter(user=practitioner).update(throttling_failure_count=0,
                                                          throttling_failure_timestamp=None)
    assert other.post(CODE, {"code": new[1]}).status_code == 302


def test_a_session_from_before_it_was_turned_on_ends(practitioner):
    older = Client()
    older.force_login(practitioner)
    assert older.get(reverse("care:caseload")).status_code == 200
    turn_on(practitioner)  # in another browser
    response = older.get(reverse("care:caseload"))
    assert response.status_code == 302 and response.url == SIGN_IN
    assert older.get(reverse("care:caseload")).url.startswith(SIGN_IN)


# --- An administrator's reset -----------------------------------------------------------------

def test_an_agency_admin_resets_a_lost_phone_and_it_is_audited(camhs_team, practitioner):
    device, _ = turn_on(practitioner)
    admin = make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)
    client = Client()
    client.force_login(admin)
    member_page = client.get(reverse("accounts:staff-member", args=[practitioner.pk]))
    assert "Reset two-step sign-in" in member_page.content.decode()
    url = reverse("accounts:staff-reset-two-factor", args=[practitioner.pk])
    stale = client.post(url, {"version": "old"}).content.decode()
    assert "There is a problem" in stale and two_factor.is_on(practitioner)
    response = client.post(url, {"version": services.version_of(practitioner)}, follow=True)
    assert "two-step sign-in is reset" in response.content.decode()
    assert not two_factor.is_on(practitioner)
    event = AuditEvent.objects.get(detail="staff: two-step sign-in reset")
    assert event.user == admin and event.object_id == str(practitioner.pk)
    # They sign in with their password alone.
    again = Client()
    password_step(again)
    assert again.get(reverse("care:caseload")).status_code == 200


def test_only_administrators_who_manage_them_may_reset_it(camhs_team, school_team, practitioner,
                                                         outsider):
    turn_on(practitioner)
    url = reverse("accounts:staff-reset-two-factor", args=[practitioner.pk])
    colleague = Client()
    colleague.force_login(make_user("cal.colleague", camhs_team))
    assert colleague.post(url, {"version": services.version_of(practitioner)}).status_code == 403
    other_admin = Client()
    other_admin.force_login(make_user("oz.admin", school_team, Role.AGENCY_ADMIN))
    assert other_admin.post(url, {"version": services.version_of(practitioner)}).status_code == 404
    assert two_factor.is_on(practitioner)
    assert not AuditEvent.objects.filter(detail="staff: two-step sign-in reset").exists()
