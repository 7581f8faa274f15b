"""Cross-cutting request handling: security headers and the sign-in wall."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from .proxies import client_address

# Paths anyone may reach without signing in. The JSON API answers 401 itself rather than
# redirecting to a page.
PUBLIC_PREFIXES = (
    "/account/sign-in", "/static/", "/health", "/api/",
    # The community directory: public search and service pages, and the Open Referral UK API.
    "/directory/search/", "/directory/services/", "/openreferral/",
    # A provider's one-time link to suggest changes to their listing (directory.ProviderInvite).
    "/directory/suggest/",
    # Community THRIVE participants join and rate without an account.
    "/community/join/",
    # A one-time link to complete an outcome measure on one's own phone (measures.RemoteLink).
    "/measures/remote/",
)


def _sign_out_origins() -> str:
    """Signing out after a single sign-on redirects the sign-out form to the provider's
    end-session endpoint (decision 0024), which form-action must allow: the issuers' origins."""
    origins = set()
    for provider in getattr(settings, "THRIVE_OIDC_PROVIDERS", {}).values():
        parts = urlsplit(provider.issuer)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return "".join(f" {origin}" for origin in sorted(origins))


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Scripts run only from our own files, or inline with this response's nonce (the NHS.UK
        # page template's one-line "js-enabled" script and the components' initAll).
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:{map_tile_source()}; style-src 'self'; "
            # The NHS.UK frontend's licensed Frutiger font is served by the NHS, not by us.
            "font-src 'self' https://assets.nhs.uk; "
            f"script-src 'self' 'nonce-{request.csp_nonce}'; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
            + _sign_out_origins(),
        )
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        # Personal data must not linger in shared browsers' caches.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


def map_tile_source() -> str:
    """The host of THRIVE_MAP_TILE_URL (a "{s}" subdomain becomes "*."), with a leading space,
    for the CSP's img-src only; empty when no tile URL is set or it is on our own host."""
    url = getattr(settings, "THRIVE_MAP_TILE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}.", "*.")
    if any(c in host for c in "{} ;'\"\\"):
        return ""
    return f" {parts.scheme}://{host}"


def csp_nonce(request) -> dict:
    """Template context: `cspNonce` is the name the NHS.UK page template reads."""
    nonce = getattr(request, "csp_nonce", "")
    return {"cspNonce": nonce, "csp_nonce": nonce}


class SignInRequiredMiddleware:
    """Everything needs a signed-in user except the sign-in page and static assets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            # The next page is a path only, never a query string with identifiers in it.
            return redirect_to_login(request.path)
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Behind THRIVE_TRUSTED_PROXIES reverse proxies, REMOTE_ADDR becomes the client's address
    (proxies.py), so the audit log and the sign-in lockout (both read REMOTE_ADDR) see people, not
    the proxy. With no trusted proxies, nothing changes and X-Forwarded-For is ignored."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = getattr(settings, "THRIVE_TRUSTED_PROXIES", 0)

    def __call__(self, request):
        if self.trusted > 0:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), self.trusted)
        return self.get_response(request)
