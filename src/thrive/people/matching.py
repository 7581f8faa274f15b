"""Possible matches for a young person about to be added: the same NHS number, or a name and
date of birth that look like the same person (day and month swapped, small spelling variants).

The rules are pure functions; `possible_matches` runs one indexed query (NHS number, or the date
of birth and its day/month swap) and compares names in Python on that small set only.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

SAME_NHS_NUMBER = "Same NHS number"
SAME_NAME_SAME_DOB = "Same name and date of birth"
SAME_NAME_SWAPPED_DOB = "Same name, day and month swapped"
SIMILAR_NAME_SAME_DOB = "Similar name, same date of birth"
SIMILAR_NAME_SWAPPED_DOB = "Similar name, day and month swapped"

# Strongest first: the order the possible-match page lists them in.
REASON_ORDER = (SAME_NHS_NUMBER, SAME_NAME_SAME_DOB, SAME_NAME_SWAPPED_DOB,
                SIMILAR_NAME_SAME_DOB, SIMILAR_NAME_SWAPPED_DOB)


@dataclass(frozen=True)
class Details:
    """What was entered (or what a record holds) that matching compares."""

    given_name: str
    family_name: str
    date_of_birth: date
    nhs_number: str = ""


def normalise_name(name: str) -> str:
    """Case, accents, spaces, hyphens, apostrophes and full stops do not make a different name:
    "O'Brien-Smith" and "obrien smith" are the same."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if ch.isalnum()).casefold()


def within_one_edit(a: str, b: str) -> bool:
    """True if one letter added, removed, changed, or two neighbours swapped turns a into b
    (Damerau–Levenshtein distance at most 1): "Steven"/"Stephen" no, "Jon"/"John" yes."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1:]


def _given_names_alike(a: str, b: str) -> bool:
    # "Sam"/"Samantha", "Mary"/"Mary Ann": one a start of the other, at least three letters.
    shorter = min(a, b, key=len)
    return within_one_edit(a, b) or (len(shorter) >= 3 and (a.startswith(b) or b.startswith(a)))


def name_likeness(entered: Details, existing: Details) -> str | None:
    """'same', 'similar' or None."""
    eg, ef = normalise_name(entered.given_name), normalise_name(entered.family_name)
    xg, xf = normalise_name(existing.given_name), normalise_name(existing.family_name)
    if not (eg and ef and xg and xf):
        return None
    if (eg, ef) == (xg, xf):
        return "same"
    if (eg, ef) == (xf, xg):  # first and last name typed into each other's boxes
        return "similar"
    if within_one_edit(ef, xf) and _given_names_alike(eg, xg):
        return "similar"
    return None


def day_month_swapped(day: date) -> date | None:
    """15/05 entered as 05/15 is impossible, but 03/07 for 07/03 is a date, and a common slip."""
    if day.day == day.month or day.day > 12:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def match_reason(entered: Details, existing: Details) -> str | None:
    """Why `existing` may be the young person being entered, or None."""
    if entered.nhs_number and existing.nhs_number == entered.nhs_number:
        return SAME_NHS_NUMBER
    if entered.nhs_number and existing.nhs_number:
        return None  # two valid, different NHS numbers are two people
    if existing.date_of_birth == entered.date_of_birth:
        same_day = True
    elif existing.date_of_birth == day_month_swapped(entered.date_of_birth):
        same_day = False
    else:
        return None
    likeness = name_likeness(entered, existing)
    if likeness == "same":
        return SAME_NAME_SAME_DOB if same_day else SAME_NAME_SWAPPED_DOB
    if likeness == "similar":
        return SIMILAR_NAME_SAME_DOB if same_day else SIMILAR_NAME_SWAPPED_DOB
    return None


@dataclass(frozen=True)
class PossibleMatch:
    person: object  # a YoungPerson
    reason: str


def possible_matches(entered: Details) -> list[PossibleMatch]:
    """Every record in the platform that may be this young person, strongest reason first.
    Merged-away records are never offered; the query uses the date-of-birth and NHS-number
    indexes, so its cost depends on how many share a birthday, not on the size of the table."""
    from django.db.models import Q

    from .models import YoungPerson

    days = [entered.date_of_birth]
    swapped = day_month_swapped(entered.date_of_birth)
    if swapped:
        days.append(swapped)
    where = Q(date_of_birth__in=days)
    if entered.nhs_number:
        where |= Q(nhs_number=entered.nhs_number)
    candidates = YoungPerson.objects.filter(where, merged_into__isnull=True).order_by("pk")
    found = []
    for person in candidates:
        existing = Details(person.given_name, person.family_name, person.date_of_birth,
                           person.nhs_number)
        reason = match_reason(entered, existing)
        if reason:
            found.append(PossibleMatch(person, reason))
    found.sort(key=lambda m: REASON_ORDER.index(m.reason))
    return found
