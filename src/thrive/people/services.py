"""Registering young people and keeping their details right."""

from django.db import transaction

from thrive.care.services import open_referral
from thrive.core import audit
from thrive.core.dates import today
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken

from .models import ParentCarer, YoungPerson

DUPLICATE_NHS_NUMBER = (
    "A young person with this NHS number already has a record. Search for them by NHS number; "
    "if you cannot open it, ask your team manager."
)


def _check_unique_nhs_number(number: str, exclude_pk=None) -> None:
    others = YoungPerson.objects.filter(nhs_number=number)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if number and others.exists():
        raise RuleBroken(DUPLICATE_NHS_NUMBER, "nhs_number")


OLDEST_AGE = 120  # older is a mistyped year, not a person


def check_date_of_birth(born) -> None:
    """Pages, the API and imports alike: no one is born tomorrow or 130 years ago."""
    now = today()
    if born > now:
        raise RuleBroken("Date of birth must be today or in the past", "date_of_birth")
    if now.year - born.year > OLDEST_AGE:
        raise RuleBroken(f"Date of birth must be within the last {OLDEST_AGE} years: check the "
                         "year", "date_of_birth")


def register_young_person(request, *, details: dict, referral: dict) -> YoungPerson:
    """A new young person with the referral that brings them to the user's agency."""
    check_date_of_birth(details["date_of_birth"])
    with transaction.atomic():
        _check_unique_nhs_number(details["nhs_number"])
        person = YoungPerson.objects.create(**details)
        audit.record(request, AuditEvent.Action.CREATE, obj=person, young_person=person)
        open_referral(request, person, **referral)
    return person


def update_demographics(request, person: YoungPerson, *, version: int, **details) -> YoungPerson:
    with transaction.atomic():
        person = YoungPerson.objects.select_for_update().get(pk=person.pk)
        if person.version != version:
            raise RuleBroken(STALE)
        _check_unique_nhs_number(details["nhs_number"], exclude_pk=person.pk)
        check_date_of_birth(details["date_of_birth"])
        for name, value in details.items():
            setattr(person, name, value)
        person.version += 1
        person.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=person, young_person=person,
                     detail="demographics")
    return person


def add_parent_carer(request, person: YoungPerson, **details) -> ParentCarer:
    with transaction.atomic():
        carer = ParentCarer.objects.create(young_person=person, **details)
        YoungPerson.objects.filter(pk=person.pk).update(version=person.version + 1)
        audit.record(request, AuditEvent.Action.CREATE, obj=carer, young_person=person)
    return carer
