"""The canonical extract (schema.py) from the platform's own records.

One query per table (``values_list``, streamed, made Arrow a batch at a time), mapped to MHSDS codes:
- YoungPerson -> people (Person_ID = public_id; LADistrictAuth only when the local authority
  field holds an ONS code such as E06000001 — the platform stores names, which are not codes);
- Episode -> referrals (UniqServReqID = public_id; received; age in whole years at referral;
  Episode.declined_on -> rejection; Ending.ended_on -> discharge; no team type code);
- Contact -> direct contacts (AttendStatus and ConsMechanismMH codes below);
- ScaleScore (value recorded) -> coded scores with the SNOMED id (v2) from the catalogue;
  GoalRating (goals 1-3) -> GBO goal scores (GBO counts as self nationally); measures coded per
  item (Current View) -> one coded score per answered item (engine.coded_items: "not known" and
  items without a code left out), as MHSDS carries them;
- GroupingDecision -> groupings (each decision lasts until the next one, or the ending);
- Goal -> goals (number, agreed date, first and latest rating; never the goal's words);
  Ending.goals_met, agreed_with_family and reason -> referrals.goals_met, ending_agreed,
  ending_reason; GroupingDecision.made_explicit -> groupings.made_explicit;
- RiskSupportPlan -> risk_plans (status, dates and how many agencies the plan names);
- CollaboRATE completions (answered item by item) -> collaborate, one row per completed encounter
  with the engine's top-score verdict (engine.collaborate_top_score);
- GroupingDecision.options_discussed / options_preferred -> decision_options, one row per option
  discussed (an option preferred is one that was discussed).

Entries marked entered in error (history.entries) are left out of every table: a contact, a
completion (and so its scores and items), a goal (and its ratings), a goal rating, a grouping
decision. A grouping in error does not end the one before it; the next valid one does.
"""

import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa
from django.db.models import Count

from thrive.care.models import Contact, Episode, Goal, GoalRating, GroupingDecision
from thrive.core import progress
from thrive.history.entries import valid_q
from thrive.measures.engine.catalogue_loader import get_catalogue
from thrive.measures.engine.coded_items import coded_items
from thrive.measures.engine.errors import MeasureError, UnknownMeasure, UnknownScale
from thrive.measures.engine.experience_measures import collaborate_top_score
from thrive.measures.models import Completion, ScaleScore, Source
from thrive.people.models import YoungPerson
from thrive.risk.models import RiskSupportPlan

from .locations import analytics_dir
from .population import load as load_population
from .schema import TABLES, TableSource, write_extract

ATTEND_STATUS = {
    Contact.Attendance.ATTENDED: "5",
    Contact.Attendance.DID_NOT_ATTEND: "3",
    Contact.Attendance.CANCELLED_BY_FAMILY: "2",
    Contact.Attendance.CANCELLED_BY_SERVICE: "4",
}
CONS_MECHANISM = {
    Contact.Mode.FACE_TO_FACE: "01",
    Contact.Mode.TELEPHONE: "02",
    Contact.Mode.VIDEO: "11",
    Contact.Mode.OTHER: "98",
}
ONS_LA_CODE = re.compile(r"^[EWSN]\d{8}$")
CHUNK = 5000
COLLABORATE = "collaborate"  # the catalogue's measure id


# Rows become Arrow a batch at a time and go to the Parquet file as they come (write_extract
# streams them), so neither a table's Python objects nor its Arrow form is ever held whole.
BATCH = 100_000


def _table(name: str, rows: Callable[[], Iterable[tuple]]) -> TableSource:
    """The canonical table, streamed: `rows()` gives rows in the schema's column order, read only
    when write_extract writes this table."""
    schema = TABLES[name]

    def batches() -> Iterator[pa.RecordBatch]:
        it = iter(rows())
        while chunk := list(itertools.islice(it, BATCH)):
            columns = zip(*chunk, strict=True)
            yield pa.record_batch(
                [pa.array(values, field.type) for values, field in zip(columns, schema, strict=True)],
                schema=schema)
    return batches


def read_whole(name: str, source: TableSource) -> pa.Table:
    """A streamed table read whole (for tests and small localities)."""
    return pa.Table.from_batches(list(source()), schema=TABLES[name])


def episode_ids() -> dict[int, tuple[str, str]]:
    """Episode key -> (Person_ID, UniqServReqID), read once rather than joined and converted
    again for every contact and score."""
    rows = Episode.objects.values_list("id", "young_person__public_id", "public_id")
    return {pk: (str(person), str(episode)) for pk, person, episode in rows.iterator(chunk_size=CHUNK)}


