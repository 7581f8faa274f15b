"""Risk Support plans (THRIVE framework §6): one multi-agency plan per young person in force at
a time, with its agencies, risks, crisis contingency and distribution list as child rows.

A plan belongs to the young person, not to one agency's episode: it is shared by every agency
that works with them. Changes go through `services.py`, which checks `version` so that a save
made over someone else's change is refused rather than lost.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from thrive.accounts.models import Agency
from thrive.people.models import YoungPerson


class RiskSupportPlan(models.Model):
    class Status(models.TextChoices):
        CURRENT = "current", "Current"
        SUPERSEDED = "superseded", "Superseded"
        ENDED = "ended", "Ended"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="risk_support_plans"
    )
    keyworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="keyworker_plans"
    )
    what_helps = models.TextField("What helps")
    preventive_actions = models.TextField("Preventive actions")
    informal_network = models.TextField("Informal network", blank=True)
    agreed_with_young_person = models.BooleanField()
    agreed_with_family = models.CharField(max_length=300, blank=True)
    agreed_on = models.DateField()
    review_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CURRENT)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    # Named agencies on the platform see the plan with their "risk_support" consent, or on this
    # safeguarding basis for sharing without consent (who recorded it, and why).
    safeguarding_basis = models.TextField(blank=True)
    safeguarding_basis_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-agreed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"], condition=Q(status="current"),
                name="risk_plan_one_current_per_young_person",
            )
        ]
        indexes = [models.Index(fields=["status", "review_on"])]

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.CURRENT


class PlanAgency(models.Model):
    plan = models.ForeignKey(RiskSupportPlan, on_delete=models.CASCADE, related_name="agencies")
    order = models.PositiveSmallIntegerField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.TextField()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "agency"], name="risk_plan_agency_once"),
        ]


class PlanRisk(models.Model):
    class Kind(models.TextChoices):
        TO_SELF = "to_self", "Risk to self"
        TO_OTHERS = "to_others", "Risk to others"
        FROM_OTHERS = "from_others", "Risk from others"

    plan = models.ForeignKey(RiskSupportPlan, on_delete=models.CASCADE, related_name="risks")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField()

    class Meta:
        ordering = ["plan", "order"]


class CrisisStep(models.Model):
    """One crisis contingency: if this happens (trigger), do these things in order (responses),
    and contact this person this way."""

    plan = models.ForeignKey(RiskSupportPlan, on_delete=models.CASCADE, related_name="crisis_steps")
    order = models.PositiveSmallIntegerField()
    trigger = models.TextField()
    responses = models.JSONField(default=list)  # ordered list of strings, numbered when shown
    contact_who = models.CharField(max_length=300)
    contact_how = models.CharField(max_length=300)

    class Meta:
        ordering = ["plan", "order"]


class DistributionEntry(models.Model):
    class HowSent(models.TextChoices):
        SECURE_EMAIL = "secure_email", "Secure email"
        PLATFORM = "platform", "Shared on this platform"
        BY_HAND = "by_hand", "Given by hand"
        POST = "post", "Post"
        PRINTED = "printed", "Printed copy"
        PHONE = "phone", "Read out by phone"
        OTHER = "other", "Other"

    plan = models.ForeignKey(RiskSupportPlan, on_delete=models.CASCADE, related_name="distribution")
    order = models.PositiveSmallIntegerField()
    recipient = models.CharField(max_length=300)
    how_sent = models.CharField(max_length=20, choices=HowSent.choices)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name_plural = "distribution entries"


class ExternalParticipant(models.Model):
    """Someone in the plan from an organisation not on this platform, with how to reach them and
    how they got the plan."""

    class OrganisationKind(models.TextChoices):
        CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
        POLICE = "police", "Police"
        GP = "gp", "GP practice"
        A_AND_E = "a_and_e", "A&E"
        SCHOOL = "school", "School or college"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"
        OTHER = "other", "Other"

    plan = models.ForeignKey(RiskSupportPlan, on_delete=models.CASCADE,
                             related_name="external_participants")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    organisation_kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=1000)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    how_sent = models.CharField(max_length=20, choices=DistributionEntry.HowSent.choices)

    class Meta:
        ordering = ["plan", "order"]
