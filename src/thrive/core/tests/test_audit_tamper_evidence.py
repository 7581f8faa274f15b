"""The audit log resists someone who can write to the database but has neither the audit key
nor the anchors kept elsewhere: every kind of rewrite is detected."""

import hashlib
import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from thrive.core import audit, audit_keys
from thrive.core.models import AuditEvent
from thrive.core.testing import as_a_database_writer


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "audit-keys.json"
    monkeypatch.setenv(audit_keys.ENV_VAR, str(path))
    return path


@pytest.fixture
def log(db, key_file, practitioner, colleague):
    for n in range(6):
        audit.record(None, "view", user=practitioner if n % 2 else colleague, detail=f"page {n}")
    return list(AuditEvent.objects.order_by("id"))


def plain_hash(event) -> str:
    return hashlib.sha256(event.canonical().encode()).hexdigest()


def recompute_chain_without_the_key(hasher=plain_hash):
    previous = audit.GENESIS
    for event in AuditEvent.objects.order_by("id"):
        event.previous_hash = previous
        event.entry_hash = hasher(event)
        AuditEvent.objects.filter(pk=event.pk).update(previous_hash=event.previous_hash,
                                                      entry_hash=event.entry_hash)
        previous = event.entry_hash


def anchor_now(tmp_path):
    call_command("audit_anchor", "--to", str(tmp_path / "anchors"))
    return tmp_path / "anchors"


def verify(anchors=None):
    args = ["--anchor", str(anchors)] if anchors else []
    call_command("verify_audit_chain", *args)


def test_an_untouched_log_verifies_against_its_anchor(log, tmp_path, capsys):
    anchors = anchor_now(tmp_path)
    audit.record(None, "view", username="later")  # entries after the anchor are fine
    verify(anchors)
    assert "Audit chain intact: 7 entries checked; the anchored head" in capsys.readouterr().out
    written = json.loads(next(anchors.iterdir()).read_text())
    assert {k: written[k] for k in ("entries", "last_id", "last_hash")} == {
        "entries": 6, "last_id": log[-1].pk, "last_hash": log[-1].entry_hash}
    assert written["key_id"] == log[-1].key_id and len(written["signature"]) == 64


def test_an_edited_row_is_detected(log):
    with as_a_database_writer():
        AuditEvent.objects.filter(pk=log[2].pk).update(detail="nothing to see")
    with pytest.raises(CommandError, match=f"entry {log[2].pk} does not match"):
        verify()


def test_a_deleted_row_is_detected(log):
    with as_a_database_writer():
        AuditEvent.objects.filter(pk=log[3].pk).delete()
    with pytest.raises(CommandError, match=f"entry {log[4].pk}"):
        verify()


def test_a_truncated_tail_is_detected_against_the_anchor(log, tmp_path):
    anchors = anchor_now(tmp_path)
    with as_a_database_writer():
        AuditEvent.objects.filter(pk__in=[log[-1].pk, log[-2].pk]).delete()
    verify()  # the rest of the chain is still consistent on its own...
    with pytest.raises(CommandError, match="has 4 entries but the anchor .* recorded 6"):
        verify(anchors)  # ...but the anchor kept elsewhere knows where the log ended


def test_an_appended_row_with_a_recomputed_plain_hash_is_detected(log):
    forged = AuditEvent(at=log[-1].at, username="someone", action="view", detail="cover story",
                        key_id=log[-1].key_id, previous_hash=log[-1].entry_hash)
    forged.entry_hash = plain_hash(forged)
    forged.save()
    with pytest.raises(CommandError, match=f"entry {forged.pk} does not match"):
        verify()


