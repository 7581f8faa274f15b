"""Many users at once on one server: 0 server errors, and the stale-form message for the loser
of a concurrent save.

    ./scripts/demo                                   # once, to make the demo database
    .venv/bin/python benchmarks/bench_concurrency.py [--users 20] [--rounds 15]

Starts the product's own server on 127.0.0.1 (a free port; loopback only) against a COPY of the
SQLite demo database (or, with DATABASE_URL=postgres://..., against that database, which it
changes: key dates and plans are re-saved unchanged, versions go up, audit entries are added).
Each of N users (demo practitioners and team managers with caseloads, signed in by session) runs
the same rounds: the caseload, a record, an episode, and every third round opens the key dates
form and saves it. Then pairs of colleagues open one form together (an episode's key dates, a
Risk Support plan) and save at the same instant: one save must win and the other must get
"Someone else changed this record" — never a 500. Prints median and p95 per page and the errors;
exits non-zero on any server error or any pair that did not end one-win-one-stale.
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.config.settings.local")
STALE_TEXT = "Someone else changed this record"


class FormReader(HTMLParser):
    """The fields of each POST form on a page, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_seen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form, self.fields = True, []
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value, self._select_seen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            # The selected option, or the first one when none is marked (as a browser does).
            if "selected" in a or (self._select_value is None and not self._select_seen):
                self._select_value = a.get("value", "")
            self._select_seen = self._select_seen or "selected" in a
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self.forms.append(self.fields)


