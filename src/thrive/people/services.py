"""Registering young people and keeping their details right."""

from django.db import transaction

from thrive.care.services import open_referral
from thrive.core import audit
from thrive.core.dates import today
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken

from . import matching
from .models import NewRecordDespiteMatch, ParentCarer, YoungPerson

DUPLICATE_NHS_NUMBER = (
    "A young person with this NHS number already has a record. If they are the same person, "
    "ask a system administrator to merge the two records."
)
NO_NEW_RECORD_WITH_SAME_NHS_NUMBER = (
    "A record with this NHS number already exists, so a new one cannot be added. Choose that "
    "record, or go back and correct the NHS number."
)
GIVE_A_REASON = "Enter why this is a different young person"
CHOOSE = "Choose a record to add the referral to, or add a new record"


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


def register_young_person(request, *, details: dict, referral: dict,
                          despite: list[matching.PossibleMatch] = (), reason: str = "") -> YoungPerson:
    """A new young person with the referral that brings them to the user's agency. `despite`
    lists the possible matches the user was shown and judged to be someone else, with `reason`."""
    reason = reason.strip()
    if despite and not reason:
        raise RuleBroken(GIVE_A_REASON, "reason")
    if any(m.reason == matching.SAME_NHS_NUMBER for m in despite):
        raise RuleBroken(NO_NEW_RECORD_WITH_SAME_NHS_NUMBER, "choice")
    check_date_of_birth(details["date_of_birth"])
    with transaction.atomic():
        _check_unique_nhs_number(details["nhs_number"])
        person = YoungPerson.objects.create(**details)
        audit.record(request, AuditEvent.Action.CREATE, obj=person, young_person=person,
                     detail="new record despite a possible match" if despite else "")
        NewRecordDespiteMatch.objects.bulk_create(
            NewRecordDespiteMatch(young_person=person, possible_match=m.person,
                                  match_reason=m.reason, reason=reason, decided_by=request.user)
            for m in despite)
        open_referral(request, person, **referral)
    return person


def possible_matches(details: dict) -> list[matching.PossibleMatch]:
    return matching.possible_matches(matching.Details(
        details["given_name"], details["family_name"], details["date_of_birth"],
        details.get("nhs_number", "")))


def note_matches_shown(request, matches: list[matching.PossibleMatch]) -> None:
    """Showing someone that a record exists is a disclosure: one entry per record shown."""
    for m in matches:
        audit.record(request, AuditEvent.Action.VIEW, obj=m.person, young_person=m.person,
                     detail=f"shown as a possible match: {m.reason}")


def refer_existing(request, match: matching.PossibleMatch, *, referral: dict):
    """The user judged the possible match to be this young person: the referral opens a new
    episode on that record, which is what gives their agency a relationship with it."""
    with transaction.atomic():
        audit.record(request, AuditEvent.Action.CHANGE, obj=match.person,
                     young_person=match.person,
                     detail=f"referral linked to an existing record ({match.reason})")
        return open_referral(request, match.person, **referral)


def update_demographics(request, person: YoungPerson, *, version: int, **details) -> YoungPerson:
    from thrive.history import services as history  # history builds on people

    with transaction.atomic():
        person = YoungPerson.objects.select_for_update().get(pk=person.pk)
        if person.version != version:
            raise RuleBroken(STALE)
        _check_unique_nhs_number(details["nhs_number"], exclude_pk=person.pk)
        check_date_of_birth(details["date_of_birth"])
        before = history.snapshot(person, details)
        for name, value in details.items():
            setattr(person, name, value)
        person.version += 1
        person.save()
        changed = history.record_changes(request, person, before, details,
                                         object_label="Details", young_person=person)
        audit.record(request, AuditEvent.Action.CHANGE, obj=person, young_person=person,
                     detail="demographics: " + history.changed_fields(changed))
    return person


def update_parent_carer(request, carer: ParentCarer, **details) -> ParentCarer:
    """Change a parent's or carer's details; each changed field is kept in the history."""
    from thrive.history import services as history  # history builds on people

    with transaction.atomic():
        carer = ParentCarer.objects.select_for_update().select_related("young_person").get(
            pk=carer.pk)
        before = history.snapshot(carer, details)
        for name, value in details.items():
            setattr(carer, name, value)
        carer.save()
        person = carer.young_person
        changed = history.record_changes(
            request, carer, before, details, young_person=person,
            object_label=f"Parent or carer: {before['name'] or carer.name}",
            labels={"name": "Full name", "lives_with_young_person": "Lives with the young person"})
        YoungPerson.objects.filter(pk=person.pk).update(version=person.version + 1)
        audit.record(request, AuditEvent.Action.CHANGE, obj=carer, young_person=person,
                     detail="parent or carer: " + history.changed_fields(changed))
    return carer


def add_parent_carer(request, person: YoungPerson, **details) -> ParentCarer:
    with transaction.atomic():
        carer = ParentCarer.objects.create(young_person=person, **details)
        YoungPerson.objects.filter(pk=person.pk).update(version=person.version + 1)
        audit.record(request, AuditEvent.Action.CREATE, obj=carer, young_person=person)
    return carer
