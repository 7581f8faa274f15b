"""A real deployment: everything security-relevant comes from the environment, and the settings
refuse to load (so nothing starts) when a required one is missing or unsafe (decision 0023).

Required: THRIVE_SECRET_KEY, THRIVE_ALLOWED_HOSTS (comma-separated host names), DATABASE_URL
(else the SQLite file in var/). Optional: THRIVE_TRUSTED_PROXIES (how many reverse proxies append
to X-Forwarded-For; with at least one, X-Forwarded-Proto says whether the request was HTTPS),
THRIVE_ANALYTICS_DIR, THRIVE_STATIC_ROOT, THRIVE_LOG_LEVEL, and single sign-on
(THRIVE_OIDC_PROVIDERS, accounts/sso_settings.py).
"""

import os

from thrive.accounts.sso_settings import insecure_issuers

from .base import *  # noqa: F403


class UnsafeSettings(RuntimeError):
    """A production setting is missing or unsafe; the message says which and how to fix it."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


if not SECRET_KEY:  # noqa: F405
    raise UnsafeSettings("Set THRIVE_SECRET_KEY for production (a long random string).")
if _flag("THRIVE_DEBUG") or _flag("DJANGO_DEBUG"):
    raise UnsafeSettings("DEBUG is never on in production: unset THRIVE_DEBUG.")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("THRIVE_ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise UnsafeSettings("Set THRIVE_ALLOWED_HOSTS to the host names the service answers to.")
if "thrive.demo" in INSTALLED_APPS:  # noqa: F405
    raise UnsafeSettings("The demo app (published passwords) must not be installed in production.")

# HTTPS. A TLS-terminating proxy tells us the original scheme; without trusting its header the
# HTTPS redirect would loop. Only trusted when a proxy is configured to be in front.
if THRIVE_TRUSTED_PROXIES > 0:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# THRIVE_HTTPS=off is for a server on loopback only (the smoke test, a health probe by hand):
# then every allowed host must be a loopback name.
HTTPS = os.environ.get("THRIVE_HTTPS", "on").strip().lower() not in {"0", "off", "false", "no"}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
if not HTTPS and not set(ALLOWED_HOSTS) <= LOOPBACK:
    raise UnsafeSettings("THRIVE_HTTPS=off is allowed only when THRIVE_ALLOWED_HOSTS is loopback.")
# Single sign-on over plain HTTP would expose codes and tokens: only with THRIVE_HTTPS=off.
if HTTPS and insecure_issuers(THRIVE_OIDC_PROVIDERS):  # noqa: F405
    raise UnsafeSettings("Single sign-on issuers must be https:// URLs: "
                         + ", ".join(insecure_issuers(THRIVE_OIDC_PROVIDERS)))  # noqa: F405
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# /health answers a load balancer's plain-HTTP probe without a redirect.
SECURE_REDIRECT_EXEMPT = [r"^health$"]

# Static files from the application itself (after collectstatic), so no separate file server.
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
# collectstatic puts compressed copies next to the originals; WhiteNoise serves them. Compressing
# the ~1,400 text assets takes minutes on a small machine: THRIVE_STATIC_COMPRESS=off copies only
# (the production smoke test does), and WhiteNoise then serves them uncompressed.
_COMPRESS = os.environ.get("THRIVE_STATIC_COMPRESS", "on").strip().lower() not in {"0", "off", "false", "no"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage" if _COMPRESS
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One JSON object a line on standard error, for a log collector. Messages only: no request
# bodies, no query strings, no exception messages (they may quote what a user typed).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "thrive.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("THRIVE_LOG_LEVEL", "WARNING")},
}
