"""A system administrator merges two records of the same young person.

Everything that points at the record being merged away moves to the record kept, found from
`YoungPerson._meta` (hidden relations included) so a model added later cannot be forgotten. The
merged record keeps only a pointer (`merged_into`). Constraints that would break are checked
first and explained; any the checks do not know about still end in a clear refusal, not a 500.
The audit log is append-only and is not rewritten: entries about the merged record keep its id,
and its pointer leads to the surviving record.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken

from . import nhs_number
from .models import NewRecordDespiteMatch, YoungPerson

# Details the kept record takes from the other only where its own are blank.
FILLED_IF_BLANK = ("nhs_number", "preferred_name", "gender_identity", "ethnic_category", "school",
                   "local_authority", "postcode", "deprivation_decile")

SAME_RECORD = "Choose two different records"
ALREADY_MERGED = "One of these records has already been merged into another"
DIFFERENT_NHS_NUMBERS = ("These records have different NHS numbers, so they are not the same "
                         "person. Correct the wrong NHS number first.")
TWO_CURRENT_PLANS = ("Both records have a current Risk Support plan. Ask the keyworkers to end "
                     "one of them first, so that one plan is in force after the merge.")
TWO_KEYWORKERS = ("Each record has a different keyworker on its care team. Ask the care team to "
                  "agree one keyworker first.")
CONFLICT = ("The records could not be merged because two entries conflict. Nothing has been "
            "changed. Ask the care team to review both records.")
GIVE_A_REASON = "Enter why these records are the same young person"


def relations():
    """Every relation pointing at a YoungPerson, hidden ones (related_name='+') included."""
    return [f for f in YoungPerson._meta.get_fields(include_hidden=True)
            if f.is_relation and f.auto_created and not f.concrete]


def _label(rel) -> str:
    model = rel.related_model
    same_model = [r for r in relations() if r.related_model is model]
    label = str(model._meta.verbose_name_plural).capitalize()
    return f"{label} ({rel.field.verbose_name})" if len(same_model) > 1 else label


def _rows(rel, person):
    return rel.related_model._base_manager.filter(**{rel.field.name: person})


@dataclass(frozen=True)
class Preview:
    keep: YoungPerson
    away: YoungPerson
    moving: list  # (label, count) for every relation with something to move
    problems: list  # reasons the merge is refused
    closing_memberships: int  # care-team memberships held on both: the one moving is closed
    filled: list  # field names the kept record takes from the other


def _active_members(person):
    from thrive.sharing.models import CareTeamMember

    return CareTeamMember.objects.filter(young_person=person, removed_at__isnull=True)


def _problems(keep: YoungPerson, away: YoungPerson) -> list[str]:
    from thrive.risk.models import RiskSupportPlan

    if keep.pk == away.pk:
        return [SAME_RECORD]
    problems = []
    if keep.merged_into_id or away.merged_into_id:
        problems.append(ALREADY_MERGED)
    if keep.nhs_number and away.nhs_number and keep.nhs_number != away.nhs_number:
        problems.append(DIFFERENT_NHS_NUMBERS)
    current = RiskSupportPlan.objects.filter(young_person__in=[keep, away],
                                             status=RiskSupportPlan.Status.CURRENT)
    if current.values("young_person").distinct().count() > 1:
        problems.append(TWO_CURRENT_PLANS)
    keyworkers = set(_active_members(keep).filter(is_keyworker=True).values_list("user", flat=True))
    keyworkers |= set(_active_members(away).filter(is_keyworker=True).values_list("user", flat=True))
    if len(keyworkers) > 1:
        problems.append(TWO_KEYWORKERS)
    for rel in relations():
        if rel.one_to_one and _rows(rel, keep).exists() and _rows(rel, away).exists():
            problems.append(f"Both records have {_label(rel).lower()}; only one is allowed.")
    return problems


def _shared_members(keep, away):
    return _active_members(away).filter(user__in=_active_members(keep).values("user"))


def preview(keep: YoungPerson, away: YoungPerson) -> Preview:
    moving = [(_label(rel), n) for rel in relations() if (n := _rows(rel, away).count())]
    filled = [name for name in FILLED_IF_BLANK
              if getattr(keep, name) in ("", None) and getattr(away, name) not in ("", None)]
    return Preview(keep, away, moving, _problems(keep, away),
                   _shared_members(keep, away).count(), filled)


def merge(request, *, keep_id: int, away_id: int, keep_version: int, away_version: int,
          reason: str) -> YoungPerson:
    """Move everything from `away` to `keep` in one transaction and leave a pointer."""
    reason = " ".join(reason.split())
    if not reason:
        raise RuleBroken(GIVE_A_REASON, "reason")
    try:
        with transaction.atomic():
            locked = {p.pk: p for p in YoungPerson.objects.select_for_update()
                      .filter(pk__in=[keep_id, away_id]).order_by("pk")}
            keep, away = locked.get(keep_id), locked.get(away_id)
            if keep is None or away is None or (keep.version, away.version) != (keep_version,
                                                                                 away_version):
                raise RuleBroken(STALE)
            problems = _problems(keep, away)
            if problems:
                raise RuleBroken(problems[0])
            _merge_locked(request, keep, away, reason)
    except IntegrityError:
        raise RuleBroken(CONFLICT) from None
    return keep


def _merge_locked(request, keep, away, reason):
    now = timezone.now()
    # The same person on both care teams: keep one membership, close the other (history kept).
    for member in _shared_members(keep, away):
        if member.is_keyworker:
            _active_members(keep).filter(user=member.user_id).update(is_keyworker=True)
        member.removed_at = now
        member.is_keyworker = False
        member.save(update_fields=["removed_at", "is_keyworker"])
    moved = []
    for rel in relations():
        n = _rows(rel, away).update(**{rel.field.name: keep})
        if n:
            moved.append(f"{n} {rel.related_model._meta.model_name}")
    filled = [name for name in FILLED_IF_BLANK
              if getattr(keep, name) in ("", None) and getattr(away, name) not in ("", None)]
    for name in filled:
        setattr(keep, name, getattr(away, name))
    away.nhs_number = ""  # first, so the kept record may take it (the number is unique)
    away.merged_into, away.merged_at = keep, now
    away.version += 1
    away.save()
    keep.version += 1
    keep.save()
    summary = ", ".join(moved) or "nothing to move"
    audit.record(request, AuditEvent.Action.CHANGE, obj=keep, young_person=keep, reason=reason,
                 detail=f"merged record {away.public_id} into this one: {summary}")
    audit.record(request, AuditEvent.Action.CHANGE, obj=away, young_person=away, reason=reason,
                 detail=f"merged into record {keep.public_id}")


def surviving_record(public_id) -> YoungPerson | None:
    """Where a merged record's pointer (followed to the end) leads, or None if not merged."""
    person = YoungPerson.objects.filter(public_id=public_id, merged_into__isnull=False).first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person if seen else None


