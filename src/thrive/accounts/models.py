"""Agencies, their teams, and the people who sign in."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models


class Agency(models.Model):
    class Kind(models.TextChoices):
        NHS = "nhs", "NHS service"
        SCHOOL = "school", "School or college"
        COUNCIL = "council", "Local authority"
        CHARITY = "charity", "Voluntary sector"
        YOUTH_JUSTICE = "youth_justice", "Youth justice"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ods_code = models.CharField("ODS code", max_length=10, blank=True)
    # The ages the agency serves (blank: no limit). Outside them a referral needs a reason.
    min_age = models.PositiveSmallIntegerField("Youngest age seen", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("Oldest age seen", null=True, blank=True)
    # Off: the agency's staff sign in only through single sign-on (decision 0024); the password
    # form refuses them even with the right password.
    passwords_allowed = models.BooleanField("Staff may sign in with a password", default=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def age_range_text(self) -> str:
        if self.min_age is None and self.max_age is None:
            return "any age"
        if self.max_age is None:
            return f"{self.min_age} and over"
        if self.min_age is None:
            return f"up to {self.max_age}"
        return f"{self.min_age} to {self.max_age}"

    def serves_age(self, age: int) -> bool:
        return ((self.min_age is None or age >= self.min_age)
                and (self.max_age is None or age <= self.max_age))


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name")]

    def __str__(self):
        return f"{self.name} ({self.agency.name})"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    AGENCY_ADMIN = "agency_admin", "Agency administrator"
    ANALYST = "analyst", "Commissioner or analyst"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    SYSTEM_ADMIN = "system_admin", "System administrator"
    # Runs Community THRIVE assessments with residents (no access to any child's record).
    FACILITATOR = "facilitator", "Community THRIVE facilitator"
    # Leads the locality's THRIVE implementation self-assessment rounds.
    SITE_LEAD = "site_lead", "THRIVE self-assessment lead"
    # Keeps the community directory current (no access to any child's record).
    DIRECTORY_EDITOR = "directory_editor", "Directory editor"


# Roles whose work is with individual young people's records.
CLINICAL_ROLES = {Role.PRACTITIONER, Role.TEAM_MANAGER}


class ThriveUserManager(UserManager):
    """Every account made with a password, including by `createsuperuser --noinput` (which skips
    Django's validation), gets one the password validators accept."""

    def _create_user_object(self, username, email, password, **extra_fields):
        user = super()._create_user_object(username, email, password, **extra_fields)
        if password is not None:
            validate_password(password, user)
        return user


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    job_title = models.CharField(max_length=120, blank=True)
    # Named safeguarding leads may share without consent (with a reason) and read safeguarding
    # notes; team managers may too.
    is_safeguarding_lead = models.BooleanField(default=False)
    # Set when an administrator gives a temporary password (a new account or a reset): until they
    # choose their own, the only page they can use is "Change your password".
    must_change_password = models.BooleanField(default=False)

    objects = ThriveUserManager()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def works_with_records(self) -> bool:
        return self.role in CLINICAL_ROLES


class SingleSignOnIdentity(models.Model):
    """An account at an OpenID provider, linked to a platform account. Matched by the issuer and
    the provider's stable subject (`sub`) only, never by an e-mail address or a name, which
    change and can be reused."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="sso_identities")
    provider = models.CharField(max_length=20)  # the configured name, for display and sign-out
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField()
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_identity_one_per_issuer"),
        ]


class SingleSignOnLinkCode(models.Model):
    """A one-time code an administrator gives someone so that their first single sign-on links
    their provider account to this platform account. Only its hash is kept."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="sso_link_code")
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
