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
import shutil
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
    # A management command's OutputWrapper ends every write with a newline; a live bar redraws
    # its line, so it needs the stream underneath.
    stream = getattr(stream, "_out", stream) or sys.stderr
    token = _stream.set(stream)
    try:
        yield
    finally:
        _stream.reset(token)


def live() -> bool:
    """Is a live bar being shown (so counting rows ahead, for the time left, is worth it)?"""
    stream = _stream.get()
    return stream is not None and on_terminal(stream)


class _Quiet:
    def update(self, n: int = 1) -> None:
        pass


class _Plain:
    """One line when the stage ends, and one a minute while a long one runs: never a line per
    row in a log."""

    EVERY = 60.0  # seconds between lines of a long stage

    def __init__(self, stream: TextIO, name: str, unit: str, total: int | None):
        self.stream, self.name, self.unit, self.total = stream, name, unit, total
        self.done, self.started = 0, time.perf_counter()
        self.said = self.started

    def update(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.said >= self.EVERY:
            self.said = now
            of = f" of {self.total:,}" if self.total else ""
            self._line(f"{self.done:,}{of} {self.unit} so far", now - self.started)

    def close(self) -> None:
        seconds = time.perf_counter() - self.started
        if self.unit:
            self._line(f"{self.done:,} {self.unit} in {seconds:.1f} s", seconds)
        else:
            self.stream.write(f"{self.name}: done in {seconds:.1f} s\n")
            self.stream.flush()

    def _line(self, text: str, seconds: float) -> None:
        if seconds >= 0.1 and self.done:
            text += f", {self.done / seconds:,.0f} {self.unit}/s"
        self.stream.write(f"{self.name}: {text}\n")
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
        # The width once, with a fallback: a terminal that reports 0 columns (a pty nobody
        # sized) would otherwise get an empty bar.
        width = shutil.get_terminal_size((100, 24)).columns or 100
        bar = tqdm(total=total, desc=name, unit=f" {unit}" if unit else "it", unit_scale=True,
                   file=stream, ncols=width, leave=True)
        try:
            yield bar
        finally:
            bar.close()
    else:
        plain = _Plain(stream, name, unit, total)
        yield plain
        plain.close()  # not after a failure: the error says what happened
