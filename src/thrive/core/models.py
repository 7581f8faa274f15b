"""The audit log: append-only, each entry chained to the one before by an HMAC-SHA256 whose key
is kept outside the database (core/audit_keys.py)."""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        EXPORT = "export", "Exported"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_OUT = "sign_out", "Signed out"
        BREAK_GLASS = "break_glass", "Broke glass"

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        REFUSED = "refused", "Refused"

    class Basis(models.TextChoices):
        """Why the user could (or could not) see the young person's record."""
        RELATIONSHIP = "relationship", "Relationship (their agency works with them)"
        CONSENT = "consent", "Consent"
        OVERRIDE = "override", "Safeguarding override"
        BREAK_GLASS = "break_glass", "Break-glass"
        ROLE = "role", "Privacy officer's access review"
        NONE = "none", "No relationship"

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    # What was touched, by type and opaque id; never names or NHS numbers.
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    young_person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    basis = models.CharField(max_length=20, choices=Basis.choices, blank=True)
    # Which audit key chained this entry (the keys themselves live outside the database).
    key_id = models.CharField(max_length=40, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def canonical(self) -> str:
        return canonical_of(self)

    def compute_hash(self, keyring=None) -> str:
        """HMAC-SHA256 of the entry with the key it names (see core/audit_keys.py)."""
        from .audit_keys import load

        return keyed_hash(self, (keyring or load()).key(self.key_id))


def canonical_of(event) -> str:
    """The entry's fields as chained, including the previous entry's hash. Also used by the
    migration that re-chained the log with keys, so it reads attributes only."""
    return json.dumps(
        {
            "at": event.at.isoformat(),
            "user": event.user_id,
            "username": event.username,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "young_person_id": event.young_person_id,
            "ip_address": event.ip_address,
            "reason": event.reason,
            "detail": event.detail,
            "previous_hash": event.previous_hash,
            "outcome": event.outcome,
            "basis": event.basis,
            "key_id": event.key_id,
        },
        sort_keys=True,
    )


def keyed_hash(event, key: bytes) -> str:
    return hmac.new(key, canonical_of(event).encode(), hashlib.sha256).hexdigest()
