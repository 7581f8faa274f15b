"""Progress of long commands: the stage, rows done, the rate and the time left.

Library code marks its stages and says nothing unless a command has asked for progress:

    with progress.stage("contacts", total=n, unit="rows") as bar:   # in the library
        for batch in batches:
            bar.update(len(batch))

    with progress.shown():                                           # in a command's handle()
        build_platform_extract(out)

On a terminal (standard error is a TTY, TERM is not "dumb", CI is not set) each stage is a live
tqdm bar on standard error. Anywhere else - a log, CI, a pipe, a test - each stage is one plain
line on standard error when it ends ("contacts: 1,234,567 rows in 8.2 s, 150,000 rows/s"), so logs
stay readable and standard output (which may be a CSV) is never touched.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

from tqdm import tqdm

_stream: ContextVar[TextIO | None] = ContextVar("thrive_progress_stream", default=None)


def on_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb" \
        and not os.environ.get("CI")


@contextmanager
def shown(stream: TextIO | None = None) -> Iterator[None]:
    """Report the stages run inside this block (to standard error unless told otherwise)."""
    token = _stream.set(stream or sys.stderr)
    try:
        yield
    finally:
        _stream.reset(token)


class _Quiet:
    def update(self, n: int = 1) -> None:
        pass


class _Plain:
    """One line when the stage ends: nothing per row in a log."""

    def __init__(self, stream: TextIO, name: str, unit: str):
        self.stream, self.name, self.unit = stream, name, unit
        self.done, self.started = 0, time.perf_counter()

    def update(self, n: int = 1) -> None:
        self.done += n

    def close(self) -> None:
        seconds = time.perf_counter() - self.started
        line = f"{self.name}: "
        if self.unit:
            line += f"{self.done:,} {self.unit} in {seconds:.1f} s"
            if seconds >= 0.1 and self.done:
                line += f", {self.done / seconds:,.0f} {self.unit}/s"
        else:
            line += f"done in {seconds:.1f} s"
        self.stream.write(line + "\n")
        self.stream.flush()


@contextmanager
def stage(name: str, *, total: int | None = None, unit: str = "rows") -> Iterator:
    """A stage of a long command; `update(n)` as rows are done. `total`, when known, gives
    the time left. `unit=""` for a stage that is one step (just its time)."""
    stream = _stream.get()
    if stream is None:
        yield _Quiet()
        return
    if on_terminal(stream):
        bar = tqdm(total=total, desc=name, unit=f" {unit}" if unit else "it", unit_scale=True,
                   file=stream, dynamic_ncols=True, leave=True)
        try:
            yield bar
        finally:
            bar.close()
    else:
        plain = _Plain(stream, name, unit)
        yield plain
        plain.close()  # not after a failure: the error says what happened
