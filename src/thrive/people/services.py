"""Registering young people and keeping their details right."""

from django.db import transaction

from thrive.care.services import open_referral
from thrive.core import audit
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


def register_young_person(request, *, details: dict, referral: dict) -> YoungPerson:
    """A new young person with the referral that brings them to the user's agency."""
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