def test_deleting_one_users_entries_and_recomputing_the_chain_without_the_key_is_detected(
        log, practitioner, tmp_path):
    anchors = anchor_now(tmp_path)
    with as_a_database_writer():
        AuditEvent.objects.filter(user=practitioner).delete()
        recompute_chain_without_the_key()
    with pytest.raises(CommandError, match="does not match"):
        verify()
    # Nor does guessing a key help, and the anchor still disagrees.
    with as_a_database_writer():
        recompute_chain_without_the_key(
            lambda e: __import__("hmac").new(b"guess" * 8, e.canonical().encode(),
                                             hashlib.sha256).hexdigest())
    with pytest.raises(CommandError, match="does not match"):
        verify(anchors)


def test_an_anchor_edited_to_match_a_shortened_log_is_refused(log, tmp_path):
    anchors = anchor_now(tmp_path)
    path = next(anchors.iterdir())
    written = json.loads(path.read_text())
    path.write_text(json.dumps({**written, "entries": 4, "last_id": log[3].pk,
                                "last_hash": log[3].entry_hash}))
    with pytest.raises(CommandError, match="wrong signature"):
        verify(path)


def test_verifying_against_a_directory_uses_the_newest_anchor(log, tmp_path):
    anchor_now(tmp_path)
    audit.record(None, "view", username="later")
    anchors = anchor_now(tmp_path)
    assert len(list(anchors.iterdir())) == 2
    with as_a_database_writer():
        AuditEvent.objects.filter(username="later").delete()
    with pytest.raises(CommandError, match="has 6 entries but the anchor .* recorded 7"):
        verify(anchors)


def test_the_key_is_generated_owner_only_and_can_be_rotated(log, key_file, tmp_path):
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    old = audit_keys.load().current_id
    old_anchor = anchor_now(tmp_path)
    call_command("audit_rotate_key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    new = audit_keys.load().current_id
    assert new != old and set(audit_keys.load().keys) == {old, new}
    later = audit.record(None, "view", username="after rotation")
    assert later.key_id == new and log[0].key_id == old
    verify(old_anchor)  # old entries and old anchors still verify with the old key
    verify(anchor_now(tmp_path / "new"))


def test_a_log_cannot_be_verified_without_its_key(log, key_file):
    key_file.unlink()
    with pytest.raises(CommandError, match="No audit key file"):
        verify()


def test_the_database_refuses_to_change_or_delete_an_entry(log):
    """PostgreSQL: a trigger refuses UPDATE and DELETE, even bypassing the application.
    SQLite has no such trigger; there the application's own guard is what stands."""
    entry = log[0]
    if connection.vendor == "postgresql":
        for attempt in (lambda: AuditEvent.objects.filter(pk=entry.pk).update(detail="x"),
                        lambda: AuditEvent.objects.filter(pk=entry.pk).delete()):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                attempt()
    else:
        entry.detail = "x"
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
    assert AuditEvent.objects.get(pk=entry.pk).detail == "page 0"
    verify()


def test_appending_stays_one_small_transaction(db, key_file, practitioner,
                                               django_assert_max_num_queries):
    audit.record(None, "view", user=practitioner)
    # Last hash and insert, in one transaction (plus PostgreSQL's advisory lock that serialises
    # appends, and the savepoint when already inside a transaction).
    with django_assert_max_num_queries(5):
        audit.record(None, "view", user=practitioner)


def test_a_deployment_is_warned_when_the_key_sits_in_var(monkeypatch):
    from thrive.core.checks import audit_key_outside_var

    monkeypatch.delenv(audit_keys.ENV_VAR, raising=False)
    assert [w.id for w in audit_key_outside_var(None)] == ["thrive.W001"]
    monkeypatch.setenv(audit_keys.ENV_VAR, "/etc/thrive/audit-keys.json")
    assert audit_key_outside_var(None) == []


def test_the_migration_rechains_an_unkeyed_log_with_the_key(log):
    """Entries from before the log was keyed (plain SHA-256) are chained again with the key."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "thrive.core.migrations.0003_access_outcome_basis_and_keyed_chain")
    with as_a_database_writer():
        recompute_chain_without_the_key()
        assert not audit.verify_chain().intact
        migration.rechain_with_key(apps, None)
    assert audit.verify_chain().intact
