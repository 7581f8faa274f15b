"""Young people and their parents or carers."""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from thrive.core import dates

from . import nhs_number
from .reference import EthnicCategory, GenderIdentity, Sex


def validate_nhs_number(value: str) -> None:
    why = nhs_number.problem(value)
    if why:
        raise ValidationError(why)


class YoungPerson(models.Model):
    # Opaque id for URLs: nothing identifying ever appears in an address.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    given_name = models.CharField("First name", max_length=100)
    family_name = models.CharField("Last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    gender_identity = models.CharField(max_length=1, choices=GenderIdentity.choices, blank=True)
    ethnic_category = models.CharField(max_length=2, choices=EthnicCategory.choices, blank=True)
    school = models.CharField(max_length=200, blank=True)
    local_authority = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Index of Multiple Deprivation decile of home postcode (1 most deprived); used for equity views.
    deprivation_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # A record merged into another by a system administrator keeps only this pointer: everything
    # that referred to it moved to the surviving record (see merge.py).
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from")
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "young people"
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~models.Q(nhs_number=""),
                name="young_person_unique_nhs_number",
            )
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        return nhs_number.formatted(self.nhs_number)

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(dates.today())


class ParentCarer(models.Model):
    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        STEP_PARENT = "step_parent", "Step-parent"
        GRANDPARENT = "grandparent", "Grandparent"
        FOSTER_CARER = "foster_carer", "Foster carer"
        KINSHIP_CARER = "kinship_carer", "Kinship carer"
        SOCIAL_WORKER = "social_worker", "Social worker (corporate parent)"
        OTHER = "other", "Other"

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.CASCADE, related_name="parents_carers"
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(default=False)
    lives_with_young_person = models.BooleanField(default=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.get_relationship_display()})"


class NewRecordDespiteMatch(models.Model):
    """Someone was shown a possible match and chose to add a new record anyway, with a reason.
    The pair is what a system administrator reviews as a possible duplicate."""

    young_person = models.ForeignKey(YoungPerson, on_delete=models.CASCADE,
                                     related_name="new_despite_match")
    possible_match = models.ForeignKey(YoungPerson, on_delete=models.CASCADE, related_name="+")
    match_reason = models.CharField(max_length=100)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
