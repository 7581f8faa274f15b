"""`thrive backup DIR` and `thrive restore DIR` (decision 0023): a backup restored into a fresh
database has the same audit log, whose chain still verifies, and the analytics files come back."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

import thrive
from thrive.core import audit
from thrive.core.models import AuditEvent

SRC = Path(thrive.__file__).resolve().parents[1]
THRIVE = Path(sys.executable).with_name("thrive")


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(THRIVE), *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the same kind as the one the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_keeps_the_audit_chain_and_the_files(
        practitioner, tmp_path, settings, fresh_database):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    (tmp_path / "analytics" / "aggregates").mkdir(parents=True)
    (tmp_path / "analytics" / "aggregates" / "meta.json").write_text('{"refreshed_at": "x"}')
    (tmp_path / "analytics" / ".aggregates.lock").write_text("")  # working files stay behind
    for _ in range(3):
        audit.record(None, AuditEvent.Action.VIEW, obj=practitioner, user=practitioner)
    entries = AuditEvent.objects.count()

    call_command("backup", str(tmp_path / "backup"))

    restored_files = tmp_path / "restored-analytics"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(SRC),
           "DJANGO_SETTINGS_MODULE": "thrive.config.settings.test", "DATABASE_URL": fresh_database,
           "THRIVE_ANALYTICS_DIR": str(restored_files),
           # The audit key lives outside the database and the backup (decision 0015): a restore
           # verifies with the same key file the service uses.
           "THRIVE_AUDIT_KEY_FILE": os.environ["THRIVE_AUDIT_KEY_FILE"]}
    restored = _run(env, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    verified = _run(env, "verify_audit_chain")
    assert verified.returncode == 0, verified.stderr
    assert f"Audit chain intact: {entries} entries checked." in verified.stdout
    assert (restored_files / "aggregates" / "meta.json").read_text() == '{"refreshed_at": "x"}'
    assert not (restored_files / ".aggregates.lock").exists()
    # The restored database is the whole service: the practitioner can be found there.
    found = _run(env, "shell", "-c", "from thrive.accounts.models import User; "
                 "print(User.objects.get(username='pat.practitioner').role)")
    assert found.returncode == 0 and found.stdout.strip().splitlines()[-1] == practitioner.role, found.stderr
    # A second restore over the now full database is refused unless asked for.
    again = _run(env, "restore", str(tmp_path / "backup"))
    assert again.returncode != 0 and "already has tables" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_a_changed_backup_is_not_restored(practitioner, tmp_path, settings):
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    call_command("backup", str(tmp_path / "backup"))
    dump = next((tmp_path / "backup").glob("database.*"))
    with open(dump, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(CommandError, match="changed since the backup"):
        call_command("restore", str(tmp_path / "backup"), replace=True)


@pytest.mark.django_db
def test_backup_wants_a_new_directory_and_restore_wants_a_backup(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "full"))
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path / "full"))
