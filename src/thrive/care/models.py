"""Episodes of care and what THRIVE asks to be recorded in them: grouping decisions, goals,
contacts and endings."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from thrive.accounts.models import Agency, Team
from thrive.history.entries import EnteredInError
from thrive.people.models import YoungPerson

from .groupings import LABELS, OPTION_LABELS, Grouping, SupportOption

GROUPING_CHOICES = [(g.value, LABELS[g]) for g in Grouping]


class ReferralSource(models.TextChoices):
    GP = "gp", "GP"
    SCHOOL = "school", "School or college"
    SELF = "self", "Self-referral"
    PARENT_CARER = "parent_carer", "Parent or carer"
    SOCIAL_CARE = "social_care", "Social care"
    EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department"
    PAEDIATRICS = "paediatrics", "Paediatrics or other hospital service"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER_MENTAL_HEALTH = "other_mental_health", "Another mental health service"
    OTHER = "other", "Other"


class ReferralReason(models.TextChoices):
    ANXIETY = "anxiety", "Anxiety"
    LOW_MOOD = "low_mood", "Low mood or depression"
    SELF_HARM = "self_harm", "Self-harm"
    EATING = "eating", "Eating difficulties"
    BEHAVIOUR = "behaviour", "Behaviour that challenges"
    NEURODEVELOPMENTAL = "neurodevelopmental", "Neurodevelopmental needs"
    TRAUMA = "trauma", "Trauma or adverse experiences"
    RELATIONSHIPS = "relationships", "Family or peer relationships"
    PSYCHOSIS = "psychosis", "Unusual experiences (suspected psychosis)"
    OBSESSIVE_COMPULSIVE = "obsessive_compulsive", "Obsessive or compulsive behaviour"
    SCHOOL_ATTENDANCE = "school_attendance", "Difficulty attending school"
    OTHER = "other", "Other"


class Urgency(models.TextChoices):
    """How soon the referral needs a response, as the team triages it."""

    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    EMERGENCY = "emergency", "Emergency"


class Episode(models.Model):
    """One referral to one agency, from receipt to acceptance or decline, to discharge."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="episodes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    lead_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="lead_episodes",
    )
    referral_received_on = models.DateField("Referral received")
    referral_source = models.CharField(max_length=30, choices=ReferralSource.choices)
    referral_reason = models.CharField(max_length=30, choices=ReferralReason.choices)
    referral_detail = models.TextField("What the referral says", blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    triaged_on = models.DateField("Triage", null=True, blank=True)
    accepted_on = models.DateField("Accepted", null=True, blank=True)
    declined_on = models.DateField("Declined", null=True, blank=True)
    declined_reason = models.TextField(blank=True)
    assessed_on = models.DateField("Assessment", null=True, blank=True)
    first_help_on = models.DateField("First help", null=True, blank=True)
    # Why the young person is seen although their age is outside the agency's age range.
    age_reason = models.TextField("Why seen outside the agency's age range", blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referral_received_on", "-id"]
        indexes = [models.Index(fields=["agency", "referral_received_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(declined_on__isnull=True),
                name="episode_not_both_accepted_and_declined",
            )
        ]

    def __str__(self):
        return f"Referral to {self.team.name} received {self.referral_received_on:%d %b %Y}"

    @property
    def status(self) -> str:
        if self.declined_on:
            return "declined"
        if getattr(self, "ending", None) is not None:
            return "discharged"
        if self.accepted_on:
            return "open"
        return "awaiting_decision"

    @property
    def status_label(self) -> str:
        return {
            "declined": "Declined",
            "discharged": "Discharged",
            "open": "Open",
            "awaiting_decision": "Awaiting decision",
        }[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "awaiting_decision")


def open_episodes_q(prefix: str = "") -> Q:
    """Episodes not declined and not yet ended."""
    return Q(**{f"{prefix}declined_on__isnull": True, f"{prefix}ending__isnull": True})


class Allocation(models.Model):
    """One change of an episode's lead practitioner; None on either side is the team's waiting
    list. The history of who carried the episode, and why it moved."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="allocations")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="allocations_received")
    reason = models.TextField()
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-allocated_at", "-id"]
        indexes = [models.Index(fields=["to_user", "allocated_at"])]


class GroupingDecision(EnteredInError):
    """A needs-based grouping agreed with the young person and family (shared decision making)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="grouping_decisions")
    decided_on = models.DateField()
    grouping = models.CharField(max_length=30, choices=GROUPING_CHOICES)
    young_person_took_part = models.BooleanField()
    parent_carer_took_part = models.BooleanField()
    practitioners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    other_participants = models.CharField(max_length=300, blank=True)
    options_discussed = models.JSONField(default=list)
    options_preferred = models.JSONField(default=list)
    decision_aid = models.CharField(max_length=200, blank=True)
    rationale = models.TextField()
    made_explicit = models.BooleanField()
    # A decision neither the young person nor a parent or carer took part in says why.
    without_family_reason = models.TextField(blank=True)
    review_on = models.DateField()
    is_current = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"], condition=Q(is_current=True),
                name="one_current_grouping_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(grouping__in=[g.value for g in Grouping]), name="grouping_is_known"
            ),
        ]

    @property
    def grouping_label(self) -> str:
        return LABELS[Grouping(self.grouping)]

    @property
    def options_discussed_text(self) -> str:
        return ", ".join(OPTION_LABELS[SupportOption(o)] for o in self.options_discussed)

    @property
    def options_preferred_text(self) -> str:
        return ", ".join(OPTION_LABELS[SupportOption(o)] for o in self.options_preferred)


