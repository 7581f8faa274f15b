"""Single sign-on with OpenID Connect (decision 0024). Authlib is the relying party: it reads the
provider's discovery document, sends the authorization request with state, nonce and PKCE, and
checks the ID token (signature, issuer, audience, expiry, nonce). The rules here are ours:

- an account is found by the issuer and the ID token's `sub` only (`SingleSignOnIdentity`);
- the first single sign-on links an account only with a one-time code from an administrator
  (roles and agency are set in the platform, never taken from the provider);
- no account is ever created from a provider's claims; a deactivated account is refused;
- claims configured per provider (names, e-mail) are copied to the account at each sign-in.
"""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from authlib.integrations.django_client import OAuth, OAuthError
from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken

from .models import Agency, SingleSignOnIdentity, SingleSignOnLinkCode, User
from .sso_settings import Provider

log = logging.getLogger(__name__)

# In a session signed in through single sign-on: which provider, and the ID token (the hint for
# signing out at the provider too).
SESSION_KEY = "thrive_sso"
# Between the provider's answer and the link code: who the provider says this is.
PENDING = "thrive_sso_pending"
PENDING_SECONDS = 10 * 60
LINK_ATTEMPTS = 5
NEXT = "thrive_sso_next"
BACKEND = "django.contrib.auth.backends.ModelBackend"
# The provider's discovery document and keys are fetched again after this long.
METADATA_SECONDS = 60 * 60
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class SignInRefused(Exception):
    """The provider's answer does not sign anyone in; the message says why, for the person."""

    def __init__(self, message: str, *, title: str = "You cannot sign in", user=None):
        super().__init__(message)
        self.title, self.user = title, user


# --- Providers -------------------------------------------------------------------------------

def providers() -> dict[str, Provider]:
    return settings.THRIVE_OIDC_PROVIDERS


def provider_or_404(name: str) -> Provider:
    provider = providers().get(name)
    if provider is None:
        raise Http404("No such single sign-on provider")
    return provider


_clients: dict[Provider, tuple[object, float]] = {}


def client_for(provider: Provider):
    """Authlib's client for `provider`, kept (with the discovery document it has read) for an
    hour; settings changed in tests make a new one."""
    cached = _clients.get(provider)
    if cached is not None and time.monotonic() - cached[1] < METADATA_SECONDS:
        return cached[0]
    oauth = OAuth()
    client = oauth.register(
        provider.name, client_id=provider.client_id, client_secret=provider.client_secret,
        server_metadata_url=provider.metadata_url,
        client_kwargs={"scope": " ".join(provider.scopes), "code_challenge_method": "S256",
                       "token_endpoint_auth_method": provider.token_auth,
                       "default_timeout": 10},
    )
    _clients[provider] = (client, time.monotonic())
    return client


# --- Signing in ------------------------------------------------------------------------------

def begin(request, provider: Provider, next_path: str = ""):
    """The redirect to the provider's sign-in."""
    redirect_uri = request.build_absolute_uri(reverse("accounts:sso-callback",
                                                      args=[provider.name]))
    extra = {"acr_values": " ".join(provider.acr_values)} if provider.acr_values else {}
    try:
        response = client_for(provider).authorize_redirect(request, redirect_uri, **extra)
    except requests.RequestException:
        log.warning("single sign-on: provider %s unreachable", provider.name)
        raise SignInRefused(f"{provider.label} cannot be reached just now. Try again in a few "
                            "minutes, or sign in with your password if your agency allows it.",
                            title="Single sign-on is not available") from None
    request.session[NEXT] = next_path
    return response


@dataclass
class Answer:
    provider: Provider
    issuer: str
    subject: str
    claims: dict
    id_token: str


