"""Server time of the busiest pages on the demo database, one user at a time.

    .venv/bin/thrive load_demo --if-empty        # the 2,000-person demo (or a bigger one)
    .venv/bin/python benchmarks/bench_pages.py [--runs 30]

Times the whole Django request (middleware, access policy, queries, templates, audit write) with
the test client, so network and browser time are excluded. Uses the configured database
(`DATABASE_URL`, default the SQLite demo in var/).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from thrive.accounts.models import User  # noqa: E402
from thrive.care.caseload import caseload_episodes  # noqa: E402


def measure(client, url, runs):
    client.get(url)  # warm caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1], len(ctx)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"{'page':<44} {'rows':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for username in ("camhs.practitioner", "manager.camhs"):
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        episodes = list(caseload_episodes(user))
        rows = [("caseload (" + username + ")", reverse("care:caseload"), len(episodes))]
        busiest = max(episodes, key=lambda e: e.contacts.count())
        rows.append(("record of the busiest young person", reverse(
            "people:record", args=[busiest.young_person.public_id]), busiest.contacts.count()))
        rows.append(("episode page of the same", reverse(
            "care:episode", args=[busiest.public_id]), busiest.contacts.count()))
        for name, url, n in rows:
            median, p95, queries = measure(client, url, args.runs)
            print(f"{name:<44} {n:>6} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
