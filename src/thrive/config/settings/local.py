"""A laptop: the demo locality on SQLite, debug pages on."""

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = SECRET_KEY or "local-demo-only-not-secret"  # noqa: F405
