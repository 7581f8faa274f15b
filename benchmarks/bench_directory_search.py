"""Directory search over a 5,000-service directory: time to the first page of results.

    DJANGO_SETTINGS_MODULE=thrive.config.settings.test .venv/bin/python benchmarks/bench_directory_search.py
    (add DATABASE_URL=postgres://... to measure on PostgreSQL)

Builds a throwaway database (the test runner's), imports 5,000 services (the 60 Northvale
services, varied: new ids, names and places), then times each query many times and prints the
median and 95th percentile. The budget (docs/performance-directory.md) is 150 ms median.
"""

import copy
import os
import random
import statistics
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import get_runner, setup_test_environment  # noqa: E402

SERVICES = int(os.environ.get("BENCH_SERVICES", 5000))
REPEAT = int(os.environ.get("BENCH_REPEAT", 30))
QUERIES = [
    ("everything, first page", dict()),
    ("text: counselling", dict(text="counselling")),
    ("text: anxiety group teenagers", dict(text="anxiety group teenagers")),
    ("postcode within 5 miles", dict(postcode="NV1 1AA", within_miles=5)),
    ("text + postcode + age + need", dict(text="youth", postcode="NV2 1AA", within_miles=10,
                                          age=14, need="thriving")),
    ("open on Saturday + kind", dict(day="SA", kind="group")),
    ("open now", dict(open_now=True)),
    ("text: feeling low (synonyms)", dict(text="feeling low")),
    ("text: councelling (misspelt)", dict(text="councelling")),
]


def variants(base, count, rng):
    out = []
    for n in range(count):
        record = copy.deepcopy(base[n % len(base)])
        ns = uuid.UUID(int=n + 1)

        def fresh(value, ns=ns):
            return str(uuid.uuid5(ns, value))

        record["id"] = fresh(record["id"])
        record["name"] = f"{record['name']} {n // len(base) + 1}"
        org = record["organization"]
        org["id"] = record["organization_id"] = fresh(org["id"] + str(n % 300))
        org["name"] = f"{org['name']} {n % 300}"
        for sal in record.get("service_at_locations", []):
            sal["id"] = fresh(sal["id"])
            loc = sal["location"]
            loc["id"] = fresh(loc["id"])
            if "latitude" in loc:
                loc["latitude"] = round(loc["latitude"] + rng.uniform(-0.25, 0.25), 5)
                loc["longitude"] = round(loc["longitude"] + rng.uniform(-0.4, 0.4), 5)
            for part in ("addresses", "accessibility", "attributes"):
                for item in loc.get(part, []):
                    item["id"] = fresh(item["id"])
        for sched in record.get("schedules", []):
            sched["id"] = fresh(sched["id"])
            if "service_at_location_id" in sched:
                sched["service_at_location_id"] = record["service_at_locations"][0]["id"]
        for part in ("attributes", "contacts", "cost_options", "service_areas"):
            for item in record.get(part, []):
                item["id"] = fresh(item["id"])
        out.append(record)
    return out


def main():
    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from django.db import connection

        from thrive.directory import importer, services
        from thrive.directory.search import Criteria, search

        rng = random.Random(5)
        base = importer.read_file(services.DATA / "demo_directory.json")
        services.load_demo()
        records = variants(base, SERVICES, rng)
        started = time.perf_counter()
        for start in range(0, len(records), 1000):
            importer.import_services(records[start:start + 1000])
        import_s = time.perf_counter() - started
        print(f"{connection.vendor}: imported {SERVICES} services in {import_s:.1f} s "
              f"({SERVICES / import_s:.0f}/s, validated)")
        print(f"{'query':34} {'results':>7} {'median ms':>10} {'p95 ms':>8}")
        for label, fields in QUERIES:
            times = []
            for _ in range(REPEAT):
                t = time.perf_counter()
                results = search(Criteria(**fields), page=1, per_page=10)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            print(f"{label:34} {results.total:7d} {statistics.median(times):10.1f} "
                  f"{times[int(len(times) * 0.95) - 1]:8.1f}")
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    sys.exit(main())
