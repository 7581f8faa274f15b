"""The default SQLite set-up holds concurrent saves: no "database is locked", no lost update.

Runs in a separate process against a temporary database file (the test database is in memory,
and pytest-django's transaction would hide the locking), with the options the settings give
SQLite; the same run with SQLite's default deferred transactions shows what they prevent.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

SCRIPT = textwrap.dedent("""
    import json, sys, threading, time
    import django
    from django.conf import settings
    path, options, workers = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
    settings.configure(DATABASES={"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": options}})
    django.setup()
    from django.db import connection, transaction
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE plan (version integer)")
        cursor.execute("INSERT INTO plan VALUES (1)")
    connection.close()
    barrier, errors = threading.Barrier(workers), []

    def save():
        # Read the version, think, write version + 1: the shape of every versioned save.
        try:
            barrier.wait()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT version FROM plan")
                version = cursor.fetchone()[0]
                time.sleep(0.05)
                cursor.execute("UPDATE plan SET version = %s", [version + 1])
        except Exception as error:
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM plan")
        print(json.dumps({"version": cursor.fetchone()[0], "errors": errors}))
""")


def run_saves(tmp_path: Path, options: dict, workers: int = 8) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "clinic.sqlite3"), json.dumps(options),
         str(workers)], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_concurrent_saves_queue_instead_of_failing(tmp_path):
    outcome = run_saves(tmp_path, settings.SQLITE_OPTIONS)
    assert outcome == {"version": 9, "errors": []}


def test_default_deferred_transactions_would_fail_the_same_saves(tmp_path):
    outcome = run_saves(tmp_path, {"timeout": 5, "init_command": "PRAGMA journal_mode=WAL;"})
    assert any("locked" in error for error in outcome["errors"])
    assert outcome["version"] < 9
