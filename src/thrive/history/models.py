"""Version history: one row per changed field of a record that is edited in place
(demographics, key dates, consents, staff details, Risk Support plans). Written only by
history.services.record_changes, inside the transaction of the change it describes."""

import uuid

from django.conf import settings
from django.db import models

from thrive.people.models import YoungPerson


class FieldChange(models.Model):
    # The fields changed in one save share a change_id, so the page shows them as one change.
    change_id = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=60)  # model name, e.g. "YoungPerson"
    object_id = models.CharField(max_length=64)  # public_id where it has one, else the key
    object_label = models.CharField(max_length=200)  # "Demographics", "Key dates", …
    young_person = models.ForeignKey(YoungPerson, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="field_changes")
    # A member of staff whose details changed (staff pages), when the change is about one.
    staff_member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="detail_changes")
    field_name = models.CharField(max_length=100)
    field_label = models.CharField(max_length=200)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["young_person", "changed_at"]),
            models.Index(fields=["staff_member", "changed_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.object_label}: {self.field_label}"
