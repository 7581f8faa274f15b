"""Recomputing the dashboard figures on demand (the page's button) or on a schedule (the
`refresh_analytics` command from cron), one refresh at a time.

A second refresh while one runs is refused rather than queued: the running one will publish
figures at least as new. The aggregates directory is swapped in whole (dashboards.refresh), so
readers never see half a refresh either way.

"One at a time" holds across application hosts on PostgreSQL: besides the file lock (one host),
a refresh from the platform's records (the page's button, cron on every host) takes a PostgreSQL
advisory lock named after the figures' directory (decision 0023). A refresh from a given extract
(an analyst's import) needs no database and keeps the file lock only; two at once on different
hosts would each swap in a whole directory, the later one winning.
"""

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from . import dashboards
from .platform_extract import build_platform_extract
from .workdirs import work_dir


class RefreshBusy(Exception):
    """Another refresh of the same figures is running."""


BUSY = "The figures are already being recomputed. Try again in a few minutes."


def lock_key(out_dir: Path) -> int:
    """The advisory lock's number for a directory of figures (a signed 64-bit integer)."""
    digest = hashlib.sha256(f"thrive-analytics-refresh:{out_dir.name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _across_hosts(out_dir: Path):
    if connection.vendor != "postgresql":
        yield
        return
    key = lock_key(out_dir)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise RefreshBusy(BUSY)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextmanager
def _exclusive(out_dir: Path, *, across_hosts: bool = False):
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as busy:
            raise RefreshBusy(BUSY) from busy
        try:
            if across_hosts:
                with _across_hosts(out_dir):
                    yield
            else:
                yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def refresh(out_dir: str | os.PathLike, extract: str | os.PathLike | None = None) -> dict:
    """Recompute every aggregate from an extract or, by default, from the platform's own records."""
    out = Path(out_dir)
    if extract is not None:
        with _exclusive(out):
            return dashboards.refresh(extract, out)
    with _exclusive(out, across_hosts=True):
        # The platform's records as an extract: person-level, so in a working directory that
        # goes however the refresh ends (workdirs.py).
        with work_dir(out.parent, "platform-extract") as tmp:
            build_platform_extract(tmp / "extract")
            return dashboards.refresh(tmp / "extract", out)
