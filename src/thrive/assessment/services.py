"""Domain operations of the self-assessment, one transaction each. A broken rule raises
RuleBroken (the page shows it in the error summary and nothing is saved)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from thrive.core.dates import today
from thrive.core.rules import RuleBroken

from . import principles, scoring
from .models import (
    Action,
    AgreedScore,
    MemberScore,
    PanelMember,
    PdsaEntry,
    PrincipleSet,
    Round,
    StaffSeniority,
)

CLOSED = "This round is closed and cannot be changed. Copy it to start a new round."


def default_principle_set() -> PrincipleSet:
    """The shipped default set, stored the first time it is needed (never altered after)."""
    data = principles.shipped()
    found, _ = PrincipleSet.objects.get_or_create(
        key=data["key"], defaults={"title": data["title"], "principles": data["principles"]}
    )
    return found


@transaction.atomic
def update_descriptors(principle_set: PrincipleSet, pid: str, descriptors: dict[str, str]) -> None:
    """Edit one principle's descriptors per score, only while no round uses the set."""
    principle_set = PrincipleSet.objects.select_for_update().get(pk=principle_set.pk)
    if principle_set.rounds.exists():
        raise RuleBroken(
            "This principle set is used by a round, so it cannot be changed. Make a new version instead"
        )
    rows = [dict(p) for p in principle_set.principles]
    for row in rows:
        if row["id"] == pid:
            row["descriptors"] = {str(k): v.strip() for k, v in descriptors.items()}
    try:
        principles.validate({"principles": rows})
    except ValueError as bad:
        raise RuleBroken("Write a descriptor for each of the scores 1, 2, 3 and 4") from bad
    principle_set.principles = rows
    principle_set.save(update_fields=["principles"])


@transaction.atomic
def new_version(source: PrincipleSet, *, title: str) -> PrincipleSet:
    """A copy of a set whose descriptors can be edited until a round uses it."""
    n = PrincipleSet.objects.filter(key__startswith=f"{source.key}-local-").count() + 1
    while PrincipleSet.objects.filter(key=f"{source.key}-local-{n}").exists():
        n += 1
    if not title.strip():
        raise RuleBroken("Give the new version a title", "title")
    return PrincipleSet.objects.create(
        key=f"{source.key}-local-{n}", title=title.strip(), principles=[dict(p) for p in source.principles]
    )


def _check_period(start: date, end: date, held_on: date):
    if end < start:
        raise RuleBroken("The end of the evidence period must be on or after its start", "period_end")
    if end > today():
        raise RuleBroken("The evidence period cannot end in the future", "period_end")


@transaction.atomic
def create_round(
    *,
    lead,
    title,
    scope,
    held_on,
    period_start,
    period_end,
    locality="",
    agency=None,
    principle_set=None,
    copied_from=None,
) -> Round:
    if scope == Round.Scope.SERVICE and agency is None:
        raise RuleBroken("Choose the service or agency being assessed", "agency")
    if scope == Round.Scope.LOCALITY and not locality.strip():
        raise RuleBroken("Enter the name of the locality being assessed", "locality")
    _check_period(period_start, period_end, held_on)
    return Round.objects.create(
        lead=lead,
        title=title.strip(),
        scope=scope,
        held_on=held_on,
        period_start=period_start,
        period_end=period_end,
        locality=locality.strip() if scope == Round.Scope.LOCALITY else "",
        agency=agency if scope == Round.Scope.SERVICE else None,
        principle_set=principle_set or default_principle_set(),
        copied_from=copied_from,
    )


@transaction.atomic
def copy_round(source: Round, *, lead, title, held_on, period_start, period_end) -> Round:
    """A new open round for the same site, principle set and panel (no scores)."""
    new = create_round(
        lead=lead,
        title=title,
        scope=source.scope,
        held_on=held_on,
        period_start=period_start,
        period_end=period_end,
        locality=source.locality,
        agency=source.agency,
        principle_set=source.principle_set,
        copied_from=source,
    )
    for member in source.panel.all():
        PanelMember.objects.create(
            round=new, user=member.user, name=member.name, organisation=member.organisation
        )
    return new


