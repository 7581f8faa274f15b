"""The community directory, shaped as Open Referral UK (HSDS 3.0 UK profile).

Every published record keeps its Open Referral id (`oruk_id`, a UUID) and the one-to-one fields
exactly as imported (`data`), so a record published again is the record that came in. The
columns beside `data` are copies of the fields search needs (ages, times, coordinates), filled
by the importer; nothing edits them separately.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from thrive.history.entries import EnteredInError

from . import links, listing, schedules, taxonomy


class Taxonomy(models.Model):
    oruk_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=200)
    data = models.JSONField(default=dict)


class TaxonomyTerm(models.Model):
    oruk_id = models.UUIDField(unique=True)
    taxonomy = models.ForeignKey(Taxonomy, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="terms")
    name = models.CharField(max_length=300)
    # The term's code within its vocabulary (Open Referral `term`), e.g. "getting-help".
    code = models.CharField(max_length=200, blank=True, db_index=True)
    data = models.JSONField(default=dict)

    @property
    def public_name(self) -> str:
        """The term in everyday words for families (THRIVE names stay for practitioners)."""
        if self.data.get("taxonomy_id") != taxonomy.TAXONOMY_ID:
            return self.name
        return taxonomy.public_label(self.code, self.name)

    @property
    def thrive_branch(self) -> str:
        """"need" or "kind" for THRIVE terms shown as tags; "" for any other term."""
        if self.data.get("taxonomy_id") != taxonomy.TAXONOMY_ID:
            return ""
        return "need" if self.code in taxonomy.NEEDS else "kind" if self.code in taxonomy.KINDS else ""


class Organization(models.Model):
    oruk_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=300)
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)


class Location(models.Model):
    oruk_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=300, blank=True)
    location_type = models.CharField(max_length=20)
    # Only coordinates within range are kept here; `data` keeps what the publisher sent.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # A refuge or similar: never published, never shown, never used to place a service.
    is_sensitive = models.BooleanField(default=False)
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"])]


class Service(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    oruk_id = models.UUIDField(unique=True)
    organization = models.ForeignKey(Organization, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    minimum_age = models.FloatField(null=True, blank=True)
    maximum_age = models.FloatField(null=True, blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    # Lower-case text for matching: the name; taxonomy terms and organisation; everything else.
    search_name = models.TextField(blank=True)
    search_terms = models.TextField(blank=True)
    search_body = models.TextField(blank=True)
    # The service's own one-to-one fields, and its nested parts that have no table of their own
    # (service areas, languages, funding, cost options, contacts), as imported.
    data = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    # The feed (its base URL) that owns this record: a service that disappears from the feed that
    # owns it is retired. Blank for records imported from a file, which no feed owns.
    source = models.CharField(max_length=500, blank=True, db_index=True)
    # Retired: kept (signposts still name it) but unpublished, unlisted and unsearchable, until
    # its feed lists it again.
    retired_at = models.DateTimeField(null=True, blank=True, db_index=True)
    terms = models.ManyToManyField(TaxonomyTerm, through="ServiceAttribute", related_name="services")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "minimum_age", "maximum_age"]),
                   # Listed (not retired), active, by age: answered from the index alone.
                   models.Index(fields=["status", "retired_at", "minimum_age", "maximum_age"],
                                name="directory_service_listed")]

    def __str__(self):
        return self.name

    @property
    def description(self) -> str:
        return self.data.get("description", "")

    @property
    def access(self) -> list[str]:
        return listing.how_to_access(self.data)

    @property
    def cost_in_words(self) -> str:
        return listing.cost(self.data)

    @property
    def last_checked(self):
        return listing.last_checked(self.data)

    @property
    def website(self) -> str:
        """The service's web address, or "" unless it is a plain http(s) link with a host."""
        return links.safe_url(self.data.get("url"))


def listed_services():
    """Services the directory lists and publishes: every one that is not retired."""
    return Service.objects.filter(retired_at__isnull=True)


class ServiceAttribute(models.Model):
    """A service classified with a taxonomy term (Open Referral `attribute`)."""

    oruk_id = models.UUIDField()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="+")
    link_type = models.CharField(max_length=100, blank=True)
    position = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["term", "service"])]


