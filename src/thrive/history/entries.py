"""Entered in error: the model-level rule every clinical entry shares.

An entry is never deleted or overwritten. Marking it entered in error keeps it (visible, struck
through, to those who may see the record) and takes it out of every count: each query that counts,
extracts or scores entries asks for `.valid()` (or filters with `valid_q`). A queryset method and
not a default manager, so the record pages still read erroneous entries to show them struck through,
and related lookups (`episode.contacts`) never hide rows silently (decision 0012).

No database access at import; this module is imported by the models of care, measures, sharing and
directory, so it must not import any of them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


def valid_q(prefix: str = "") -> Q:
    """Entries not entered in error; `prefix` reaches one through a relation ("goal__")."""
    return Q(**{f"{prefix}entered_in_error_at__isnull": True})


class EntryQuerySet(models.QuerySet):
    def valid(self):
        """Entries that count: not entered in error."""
        return self.filter(valid_q())

    def entered_in_error(self):
        return self.exclude(valid_q())


class EnteredInError(models.Model):
    """Abstract: when, by whom and why an entry was marked entered in error (all empty while it
    stands). Set only by history.services.mark_entered_in_error."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", editable=False)
    entered_in_error_reason = models.TextField(blank=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None
