"""Long commands show their progress: a live bar on a terminal, plain lines in logs and CI."""

import io
import re

import pytest
from django.core.management import call_command

from thrive.core import progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def terminal_env(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_on_a_terminal_a_stage_shows_rows_rate_and_time_left(terminal_env):
    out = Terminal()
    with progress.shown(out), progress.stage("contacts", total=1000) as bar:
        for _ in range(10):
            bar.update(100)
    text = out.getvalue()
    assert "\r" in text  # redrawn in place
    assert "contacts" in text and "100%" in text and "rows/s" in text
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", text)  # time taken < time left


def test_in_ci_or_a_log_each_stage_is_one_plain_line(monkeypatch):
    monkeypatch.setenv("CI", "true")
    out = Terminal()  # even a terminal, under CI
    with progress.shown(out):
        with progress.stage("contacts", total=1000) as bar:
            bar.update(600)
            bar.update(400)
        with progress.stage("the metric", unit=""):
            pass
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in out.getvalue()
    assert re.fullmatch(r"contacts: 1,000 rows in \d+\.\d s(, [\d,]+ rows/s)?", lines[0])
    assert re.fullmatch(r"the metric: done in \d+\.\d s", lines[1])


def test_a_failed_stage_does_not_claim_to_be_done():
    out = io.StringIO()
    with pytest.raises(ValueError), progress.shown(out), progress.stage("contacts") as bar:
        bar.update(5)
        raise ValueError("broken file")
    assert out.getvalue() == ""


def test_library_code_is_silent_unless_a_command_asks(capsys):
    with progress.stage("contacts", total=10) as bar:
        bar.update(10)
    assert capsys.readouterr() == ("", "")


@pytest.mark.django_db
def test_build_extract_reports_each_table_on_stderr_and_keeps_stdout_as_it_was(tmp_path):
    from thrive.conftest import make_young_person

    make_young_person()
    out, err = io.StringIO(), io.StringIO()
    call_command("build_extract", "--out", str(tmp_path / "x"), stdout=out, stderr=err)
    assert out.getvalue().startswith("Extract written to") and out.getvalue().count("\n") == 1
    lines = err.getvalue().splitlines()
    assert "extract: people: 1 rows in" in lines[0]
    assert [line.split(":")[1].strip() for line in lines] == [
        "people", "referrals", "contacts", "scores", "groupings", "goals", "risk_plans",
        "collaborate", "decision_options"]
