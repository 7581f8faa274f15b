"""Community THRIVE operations and their rules, one transaction each. A broken rule raises
RuleBroken; the views turn it into an NHS error summary and nothing is saved."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thrive.core.dates import today
from thrive.core.rules import RuleBroken

from . import acer
from .models import (
    AcerObservation,
    Action,
    ActionProgress,
    Assessment,
    Cluster,
    Community,
    Evidence,
    Factor,
    FactorCrosswalk,
    FactorOutcomeLink,
    FactorSet,
    Participant,
    Priority,
    Rating,
    StructuralDriver,
)

FACTOR_SETS_DIR = Path(__file__).resolve().parent / "data" / "factor_sets"
DEFAULT_FACTOR_SET = "pi-2013"
OVERLAP_YEARS = 3
CLOSED_MESSAGE = "This assessment is closed. Nothing can be changed."


# -- Factor sets ---------------------------------------------------------------------------------


def factor_set_in_use(factor_set: FactorSet) -> bool:
    return factor_set.pk is not None and factor_set.assessments.exists()


@transaction.atomic
def load_factor_set(path: Path | None = None) -> FactorSet:
    """Load a factor set from its JSON file. A set not yet used is (re)written from the file; a
    set any assessment uses is immutable, so a file that differs must carry a new version."""
    path = path or FACTOR_SETS_DIR / f"{DEFAULT_FACTOR_SET}.json"
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = FactorSet.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is not None:
        if factor_set_in_use(existing):
            if _fingerprint(existing) != _fingerprint_of_data(data):
                raise RuleBroken(
                    f"Factor set {data['code']} version {data['version']} is used by an "
                    "assessment and cannot change: give the changed set a new version.")
            return existing
        existing.delete()
    if data.get("is_default"):
        FactorSet.objects.filter(is_default=True).update(is_default=False)
    factor_set = FactorSet.objects.create(
        code=data["code"], version=data["version"], title=data["title"],
        source=data.get("source", ""),
        published_on=date.fromisoformat(data["published_on"]) if data.get("published_on")
        else None,
        is_default=bool(data.get("is_default")))
    clusters = {c["key"]: Cluster.objects.create(factor_set=factor_set, key=c["key"],
                                                 name=c["name"],
                                                 description=c.get("description", ""),
                                                 order=c["order"])
                for c in data["clusters"]}
    for d in data.get("structural_drivers", []):
        StructuralDriver.objects.create(factor_set=factor_set, key=d["key"], name=d["name"],
                                        description=d.get("description", ""), order=d["order"])
    for f in data["factors"]:
        factor = Factor.objects.create(
            factor_set=factor_set, cluster=clusters[f["cluster"]], key=f["key"], name=f["name"],
            description=f.get("description", ""), prompt=f.get("prompt", ""),
            prompt_youth=f.get("prompt_youth", ""), order=f["order"])
        for link in f.get("outcomes", []):
            FactorOutcomeLink.objects.create(factor=factor, outcome_set=link["set"],
                                             outcome=link["outcome"],
                                             citation=link.get("citation", ""),
                                             status=link.get("status", "illustrative"))
    crosswalk = data.get("crosswalk")
    if crosswalk:
        earlier = FactorSet.objects.get(code=crosswalk["from"]["code"],
                                        version=crosswalk["from"]["version"])
        old = {f.key: f for f in earlier.factors.all()}
        new = {f.key: f for f in factor_set.factors.all()}
        for old_key, new_key in crosswalk["map"].items():
            FactorCrosswalk.objects.create(from_factor=old[old_key], to_factor=new[new_key])
    return factor_set


def _fingerprint(factor_set: FactorSet) -> list:
    return sorted((f.cluster.key, f.key, f.name) for f in
                  factor_set.factors.select_related("cluster"))


def _fingerprint_of_data(data: dict) -> list:
    return sorted((f["cluster"], f["key"], f["name"]) for f in data["factors"])


def default_factor_set() -> FactorSet:
    found = FactorSet.objects.filter(is_default=True).first()
    return found or load_factor_set()


# -- Communities and assessments ---------------------------------------------------------------


@transaction.atomic
def create_community(*, name: str, scheme: str, code: str, parent: Community | None = None
                     ) -> Community:
    code = code.strip().upper() if scheme != Community.Scheme.CUSTOM else code.strip()
    if Community.objects.filter(geography_scheme=scheme, geography_code=code).exists():
        raise RuleBroken("A community with this geography already exists: use it instead",
                         field="code")
    return Community.objects.create(name=name.strip(), geography_scheme=scheme,
                                    geography_code=code, parent=parent)


@transaction.atomic
def create_assessment(*, user, community: Community, period_start: date, period_end: date,
                      purpose: str, factor_set: FactorSet, factors) -> Assessment:
    factors = list(factors)
    if period_end < period_start:
        raise RuleBroken("The end of the period must be on or after its start",
                         field="period_end")
    if not factors:
        raise RuleBroken("Choose at least one factor to assess", field="factors")
    if any(f.factor_set_id != factor_set.pk for f in factors):
        raise RuleBroken("Choose factors from the chosen factor set", field="factors")
    assessment = Assessment.objects.create(
        community=community, period_start=period_start, period_end=period_end,
        purpose=purpose.strip(), facilitator=user, factor_set=factor_set)
    assessment.factors_in_scope.set(factors)
    return assessment


def overlapping_assessments(community: Community, *, exclude: Assessment | None = None):
    """Assessments of the same place (the community, its parent or children, or the same
    geography) from the last three years: their evidence can be reused, and a new survey need not
    repeat theirs."""
    since = today() - timedelta(days=365 * OVERLAP_YEARS)
    same_place = (Q(community=community) | Q(community__parent=community)
                  | Q(community__geography_scheme=community.geography_scheme,
                      community__geography_code=community.geography_code))
    if community.parent_id:
        same_place |= Q(community_id=community.parent_id)
    found = (Assessment.objects.filter(same_place, period_end__gte=since)
             .select_related("community").order_by("-period_start"))
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found


def _locked(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_closed:
        raise RuleBroken(CLOSED_MESSAGE)
    return locked


@transaction.atomic
def copy_evidence(*, source: Assessment, target: Assessment) -> int:
    target = _locked(target)
    scope = {f.key: f for f in target.scope()}
    copied = 0
    for item in source.evidence.select_related("factor"):
        factor = scope.get(item.factor.key)
        if factor is None or target.evidence.filter(
                factor=factor, indicator=item.indicator, as_of=item.as_of).exists():
            continue  # not in scope, or already here
        Evidence.objects.create(assessment=target, factor=factor, indicator=item.indicator,
                                value=item.value, unit=item.unit, source=item.source,
                                as_of=item.as_of, peer_value=item.peer_value)
        copied += 1
    return copied


@transaction.atomic
def add_evidence(assessment: Assessment, *, factor: Factor, **fields) -> Evidence:
    assessment = _locked(assessment)
    _in_scope(assessment, factor)
    return Evidence.objects.create(assessment=assessment, factor=factor, **fields)


def _in_scope(assessment: Assessment, factor: Factor) -> None:
    if not assessment.factors_in_scope.filter(pk=factor.pk).exists():
        raise RuleBroken("Choose a factor this assessment covers", field="factor")


@transaction.atomic
def open_for_ratings(assessment: Assessment) -> Assessment:
    assessment = _locked(assessment)
    assessment.status = Assessment.Status.OPEN
    assessment.save(update_fields=["status"])
    return assessment


@transaction.atomic
def close(assessment: Assessment, *, reason: str = "") -> Assessment:
    """Closing needs at least one priority and one action, or a reason. A closed assessment
    never changes again."""
    assessment = _locked(assessment)
    reason = reason.strip()
    if not reason and not (assessment.priorities.exists() and assessment.actions.exists()):
        raise RuleBroken("Record at least one priority and one action before closing, or give "
                         "the reason for closing without them", field="reason")
    assessment.status = Assessment.Status.CLOSED
    assessment.closed_at = timezone.now()
    assessment.closed_reason = reason
    assessment.save(update_fields=["status", "closed_at", "closed_reason"])
    return assessment


@transaction.atomic
def repeat(assessment: Assessment, *, user) -> Assessment:
    """A linked draft for the next round: same community, factor set and scope, a year on.
    Only a closed assessment is repeated, and only once."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_closed:
        raise RuleBroken("Close this assessment before repeating it")
    if assessment.repeats.exists():
        raise RuleBroken("This assessment has already been repeated: open the repeat from the "
                         "community's list")
    start = assessment.period_end + timedelta(days=1)
    draft = Assessment.objects.create(
        community=assessment.community, period_start=start,
        period_end=start + (assessment.period_end - assessment.period_start),
        purpose=assessment.purpose, facilitator=user, factor_set=assessment.factor_set,
        previous=assessment)
    draft.factors_in_scope.set(assessment.factors_in_scope.all())
    return draft