def find_record(reference: str) -> YoungPerson | None:
    """A system administrator names a record by NHS number or by its record reference."""
    reference = reference.strip()
    unmerged = YoungPerson.objects.filter(merged_into__isnull=True)
    if nhs_number.problem(reference) is None:
        return unmerged.filter(nhs_number=nhs_number.normalise(reference)).first()
    try:
        return unmerged.filter(public_id=reference).first()
    except (ValidationError, ValueError):  # not a record reference either
        return None


@dataclass(frozen=True)
class DuplicatePair:
    first: YoungPerson
    second: YoungPerson
    why: str


def possible_duplicates(limit: int = 50) -> list[DuplicatePair]:
    """Pairs a system administrator should review: a new record added despite a possible match,
    and records with exactly the same name and date of birth. Names and dates of birth only."""
    pairs, seen = [], set()

    def add(a, b, why):
        key = tuple(sorted((a.pk, b.pk)))
        if key not in seen and a.pk != b.pk:
            seen.add(key)
            first, second = sorted((a, b), key=lambda p: p.created_at)
            pairs.append(DuplicatePair(first, second, why))

    flagged = (NewRecordDespiteMatch.objects
               .filter(young_person__merged_into__isnull=True,
                       possible_match__merged_into__isnull=True)
               .exclude(young_person=F("possible_match"))
               .select_related("young_person", "possible_match")[:limit])
    for row in flagged:
        add(row.young_person, row.possible_match,
            f"Added as new despite a possible match ({row.match_reason.lower()})")
    unmerged = YoungPerson.objects.filter(merged_into__isnull=True)
    groups = list(unmerged.annotate(g=Lower("given_name"), f=Lower("family_name"))
                  .values("g", "f", "date_of_birth").annotate(n=Count("id")).filter(n__gt=1)
                  .order_by("f", "g")[:limit])
    if groups:
        where = Q()
        for group in groups:
            where |= Q(g=group["g"], f=group["f"], date_of_birth=group["date_of_birth"])
        people = (unmerged.annotate(g=Lower("given_name"), f=Lower("family_name"))
                  .filter(where).order_by("f", "g", "date_of_birth", "created_at"))
        by_key = {}
        for person in people:
            by_key.setdefault((person.g, person.f, person.date_of_birth), []).append(person)
        for same in by_key.values():
            for other in same[1:]:
                add(same[0], other, "Same name and date of birth")
    return pairs[:limit]