class Browser:
    """One signed-in user: a cookie jar, no redirects followed (a 302 is a save that worked)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, session_key: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        host = urllib.parse.urlsplit(base).hostname
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, "sessionid", session_key, None, False, host, False, False, "/", True, False,
            None, False, None, None, {}))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + path} if data is not None else {}
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
            return 0, f"no answer: {error}"  # counted as a server error


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def timed(self, browser: Browser, page: str, path: str, data=None) -> tuple[int, str]:
        started = time.perf_counter()
        status, body = browser.request(path, data)
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[page].append(elapsed)
            if status >= 500 or status == 0:
                self.errors.append(f"{page}: " + (f"HTTP {status}" if status else body))
        return status, body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    # The server's log goes to a file: a pipe nobody reads fills after ~64 KB of request lines
    # and then blocks the server mid-request (seen as 120 s "no answer" timeouts).
    with log.open("w") as sink:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/thrive"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env, stdout=subprocess.DEVNULL, stderr=sink, text=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("The server did not start: " + log.read_text()[-2000:])


def form_fields(html: str) -> list[tuple[str, str]]:
    """The page's main form (the POST form with the most fields; the header's sign-out is one)."""
    reader = FormReader()
    reader.feed(html)
    return max(reader.forms, key=len, default=[])


def first_error(html: str) -> str:
    found = re.search(r'nhsuk-error-summary__list.*?<a[^>]*>(.*?)</a>', html, re.S)
    return found.group(1).strip() if found else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--pairs", type=int, default=10, help="concurrent-save pairs per kind")
    args = parser.parse_args()

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    workdir = None
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        source = ROOT / "var" / "thrive.sqlite3"
        if not source.exists():
            raise SystemExit("No demo database: run ./scripts/demo (or thrive load_demo) first.")
        workdir = Path(tempfile.mkdtemp(prefix="thrive-load-"))
        shutil.copy(source, workdir / "thrive.sqlite3")
        for suffix in ("-wal", "-shm"):
            if Path(str(source) + suffix).exists():
                shutil.copy(str(source) + suffix, str(workdir / "thrive.sqlite3") + suffix)
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'thrive.sqlite3'}"
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from thrive.accounts.models import Role, User
    from thrive.care.caseload import caseload_episodes
    from thrive.risk.models import RiskSupportPlan

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        return store.session_key

    users, work = [], {}
    for user in User.objects.filter(is_active=True, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER],
                                    agency__isnull=False).order_by("username"):
        episodes = list(caseload_episodes(user)[:10])
        if episodes:
            users.append(user)
            # Key dates only where the page offers the change: open episodes at the user's agency.
            work[user.pk] = [(e.public_id, e.young_person.public_id,
                              e.agency_id == user.agency_id and e.declined_on is None
                              and not hasattr(e, "ending")) for e in episodes]
        if len(users) == args.users:
            break
    if len(users) < args.users:
        print(f"Only {len(users)} users with a caseload in this database; using them all.")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="thrive-load-server-", suffix=".log")[1])
    server = start_server(port, env, log)
    results = Results()
    browsers = {u.pk: Browser(base, session_for(u)) for u in users}
    try:
        def one_user(user):
            browser = browsers[user.pk]
            mine = work[user.pk]
            for n in range(args.rounds):
                episode_id, person_id, changeable = mine[n % len(mine)]
                results.timed(browser, "caseload", reverse("care:caseload"))
                results.timed(browser, "record", reverse("people:record", args=[person_id]))
                results.timed(browser, "episode", reverse("care:episode", args=[episode_id]))
                if n % 3 == 0 and changeable:
                    path = reverse("care:key-dates", args=[episode_id])
                    status, page = results.timed(browser, "key dates form", path)
                    if status == 200:
                        status, _ = results.timed(browser, "key dates save", path, form_fields(page))

        started = time.perf_counter()
        threads = [threading.Thread(target=one_user, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        load_seconds = time.perf_counter() - started

        # Concurrent saves of one form by two colleagues.
        outcomes: dict[str, list[str]] = defaultdict(list)

        def race(kind: str, first: User, second: User, path: str):
            pages = [browsers[u.pk].request(path) for u in (first, second)]
            if any(status != 200 for status, _ in pages):
                outcomes[kind].append("form not opened: " + ",".join(
                    str(s) if s else body for s, body in pages))
                return
            barrier = threading.Barrier(2)
            answers = [None, None]

            def save(i, user):
                barrier.wait()
                answers[i] = results.timed(browsers[user.pk], f"{kind} (race)", path,
                                           form_fields(pages[i][1]))

            pair = [threading.Thread(target=save, args=(i, u)) for i, u in enumerate((first, second))]
            for t in pair:
                t.start()
            for t in pair:
                t.join()
            won = sum(1 for status, _ in answers if status == 302)
            stale = sum(1 for status, body in answers if status == 200 and STALE_TEXT in body)
            outcomes[kind].append("one won, one stale" if (won, stale) == (1, 1) else
                                  "statuses " + ",".join(str(s) for s, _ in answers) + " "
                                  + "; ".join(first_error(body) for _, body in answers))

        by_agency = defaultdict(list)
        for u in users:
            by_agency[u.agency_id].append(u)
        colleagues = [group for group in by_agency.values() if len(group) >= 2]
        for i in range(args.pairs):
            if not colleagues:
                break
            group = colleagues[i % len(colleagues)]
            first, second = group[0], group[1]
            # An episode both may change: one of the first user's, open at their shared agency
            # (a caseload also lists care-team and keyworker roles at other agencies).
            shared = [e for e, _, changeable in work[first.pk] if changeable]
            if not shared:
                continue
            race("key dates", first, second,
                 reverse("care:key-dates", args=[shared[i % len(shared)]]))
        # A plan whose review date has passed cannot be saved unchanged (the form asks for a new
        # review date), so race on plans still in date.
        plans = list(RiskSupportPlan.objects.filter(
            ended_on__isnull=True, review_on__gt=date.today() + timedelta(days=1)).select_related(
            "young_person")[: args.pairs * 5])
        raced = 0
        for plan in plans:
            if raced == args.pairs:
                break
            team = [u for u in User.objects.filter(
                is_active=True, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER],
                agency__episodes__young_person=plan.young_person,
                agency__episodes__ending__isnull=True,
                agency__episodes__declined_on__isnull=True).distinct()[:2]]
            if len(team) < 2:
                continue
            for u in team:
                browsers.setdefault(u.pk, Browser(base, session_for(u)))
            race("risk plan", team[0], team[1], reverse(
                "risk:edit", args=[plan.young_person.public_id, plan.public_id]))
            raced += 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        server_errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        if not server_errors:
            log.unlink(missing_ok=True)

    vendor = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    total = sum(len(v) for v in results.times.values())
    print(f"{vendor}, {len(users)} concurrent users, {args.rounds} rounds each: "
          f"{total} requests in {load_seconds:.1f} s of load, {len(results.errors)} server errors")
    print(f"{'page':<24} {'requests':>8} {'median ms':>10} {'p95 ms':>8}")
    for page, times in sorted(results.times.items()):
        ordered = sorted(times)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(f"{page:<24} {len(times):>8} {statistics.median(times):>10.1f} {p95:>8.1f}")
    failed = bool(results.errors)
    for kind, seen in outcomes.items():
        good = seen.count("one won, one stale")
        print(f"concurrent saves, {kind}: {good} of {len(seen)} pairs ended one won, one stale"
              + ("" if good == len(seen) else f" (others: {sorted(set(seen) - {'one won, one stale'})})"))
        failed |= good != len(seen)
    for error in results.errors[:10]:
        print("  ", error)
    if server_errors:
        print(f"The server logged {len(server_errors)} tracebacks: see {log}")
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