# -- Participants and ratings -------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    condition: int | None = None
    dont_know: bool = False
    importance: int | None = None
    comment: str = ""

    @property
    def skipped(self) -> bool:
        return self.condition is None and not self.dont_know and self.importance is None \
            and not self.comment.strip()


def _refuse_unless_open(assessment: Assessment) -> None:
    if assessment.is_closed:
        raise RuleBroken("This assessment has closed and no longer takes ratings. Thank you for "
                         "your interest.")
    if not assessment.is_open:
        raise RuleBroken("This assessment is not open for ratings yet.")


def _next_number(assessment: Assessment) -> int:
    last = (Participant.objects.filter(assessment=assessment).order_by("-number")
            .values_list("number", flat=True).first())
    return (last or 0) + 1


@transaction.atomic
def join(assessment: Assessment, *, role: str, age_band: str, youth_wording: bool = False,
         carer_consent: bool = False, sector_name: str = "") -> Participant:
    """A participant joins after consenting. Nothing that identifies them is kept: the key is a
    random secret that only their own browser session holds."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _refuse_unless_open(assessment)
    return Participant.objects.create(
        assessment=assessment, number=_next_number(assessment), key=secrets.token_urlsafe(32),
        role=role, age_band=age_band, youth_wording=youth_wording, carer_consent=carer_consent,
        sector_name=sector_name.strip(), consent_at=timezone.now())


def _write_answer(participant: Participant, factor: Factor, answer: Answer) -> Rating | None:
    if answer.dont_know and answer.condition is not None:
        raise RuleBroken("Choose a rating or \"don't know\", not both", field="condition")
    if answer.skipped:
        Rating.objects.filter(participant=participant, factor=factor).delete()
        return None
    rating, _ = Rating.objects.update_or_create(
        participant=participant, factor=factor,
        defaults={"condition": None if answer.dont_know else answer.condition,
                  "dont_know": answer.dont_know, "importance": answer.importance,
                  "comment": answer.comment.strip()})
    return rating


@transaction.atomic
def rate(participant: Participant, factor: Factor, answer: Answer) -> Rating | None:
    """Save (or, when everything is blank, skip) one factor's answer while the assessment is
    open."""
    assessment = Assessment.objects.select_for_update().get(pk=participant.assessment_id)
    _refuse_unless_open(assessment)
    _in_scope(assessment, factor)
    return _write_answer(participant, factor, answer)


@transaction.atomic
def key_paper_form(assessment: Assessment, *, role: str, age_band: str,
                   answers: dict[Factor, Answer]) -> Participant:
    """A facilitator types in a paper form: a participant marked as keyed from paper."""
    assessment = _locked(assessment)
    if not any(not a.skipped for a in answers.values()):
        raise RuleBroken("Enter at least one factor's answer from the paper form")
    participant = Participant.objects.create(
        assessment=assessment, number=_next_number(assessment), key=secrets.token_urlsafe(32),
        role=role, age_band=age_band, consent_at=timezone.now(), keyed_from_paper=True)
    for factor, answer in answers.items():
        _in_scope(assessment, factor)
        _write_answer(participant, factor, answer)
    return participant


@transaction.atomic
def set_comment_hidden(assessment: Assessment, rating_id: int, hidden: bool) -> None:
    assessment = _locked(assessment)
    updated = (Rating.objects.filter(pk=rating_id, participant__assessment=assessment)
               .update(comment_hidden=hidden))
    if not updated:
        raise RuleBroken("That comment is not part of this assessment")


# -- Priorities and actions --------------------------------------------------------------------


@transaction.atomic
def add_priority(assessment: Assessment, *, factor: Factor, rank: int, rationale: str,
                 method: str, agreed_on: date) -> Priority:
    """The group's own ranking, as they decided it (the suggestion is never written here)."""
    assessment = _locked(assessment)
    _in_scope(assessment, factor)
    if assessment.priorities.filter(factor=factor).exists():
        raise RuleBroken("This factor is already a priority", field="factor")
    if assessment.priorities.filter(rank=rank).exists():
        raise RuleBroken(f"Another priority is already ranked {rank}", field="rank")
    return Priority.objects.create(assessment=assessment, factor=factor, rank=rank,
                                   rationale=rationale.strip(), method=method,
                                   agreed_on=agreed_on)


