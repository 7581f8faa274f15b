"""Time the demo generator, the database load on SQLite, and build_extract (the platform's
records as the analytics extract).

    .venv/bin/python benchmarks/bench_demo_generator.py            # 2,000 and 20,000
    .venv/bin/python benchmarks/bench_demo_generator.py 100000     # any sizes

Each size gets a fresh, migrated SQLite file in a temporary directory (the real var/ database
is never touched). "generate" is the pure generator alone (records made, nothing kept);
"load" is generate + write, as `thrive load_demo` does it; "build_extract" reads the loaded
records back into the Parquet extract the dashboards are computed from.
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
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/first.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from thrive.analytics.platform_extract import build_platform_extract  # noqa: E402
from thrive.demo import writer  # noqa: E402
from thrive.demo.generator import generate  # noqa: E402

SEED = 2026
TODAY = date(2026, 3, 2)  # fixed, so runs on different days compare


def fresh_database(name: str) -> Path:
    path = Path(_tmp.name) / name
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    call_command("migrate", verbosity=0, skip_checks=True)
    return path


def generate_only(young_people: int) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    demo = generate(SEED, young_people, today=TODAY)
    records = len(demo.locality.users)
    for history in demo.histories():
        records += 1 + len(history.carers)
        for b in history.episodes:
            records += (1 + len(b.decisions) + len(b.goals) + len(b.ratings) + len(b.contacts)
                        + (b.ending is not None))
    return time.perf_counter() - started, time.process_time() - cpu, records


def load(young_people: int) -> tuple[float, float, dict[str, int], Path]:
    path = fresh_database(f"demo-{young_people}.sqlite3")
    started, cpu = time.perf_counter(), time.process_time()
    counts = writer.write(generate(SEED, young_people, today=TODAY))
    return time.perf_counter() - started, time.process_time() - cpu, counts, path


def extract(path: Path) -> tuple[float, float, int]:
    started, cpu = time.perf_counter(), time.process_time()
    manifest = build_platform_extract(path.with_suffix(".extract"))
    return time.perf_counter() - started, time.process_time() - cpu, sum(manifest["rows"].values())


def main(sizes: list[int]) -> None:
    print(f"SQLite {connection.Database.sqlite_version}, seed {SEED}, today {TODAY}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("Wall-clock seconds, with CPU seconds of this process in brackets (on a busy machine "
          "the CPU figure is the steadier one).")
    for n in sizes:
        gen_wall, gen_cpu, records = generate_only(n)
        load_wall, load_cpu, counts, path = load(n)
        rows = sum(counts.values())
        extract_wall, extract_cpu, extract_rows = extract(path)
        print(f"\n{n:,} young people")
        print(f"  generate only   {gen_wall:7.1f} s ({gen_cpu:6.1f})  {records:>11,} records "
              f"({records / gen_cpu:,.0f}/CPU s)")
        print(f"  generate + load {load_wall:7.1f} s ({load_cpu:6.1f})  {rows:>11,} rows    "
              f"({rows / load_cpu:,.0f}/CPU s)   {path.stat().st_size / 1e6:,.0f} MB")
        print(f"  build_extract   {extract_wall:7.1f} s ({extract_cpu:6.1f})  {extract_rows:>11,} rows    "
              f"({extract_rows / extract_cpu:,.0f}/CPU s)")
        for table, count in counts.items():
            print(f"    {table:<36} {count:>11,}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000, 20000])
