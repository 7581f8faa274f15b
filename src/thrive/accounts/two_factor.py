"""Two-step sign-in: a time-based code from an authenticator app (TOTP, django-otp's otp_totp),
with ten single-use recovery codes (otp_static) for when the phone is lost.

Optional for anyone; required for the roles in `THRIVE_2FA_REQUIRED_ROLES`. A user "has
two-step sign-in" when they have a confirmed authenticator device. Each operation that changes it
is one transaction and writes the audit log (never a key or a code).
"""

from dataclasses import dataclass
from datetime import timedelta

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken

from .models import User

RECOVERY_CODES = 10
APP_DEVICE = "Authenticator app"
RECOVERY_DEVICE = "Recovery codes"


def required_for(user: User) -> bool:
    """Whether the user's role must use two-step sign-in (settings.THRIVE_2FA_REQUIRED_ROLES)."""
    return user.role in settings.THRIVE_2FA_REQUIRED_ROLES


def app_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_on(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Setting it up ---------------------------------------------------------------------------

def pending_device(user: User) -> TOTPDevice:
    """The not-yet-confirmed device being set up: the same key until it is confirmed, so
    reloading the page does not change the QR code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code: drawn on the server, no request elsewhere."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#212b32", light="#ffffff", omitsize=False)


def key_for_typing(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def confirm_setup(request, code: str) -> list[str]:
    """Check a code from the app against the pending device; on success turn two-step sign-in
    on, mark this session as verified and return the new recovery codes (shown once)."""
    user = request.user
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, confirmed=False).order_by("pk").first())
        if device is None:
            raise RuleBroken("This page was not opened properly. Start setting up again.", "code")
        if not device.verify_token("".join(code.split())):
            raise RuleBroken("Enter the 6-digit code your authenticator app shows now", "code")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(request, AuditEvent.Action.CHANGE, obj=user,
                     detail="staff: two-step sign-in turned on")
    django_otp.login(request, device)
    return codes


def new_recovery_codes(request) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working)."""
    with transaction.atomic():
        if not is_on(request.user):
            raise RuleBroken("Turn on two-step sign-in first.")
        codes = _new_recovery_codes(request.user)
        audit.record(request, AuditEvent.Action.CHANGE, obj=request.user,
                     detail="staff: new recovery codes")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(request, code: str) -> None:
    """The user turns it off themselves, proving it with a current code (or a recovery code).
    Refused where their role requires it."""
    user = request.user
    if required_for(user):
        raise RuleBroken("Your role needs two-step sign-in, so you cannot turn it off.")
    # Checked outside the removal's transaction, so a wrong code still counts for throttling.
    if verify(user, code) is None:
        raise RuleBroken("Enter a correct code from your authenticator app, or a recovery code",
                         "code")
    with transaction.atomic():
        _remove_devices(user)
        audit.record(request, AuditEvent.Action.CHANGE, obj=user,
                     detail="staff: two-step sign-in turned off")


def reset(request, target: User) -> None:
    """An administrator removes someone's authenticator and recovery codes (a lost phone). They
    sign in with their password alone next time, and set it up again if their role needs it.
    The caller checks that the administrator may manage `target`."""
    with transaction.atomic():
        _remove_devices(target)
        audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                     detail="staff: two-step sign-in reset")


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# --- Signing in ------------------------------------------------------------------------------

@dataclass
class Verified:
    device: TOTPDevice | StaticDevice
    used_recovery_code: bool


class Throttled(Exception):
    """Too many wrong codes in a row: django-otp makes the user wait (doubling each time)."""

    def __init__(self, until):
        self.until = until


def verify(user: User, code: str) -> Verified | None:
    """A code from the app (6 digits) or an unused recovery code; None if neither matches.
    Raises Throttled while django-otp asks the user to wait after wrong codes."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    if len(code) == 6 and code.isdigit():
        devices, recovery = list(TOTPDevice.objects.filter(user=user, confirmed=True)), False
    else:
        devices, recovery = list(StaticDevice.objects.filter(user=user, confirmed=True)), True
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            raise Throttled((data or {}).get("locked_until") or timezone.now()
                            + timedelta(seconds=1))
        if django_otp.verify_token(user, device.persistent_id, code) is not None:
            return Verified(device, recovery)
    return None
