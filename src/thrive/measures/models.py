"""Completed questionnaires and their scale scores.

Scoring is pure (``engine/``); these tables keep what was answered and what it scored, written in
one transaction, so pages and dashboards read scores without rescoring.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from thrive.care.models import Episode
from thrive.history.entries import EnteredInError


class Rater(models.TextChoices):
    """The version of the measure that was used (the engine's rater)."""

    SELF = "self", "Self-rated (young person)"
    PARENT = "parent", "Parent- or carer-rated"
    TEACHER = "teacher", "Teacher-rated"
    CLINICIAN = "clinician", "Clinician-rated"


class Source(models.TextChoices):
    ITEMS = "items", "Item responses"
    ENTERED_TOTAL = "entered_total", "Totals copied from a paper form"


class Completion(EnteredInError):
    """One questionnaire completed on one day by one respondent, within an episode."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="completions")
    measure_id = models.CharField(max_length=40)
    rater = models.CharField(max_length=20, choices=Rater.choices)
    respondent = models.CharField(max_length=20, choices=Rater.choices)
    completed_on = models.DateField()
    source = models.CharField(max_length=20, choices=Source.choices)
    responses = models.JSONField(default=dict, blank=True)  # {"1": 2, "2": null, ...}
    entered_totals = models.JSONField(default=dict, blank=True)  # {"total": "14"}
    risk_alerts = models.JSONField(default=list, blank=True)  # clinician-only messages
    on_tablet = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_on", "id"]
        indexes = [models.Index(fields=["episode", "measure_id", "completed_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(rater__in=Rater.values), name="completion_rater_known"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="completion_source_known"),
        ]

    def __str__(self):
        return f"{self.measure_id} completed {self.completed_on}"


class ScaleScore(models.Model):
    """One scale of one completion, as the engine scored it. ``value`` None means missing, never 0."""

    completion = models.ForeignKey(Completion, on_delete=models.CASCADE, related_name="scores")
    scale_id = models.CharField(max_length=40)
    value = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    t_score = models.DecimalField(max_digits=14, decimal_places=6, null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    caseness = models.BooleanField(null=True)
    prorated = models.BooleanField(default=False)
    n_answered = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    missing_reason = models.CharField(max_length=300, blank=True)
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["completion_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["completion", "scale_id"], name="one_score_per_scale"),
        ]


class RiskReview(models.Model):
    """A clinician's acknowledgement of a completion's risk alert: who, when, and what was done.
    Until one exists, the alert stays on the episode and the caseload."""

    completion = models.OneToOneField(Completion, on_delete=models.CASCADE, related_name="risk_review")
    action_taken = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Risk alert on {self.completion} reviewed"


class MeasureSchedule(models.Model):
    """An agency's rule for when a measure is due: at assessment, every n attended contacts, at
    ending (any combination)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    measure_id = models.CharField(max_length=40)
    rater = models.CharField(max_length=20, choices=Rater.choices)
    at_assessment = models.BooleanField(default=False)
    every_contacts = models.PositiveSmallIntegerField(null=True, blank=True)
    at_ending = models.BooleanField(default=False)

    class Meta:
        ordering = ["measure_id", "rater"]
        constraints = [models.UniqueConstraint(fields=["agency", "measure_id", "rater"],
                                               name="one_schedule_per_measure_and_rater")]

    def __str__(self):
        return f"{self.measure_id} ({self.rater}) schedule"


class RemoteLink(models.Model):
    """A one-time, expiring link a young person or parent opens on their own phone to complete one
    measure. Only a hash of its token is kept; the link carries no identifiers."""

    token_hash = models.CharField(max_length=64, unique=True)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="+")
    measure_id = models.CharField(max_length=40)
    rater = models.CharField(max_length=20, choices=Rater.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    completion = models.ForeignKey(Completion, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    def __str__(self):
        return f"Remote link for {self.measure_id}"


class AgencyWording(models.Model):
    """One version of an agency's own licensed questionnaire wording, loaded in the browser. Kept
    in the database, so every app server sees it; versions are never changed or deleted: the
    newest is in use, and loading an older file again makes a new version."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    content = models.JSONField()  # the file's shape, normalised (engine.wording_file)
    file_name = models.CharField(max_length=200)
    note = models.CharField(max_length=500, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["agency", "version"],
                                               name="one_wording_version_number_per_agency")]

    def __str__(self):
        return f"Wording version {self.version}"
