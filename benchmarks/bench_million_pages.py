"""Twenty users at once on a million-person platform, through the production server.

    createdb thrive_million
    DATABASE_URL=postgres://.../thrive_million thrive migrate
    DATABASE_URL=postgres://.../thrive_million thrive load_demo --young-people 1000000
    DATABASE_URL=postgres://.../thrive_million thrive refresh_analytics    # the dashboard's figures
    DATABASE_URL=postgres://.../thrive_million .venv/bin/python benchmarks/bench_million_pages.py

Starts gunicorn with the production settings (scripts/serve's configuration, loopback, plain HTTP)
against that PostgreSQL database, and signs in the N practitioners and team managers whose
caseloads are nearest 1,000 open episodes. Each runs the same rounds, all at once: their
caseload, the record of the young person on it with the longest history, that young person's
episode, a search by family name, and the analytics dashboard (read through a team manager of the
same agency when the user is a practitioner, who may not see it). Prints the median and p95 per
page and the errors; exits non-zero on any server error. The database is changed only by what the
pages write (audit entries, sessions).
"""

import argparse
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_concurrency import Browser, Results, form_fields, free_port  # noqa: E402


def start_gunicorn(port: int, env: dict, log: Path, workers: int) -> subprocess.Popen:
    env = dict(env, THRIVE_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers))
    with log.open("w") as sink:  # never a pipe nobody reads (it fills and blocks the server)
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "thrive.config.wsgi:application",
             "-c", "python:thrive.config.gunicorn"],
            env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    raise SystemExit("The server did not start: " + log.read_text()[-2000:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--caseload", type=int, default=1000, help="caseload size to look for")
    parser.add_argument("--pages", default="caseload,record,episode,search,dashboard",
                        help="which pages each round opens (comma-separated)")
    parser.add_argument("--timeout", type=int, default=60, help="gunicorn's worker timeout, s")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the million-person PostgreSQL database.")

    statics = Path(tempfile.mkdtemp(prefix="thrive-static-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"),
               DJANGO_SETTINGS_MODULE="thrive.config.settings.production",
               THRIVE_SECRET_KEY=secrets.token_urlsafe(50), THRIVE_ALLOWED_HOSTS="127.0.0.1",
               THRIVE_HTTPS="off", THRIVE_STATIC_ROOT=str(statics))
    os.environ.update(env)
    subprocess.run([str(ROOT / ".venv/bin/thrive"), "collectstatic", "--noinput", "-v", "0"],
                   env=env, check=True)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count, Min
    from django.urls import reverse

    from thrive.accounts import permissions
    from thrive.accounts.models import Role, User
    from thrive.care.models import Contact, Episode, open_episodes_q

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        return store.session_key

    # Caseload sizes: led episodes for practitioners, the team's for team managers (the rest of
    # a caseload, care-team and keyworker roles, is small beside them).
    open_episodes = Episode.objects.filter(open_episodes_q())
    led = dict(open_episodes.filter(lead_practitioner__isnull=False).values("lead_practitioner")
               .annotate(n=Count("id")).values_list("lead_practitioner", "n"))
    by_team = dict(open_episodes.values("team").annotate(n=Count("id")).values_list("team", "n"))
    staff = User.objects.filter(is_active=True, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER],
                                agency__isnull=False)
    size = {u.pk: (by_team.get(u.team_id, 0) if u.role == Role.TEAM_MANAGER else led.get(u.pk, 0))
            for u in staff}
    users = sorted(staff, key=lambda u: (abs(size[u.pk] - args.caseload), u.username))[:args.users]
    managers = {u.agency_id: u for u in staff.filter(role=Role.TEAM_MANAGER).order_by("username")}

    plan = {}
    for user in users:
        # The user's own open episodes (led, or the team's for a manager): the one referred
        # longest ago is a young person with a long record (earliest referral of all theirs).
        mine = open_episodes.filter(team_id=user.team_id) if user.role == Role.TEAM_MANAGER \
            else open_episodes.filter(lead_practitioner=user)
        episode, oldest, person, family = mine.order_by("referral_received_on", "pk").values_list(
            "public_id", "young_person_id", "young_person__public_id",
            "young_person__family_name").first()
        since = Episode.objects.filter(young_person_id=oldest).aggregate(
            first=Min("referral_received_on"))["first"]
        contacts = Contact.objects.filter(episode__young_person_id=oldest).count()
        viewer = user if permissions.can_use_analytics(user) else managers[user.agency_id]
        plan[user.pk] = dict(caseload=size[user.pk], episode=episode, person=person, family=family,
                             since=since, contacts=contacts, viewer=viewer)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="thrive-million-server-", suffix=".log")[1])
    browsers = {}
    for user in users:
        for u in (user, plan[user.pk]["viewer"]):
            if u.pk not in browsers:
                browsers[u.pk] = Browser(base, session_for(u))
    env["THRIVE_WORKER_TIMEOUT_SECONDS"] = str(args.timeout)
    server = start_gunicorn(port, env, log, args.workers)
    results = Results()
    load = open("/proc/loadavg").read().split()[:3]
    try:
        # One warm-up round per user (each worker's first requests load templates and code).
        for user in users[:args.workers * 2]:
            browsers[user.pk].request(reverse("people:find"))
        pages = set(args.pages.split(","))

        def one_user(user):
            me, browser = plan[user.pk], browsers[user.pk]
            find = reverse("people:find")
            for _ in range(args.rounds):
                if "caseload" in pages:
                    results.timed(browser, "caseload", reverse("care:caseload"))
                if "record" in pages:
                    results.timed(browser, "record", reverse("people:record", args=[me["person"]]))
                if "episode" in pages:
                    results.timed(browser, "episode", reverse("care:episode", args=[me["episode"]]))
                if "search" in pages:
                    status, page = browser.request(find)
                    fields = [(k, v) for k, v in form_fields(page) if k != "q"] + [("q", me["family"])]
                    status, body = results.timed(browser, "search", find, fields)
                    if status == 200 and "Find a young person" not in body:
                        results.errors.append("search: not the search page")
                if "dashboard" in pages:
                    results.timed(browsers[me["viewer"].pk], "dashboard",
                                  reverse("analytics:dashboard"))

        started = time.perf_counter()
        threads = [threading.Thread(target=one_user, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        load_after = open("/proc/loadavg").read().split()[:3]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    tracebacks = [line for line in log.read_text().splitlines() if "Traceback" in line]

    sizes = sorted(p["caseload"] for p in plan.values())
    spans = sorted(p["since"] for p in plan.values())
    contacts = sorted(p["contacts"] for p in plan.values())
    total = sum(len(v) for v in results.times.values())
    print(f"PostgreSQL, gunicorn with {args.workers} workers, {len(users)} concurrent users, "
          f"{args.rounds} rounds each: {total} requests in {seconds:.1f} s, "
          f"{len(results.errors)} server errors; load average {' '.join(load)} before, "
          f"{' '.join(load_after)} after")
    print(f"caseloads {sizes[0]:,}-{sizes[-1]:,} open episodes; records first referred "
          f"{spans[0]} to {spans[-1]}, {contacts[0]}-{contacts[-1]} contacts")
    print(f"{'page':<12} {'requests':>8} {'median ms':>10} {'p95 ms':>8}")
    for page, times in results.times.items():
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]  # nearest rank
        print(f"{page:<12} {len(times):>8} {statistics.median(times):>10.1f} {p95:>8.1f}")
    for error in results.errors[:10]:
        print("  ", error)
    if tracebacks:
        print(f"The server logged {len(tracebacks)} tracebacks: see {log}")
    else:
        log.unlink(missing_ok=True)
    sys.exit(1 if results.errors or tracebacks else 0)


if __name__ == "__main__":
    main()