def _locked(round_: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


@transaction.atomic
def add_member(round_: Round, *, user=None, name="", organisation="") -> PanelMember:
    round_ = _locked(round_)
    if round_.is_closed:
        raise RuleBroken(CLOSED)
    if not round_.is_open:
        raise RuleBroken("The panel cannot change once moderation has started")
    if user is None and not name.strip():
        raise RuleBroken("Choose a platform user or enter an outside member's name", "name")
    if user is not None and round_.panel.filter(user=user).exists():
        raise RuleBroken(f"{user.display_name} is already on the panel", "user")
    return PanelMember.objects.create(
        round=round_,
        user=user,
        name="" if user else name.strip(),
        organisation="" if user else organisation.strip(),
    )


@transaction.atomic
def save_scores(member: PanelMember, answers: dict[str, tuple[object, str]], *, submit: bool) -> None:
    """Store a member's scores (principle -> (score or "na", notes)); submitting needs every
    principle answered and is final."""
    round_ = _locked(member.round)
    member = PanelMember.objects.select_for_update().get(pk=member.pk)
    if not round_.is_open:
        raise RuleBroken(CLOSED if round_.is_closed else "Scoring has ended: the round is in moderation")
    if member.submitted:
        raise RuleBroken("These scores have been submitted and cannot be changed")
    ids = round_.principle_set.ids
    unknown = set(answers) - set(ids)
    if unknown:
        raise RuleBroken(f"Unknown principle {sorted(unknown)[0]}")
    if submit:
        missing = [pid for pid in ids if answers.get(pid, (None, ""))[0] in (None, "")]
        if missing:
            raise RuleBroken(
                f"Score every principle before submitting (or choose "
                f"“{scoring.NOT_ABLE_LABEL}”): {', '.join(missing)} not scored",
                missing[0],
            )
    for pid, (raw, notes) in answers.items():
        if raw in (None, ""):
            MemberScore.objects.filter(member=member, principle=pid).delete()
            continue
        try:
            value = scoring.parse_score(raw)
        except ValueError as bad:
            raise RuleBroken(str(bad), pid) from bad
        MemberScore.objects.update_or_create(
            member=member, principle=pid, defaults={"score": value, "notes": (notes or "").strip()}
        )
    if submit:
        member.submitted_at = timezone.now()
        member.save(update_fields=["submitted_at"])


@transaction.atomic
def start_moderation(round_: Round) -> None:
    round_ = _locked(round_)
    if not round_.is_open:
        raise RuleBroken("Only an open round can move to moderation")
    if not round_.panel.filter(submitted_at__isnull=False).exists():
        raise RuleBroken("At least one panel member must submit scores before moderation")
    round_.status = Round.Status.MODERATION
    round_.save(update_fields=["status"])


@transaction.atomic
def agree_scores(round_: Round, agreed: dict[str, tuple[object, str]]) -> None:
    """Record the group's score and rationale for the principles given (moderation only)."""
    round_ = _locked(round_)
    if round_.status != Round.Status.MODERATION:
        raise RuleBroken(CLOSED if round_.is_closed else "Agree scores once the round is in moderation")
    for pid, (raw, rationale) in agreed.items():
        if pid not in round_.principle_set.ids:
            raise RuleBroken(f"Unknown principle {pid}")
        if raw in (None, ""):
            continue
        try:
            value = scoring.parse_score(raw)
        except ValueError as bad:
            raise RuleBroken(str(bad), f"score_{pid}") from bad
        if not (rationale or "").strip():
            raise RuleBroken(f"Give the rationale for the score agreed for {pid}", f"rationale_{pid}")
        AgreedScore.objects.update_or_create(
            round=round_, principle=pid, defaults={"score": value, "rationale": rationale.strip()}
        )


@transaction.atomic
def close_round(round_: Round, *, evidence: dict | None = None) -> None:
    round_ = _locked(round_)
    if round_.status != Round.Status.MODERATION:
        raise RuleBroken(CLOSED if round_.is_closed else "Only a round in moderation can be closed")
    agreed = set(round_.agreed.values_list("principle", flat=True))
    missing = [pid for pid in round_.principle_set.ids if pid not in agreed]
    if missing:
        raise RuleBroken(
            f"Agree a score (or “{scoring.NOT_ABLE_LABEL}”) for every principle before "
            f"closing: {', '.join(missing)} not agreed"
        )
    round_.status = Round.Status.CLOSED
    round_.closed_at = timezone.now()
    round_.evidence_at_close = evidence
    round_.save(update_fields=["status", "closed_at", "evidence_at_close"])


def agreed_scores(round_: Round) -> dict[str, int | None]:
    """Principle -> agreed score, in the set's order (only the principles agreed)."""
    rows = dict(round_.agreed.values_list("principle", "score"))
    return {pid: rows[pid] for pid in round_.principle_set.ids if pid in rows}


def previous_round(round_: Round) -> Round | None:
    """The last closed round for the same site held before this one."""
    same = Round.objects.filter(
        status=Round.Status.CLOSED, scope=round_.scope, held_on__lt=round_.held_on
    ).exclude(pk=round_.pk)
    same = (
        same.filter(agency=round_.agency)
        if round_.scope == Round.Scope.SERVICE
        else same.filter(locality__iexact=round_.locality)
    )
    return same.order_by("-held_on", "-id").first()


# -- Improvement plan ---------------------------------------------------------------------------


@transaction.atomic
def add_action(round_: Round, *, principle, description, owner, due_on, created_by) -> Action:
    round_ = _locked(round_)
    if round_.is_open:
        raise RuleBroken("Plan improvement actions once scores have been agreed")
    agreed = round_.agreed.filter(principle=principle).first()
    if agreed is None:
        raise RuleBroken("Agree a score for this principle first", "principle")
    if scoring.is_thrive_like(agreed.score):
        raise RuleBroken(
            f"{principle} is already THRIVE-like (agreed {agreed.score}): actions are "
            "for principles agreed below 3",
            "principle",
        )
    if due_on < round_.held_on:
        raise RuleBroken("The due date cannot be before the assessment meeting", "due_on")
    return Action.objects.create(
        round=round_,
        principle=principle,
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
        created_by=created_by,
    )


@transaction.atomic
def record_pdsa(action: Action, *, stage, note, status, recorded_by) -> PdsaEntry:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not note.strip():
        raise RuleBroken("Say what was planned, done, learned or changed", "note")
    entry = PdsaEntry.objects.create(
        action=action, stage=stage, note=note.strip(), recorded_on=today(), recorded_by=recorded_by
    )
    if status and status != action.status:
        action.status = status
        action.save(update_fields=["status"])
    return entry


@transaction.atomic
def set_seniority(user, level: str) -> StaffSeniority:
    if level not in StaffSeniority.Level.values:
        raise RuleBroken("Choose their seniority", "level")
    found, _ = StaffSeniority.objects.update_or_create(user=user, defaults={"level": level})
    return found
