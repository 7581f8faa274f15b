import json
from pathlib import Path

import pytest

# The browser helpers (Chromium, pages that must all pass axe, the report hook they rely on).
from thrive.browser_tests.conftest import (  # noqa: F401 - fixtures and hook used by name
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)
from thrive.directory import services

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "oruk" / "examples"


def example(name: str):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo_directory(db):
    services.load_demo()