class ServiceAtLocation(models.Model):
    oruk_id = models.UUIDField(unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE,
                                related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT,
                                 related_name="service_at_locations")
    position = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)


class Schedule(models.Model):
    """When a service (or a service at one location) is open: RFC 5545-style weekly rules."""

    oruk_id = models.UUIDField()
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(ServiceAtLocation, null=True, blank=True,
                                            on_delete=models.CASCADE, related_name="schedules")
    # "MO,TU,WE" as in the feed; empty when the schedule names no days.
    byday = models.CharField(max_length=40, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    # Everything that decides when it is open, as short text (schedules.rule_key), so a search
    # judges each distinct rule once.
    rule = models.TextField(blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["service", "byday"])]

    @property
    def in_words(self) -> str:
        """When it is open, in plain words ("Thursdays 4:30pm to 6pm")."""
        return schedules.describe(self.data)


class Postcode(models.Model):
    """A postcode's centroid, from the table the service loads (`thrive load_postcodes`)."""

    postcode = models.CharField(max_length=8, unique=True)  # normalised: "NV1 2AB"
    latitude = models.FloatField()
    longitude = models.FloatField()


class Signpost(EnteredInError):
    """A young person pointed to a community service, and what happened when followed up."""

    class Outcome(models.TextChoices):
        ENGAGED = "engaged", "Engaged with the service"
        DID_NOT_ENGAGE = "did_not_engage", "Did not engage"
        NOT_SUITABLE = "not_suitable", "Service was not suitable"
        STILL_WAITING = "still_waiting", "Still waiting"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey("care.Episode", on_delete=models.PROTECT, related_name="signposts")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="signposts")
    reason = models.TextField()
    signposted_on = models.DateField()
    follow_up_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_recorded_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-signposted_on", "-id"]
        indexes = [models.Index(fields=["episode", "follow_up_on"])]


class SignpostOutcome(models.Model):
    """One follow-up of a signpost: what happened, when, with a note. Each follow-up is a new row,
    so the history is kept; the signpost carries the latest as its `outcome` (for the caseload)."""

    signpost = models.ForeignKey(Signpost, on_delete=models.PROTECT, related_name="outcomes")
    outcome = models.CharField(max_length=20, choices=Signpost.Outcome.choices)
    recorded_on = models.DateField()
    note = models.TextField(blank=True)
    next_follow_up_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]


def awaiting_follow_up_q(prefix: str = "") -> Q:
    """Signposts whose outcome is not yet settled (none recorded, or still waiting)."""
    return Q(**{f"{prefix}outcome": ""}) | Q(**{f"{prefix}outcome": Signpost.Outcome.STILL_WAITING})


class ProblemReport(models.Model):
    """A family's "report a problem with this listing". Nothing personal is asked for or kept
    (no name, no address, no IP)."""

    class What(models.TextChoices):
        CLOSED = "closed", "The service has closed"
        TIMES = "times", "The opening times are wrong"
        CONTACT = "contact", "The phone number, email or website is wrong"
        OTHER = "other", "Something else"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="problem_reports")
    what = models.CharField(max_length=20, choices=What.choices)
    detail = models.TextField(blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-reported_at", "-id"]


class ProviderInvite(models.Model):
    """A one-time, expiring link an editor sends to a provider contact so they can suggest changes
    to one listing. Only a hash of its token is kept; the link carries no identifiers."""

    token_hash = models.CharField(max_length=64, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="provider_invites")
    # Who the editor sent it to, in the editor's words (for the editor's own list).
    contact = models.CharField(max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ChangeSuggestion(models.Model):
    """Changes a provider proposed to their listing through an invite. Nothing changes in the
    directory until an editor approves it (applied through the importer, versioned and audited)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="suggestions")
    invite = models.OneToOneField(ProviderInvite, on_delete=models.PROTECT,
                                  related_name="suggestion")
    # The listing's editable values as the provider saw them, and as they proposed them.
    base = models.JSONField(default=dict)
    proposed = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
