"""The engine is pure Python: importing it must not import Django."""

import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1]


def test_engine_source_never_mentions_django_imports():
    for path in (ENGINE / "engine").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path.name


def test_importing_the_engine_loads_no_django():
    src = ENGINE.parents[1]
    code = (
        "import sys; import thrive.measures.engine as e; e.get_catalogue(); "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=src, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(src), "PATH": ""},
    )  # fmt: skip
    assert out.stdout.strip() == "False"
