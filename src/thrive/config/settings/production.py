"""A real deployment: everything security-relevant comes from the environment."""

from .base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise RuntimeError("Set THRIVE_SECRET_KEY for production.")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