def answer(request, provider: Provider) -> Answer:
    """Check the provider's answer (the redirect back with a code) and fetch the claims."""
    client = client_for(provider)
    try:
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims or not token.get("id_token"):
            raise _failed(request, provider, f"{provider.label} did not say who you are. Try "
                                             "again.")
        metadata = client.load_server_metadata()
        # Discovery requires the document's issuer to be the one configured (and Authlib has
        # checked the ID token against the document's).
        if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer.rstrip("/"):
            raise _failed(request, provider, f"{provider.label} is not set up correctly here "
                          "(its issuer differs). Tell your system administrator.",
                          title="Single sign-on is not available")
        if metadata.get("userinfo_endpoint"):
            info = dict(client.userinfo(token=token))
            # The ID token names the person; userinfo may only add to it.
            if info.get("sub") != claims["sub"]:
                raise _failed(request, provider, f"{provider.label} gave two different answers. "
                                                 "Try again.")
            claims = {**info, **claims}
    except OAuthError as error:
        # A refused or cancelled sign-in, a replayed or forged answer, a token that fails its
        # checks (signature, issuer, audience, nonce, expiry).
        log.warning("single sign-on: %s answer refused (%s)", provider.name, error.error)
        raise _failed(request, provider, f"The sign-in with {provider.label} did not complete. "
                                         "Start again from the sign-in page.") from None
    except (requests.RequestException, ValueError):
        log.warning("single sign-on: provider %s unreachable or answered badly", provider.name)
        raise _failed(request, provider, f"{provider.label} cannot be reached just now. Try "
                      "again in a few minutes.", title="Single sign-on is not available") from None
    if provider.acr_values and claims.get("acr") not in provider.acr_values:
        raise _failed(request, provider, f"This service needs a stronger sign-in with "
                      f"{provider.label} (for example with your smartcard). Sign in again that "
                      "way.")
    return Answer(provider=provider, issuer=str(claims["iss"]), subject=str(claims["sub"]),
                  claims=claims, id_token=token["id_token"])


def _refuse(request, answer: Answer, message: str, *, user=None) -> SignInRefused:
    return _failed(request, answer.provider, message, user=user)


def _failed(request, provider: Provider, message: str, *, user=None,
            title: str = "You cannot sign in") -> SignInRefused:
    """Audit a refused single sign-on (outside any transaction that is about to roll back)."""
    audit.record(request, AuditEvent.Action.SIGN_IN_FAILED, user=user,
                 username=(user.get_username() if user else f"sso:{provider.name}")[:150],
                 detail=f"single sign-on ({provider.name}): {message}"[:200])
    return SignInRefused(message, user=user, title=title)


INACTIVE = "This account is not active. Ask your agency administrator."


def finish(request, answer: Answer):
    """Sign in the account linked to the answer's subject, or, if none is, keep the answer in
    the session for the link code. Returns the user signed in, or None when a code is needed."""
    identity = (SingleSignOnIdentity.objects.select_related("user")
                .filter(issuer=answer.issuer, subject=answer.subject).first())
    if identity is None:
        request.session[PENDING] = {
            "provider": answer.provider.name, "issuer": answer.issuer,
            "subject": answer.subject, "id_token": answer.id_token, "since": time.time(),
            "attempts": 0, "claims": _mapped_claims(answer.provider, answer.claims),
        }
        return None
    if not identity.user.is_active:
        raise _refuse(request, answer, INACTIVE, user=identity.user)
    _sign_in(request, identity, answer.provider, _mapped_claims(answer.provider, answer.claims),
             answer.id_token)
    return identity.user


def _mapped_claims(provider: Provider, claims: dict) -> dict:
    values = {}
    for field, claim in provider.claims:
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            values[field] = value.strip()[:User._meta.get_field(field).max_length]
    return values


def _sign_in(request, identity: SingleSignOnIdentity, provider: Provider, mapped: dict,
             id_token: str) -> None:
    user = identity.user
    with transaction.atomic():
        changed = [field for field, value in mapped.items() if getattr(user, field) != value]
        if changed:
            for field in changed:
                setattr(user, field, mapped[field])
            user.save(update_fields=changed)
            audit.record(request, AuditEvent.Action.CHANGE, obj=user, user=user,
                         detail="staff: " + ", ".join(f.replace("_", " ") for f in changed)
                                + f" from single sign-on ({provider.name})")
        identity.last_signed_in_at = timezone.now()
        identity.save(update_fields=["last_signed_in_at"])
        # Before login(), which keeps the session's data: the sign-in's audit entry names it.
        request.session[SESSION_KEY] = {"provider": provider.name, "id_token": id_token}
        request.session.pop(PENDING, None)
        login(request, user, backend=BACKEND)


def next_path(request) -> str:
    return request.session.pop(NEXT, "") or ""


# --- The first sign-in: linking with a code --------------------------------------------------

