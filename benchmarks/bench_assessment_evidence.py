"""Self-assessment live evidence over the 2,000-person demo: the budget is under 1 s.

    .venv/bin/python benchmarks/bench_assessment_evidence.py [--workdir /var/tmp/bench-assessment] [--runs 10]

Loads the demo (`thrive load_demo`, 2,000 young people) into a SQLite file in the work directory
the first time (or uses DATABASE_URL if set), extracts the platform's records to Parquet (as the
moderation page's "Recompute evidence" button does; timed, not part of the budget), then times:
- every indicator in assessment/evidence.py for a year's period and its four quarters, from cold
  (a fresh DuckDB connection each run, no cache);
- the whole moderation page (the lead's view of the open demo round: spread, notes, live
  evidence, agree form) through the Django test client, with the evidence cache cleared each run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", default="/var/tmp/bench-assessment")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--young-people", type=int, default=2000)
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'demo.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.local")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.THRIVE_ANALYTICS_DIR = work / "analytics"
    settings.ALLOWED_HOSTS = ["*"]
    from thrive.assessment import evidence, sources
    from thrive.assessment.models import Round
    from thrive.people.models import YoungPerson

    call_command("migrate", verbosity=0)
    if not YoungPerson.objects.exists():
        started = time.perf_counter()
        call_command("load_demo", "--young-people", str(args.young_people), verbosity=0)
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    people = YoungPerson.objects.count()
    started = time.perf_counter()
    manifest = sources.refresh_platform()
    extract_s = time.perf_counter() - started
    round_ = Round.objects.filter(status=Round.Status.OPEN).order_by("-id").first()
    start, end = round_.period_start, round_.period_end
    rows = sum(manifest["rows"].values())

    times, cpu = [], []
    for _ in range(args.runs):
        t, c = time.perf_counter(), time.process_time()
        result = evidence.evidence_for(sources.extract_dir("platform"), start, end)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    computed = sum(1 for r in result["indicators"] if "period" in r)

    client = Client()
    client.force_login(round_.lead)
    url = f"/self-assessment/{round_.public_id}/moderation/"
    page, page_cpu = [], []
    for _ in range(args.runs):
        sources._cache.clear()
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        page.append(time.perf_counter() - t)
        page_cpu.append(time.process_time() - c)
        assert response.status_code == 200, response.status_code
    cached = []
    for _ in range(args.runs):
        t = time.perf_counter()
        client.get(url)
        cached.append(time.perf_counter() - t)

    print(
        f"young people: {people:,}; extract rows: {rows:,}; period {start} to {end}; "
        f"{computed} indicators x 5 periods"
    )
    print(f"load average when finished: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| step | median s | max s | median CPU s (all threads) |")
    print("|---|---:|---:|---:|")
    print(f"| extract the platform's records (button; not in the budget) | {extract_s:.2f} | – | – |")

    def row(name, values, cpu_values):
        print(
            f"| {name} | {statistics.median(values):.3f} | {max(values):.3f} "
            f"| {statistics.median(cpu_values):.3f} |"
        )

    row("all indicators, period + 4 quarters, cold", times, cpu)
    row("moderation page, evidence computed", page, page_cpu)
    print(f"| moderation page, evidence cached | {statistics.median(cached):.3f} | {max(cached):.3f} | – |")


if __name__ == "__main__":
    main()
