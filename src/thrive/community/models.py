"""Community THRIVE: a community's own assessment of its conditions, its priorities and its action
plan (domain spec community-thrive.md). Nothing here links to a young person's record: participants
are anonymous and actions belong to the community, never to a child."""

import secrets
import uuid

from django.conf import settings
from django.db import models


class FactorSet(models.Model):
    """A versioned set of clusters and factors, loaded from data; immutable once an assessment
    uses it (services.factor_set_in_use)."""

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    source = models.TextField(blank=True)
    published_on = models.DateField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    owner_org = models.ForeignKey("accounts.Agency", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"],
                                               name="community_factor_set_code_version")]
        ordering = ["code", "-version"]

    def __str__(self):
        return f"{self.title} ({self.code} v{self.version})"


class Cluster(models.Model):
    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="clusters")
    key = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["factor_set", "key"],
                                               name="community_cluster_key")]

    def __str__(self):
        return self.name


class StructuralDriver(models.Model):
    """Context for the assessment, never rated."""

    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="drivers")
    key = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]


class Factor(models.Model):
    factor_set = models.ForeignKey(FactorSet, on_delete=models.CASCADE, related_name="factors")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="factors")
    key = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    prompt = models.TextField(blank=True)
    prompt_youth = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["factor_set", "key"],
                                               name="community_factor_key")]

    def __str__(self):
        return self.name


class FactorOutcomeLink(models.Model):
    class Status(models.TextChoices):
        ILLUSTRATIVE = "illustrative", "Illustrative, to be reviewed locally"
        REVIEWED = "reviewed", "Reviewed"

    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="outcome_links")
    outcome_set = models.CharField(max_length=20)  # pi, hp2010, local
    outcome = models.CharField(max_length=120)
    citation = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ILLUSTRATIVE)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=~models.Q(status="reviewed") | ~models.Q(citation=""),
            name="community_reviewed_link_has_citation")]


class Community(models.Model):
    class Scheme(models.TextChoices):
        LAD = "lad", "Local authority district"
        WARD = "ward", "Electoral ward"
        LSOA = "lsoa", "Lower layer super output area (LSOA)"
        MSOA = "msoa", "Middle layer super output area (MSOA)"
        US_TRACT = "us_tract", "US census tract"
        CUSTOM = "custom", "Custom area"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    geography_scheme = models.CharField(max_length=20, choices=Scheme.choices)
    geography_code = models.CharField(max_length=40)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self):
        return self.name


def new_join_token() -> str:
    return secrets.token_urlsafe(16)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for ratings"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="assessments")
    period_start = models.DateField()
    period_end = models.DateField()
    purpose = models.TextField()
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    factor_set = models.ForeignKey(FactorSet, on_delete=models.PROTECT,
                                   related_name="assessments")
    factors_in_scope = models.ManyToManyField(Factor, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    join_token = models.CharField(max_length=40, unique=True, default=new_join_token)
    consent_version = models.CharField(max_length=20, default="1")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="repeats")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [models.CheckConstraint(
            condition=models.Q(period_end__gte=models.F("period_start")),
            name="community_assessment_period_order")]

    def __str__(self):
        return f"{self.community.name}, {self.period_start:%B %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def scope(self):
        return self.factors_in_scope.select_related("cluster").order_by("order")

    @property
    def is_short_form(self) -> bool:
        return self.factors_in_scope.count() < self.factor_set.factors.count()


class Participant(models.Model):
    """Anonymous by design: no name, contact, IP address or user agent is ever stored. `key` is a
    random secret held only in the participant's own session, to resume on the same device."""

    class Role(models.TextChoices):
        RESIDENT = "resident", "Resident"
        YOUNG_PERSON = "young_person", "Young person"
        PARENT_CARER = "parent_carer", "Parent or carer"
        PRACTITIONER = "practitioner", "Practitioner"
        DECISION_MAKER = "decision_maker", "Decision maker"
        BUSINESS = "business", "Business"
        SECTOR = "sector", "Other sector"

    class AgeBand(models.TextChoices):
        A11_15 = "11-15", "11 to 15"
        A16_17 = "16-17", "16 to 17"
        A18_24 = "18-24", "18 to 24"
        A25_64 = "25-64", "25 to 64"
        A65 = "65+", "65 or over"
        NOT_STATED = "not_stated", "Prefer not to say"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="participants")
    number = models.PositiveIntegerField()  # the pseudonym within the assessment: P001, P002…
    key = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    sector_name = models.CharField(max_length=100, blank=True)
    age_band = models.CharField(max_length=12, choices=AgeBand.choices)
    youth_wording = models.BooleanField(default=False)
    carer_consent = models.BooleanField(default=False)
    consent_at = models.DateTimeField()
    keyed_from_paper = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "number"],
                                               name="community_participant_number")]

    @property
    def pseudonym(self) -> str:
        return f"P{self.number:03d}"