def pending(request) -> dict | None:
    data = request.session.get(PENDING)
    if not data or time.time() - data.get("since", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return data


def _hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def link(request, code: str) -> User:
    """Link the provider account waiting in the session to the account whose code this is, and
    sign in. Wrong codes: at most LINK_ATTEMPTS, then the person starts again."""
    data = pending(request)
    if data is None:
        raise SignInRefused("The time to enter your link code ran out. Sign in again.")
    provider = provider_or_404(data["provider"])
    answer = Answer(provider=provider, issuer=data["issuer"], subject=data["subject"],
                    claims={}, id_token=data["id_token"])
    refusal = None
    with transaction.atomic():
        entry = (SingleSignOnLinkCode.objects.select_for_update().select_related("user")
                 .filter(code_hash=_hash(code), expires_at__gt=timezone.now()).first())
        user = entry.user if entry else None
        if entry is None:
            refusal = "wrong code"
        elif not user.is_active:
            refusal = INACTIVE
        else:
            try:
                with transaction.atomic():
                    replaced = SingleSignOnIdentity.objects.filter(user=user, issuer=answer.issuer)
                    relinked = replaced.exists()
                    replaced.delete()
                    identity = SingleSignOnIdentity.objects.create(
                        user=user, provider=provider.name, issuer=answer.issuer,
                        subject=answer.subject, linked_at=timezone.now())
            except IntegrityError:  # this subject was linked to someone else meanwhile
                refusal = ("This sign-in is already linked to another account. Ask your agency "
                           "administrator.")
        if refusal is None:
            entry.delete()
            audit.record(request, AuditEvent.Action.CREATE, obj=identity, user=user,
                         detail=f"staff: single sign-on {'re' if relinked else ''}linked "
                                f"({provider.name})")
            _sign_in(request, identity, provider, data.get("claims") or {}, answer.id_token)
            return user
    if refusal != "wrong code":
        request.session.pop(PENDING, None)
        raise _refuse(request, answer, refusal, user=user)
    data["attempts"] += 1
    if data["attempts"] >= LINK_ATTEMPTS:
        request.session.pop(PENDING, None)
        raise _refuse(request, answer, "Too many wrong link codes. Sign in again, and check the "
                                       "code with your agency administrator.")
    request.session[PENDING] = data
    _refuse(request, answer, "wrong link code")
    raise RuleBroken("Enter the link code your agency administrator gave you, exactly as they "
                     "gave it. It may have expired: they can give you a new one.", "code")


# --- Signing out -----------------------------------------------------------------------------

def provider_sign_out_url(request, session_data: dict | None) -> str | None:
    """Where to send someone who signed in with single sign-on, so that they are signed out of
    the provider too (RP-initiated logout), or None if the provider has no such endpoint."""
    if not session_data:
        return None
    provider = providers().get(session_data.get("provider", ""))
    if provider is None:
        return None
    client = client_for(provider)
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:sign-in")),
            id_token_hint=session_data.get("id_token"), client_id=provider.client_id)["url"]
    except (requests.RequestException, ValueError, RuntimeError):
        log.warning("single sign-on: provider %s unreachable at sign-out", provider.name)
        return None


# --- Administration --------------------------------------------------------------------------

def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def issue_link_code(request, target: User, *, version: str) -> str:
    """A new one-time link code for `target` (returned, to be shown once); any earlier one stops
    working. Their next single sign-on from a provider account not yet linked links it."""
    from . import services

    actor = request.user
    if not providers():
        raise RuleBroken("Single sign-on is not set up for this service.")
    with transaction.atomic():
        target = services._locked(target)
        if services.version_of(target) != version:
            raise RuleBroken(STALE)
        services.require_may_manage(actor, target)
        if not target.is_active:
            raise RuleBroken(f"{target.display_name}'s account is deactivated. Reactivate it "
                             "first.")
        code = _new_code()
        days = settings.THRIVE_OIDC_LINK_CODE_DAYS
        SingleSignOnLinkCode.objects.update_or_create(user=target, defaults={
            "code_hash": _hash(code), "expires_at": timezone.now() + timedelta(days=days),
            "created_by": actor})
        audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                     detail="staff: single sign-on link code issued")
    return code


def unlink(request, target: User, *, version: str) -> int:
    """Remove every provider account linked to `target` (and any unused link code)."""
    from . import services

    with transaction.atomic():
        target = services._locked(target)
        if services.version_of(target) != version:
            raise RuleBroken(STALE)
        services.require_may_manage(request.user, target)
        removed, _ = target.sso_identities.all().delete()
        SingleSignOnLinkCode.objects.filter(user=target).delete()
        if not removed:
            raise RuleBroken(f"{target.display_name} has no single sign-on linked.")
        audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                     detail="staff: single sign-on unlinked")
    return removed


def set_passwords_allowed(request, agency: Agency, *, allowed: bool) -> Agency:
    """Switch password sign-in on or off for an agency's staff (system administrators only)."""
    from . import services

    services.require_system_admin(request.user)
    if not allowed and not providers():
        raise RuleBroken("Set up single sign-on before turning passwords off: otherwise no one "
                         "at this agency could sign in.")
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.passwords_allowed != allowed:
            agency.passwords_allowed = allowed
            agency.save(update_fields=["passwords_allowed"])
            audit.record(request, AuditEvent.Action.CHANGE, obj=agency,
                         detail=f"staff: password sign-in {'on' if allowed else 'off'}")
    return agency
