"""Working directories that hold person-level data, and putting a finished directory in place.

An import or a refresh writes into a hidden working directory beside its destination (the same
filesystem, so finishing is a rename) and then swaps it in:

- the swap is one atomic exchange of the two directories (Linux renameat2 RENAME_EXCHANGE), so a
  reader sees the old extract or the new one, never none, and a kill at any point leaves one;
- every working directory is named with its process id and removed when the work ends, fails or
  is stopped (SIGTERM and Ctrl+C unwind through the `finally`); one left by a process that was
  killed outright (SIGKILL, power cut) is removed by the next run that works in that folder.
"""

import ctypes
import ctypes.util
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = ".thrive-work-"
_OWNER = re.compile(re.escape(PREFIX) + r"[a-z-]+-(\d+)-")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove working directories whose process is gone; return what was removed."""
    removed = []
    if not folder.is_dir():
        return removed
    for child in folder.iterdir():
        owner = _OWNER.match(child.name)
        if owner and int(owner.group(1)) != os.getpid() and not _alive(int(owner.group(1))):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


@contextmanager
def work_dir(beside: Path, purpose: str) -> Iterator[Path]:
    """A fresh working directory in `beside`, removed however the work ends."""
    beside.mkdir(parents=True, exist_ok=True)
    sweep(beside)
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{purpose}-{os.getpid()}-", dir=beside))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories; False where the system cannot (not Linux, old kernel)."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    renameat2 = getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return done == 0


def swap_in(finished: Path, out: Path) -> None:
    """Put the directory `finished` at `out`. Whatever was at `out` ends up at `finished` (the
    caller's working directory, which it removes)."""
    if not out.exists():
        finished.rename(out)
        return
    if _exchange(finished, out):
        return
    # Without an atomic exchange: move the old one aside, then the new one in. A kill between
    # the two renames leaves the old extract under its working name, swept by the next run.
    aside = finished.with_name(finished.name + "-old")
    out.rename(aside)
    finished.rename(out)
    aside.rename(finished)
