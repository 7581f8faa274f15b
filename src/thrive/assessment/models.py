"""Self-assessment rounds: a panel scores the THRIVE principles, then agrees one score each.

A round moves open -> moderation -> closed. While open, each panel member scores on their own
and cannot read anyone's scores until they submit. In moderation the lead records the agreed
score and rationale per principle. A closed round is never changed (services refuse); a new round
can copy it. Improvement actions (principles agreed below 3) and their Plan-Do-Study-Act log go
on after closing: they are the plan, not the assessment.
"""

import uuid

from django.conf import settings
from django.db import models

from thrive.accounts.models import Agency

# A score is 1-4, or empty for "not able to judge".
ONE_TO_FOUR = models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=4)


class PrincipleSet(models.Model):
    """One version of the principles and their descriptors per score (principles.py). Never
    altered once a round uses it."""

    key = models.CharField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    principles = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title

    def principle(self, pid: str) -> dict:
        return next(p for p in self.principles if p["id"] == pid)

    @property
    def ids(self) -> list[str]:
        return [p["id"] for p in self.principles]


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open for scoring"
        MODERATION = "moderation", "In moderation"
        CLOSED = "closed", "Closed"

    class Scope(models.TextChoices):
        LOCALITY = "locality", "A locality"
        SERVICE = "service", "A service or agency"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    locality = models.CharField("Locality", max_length=120, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("Date of the assessment meeting")
    period_start = models.DateField("Evidence period from")
    period_end = models.DateField("Evidence period to")
    principle_set = models.ForeignKey(PrincipleSet, on_delete=models.PROTECT, related_name="rounds")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The live evidence as it stood when the round closed (evidence.py), kept with the round.
    evidence_at_close = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title

    @property
    def site(self) -> str:
        """What was assessed: the locality's name or the agency's."""
        return self.agency.name if self.scope == self.Scope.SERVICE and self.agency else self.locality

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED


class PanelMember(models.Model):
    """A platform user, or a named outside member whose scores the lead keys in."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="panel")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_panels",
    )
    name = models.CharField(max_length=120, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                name="one_panel_place_per_user",
                condition=models.Q(user__isnull=False),
            )
        ]

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user else self.name

    @property
    def display_organisation(self) -> str:
        if self.user:
            return self.user.agency.name if self.user.agency else ""
        return self.organisation

    @property
    def is_outside(self):
        return self.user_id is None

    @property
    def submitted(self):
        return self.submitted_at is not None


class MemberScore(models.Model):
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="scores")
    principle = models.CharField(max_length=4)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # None: not able to judge
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "principle"], name="one_score_per_member_principle"),
            models.CheckConstraint(condition=ONE_TO_FOUR, name="member_score_one_to_four"),
        ]


class AgreedScore(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="agreed")
    principle = models.CharField(max_length=4)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # None: not able to judge
    rationale = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "principle"], name="one_agreed_score_per_principle"),
            models.CheckConstraint(condition=ONE_TO_FOUR, name="agreed_score_one_to_four"),
        ]


class Action(models.Model):
    """An improvement action for a principle agreed below 3."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="actions")
    principle = models.CharField(max_length=4)
    description = models.TextField("What will be done")
    owner = models.CharField("Who owns it", max_length=120)
    due_on = models.DateField("Due by")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["principle", "due_on", "id"]


class PdsaEntry(models.Model):
    """One Plan-Do-Study-Act step recorded against an action."""

    class Stage(models.TextChoices):
        PLAN = "plan", "Plan"
        DO = "do", "Do"
        STUDY = "study", "Study"
        ACT = "act", "Act"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="pdsa")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    note = models.TextField()
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_on", "id"]


class StaffSeniority(models.Model):
    """How experienced a member of staff is, for principle I7 (the most experienced practitioners
    are involved in Getting Advice and Signposting). Set by staff administrators."""

    class Level(models.TextChoices):
        TRAINEE = "trainee", "In training"
        PRACTITIONER = "practitioner", "Practitioner"
        SENIOR = "senior", "Senior practitioner"
        CONSULTANT = "consultant", "Consultant or lead clinician"

    SENIOR_LEVELS = (Level.SENIOR, Level.CONSULTANT)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seniority")
    level = models.CharField("Seniority", max_length=20, choices=Level.choices)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def is_senior(self) -> bool:
        return self.level in self.SENIOR_LEVELS