def age_on(born, on) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def people_table() -> TableSource:
    # A local authority recorded by name (as the demo's) is matched to the population table's
    # area names for its ONS code, so the equity dashboard can give a rate for it.
    people = load_population(analytics_dir())

    def code(la: str) -> str | None:
        if ONS_LA_CODE.match(la):
            return la
        return people.code_for_name(la) if people else None

    def rows():
        people = YoungPerson.objects.filter(merged_into__isnull=True).order_by("id").values_list(
            "public_id", "sex", "gender_identity", "ethnic_category", "deprivation_decile", "local_authority")
        for public_id, sex, gender, ethnic, decile, la in people.iterator(chunk_size=CHUNK):
            yield (str(public_id), sex or None, gender or None, ethnic or None, None, decile,
                   code((la or "").strip().upper()) if (la or "").strip() else None)
    return _table("people", rows)


def referrals_table() -> TableSource:
    def rows():
        episodes = Episode.objects.order_by("id").values_list(
            "public_id", "young_person__public_id", "young_person__date_of_birth", "agency__ods_code",
            "agency__name", "team__name", "referral_received_on", "referral_source", "referral_reason",
            "declined_on", "ending__ended_on", "ending__goals_met", "ending__agreed_with_family",
            "ending__reason")
        for (pid, person, born, ods, agency, team, received, source, reason, declined, ended, met,
             agreed, why) in episodes.iterator(chunk_size=CHUNK):
            yield (str(pid), str(person), ods or agency, received, age_on(born, received), source,
                   reason, None, team, declined, ended, met, agreed, why or None)
    return _table("referrals", rows)


def contacts_table(ids: dict[int, tuple[str, str]]) -> TableSource:
    def rows():
        contacts = Contact.objects.valid().order_by("id").values_list(
            "id", "episode_id", "date", "time", "attendance", "mode")
        for cid, episode, on, at, attendance, mode in contacts.iterator(chunk_size=CHUNK):
            yield (str(cid), "direct", *ids[episode], on, at.replace(microsecond=0) if at else None,
                   ATTEND_STATUS.get(attendance), CONS_MECHANISM.get(mode))
    return _table("contacts", rows)


def scale_concept_ids() -> dict[str, str]:
    """Catalogue scale key -> SNOMED concept id to emit (v2)."""
    out = {}
    for measure in get_catalogue().measures.values():
        for scale in measure.scales:
            if scale.snomed is not None:
                out[scale.key] = scale.snomed.concept_id
    return out


def scores_table(ids: dict[int, tuple[str, str]]) -> TableSource:
    return _table("scores", lambda: itertools.chain(_scale_scores(ids), _goal_scores(ids),
                                                    _item_scores(ids)))


def _scale_scores(ids):
    concept = scale_concept_ids()
    scores = ScaleScore.objects.filter(
        valid_q("completion__"), value__isnull=False).order_by("id").values_list(
        "id", "completion__episode_id", "completion__measure_id", "scale_id", "value",
        "completion__completed_on")
    for sid, episode, measure_id, scale_id, value, on in scores.iterator(chunk_size=CHUNK):
        code = concept.get(f"{measure_id}/{scale_id}")
        if code is None:
            continue  # no SNOMED code: not submitted
        yield (f"s{sid}", *ids[episode], code, format(value.normalize(), "f"), on)


def _goal_scores(ids):
    gbo = {}
    for n in (1, 2, 3):
        try:
            gbo[n] = get_catalogue().scale(f"gbo/goal_{n}").snomed.concept_id
        except (UnknownMeasure, UnknownScale, AttributeError):
            pass
    ratings = GoalRating.objects.valid().filter(
        valid_q("goal__"), goal__number__in=list(gbo)).order_by("id").values_list(
        "id", "goal__episode_id", "goal__number", "rating", "rated_on")
    for rid, episode, number, rating, on in ratings.iterator(chunk_size=CHUNK):
        yield (f"g{rid}", *ids[episode], gbo[number], str(rating), on)


def _item_scores(ids):
    completions = Completion.objects.valid().filter(
        measure_id__in=item_coded_measures(), source=Source.ITEMS).order_by("id").values_list(
        "id", "episode_id", "measure_id", "responses", "completed_on")
    for cid, episode, measure_id, responses, on in completions.iterator(chunk_size=CHUNK):
        try:
            values = coded_items(measure_id, _responses(responses))
        except MeasureError:
            continue  # answers the catalogue no longer accepts: not submitted
        for value in values:
            yield (f"c{cid}.{value.item:03d}", *ids[episode], value.snomed_concept_id, str(value.value), on)


def item_coded_measures() -> list[str]:
    """Measures coded item by item (no scale scores to submit): Current View."""
    return [m.id for m in get_catalogue().measures.values()
            if any(item.snomed is not None for item in m.items.values())]


