"""Recomputing the dashboard figures on demand (the page's button) or on a schedule (the
`refresh_analytics` command from cron), one refresh at a time.

A second refresh while one runs is refused rather than queued: the running one will publish
figures at least as new. The aggregates directory is swapped in whole (dashboards.refresh), so
readers never see half a refresh either way.
"""

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from . import dashboards
from .platform_extract import build_platform_extract
from .workdirs import work_dir


class RefreshBusy(Exception):
    """Another refresh of the same figures is running."""


@contextmanager
def _exclusive(out_dir: Path):
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as busy:
            raise RefreshBusy("The figures are already being recomputed. "
                              "Try again in a few minutes.") from busy
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def refresh(out_dir: str | os.PathLike, extract: str | os.PathLike | None = None) -> dict:
    """Recompute every aggregate from an extract or, by default, from the platform's own records."""
    out = Path(out_dir)
    with _exclusive(out):
        if extract is not None:
            return dashboards.refresh(extract, out)
        # The platform's records as an extract: person-level, so in a working directory that
        # goes however the refresh ends (workdirs.py).
        with work_dir(out.parent, "platform-extract") as tmp:
            build_platform_extract(tmp / "extract")
            return dashboards.refresh(tmp / "extract", out)
