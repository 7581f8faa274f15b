import json
from pathlib import Path

import pytest

from thrive.directory import services

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "oruk" / "examples"


def example(name: str):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo_directory(db):
    services.load_demo()