class Goal(EnteredInError):
    """A Goal Based Outcome: the young person's own words, rated 0–10 over time."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="goals")
    number = models.PositiveSmallIntegerField()
    description = models.TextField()
    agreed_on = models.DateField()
    expected_by = models.DateField("Likely to be reached by")
    plan_if_not_met = models.TextField("What happens if the goal is not reached")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="goal_number_unique")
        ]

    def __str__(self):
        return f"Goal {self.number}"


class GoalRating(EnteredInError):
    class Rater(models.TextChoices):
        YOUNG_PERSON = "young_person", "Young person"
        PARENT_CARER = "parent_carer", "Parent or carer"
        PRACTITIONER = "practitioner", "Practitioner, with the young person"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField()
    rating = models.PositiveSmallIntegerField()
    rated_by = models.CharField(max_length=20, choices=Rater.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["rated_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__lte=10), name="goal_rating_0_to_10")
        ]


class Contact(EnteredInError):
    class Mode(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "Face to face"
        TELEPHONE = "telephone", "Telephone"
        VIDEO = "video", "Video"
        OTHER = "other", "Other"

    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"
        CANCELLED_BY_FAMILY = "cancelled_by_family", "Cancelled by the family"
        CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField()
    time = models.TimeField()
    mode = models.CharField(max_length=20, choices=Mode.choices)
    attendance = models.CharField(max_length=30, choices=Attendance.choices)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date", "time", "id"]
        indexes = [models.Index(fields=["episode", "date"])]


class Ending(EnteredInError):
    class Reason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals reached; help ended as planned"
        AGREED_ENOUGH = "agreed_enough", "Agreed that enough has been done for now"
        FAMILY_CHOSE = "family_chose", "Young person or family chose to end"
        NOT_ENGAGING = "not_engaging", "Not engaging with the service"
        TRANSFERRED = "transferred", "Transferred to another service"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        AGED_OUT = "aged_out", "Reached the upper age of the service"
        OTHER = "other", "Other"

    class GoalsMet(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"
        NO_GOALS = "no_goals", "No goals were set"

    class NextStep(models.TextChoices):
        NONE_NEEDED = "none_needed", "No further help needed (Thriving)"
        SIGNPOSTED = "signposted", "Signposted to community support"
        SCHOOL_SUPPORT = "school_support", "Support continues in school"
        TRANSFERRED = "transferred", "Transferred to another service"
        REREFERRAL_ADVICE = "rereferral_advice", "Told how to come back if needed"
        OTHER = "other", "Other"

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="ending")
    ended_on = models.DateField()
    reason = models.CharField(max_length=30, choices=Reason.choices)
    goals_met = models.CharField(max_length=20, choices=GoalsMet.choices)
    agreed_with_family = models.BooleanField()
    next_step = models.CharField(max_length=30, choices=NextStep.choices)
    next_step_detail = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class ClosingLetter(models.Model):
    """A letter written after an ending (to the GP, the referrer or the family). Added by the lead
    practitioner within the window after the ending (sharing.policy.can_add_after_ending)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="closing_letters")
    written_on = models.DateField("Date of the letter")
    addressed_to = models.CharField("Who the letter is to", max_length=200)
    text = models.TextField("Letter")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_on", "id"]
