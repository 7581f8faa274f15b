"""How agencies share a young person's record: care teams, referrals between agencies, consent,
break-glass access, sensitive notes, and the privacy officer's review queue."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from thrive.accounts.models import Agency, Team
from thrive.history.entries import EnteredInError
from thrive.people.models import YoungPerson

USER = settings.AUTH_USER_MODEL


class CareTeamMember(models.Model):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE,
                                     related_name="care_team")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="care_teams")
    role = models.CharField("Role in the care team", max_length=120)
    is_keyworker = models.BooleanField(default=False)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The basis for adding someone from an agency not already working with the young person:
    # the consent that covered it, or a safeguarding override and its reason (see policy.py).
    consent = models.ForeignKey("Consent", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    override_reason = models.TextField(blank=True)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-is_keyworker", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["young_person", "user"],
                                    condition=Q(removed_at__isnull=True),
                                    name="one_active_membership"),
            models.UniqueConstraint(fields=["young_person"],
                                    condition=Q(removed_at__isnull=True, is_keyworker=True),
                                    name="one_keyworker"),
        ]

    @property
    def basis_label(self) -> str:
        """How this member came to be on the care team, as shown wherever they are listed."""
        if self.override_reason:
            return "Added under safeguarding override"
        if self.consent_id:
            return f"Added with consent given on {self.consent.given_on:%-d %B %Y}"
        return ""


class Consent(models.Model):
    class GivenBy(models.TextChoices):
        YOUNG_PERSON = "young_person", "The young person"
        PARENT_CARER = "parent_carer", "A parent or carer"

    class Purpose(models.TextChoices):
        REFERRAL = "referral", "Referral for help"
        CARE_COORDINATION = "care_coordination", "Working together on care"
        RISK_SUPPORT = "risk_support", "A multi-agency Risk Support plan"

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE,
                                     related_name="consents")
    given_by = models.CharField(max_length=20, choices=GivenBy.choices)
    given_by_name = models.CharField("Name of the person consenting", max_length=200)
    with_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    given_on = models.DateField()
    expires_on = models.DateField("Valid until")
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]

    def is_valid_on(self, day) -> bool:
        return (self.given_on <= day <= self.expires_on
                and (self.withdrawn_on is None or self.withdrawn_on > day))


class AgencyReferral(models.Model):
    """A referral or transfer from one agency to another, inside the platform."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT,
                                     related_name="agency_referrals")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField("Why you are referring")
    is_transfer = models.BooleanField(default=False)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    consent_override_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    receiving_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    episode = models.OneToOneField("care.Episode", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="agency_referral")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(consent__isnull=True, consent_override_reason=""),
                name="referral_needs_consent_or_override"),
        ]


class BreakGlassGrant(models.Model):
    """Emergency, time-boxed access to a record with no legitimate relationship."""

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="break_glass")
    young_person = models.ForeignKey(YoungPerson, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]


class AccessAlert(models.Model):
    """Something the privacy officer must look at and close with a note."""

    class Kind(models.TextChoices):
        BREAK_GLASS = "break_glass", "Break-glass access"
        UNUSUAL_VOLUME = "unusual_volume", "Many records opened in a short time"
        CARE_TEAM_CONSENT = "care_team_consent", "Someone from another agency added to a care team"
        CARE_TEAM_OVERRIDE = "care_team_override", "Care-team member added under safeguarding override"
        REFERRAL_OVERRIDE = "referral_override", "Referral sent under safeguarding override"
        PLAN_SAFEGUARDING = "plan_safeguarding", "Risk Support plan shared on a safeguarding basis"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    young_person = models.ForeignKey(YoungPerson, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    grant = models.OneToOneField(BreakGlassGrant, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="alert")
    raised_at = models.DateTimeField()
    detail = models.TextField()
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.TextField(blank=True)

    class Meta:
        ordering = ["closed_at", "-raised_at"]


class Sensitivity(models.TextChoices):
    NONE = "", "Not sensitive"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"


class RecordNote(EnteredInError):
    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()
    sensitivity = models.CharField(max_length=20, choices=Sensitivity.choices, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]


class Notification(models.Model):
    """A short in-app message for one user, shown on their caseload until they dismiss it."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    young_person = models.ForeignKey(YoungPerson, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