class Rating(models.Model):
    """One per participant and factor; no row means skipped; don't know means no condition."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE,
                                    related_name="ratings")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    condition = models.PositiveSmallIntegerField(null=True, blank=True)
    dont_know = models.BooleanField(default=False)
    importance = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    comment_hidden = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "factor"],
                                    name="community_one_rating_per_factor"),
            models.CheckConstraint(condition=~models.Q(dont_know=True, condition__isnull=False),
                                   name="community_dont_know_has_no_condition"),
            models.CheckConstraint(
                condition=models.Q(condition__isnull=True) | models.Q(condition__range=(1, 5)),
                name="community_condition_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(importance__isnull=True) | models.Q(importance__range=(1, 5)),
                name="community_importance_1_to_5"),
        ]


class Evidence(models.Model):
    """Local data as context for a factor; never blended into ratings."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=200)
    value = models.DecimalField(max_digits=14, decimal_places=3)
    unit = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=300)
    as_of = models.DateField()
    peer_value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["factor__order", "indicator"]


class Priority(models.Model):
    """The group's decision: never written from the suggestion."""

    class Method(models.TextChoices):
        CONSENSUS = "consensus", "Consensus"
        VOTE = "vote", "Vote"
        OTHER = "other", "Other"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="priorities")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    rationale = models.TextField()
    method = models.CharField(max_length=12, choices=Method.choices)
    agreed_on = models.DateField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"],
                                    name="community_priority_factor_once"),
            models.UniqueConstraint(fields=["assessment", "rank"],
                                    name="community_priority_rank_once"),
        ]


class Action(models.Model):
    """A SMART action for a priority. It belongs to the community's plan and sits in the Thriving
    grouping by default; it has no link to any young person."""

    class StrategyType(models.TextChoices):
        POLICY = "policy", "Policy"
        PROGRAMME = "programme", "Programme"
        PRACTICE = "practice", "Practice"
        ENVIRONMENT = "environment", "Environment"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    class Sector(models.TextChoices):
        COMMUNITY = "community", "Community at large"
        INSTITUTIONS = "institutions", "Community institutions and organisations"
        HEALTH_CARE = "health_care", "Health care"
        SCHOOL = "school", "School"
        WORK_SITE = "work_site", "Work site"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="actions")
    smart_objective = models.TextField()
    strategy_type = models.CharField(max_length=12, choices=StrategyType.choices)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    lead_partner = models.CharField(max_length=200)
    start = models.DateField()
    due = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    progress_measure = models.CharField(max_length=300)
    baseline = models.CharField(max_length=60, blank=True)
    target = models.CharField(max_length=60, blank=True)
    latest_value = models.CharField(max_length=60, blank=True)
    thrive_grouping = models.CharField(max_length=20, default="thriving")

    class Meta:
        ordering = ["priority__rank", "due", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(due__gte=models.F("start")),
                                              name="community_action_due_after_start")]

    def current(self) -> tuple[str, str, object]:
        """(status label, latest value, as of) from the newest progress, else as agreed."""
        entries = list(self.progress.all())  # newest first (ActionProgress.Meta.ordering)
        latest = entries[0] if entries else None
        if latest is None:
            return self.get_status_display(), self.latest_value, None
        return latest.get_status_display(), latest.latest_value, latest.recorded_on


class ActionProgress(models.Model):
    """Progress on an action after its plan was agreed, appended (never edited), so a closed
    assessment's own record stays as it was while the plan's progress is followed through the
    year to the review."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress")
    recorded_on = models.DateField()
    status = models.CharField(max_length=12, choices=Action.Status.choices)
    latest_value = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-recorded_on", "-id"]



class FactorCrosswalk(models.Model):
    """Maps a factor of one factor-set version to a factor of another: change between two
    assessments on different sets is computed only for mapped factors."""

    from_factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="+")
    to_factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="crosswalk_from")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_factor", "to_factor"],
                                               name="community_crosswalk_once")]


class AcerObservation(models.Model):
    """The optional trauma overlay (Adverse Community Experiences and Resilience, Prevention
    Institute 2016): what the group observed of each symptom of community trauma. Shown as
    markers beside the radar; never scored, never in a mean."""

    class Level(models.TextChoices):
        NOT_SEEN = "not_seen", "Not seen"
        SOME = "some", "Some signs"
        MARKED = "marked", "Marked"
        DONT_KNOW = "dont_know", "Don't know"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="acer_observations")
    item_key = models.CharField(max_length=40)
    level = models.CharField(max_length=12, choices=Level.choices)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item_key"],
                                               name="community_acer_item_once")]
