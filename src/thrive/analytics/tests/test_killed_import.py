"""A stopped or killed import leaves the previous extract whole and no person-level working files
behind (at once when stopped; at the next run when killed outright)."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from thrive.analytics.mhsds_import import import_mhsds
from thrive.analytics.workdirs import PREFIX, swap_in

from .test_import_mhsds import GOOD, write

# Imports the CSVs in argv[1] into argv[2], and sends itself the signal named in argv[3] as soon
# as the first table of the new extract is written: part way, deterministically.
DIES_PART_WAY = """
import os, signal, sys
from thrive.cli import _exit_on_terminate
signal.signal(signal.SIGTERM, _exit_on_terminate)
from thrive.analytics import schema
from thrive.analytics.mhsds_import import import_mhsds
real = schema._write_table
def write_then_die(*args):
    rows = real(*args)
    os.kill(os.getpid(), getattr(signal, sys.argv[3]))
    return rows
schema._write_table = write_then_die
import_mhsds(sys.argv[1], sys.argv[2])
"""


def import_that_dies(source: Path, out: Path, signal_name: str) -> int:
    src = str(Path(__file__).resolve().parents[3])
    done = subprocess.run([sys.executable, "-c", DIES_PART_WAY, str(source), str(out), signal_name],
                          env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"}, capture_output=True,
                          timeout=120)
    return done.returncode


def working_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(PREFIX))


@pytest.fixture
def imported_once(tmp_path):
    out = tmp_path / "analytics" / "extract-mhsds"
    first = import_mhsds(write(tmp_path, GOOD), out).manifest
    return out, first


def test_an_import_stopped_part_way_keeps_the_old_extract_and_leaves_nothing(tmp_path, imported_once):
    out, first = imported_once
    returncode = import_that_dies(tmp_path / "csv", out, "SIGTERM")
    assert returncode == 128 + signal.SIGTERM
    assert json.loads((out / "manifest.json").read_text()) == first
    assert working_files(out.parent) == []


def test_an_import_killed_outright_keeps_the_old_extract_and_the_next_run_removes_its_files(
        tmp_path, imported_once):
    out, first = imported_once
    returncode = import_that_dies(tmp_path / "csv", out, "SIGKILL")
    assert returncode == -signal.SIGKILL
    assert json.loads((out / "manifest.json").read_text()) == first
    assert working_files(out.parent), "a SIGKILL cannot clean up; the next run must"
    second = import_mhsds(tmp_path / "csv", out).manifest
    assert working_files(out.parent) == []
    assert second["rows"] == first["rows"]


def test_swapping_in_exchanges_whole_directories(tmp_path):
    out, new = tmp_path / "extract", tmp_path / ".new"
    out.mkdir()
    (out / "manifest.json").write_text("old")
    new.mkdir()
    (new / "manifest.json").write_text("new")
    swap_in(new, out)
    assert (out / "manifest.json").read_text() == "new"
    assert (new / "manifest.json").read_text() == "old"
