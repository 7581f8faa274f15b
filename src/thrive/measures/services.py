"""Recording questionnaires and reading an episode's scores. Each change is one transaction: the
completion and every scale score are written together, or nothing is.

The scoring itself is the pure engine (``engine/``); this module turns its errors into
``RuleBroken`` and keeps the scores so pages never rescore.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from thrive.care.models import Episode, GoalRating
from thrive.care.services import locked, require_open_or_late_addition
from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.history.entries import valid_q

from . import engine
from . import schedule as schedule_rules
from .engine.catalogue_model import Measure
from .engine.reliable_change import Classification
from .models import Completion, MeasureSchedule, Rater, RemoteLink, RiskReview, ScaleScore, Source

NORM_SEX = {"1": "M", "2": "F"}  # NHS Data Dictionary person stated sex -> norm table sex

CLASSIFICATION_LABELS = {
    Classification.IMPROVEMENT: "Reliable improvement",
    Classification.DETERIORATION: "Reliable deterioration",
    Classification.NO_RELIABLE_CHANGE: "No reliable change",
    Classification.NOT_CLASSIFIABLE: "Cannot be classified",
}
REPORTING_RATER_LABELS = {"self": "Young person (self)", "parent": "Parent, carer or teacher",
                          "clinician": "Clinician"}


# -- The catalogue, as the pages need it ------------------------------------------------------


def catalogue():
    return engine.get_catalogue()


# Goals are recorded in one place, the episode's Goals section (care.Goal / GoalRating), which the
# extract and the national metric count as GBO. A GBO questionnaire would record them twice.
GOALS_MEASURE = "gbo"


def all_measures() -> list[Measure]:
    """Every measure in the catalogue, by name: what FHIR publishes and stored scores refer to."""
    return sorted(catalogue().measures.values(), key=lambda m: m.name)


def recordable_measures() -> list[Measure]:
    """Every measure in the catalogue, by name (Current View among them: it is recorded item by
    item and never scored), except GBO: goals are recorded in the episode's Goals section.
    GBO completions recorded before stay readable."""
    return [m for m in all_measures() if m.id != GOALS_MEASURE]


def describes_needs(measure: Measure) -> bool:
    """A measure with no scales (Current View) describes presenting needs: its ratings are kept
    and coded item by item, never scored, and never an outcome."""
    return not measure.scales


def measure_or_none(measure_id: str | None) -> Measure | None:
    try:
        return catalogue().measure(measure_id or "")
    except engine.UnknownMeasure:
        return None


def measure_name(measure_id: str) -> str:
    m = measure_or_none(measure_id)
    return m.name if m else measure_id


@dataclass(frozen=True)
class Wording:
    """Wording a measure is shown with: items, instructions and answer labels."""

    items: dict[int, str] = field(default_factory=dict)
    instructions: str = ""
    answers: dict[int, str] = field(default_factory=dict)  # value -> label, every item
    item_answers: dict[int, dict[int, str]] = field(default_factory=dict)  # item -> its own labels
    source: str = ""

    def answer_label(self, number: int, value: int) -> str | None:
        return self.item_answers.get(number, self.answers).get(value)


SHIPPED_WORDING = Path(__file__).parent / "data" / "item_text_free.json"


@lru_cache(maxsize=1)
def shipped_wording() -> dict[str, Wording]:
    """Wording that may be freely reproduced, shipped with the product (PHQ-9, GAD-7), checked
    against the catalogue once."""
    raw = json.loads(SHIPPED_WORDING.read_text(encoding="utf-8"))
    out = {}
    for measure_id, data in raw.items():
        if measure_id.startswith("_"):
            continue
        measure = catalogue().measure(measure_id)
        if not measure.item_text_shippable:
            raise engine.InvalidConfiguration(f"{measure_id}: its wording may not be shipped")
        items = {int(k): v for k, v in data.get("items", {}).items()}
        for n in items:
            measure.item(n)
        out[measure_id] = Wording(
            items=items, instructions=data.get("instructions", ""),
            answers={int(k): v for k, v in data.get("answers", {}).items()},
            item_answers={int(n): {int(k): v for k, v in labels.items()}
                          for n, labels in data.get("item_answers", {}).items()},
            source=data.get("source", ""))
    return out


@lru_cache(maxsize=4)
def _service_file_from(path: str, mtime: float = 0.0) -> engine.WordingFile:
    return engine.parse_wording(Path(path).read_bytes())


_item_text_from = _service_file_from  # the old name, kept for tests that clear the cache


def _service_wording() -> tuple[dict[str, engine.MeasureWording], str]:
    """(the service-wide wording file's wording, a problem to show staff). A missing or malformed
    file never breaks a page: its problems are named and questions fall back to shipped wording
    or numbers. Reloaded when the file changes (no restart)."""
    import os

    path = _setting("THRIVE_MEASURE_ITEM_TEXT")
    if not path:
        return {}, ""
    try:
        parsed = _service_file_from(path, os.stat(path).st_mtime)
    except FileNotFoundError:
        problem = "was not found"
    except OSError as exc:
        problem = f"could not be read: {exc.strerror}"
    else:
        if parsed.ok:
            return parsed.measures, ""
        problem = "could not be used: " + "; ".join(parsed.errors[:5]) + (
            f" (and {len(parsed.errors) - 5} more)" if len(parsed.errors) > 5 else "")
    return {}, (f"The service's item wording file ({os.path.basename(path)}) {problem}. Until it is "
                "fixed, questions without shipped wording are shown by number.")


def _service_item_text() -> tuple[dict[str, dict[int, str]], str]:
    measures, problem = _service_wording()
    return {k: w.items for k, w in measures.items()}, problem


def wording_problem() -> str:
    """What staff are told when the service's wording file is missing or malformed; else ''."""
    return _service_wording()[1]


# -- An agency's own wording, loaded in the browser ---------------------------------------------


@lru_cache(maxsize=64)
def _agency_version_wording(version_pk: int, stamp: str) -> dict[str, engine.MeasureWording]:
    """A stored version, checked again against today's catalogue: a version the catalogue no
    longer fits is not used (its measures fall back), never a 500."""
    from .models import AgencyWording

    content = AgencyWording.objects.filter(pk=version_pk).values_list("content", flat=True).first()
    parsed = engine.parse_wording(json.dumps(content or {}))
    return parsed.measures if parsed.ok else {}


def agency_wording_version(agency_id):
    """The version in use (the newest), or None."""
    from .models import AgencyWording

    if agency_id is None:
        return None
    return (AgencyWording.objects.filter(agency_id=agency_id).select_related("uploaded_by")
            .defer("content").order_by("-version").first())


def _agency_wording(agency_id) -> dict[str, engine.MeasureWording]:
    current = agency_wording_version(agency_id)
    return _agency_version_wording(current.pk, current.uploaded_at.isoformat()) if current else {}


def _layer(shipped: Wording, *own: engine.MeasureWording) -> Wording:
    """Each part from the most local layer that has it: agency, then service, then shipped."""
    out = shipped
    for layer in own:
        if layer is None:
            continue
        out = Wording(
            items={**out.items, **layer.items},
            instructions=layer.instructions or out.instructions,
            answers=layer.answers or out.answers,
            item_answers={**out.item_answers, **layer.item_answers},
            source=layer.source or out.source)  # e.g. a copyright line the licence asks for
    return out


def wording(measure_id: str, agency_id=None) -> Wording:
    """How a measure is worded for an agency's episodes: its own loaded wording, over the
    service's file, over shipped wording (free to reproduce); else questions go by number."""
    return _worded(measure_id, _agency_wording(agency_id) if agency_id is not None else {})


def _worded(measure_id: str, agency: dict[str, engine.MeasureWording]) -> Wording:
    shipped = shipped_wording().get(measure_id, Wording())
    service = _service_wording()[0].get(measure_id)
    own = agency.get(measure_id)
    if service is None and own is None:
        return shipped
    return _layer(shipped, service, own)


def item_text(measure_id: str, agency_id=None) -> dict[int, str]:
    """Item wording: shipped where reproduction is free (PHQ-9, GAD-7), else the agency's or the
    service's own licensed wording."""
    return wording(measure_id, agency_id).items


def has_wording(measure: Measure, agency_id=None) -> bool:
    """Every item of the measure has wording to show a young person."""
    text = item_text(measure.id, agency_id)
    return bool(measure.items) and all(text.get(n) for n in measure.items)


@dataclass(frozen=True)
class Coverage:
    measure: Measure
    worded: int      # items with wording
    total: int
    from_agency: bool
    shipped: bool

    @property
    def complete(self) -> bool:
        return self.worded == self.total


def tablet_measures() -> list[Measure]:
    """Measures a young person, parent or teacher completes item by item (on the tablet)."""
    return [m for m in recordable_measures() if m.items and not describes_needs(m)
            and any(r != "clinician" for r in m.raters)]


def wording_coverage(agency_id) -> list[Coverage]:
    """For each measure completed on the tablet: how many items have wording for this agency."""
    agency = _agency_wording(agency_id)
    shipped = shipped_wording()
    out = []
    for m in tablet_measures():
        text = _worded(m.id, agency).items
        out.append(Coverage(m, sum(1 for n in m.items if text.get(n)), len(m.items),
                            m.id in agency, m.id in shipped))
    return out


class WordingRefused(Exception):
    """A wording file with problems: every one of them, and nothing was loaded."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def load_agency_wording(request, *, raw: bytes, file_name: str, note: str = ""):
    """Check the file in full and keep it as the agency's next version, or refuse it whole."""
    from thrive.accounts import permissions


    if not permissions.can_load_measure_wording(request.user):
        raise RuleBroken("Only an agency administrator can load questionnaire wording")
    parsed = engine.parse_wording(raw)
    if not parsed.ok:
        raise WordingRefused(parsed.errors)
    return _new_version(request, engine.wording_to_json(parsed.measures), file_name, note)


def _new_version(request, content: dict, file_name: str, note: str):
    from thrive.accounts.models import Agency

    from .models import AgencyWording

    agency_id = request.user.agency_id
    with transaction.atomic():
        Agency.objects.select_for_update().filter(pk=agency_id).first()  # numbers one at a time
        last = (AgencyWording.objects.filter(agency_id=agency_id).order_by("-version")
                .values_list("version", flat=True).first() or 0)
        row = AgencyWording.objects.create(
            agency_id=agency_id, version=last + 1, content=content, file_name=file_name[:200],
            note=note[:500], uploaded_by=request.user)
        audit.record(request, AuditEvent.Action.CREATE, obj=row,
                     detail=f"questionnaire wording version {row.version} loaded from {file_name[:100]} "
                            f"({', '.join(sorted(content))})")
    return row


def reuse_agency_wording(request, version_pk: int):
    """Put an earlier version back in use, as a new version (history is never rewritten)."""
    from thrive.accounts import permissions

    from .models import AgencyWording

    if not permissions.can_load_measure_wording(request.user):
        raise RuleBroken("Only an agency administrator can load questionnaire wording")
    old = AgencyWording.objects.filter(pk=version_pk, agency_id=request.user.agency_id).first()
    if old is None:
        raise RuleBroken("No such version of your agency's wording")
    checked = engine.parse_wording(json.dumps(old.content))
    if not checked.ok:  # the catalogue changed since it was loaded
        raise RuleBroken(f"Version {old.version} no longer fits the questionnaires: "
                         + "; ".join(checked.errors[:3]))
    return _new_version(request, old.content, old.file_name, f"version {old.version} used again")


def agency_wording_versions(agency_id) -> list:
    from .models import AgencyWording

    return list(AgencyWording.objects.filter(agency_id=agency_id).select_related("uploaded_by")
                .order_by("-version"))


def _setting(name: str) -> str:
    import os

    return str(getattr(settings, name, None) or os.environ.get(name) or "")


@lru_cache(maxsize=4)
def _conversion_tables_from(paths: str):
    """(tables by (measure, scale), problems): a bad or missing file is named, never a 500."""
    tables, problems = {}, []
    for path in [p.strip() for p in paths.split(",") if p.strip()]:
        try:
            table = engine.load_conversion_table(path)
        except (OSError, ValueError, KeyError, TypeError, engine.MeasureError) as exc:
            problems.append(f"Conversion table {path} could not be used: {exc}")
            continue
        tables[(table.measure_id, table.scale_id)] = table
    return tables, problems


def conversion_tables():
    """The service's licensed raw-to-converted tables (e.g. SWEMWBS raw to metric), from the JSON
    files named in THRIVE_CONVERSION_TABLES (comma-separated)."""
    return _conversion_tables_from(_setting("THRIVE_CONVERSION_TABLES"))


def converted_scores(completion: Completion) -> list[tuple[str, str, Decimal | None]]:
    """(scale name, conversion name, converted value) for each stored score with a loaded table."""
    tables, _ = conversion_tables()
    out = []
    measure = catalogue().measure(completion.measure_id)
    for score in completion.scores.all():
        table = tables.get((completion.measure_id, score.scale_id))
        if table is None or score.value is None:
            continue
        try:
            value = table.convert(score.value)
        except engine.MeasureError:
            value = None
        out.append((measure.scale(score.scale_id).name, table.name, value))
    return out


def age_on(person, day: date) -> int:
    return person.age_on(day)


# -- Recording --------------------------------------------------------------------------------


def check_date(episode: Episode, completed_on: date | None) -> None:
    person = episode.young_person
    if completed_on is None:
        raise RuleBroken("Enter the date the questionnaire was completed", "completed_on")
    if completed_on > dates.today():
        raise RuleBroken("Date completed must be today or in the past", "completed_on")
    if completed_on < person.date_of_birth:
        raise RuleBroken(
            f"Date completed must be on or after the young person's date of birth "
            f"({person.date_of_birth.day} {person.date_of_birth:%B %Y})", "completed_on")
    if completed_on < episode.referral_received_on:
        received = episode.referral_received_on
        raise RuleBroken(
            f"Date completed must be on or after the referral was received "
            f"({received.day} {received:%B %Y})", "completed_on")


def check_measure_and_rater(measure_id: str, rater: str) -> Measure:
    measure = measure_or_none(measure_id)
    if measure is None:
        raise RuleBroken("Select a questionnaire from the list", "measure_id")
    if rater not in measure.raters:
        versions = ", ".join(Rater(r).label.lower() for r in measure.raters)
        asked = Rater(rater).label.lower() if rater in Rater.values else repr(rater)
        raise RuleBroken(f"{measure.name} has no {asked} version. Choose: {versions}", "rater")
    return measure


def score_completion(episode: Episode, *, measure_id: str, rater: str, completed_on: date,
                     responses: dict[int, int | None], entered_totals: dict[str, Decimal | None]):
    """Score without saving: the engine's verdict, or RuleBroken naming the field to fix. (A
    measure that describes needs has no scales: its answers are checked and nothing is scored.)"""
    person = episode.young_person
    try:
        return engine.score(
            measure_id, responses, rater=rater, age=age_on(person, completed_on),
            sex=NORM_SEX.get(person.sex), completed_on=completed_on,
            entered_totals={k: v for k, v in entered_totals.items() if v is not None},
        )
    except engine.ResponseOutOfRange as exc:
        raise RuleBroken(str(exc)) from None
    except engine.EnteredTotalOutOfRange as exc:
        raise RuleBroken(str(exc)) from None
    except engine.MeasureError as exc:
        raise RuleBroken(str(exc)) from None


def record_completion(request, episode: Episode, *, measure_id: str, rater: str, completed_on: date,
                      responses: dict[int, int | None] | None = None,
                      entered_totals: dict[str, Decimal | None] | None = None,
                      respondent: str | None = None, on_tablet: bool = False,
                      recorded_by=None) -> Completion:
    """Record one completed questionnaire and its scores, or nothing."""
    responses = {int(k): v for k, v in (responses or {}).items()}
    entered_totals = dict(entered_totals or {})
    measure = check_measure_and_rater(measure_id, rater)
    has_items = any(v is not None for v in responses.values())
    has_totals = any(v is not None for v in entered_totals.values())
    if not has_items and not has_totals:
        raise RuleBroken("Enter at least one answer or score from the questionnaire")
    if has_items and has_totals:
        raise RuleBroken("Enter either the answers to each question or the totals from the paper "
                         "form, not both")
    if describes_needs(measure) and has_totals:
        raise RuleBroken(f"{measure.name} has no totals: enter the rating of each item")
    if describes_needs(measure) and on_tablet:
        raise RuleBroken(f"{measure.name} is completed by the clinician, not on the tablet")
    with transaction.atomic():
        episode = locked(episode)
        require_open_or_late_addition(request.user, episode)
        check_date(episode, completed_on)
        scored = score_completion(episode, measure_id=measure.id, rater=rater,
                                  completed_on=completed_on, responses=responses,
                                  entered_totals=entered_totals)
        completion = Completion.objects.create(
            episode=episode, measure_id=measure.id, rater=rater, respondent=respondent or rater,
            completed_on=completed_on,
            source=Source.ITEMS if has_items else Source.ENTERED_TOTAL,
            responses={str(k): _json_number(v) for k, v in sorted(responses.items())},
            entered_totals={k: str(v) for k, v in entered_totals.items() if v is not None},
            risk_alerts=[a.message for a in scored.risk_alerts],
            on_tablet=on_tablet, recorded_by=recorded_by or request.user,
        )
        ScaleScore.objects.bulk_create([
            ScaleScore(
                completion=completion, scale_id=r.scale_id, value=_q(r.value), t_score=_q(r.t_score),
                band=r.band or "", caseness=r.caseness, prorated=r.prorated,
                n_answered=r.n_answered, source=r.source, missing_reason=r.missing_reason or "",
                notes=list(r.notes),
            )
            for r in scored
        ])
        audit.record(request, AuditEvent.Action.CREATE, obj=completion,
                     young_person=episode.young_person,
                     detail=f"{measure.id} {rater}{' on tablet' if on_tablet else ''}")
    return completion


@dataclass(frozen=True)
class Rating:
    item: int
    label: str          # the service's own wording, else "Item n"
    answer: str         # e.g. "2 – moderate"; "Not answered"
    notable: bool       # rated moderate or severe, or a complexity factor present


def item_label(measure: Measure, number: int, wording: dict[int, str]) -> str:
    """An item as the pages show it: the service's own licensed wording where loaded, else its
    number ("Item n" for a needs description, "Question n" for a questionnaire)."""
    if wording.get(number):
        return f"{number}. {wording[number]}"
    return f"{'Item' if describes_needs(measure) else 'Question'} {number}"


def ratings(measure: Measure, completion: Completion) -> list[Rating]:
    """A needs description's answers, item by item, as recorded."""
    wording = item_text(measure.id)
    out = []
    for number, item in sorted(measure.items.items()):
        value = completion.responses.get(str(number))
        option = item.options.get(value) if value is not None else None
        answer = "Not answered" if value is None else f"{value} – {option}" if option else str(value)
        notable = option in ("moderate", "severe") or (item.role == "complexity factor" and option == "yes")
        label = item_label(measure, number, wording) + (f" ({item.role})" if item.role else "")
        out.append(Rating(number, label, answer, notable))
    return out


def saved_message(measure: Measure, completion: Completion) -> str:
    """What saving did: scored, or saved with no score (too many items missing) and why."""
    if describes_needs(measure):
        return f"{measure.name} saved"
    scores = list(completion.scores.all())
    if scores and all(s.value is None for s in scores):
        reason = next((s.missing_reason for s in scores if s.missing_reason), "")
        return (f"{measure.name} saved, but no score could be given. {reason}").strip()
    return f"{measure.name} saved and scored"


def _json_number(value):
    """A response as JSON keeps it: whole numbers as int, one-decimal answers (ORS 7.3) as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _q(value: Decimal | None) -> Decimal | None:
    """Six decimal places: far beyond display precision (2 d.p.), and what the column holds."""
    return None if value is None else value.quantize(Decimal("0.000001"))


# -- Reading ----------------------------------------------------------------------------------


def episode_completions(episode: Episode) -> list[Completion]:
    """Every completion with its scores: two queries, whatever the number of completions."""
    return list(episode.completions.select_related("entered_in_error_by")
                .prefetch_related("scores").order_by("completed_on", "id"))


def valid_completions(completions: list[Completion]) -> list[Completion]:
    """The completions that count (not entered in error): for outcomes and charts."""
    return [c for c in completions if not c.is_entered_in_error]


def as_result(completion: Completion, score: ScaleScore):
    """Rebuild the engine's ScoreResult from a stored row (no rescoring)."""
    measure = catalogue().measure(completion.measure_id)
    scale = measure.scale(score.scale_id)
    return engine.ScoreResult(
        measure_id=completion.measure_id, scale_id=score.scale_id, scale_name=scale.name,
        rater=completion.rater, reporting_rater=measure.reporting_rater(completion.rater),
        value=score.value, n_answered=score.n_answered, prorated=score.prorated,
        source=score.source, t_score=score.t_score, band=score.band or None,
        caseness=score.caseness, missing_reason=score.missing_reason or None,
        notes=tuple(score.notes), completed_on=completion.completed_on,
        snomed_concept_id=scale.snomed.concept_id if scale.snomed else None,
    )


@dataclass
class PairedScale:
    measure_id: str
    measure_name: str
    scale_name: str
    reporting_rater: str
    first: object  # ScoreResult
    last: object | None
    change: object | None  # engine ChangeResult
    has_cutoff: bool = False
    recovery: bool | None = None  # None: no cut-off, no pair, or not a case at the start
    reliable_recovery: bool | None = None
    caseness_at_start: bool | None = None

    @property
    def classification_label(self) -> str:
        if self.change is None:
            return "Only one score so far"
        return CLASSIFICATION_LABELS[self.change.classification]

    @property
    def rater_label(self) -> str:
        return REPORTING_RATER_LABELS.get(self.reporting_rater, self.reporting_rater)


@dataclass
class EpisodeOutcome:
    paired: list[PairedScale] = field(default_factory=list)
    raters: list = field(default_factory=list)  # engine RaterOutcome, self/parent/clinician


def goal_results(goal_ratings: list[GoalRating]) -> list:
    """The Goals section's ratings as the extract submits them and the national metric counts them:
    goals 1 to 3 as GBO goal scores, which count as the young person's own (self) whoever rated.
    First and last are paired only within one rater: a goal's change uses the ratings by whoever
    rated it first, so a parent's rating is never paired with the young person's."""
    cat = catalogue()
    try:
        measure = cat.measure(GOALS_MEASURE)
    except engine.UnknownMeasure:
        return []
    ordered = sorted(goal_ratings, key=lambda r: (r.rated_on, r.pk))
    first_rater: dict[int, str] = {}
    for r in ordered:
        first_rater.setdefault(r.goal_id, r.rated_by)
    out = []
    for r in ordered:
        if r.rated_by != first_rater[r.goal_id]:
            continue
        try:
            scale = measure.scale(f"goal_{r.goal.number}")
        except engine.UnknownScale:
            continue  # goals 4 and over are not submitted
        out.append(engine.ScoreResult(
            measure_id=measure.id, scale_id=scale.id, scale_name=scale.name, rater="self",
            reporting_rater=measure.reporting_rater("self"), value=Decimal(r.rating),
            n_answered=1, prorated=False, source="items", completed_on=r.rated_on,
            snomed_concept_id=scale.snomed.concept_id if scale.snomed else None))
    return out


def episode_outcome(completions: list[Completion], *, goal_ratings: list[GoalRating] = (),
                    direction_mode: str = "scale") -> EpisodeOutcome:
    """First/last per scale and rater, classified by the engine; the roll-up per rater;
    recovery and reliable recovery where the scale has a clinical cut-off. Goal ratings count
    as GBO goal scores, exactly as in the extract and the national metric."""
    results = [as_result(c, s) for c in completions for s in c.scores.all()]
    results += goal_results(list(goal_ratings))
    changes = engine.paired_changes(results, direction_mode=direction_mode)
    by_key = {(ch.identity, ch.reporting_rater): ch for ch in changes}
    # First and last for display, grouped exactly as the engine groups them.
    groups: dict[tuple[str, str], list] = {}
    cat = catalogue()
    for r in sorted(results, key=lambda r: r.completed_on):  # stable: input order breaks ties
        if r.value is None:
            continue
        scale = cat.measure(r.measure_id).scale(r.scale_id)
        groups.setdefault((scale.identity, r.reporting_rater), []).append(r)
    paired = []
    for key, rs in groups.items():
        ch = by_key[key]
        first, last = rs[0], (rs[-1] if len(rs) > 1 else None)
        measure = cat.measure(first.measure_id)
        scale = measure.scale(first.scale_id)
        row = PairedScale(first.measure_id, measure.name, scale.name, first.reporting_rater, first,
                          last, ch.change, has_cutoff=bool(scale.caseness))
        if scale.caseness and last is not None:
            row.caseness_at_start = first.caseness
            if first.caseness is True and last.caseness is not None:
                row.recovery = last.caseness is False
                row.reliable_recovery = row.recovery and (
                    ch.change is not None and ch.change.classification == Classification.IMPROVEMENT)
        paired.append(row)
    paired.sort(key=lambda p: (engine_rater_order(p.reporting_rater), p.measure_name, p.scale_name))
    outcome = engine.roll_up_by_rater(changes)
    return EpisodeOutcome(paired=paired, raters=list(outcome.values()))


def engine_rater_order(rater: str) -> int:
    return {"self": 0, "parent": 1, "clinician": 2}.get(rater, 3)


def episode_goal_ratings(episode: Episode) -> list[GoalRating]:
    return list(GoalRating.objects.valid().filter(valid_q("goal__"), goal__episode=episode)
                .select_related("goal")
                .order_by("goal__number", "rated_on", "id"))


def completion_for(user, public_id) -> Completion:
    """A completion the user may see (through the access policy), or 404."""
    from django.http import Http404

    from thrive.sharing import policy

    try:
        return (Completion.objects.filter(episode__in=policy.visible_episodes(user))
                .select_related("episode", "episode__young_person", "episode__team",
                                "entered_in_error_by", "risk_review__reviewed_by")
                .prefetch_related("scores").get(public_id=public_id))
    except (Completion.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def dumps(value) -> str:
    return json.dumps(value, default=str)


# -- Risk alerts ------------------------------------------------------------------------------


def unreviewed_risk(episode: Episode) -> list[Completion]:
    """Completions of the episode with a risk alert no clinician has acknowledged yet (one
    entered in error raises nothing)."""
    return list(episode.completions.exclude(risk_alerts=[]).filter(valid_q(), risk_review__isnull=True)
                .order_by("completed_on", "id"))


def unreviewed_risk_counts(episode_ids) -> dict[int, int]:
    """Episode pk -> number of unacknowledged risk alerts: one query for a whole caseload."""
    from django.db.models import Count

    rows = (Completion.objects.filter(valid_q(), episode_id__in=list(episode_ids),
                                      risk_review__isnull=True)
            .exclude(risk_alerts=[]).values("episode_id").annotate(n=Count("id")))
    return {r["episode_id"]: r["n"] for r in rows}


def acknowledge_risk(request, completion: Completion, *, action_taken: str) -> RiskReview:
    """A clinician acknowledges a risk alert and says what was done; audited. Once only."""
    from thrive.sharing import policy

    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise RuleBroken("Enter what was done about the risk item", "action_taken")
    with transaction.atomic():
        episode = locked(completion.episode)
        if not (policy.can_edit_episode(request.user, episode)
                or policy.can_add_after_ending(request.user, episode)):
            raise RuleBroken("Only a clinician of this episode's service can acknowledge this alert")
        completion = Completion.objects.select_for_update().get(pk=completion.pk)
        if not completion.risk_alerts:
            raise RuleBroken("This questionnaire raised no risk alert")
        if RiskReview.objects.filter(completion=completion).exists():
            raise RuleBroken("This risk alert has already been acknowledged")
        review = RiskReview.objects.create(completion=completion, action_taken=action_taken,
                                           reviewed_by=request.user)
        audit.record(request, AuditEvent.Action.CHANGE, obj=completion,
                     young_person=episode.young_person,
                     detail=f"risk alert acknowledged ({completion.measure_id})")
    return review


# -- Measures due (the agency's schedule) ----------------------------------------------------


def agency_schedule(agency_id) -> list[MeasureSchedule]:
    return list(MeasureSchedule.objects.filter(agency_id=agency_id))


def _rules(rows) -> list[schedule_rules.Rule]:
    return [schedule_rules.Rule(r.measure_id, r.rater, r.at_assessment, r.every_contacts, r.at_ending)
            for r in rows]


def measures_due(episode: Episode, today: date | None = None) -> list[schedule_rules.Due]:
    """The measures due or overdue on the episode under its agency's schedule."""
    return measures_due_for([episode], today).get(episode.pk, [])


def measures_due_for(episodes, today: date | None = None) -> dict[int, list[schedule_rules.Due]]:
    """Episode pk -> measures due: three queries for a whole caseload."""
    from thrive.care.models import Contact

    episodes = list(episodes)
    today = today or dates.today()
    by_agency: dict[int, list] = {}
    for row in MeasureSchedule.objects.filter(agency_id__in={e.agency_id for e in episodes}):
        by_agency.setdefault(row.agency_id, []).append(row)
    wanted = [e for e in episodes if by_agency.get(e.agency_id)]
    if not wanted:
        return {}
    ids = [e.pk for e in wanted]
    attended: dict[int, list[date]] = {}
    for episode_id, day in Contact.objects.filter(
            episode_id__in=ids, attendance=Contact.Attendance.ATTENDED).values_list("episode_id", "date"):
        attended.setdefault(episode_id, []).append(day)
    completed: dict[int, dict] = {}
    for episode_id, measure_id, rater, day in Completion.objects.filter(episode_id__in=ids).values_list(
            "episode_id", "measure_id", "rater", "completed_on"):
        completed.setdefault(episode_id, {}).setdefault((measure_id, rater), []).append(day)
    out = {}
    for e in wanted:
        ending = getattr(e, "ending", None)
        found = schedule_rules.due(
            _rules(by_agency[e.agency_id]), started_on=e.assessed_on or e.accepted_on,
            ended_on=ending.ended_on if ending else None, attended=attended.get(e.pk, []),
            completed=completed.get(e.pk, {}), today=today)
        if found:
            out[e.pk] = found
    return out


def add_schedule_rule(request, *, measure_id: str, rater: str, at_assessment: bool,
                      every_contacts: int | None, at_ending: bool) -> MeasureSchedule:
    from thrive.accounts import permissions

    if not permissions.can_set_measure_schedule(request.user):
        raise RuleBroken("Only an agency administrator or team manager can set the schedule")
    check_measure_and_rater(measure_id, rater)
    if not (at_assessment or every_contacts or at_ending):
        raise RuleBroken("Choose at least one: at assessment, every few contacts, or at ending",
                         "at_assessment")
    with transaction.atomic():
        if MeasureSchedule.objects.filter(agency_id=request.user.agency_id, measure_id=measure_id,
                                          rater=rater).exists():
            raise RuleBroken(f"{measure_name(measure_id)} ({Rater(rater).label.lower()}) is already "
                             "on the schedule: remove it first to change it", "measure_id")
        row = MeasureSchedule.objects.create(
            agency_id=request.user.agency_id, measure_id=measure_id, rater=rater,
            at_assessment=at_assessment, every_contacts=every_contacts or None, at_ending=at_ending)
        audit.record(request, AuditEvent.Action.CREATE, obj=row, detail=f"measures schedule {measure_id}")
    return row


def remove_schedule_rule(request, rule_id: int) -> None:
    with transaction.atomic():
        deleted, _ = MeasureSchedule.objects.filter(pk=rule_id, agency_id=request.user.agency_id).delete()
        if deleted:
            audit.record(request, AuditEvent.Action.CHANGE,
                         detail=f"measures schedule rule {rule_id} removed")


# -- Remote completion links -------------------------------------------------------------------

REMOTE_LINK_DAYS = 7


def _token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def create_remote_link(request, episode: Episode, *, measure_id: str, rater: str) -> str:
    """A one-time link for the young person or parent; returns the token (shown once, never kept)."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    measure = check_measure_and_rater(measure_id, rater)
    if describes_needs(measure) or not measure.items:
        raise RuleBroken(f"{measure.name} is not completed by the young person or parent")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        episode = locked(episode)
        require_open_or_late_addition(request.user, episode)
        link = RemoteLink.objects.create(
            token_hash=_token_hash(token), episode=episode, measure_id=measure.id, rater=rater,
            created_by=request.user, expires_at=timezone.now() + timedelta(days=REMOTE_LINK_DAYS))
        audit.record(request, AuditEvent.Action.CREATE, obj=link, young_person=episode.young_person,
                     detail=f"remote completion link {measure.id} {rater}")
    return token


def remote_link(token: str) -> RemoteLink | None:
    """The link if it exists, is unused and has not expired; else None."""
    from django.utils import timezone

    link = (RemoteLink.objects.select_related("episode", "episode__young_person")
            .filter(token_hash=_token_hash(token or "")).first())
    if link is None or link.used_at is not None or link.expires_at <= timezone.now():
        return None
    return link


def complete_remote(request, link: RemoteLink, responses: dict[int, int | None]) -> Completion:
    """Record the answers given through the link, once; audited as the link's use."""
    from django.utils import timezone

    with transaction.atomic():
        link = RemoteLink.objects.select_for_update().get(pk=link.pk)
        if link.used_at is not None or link.expires_at <= timezone.now():
            raise RuleBroken("This link has already been used or has expired")
        completion = record_completion(
            request, link.episode, measure_id=link.measure_id, rater=link.rater,
            completed_on=dates.today(), responses=responses, entered_totals={},
            respondent=link.rater, recorded_by=link.created_by)
        link.used_at = timezone.now()
        link.completion = completion
        link.save(update_fields=["used_at", "completion"])
        audit.record(request, AuditEvent.Action.CREATE, obj=completion,
                     young_person=link.episode.young_person, username="remote link",
                     detail=f"completed through a remote link ({link.measure_id})")
    return completion