@transaction.atomic
def add_action(assessment: Assessment, *, priority: Priority, **fields) -> Action:
    assessment = _locked(assessment)
    if priority.assessment_id != assessment.pk:
        raise RuleBroken("Choose one of this assessment's priorities", field="priority")
    if fields["due"] < fields["start"]:
        raise RuleBroken("The due date must be on or after the start date", field="due")
    return Action.objects.create(assessment=assessment, priority=priority, **fields)


@transaction.atomic
def withdraw(participant: Participant) -> None:
    """A participant takes back all their answers while the assessment is open."""
    assessment = Assessment.objects.select_for_update().get(pk=participant.assessment_id)
    _refuse_unless_open(assessment)
    participant.delete()


@transaction.atomic
def record_progress(action: Action, *, user, recorded_on: date, status: str, latest_value: str,
                    note: str = "") -> ActionProgress:
    """Progress on an agreed action, at any time after it was agreed, even once the assessment
    has closed: appended, never changing the closed record."""
    return ActionProgress.objects.create(action=action, recorded_on=recorded_on, status=status,
                                         latest_value=latest_value.strip(), note=note.strip(),
                                         recorded_by=user)


@transaction.atomic
def observe(assessment: Assessment, *, item_key: str, level: str, note: str = ""
            ) -> AcerObservation:
    """Record (or replace) the group's observation of one trauma-overlay item."""
    assessment = _locked(assessment)
    if item_key not in acer.LABELS:
        raise RuleBroken("Choose one of the overlay's items", field="item_key")
    observation, _ = AcerObservation.objects.update_or_create(
        assessment=assessment, item_key=item_key,
        defaults={"level": level, "note": note.strip()})
    return observation
