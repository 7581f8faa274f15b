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


class EndingEnteredInError(models.Model):
    """An ending that was recorded by mistake, kept word for word when it was marked entered in
    error (history.services.mark_entered_in_error). The care.Ending row itself is deleted in the
    same transaction, so "has an ending = closed" stays true everywhere and the episode is open
    again; this archive is what the episode page shows, struck through."""

    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT,
                                related_name="endings_entered_in_error")
    # Every field of the ending as it was recorded.
    ending_id = models.PositiveIntegerField()  # the key the ending had (its audit entries name it)
    ended_on = models.DateField()
    reason = models.CharField(max_length=30)
    goals_met = models.CharField(max_length=20)
    agreed_with_family = models.BooleanField()
    next_step = models.CharField(max_length=30)
    next_step_detail = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()
    # Who marked it, when and why (the names the other entries use, so the page shows it alike).
    entered_in_error_at = models.DateTimeField()
    entered_in_error_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                            related_name="+")
    entered_in_error_reason = models.TextField()
    # What undoing the ending changed back, for the record.
    grouping_made_current = models.ForeignKey(
        "care.GroupingDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referral_reopened = models.BooleanField(default=False)

    class Meta:
        ordering = ["-entered_in_error_at", "-id"]
        verbose_name = "ending entered in error"
        verbose_name_plural = "endings entered in error"

    def __str__(self):
        return f"Ending of {self.ended_on:%d %b %Y}, entered in error"

    is_entered_in_error = True

    def _display(self, field: str, choices) -> str:
        return str(dict(choices).get(getattr(self, field), getattr(self, field)))

    def get_reason_display(self) -> str:
        from thrive.care.models import Ending

        return self._display("reason", Ending.Reason.choices)

    def get_goals_met_display(self) -> str:
        from thrive.care.models import Ending

        return self._display("goals_met", Ending.GoalsMet.choices)

    def get_next_step_display(self) -> str:
        from thrive.care.models import Ending

        return self._display("next_step", Ending.NextStep.choices)
