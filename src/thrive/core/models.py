"""The audit log: append-only, each entry chained to the one before by a SHA-256 hash."""

import hashlib
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
        return json.dumps(
            {
                "at": self.at.isoformat(),
                "user": self.user_id,
                "username": self.username,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "young_person_id": self.young_person_id,
                "ip_address": self.ip_address,
                "reason": self.reason,
                "detail": self.detail,
                "previous_hash": self.previous_hash,
            },
            sort_keys=True,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()
