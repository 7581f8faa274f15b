"""The test suite: SQLite unless DATABASE_URL says otherwise; fast hashing is NOT used, so
sign-in tests exercise Argon2 exactly as production does."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
# Argon2 stays, with cheap parameters only in tests, so sign-ins in tests are quick.
PASSWORD_HASHERS = ["thrive.accounts.hashers.FastArgon2PasswordHasher"]
# The demo generator builds the tests' localities (as in local settings; never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "thrive.demo"]  # noqa: F405
