"""A laptop: the demo locality on SQLite, debug pages on."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "local-demo-only-not-secret"  # noqa: F405
# The synthetic demo (load_demo, demo_signins: accounts with a published password) exists only
# here and in the tests, never in production settings.
INSTALLED_APPS = [*INSTALLED_APPS, "thrive.demo"]  # noqa: F405