def _responses(stored) -> dict[int, int | None]:
    return {int(k): v for k, v in (stored or {}).items()}


def groupings_table(ids: dict[int, tuple[str, str]]) -> TableSource:
    def rows():
        decisions = GroupingDecision.objects.valid().order_by("episode_id", "decided_on", "id").values_list(
            "episode_id", "grouping", "decided_on", "young_person_took_part", "parent_carer_took_part",
            "episode__ending__ended_on", "made_explicit")
        # A decision lasts until the next one for the episode, else until the ending: each row
        # is yielded when the next one has been read.
        previous = None
        for episode, grouping, decided, yp, parent, ended, explicit in decisions.iterator(chunk_size=CHUNK):
            if previous is not None:
                before, row = previous
                yield row[:4] + (decided,) + row[5:] if before == episode else row
            previous = episode, (*ids[episode], grouping, decided, ended, bool(yp or parent), explicit)
        if previous is not None:
            yield previous[1]
    return _table("groupings", rows)


def goals_table(ids: dict[int, tuple[str, str]]) -> TableSource:
    def rows():
        # Goals by id beside their ratings by goal id, read side by side (a merge): only the
        # current goal's ratings are ever held, never every rating of the locality.
        ratings = GoalRating.objects.valid().order_by("goal_id", "rated_on", "id").values_list(
            "goal_id", "rating", "rated_on").iterator(chunk_size=CHUNK)
        pending = next(ratings, None)
        goals = Goal.objects.valid().order_by("id").values_list("id", "episode_id", "number", "agreed_on")
        for gid, episode, number, agreed in goals.iterator(chunk_size=CHUNK):
            while pending is not None and pending[0] < gid:
                pending = next(ratings, None)  # a rating of a goal in error
            first = last = (None, None)
            while pending is not None and pending[0] == gid:
                if first == (None, None):
                    first = pending[1:]
                last = pending[1:]
                pending = next(ratings, None)
            yield (str(gid), *ids[episode], number, agreed, *first, *last)
    return _table("goals", rows)


def risk_plans_table() -> TableSource:
    def rows():
        plans = RiskSupportPlan.objects.order_by("id").annotate(n_agencies=Count("agencies")).values_list(
            "id", "young_person__public_id", "agreed_on", "review_on", "status", "ended_on", "n_agencies")
        for pid, person, agreed, review, status, ended, agencies in plans.iterator(chunk_size=CHUNK):
            yield (str(pid), str(person), agreed, review, status, ended, agencies)
    return _table("risk_plans", rows)


def collaborate_table(ids: dict[int, tuple[str, str]]) -> TableSource:
    def rows():
        completions = Completion.objects.valid().filter(measure_id=COLLABORATE, source=Source.ITEMS).order_by(
            "id").values_list("id", "episode_id", "rater", "completed_on", "responses")
        for cid, episode, rater, on, responses in completions.iterator(chunk_size=CHUNK):
            top = collaborate_top_score(_responses(responses))
            if top is not None:  # None: not a completed encounter
                yield (str(cid), *ids[episode], rater, on, top)
    return _table("collaborate", rows)


def decision_options_table(ids: dict[int, tuple[str, str]]) -> TableSource:
    def rows():
        decisions = GroupingDecision.objects.valid().order_by("id").values_list(
            "id", "episode_id", "decided_on", "grouping", "options_discussed", "options_preferred")
        for did, episode, decided, grouping, discussed, preferred in decisions.iterator(chunk_size=CHUNK):
            preferred = set(preferred or ())
            for option in dict.fromkeys([*(discussed or ()), *sorted(preferred)]):
                yield (str(did), *ids[episode], decided, grouping, option, option in preferred)
    return _table("decision_options", rows)


def build_platform_extract(out_dir: str | os.PathLike) -> dict:
    ids = episode_ids()
    tables = {
        "people": people_table(),
        "referrals": referrals_table(),
        "contacts": contacts_table(ids),
        "scores": scores_table(ids),
        "groupings": groupings_table(ids),
        "goals": goals_table(ids),
        "risk_plans": risk_plans_table(),
        "collaborate": collaborate_table(ids),
        "decision_options": decision_options_table(ids),
    }
    return write_extract(out_dir, tables, source="platform",
                         expected=_expected_rows() if progress.live() else None)


def _expected_rows() -> dict[str, int]:
    """About how many rows each big table will have (for the time left on a terminal)."""
    return {"people": YoungPerson.objects.count(), "referrals": Episode.objects.count(),
            "contacts": Contact.objects.count(), "goals": Goal.objects.count(),
            "groupings": GroupingDecision.objects.count()}
