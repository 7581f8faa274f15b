"""The demo's two writers side by side: the fast one (COPY / executemany) and bulk_create.

    .venv/bin/python benchmarks/bench_demo_load.py 5000                  # a fresh SQLite file
    DATABASE_URL=postgres://.../db .venv/bin/python benchmarks/bench_demo_load.py 5000

On PostgreSQL the database's demo rows are deleted first (use a database of your own). Each
writer loads the same seed into empty tables; prints seconds, young people a second and the load
average (the machine is shared: read the rate beside it).
"""

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.local")
_tmp = tempfile.TemporaryDirectory(prefix="thrive-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp.name}/demo.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from thrive.demo import writer  # noqa: E402
from thrive.demo.generator import generate  # noqa: E402


def empty() -> None:
    with connection.cursor() as cursor:
        for model in reversed(writer.MODELS):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def main():
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}, {people:,} young people")
    for label, fast in (("fast", True), ("bulk_create", False)):
        empty()
        load = open("/proc/loadavg").read().split()[:3]
        started = time.perf_counter()
        counts = writer.write(generate(2026, people, today=date(2026, 3, 2)), fast=fast)
        seconds = time.perf_counter() - started
        print(f"  {label:<12} {seconds:7.1f} s  {people / seconds:7.0f} young people/s  "
              f"{sum(counts.values()):,} rows  load average {' '.join(load)}")


if __name__ == "__main__":
    main()
