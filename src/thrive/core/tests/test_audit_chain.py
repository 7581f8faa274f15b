import pytest
from django.core.management import call_command

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.testing import as_a_database_writer


def test_entries_chain_and_the_check_finds_tampering(db, practitioner):
    for action in ("view", "search", "view"):
        audit.record(None, action, user=practitioner, detail="test")
    assert audit.verify_chain().intact
    victim = AuditEvent.objects.order_by("id")[1]
    # Bypass the model's guard, as someone editing the database directly would.
    with as_a_database_writer():
        AuditEvent.objects.filter(pk=victim.pk).update(detail="edited")
    check = audit.verify_chain()
    assert not check.intact and check.first_broken_id == victim.pk


def test_entries_cannot_be_changed_or_deleted_through_the_application(db, practitioner):
    event = audit.record(None, "view", user=practitioner)
    event.detail = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_the_verify_command_reports_an_intact_chain(db, practitioner, capsys):
    audit.record(None, "view", user=practitioner)
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out
