"""The `thrive` command accepts command names as the issues and docs write them, with hyphens."""

import subprocess
import sys
from pathlib import Path

from thrive.cli import command_line


def test_hyphenated_command_names_run_the_django_command():
    assert command_line(["thrive", "import-mhsds", "my-dir", "--out", "x-y"]) == \
        ["thrive", "import_mhsds", "my-dir", "--out", "x-y"]
    assert command_line(["thrive", "cyp-outcomes", "--from", "2024-01-01"])[1] == "cyp_outcomes"
    assert command_line(["thrive", "--version"]) == ["thrive", "--version"]
    assert command_line(["thrive"]) == ["thrive"]


def test_thrive_import_mhsds_help_from_the_shell():
    thrive = Path(sys.executable).with_name("thrive")
    env = {"DJANGO_SETTINGS_MODULE": "thrive.config.settings.test", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(thrive), "import-mhsds", "--help"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "MHSDS" in result.stdout
