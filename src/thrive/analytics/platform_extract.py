"""The canonical extract (schema.py) from the platform's own records.

One query per table (``values_list``, streamed), mapped to MHSDS codes:
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
  Ending.goals_met -> referrals.goals_met;
- RiskSupportPlan -> risk_plans (status, dates and how many agencies the plan names);
- CollaboRATE completions (answered item by item) -> collaborate, one row per completed encounter
  with the engine's top-score verdict (engine.collaborate_top_score);
- GroupingDecision.options_discussed / options_preferred -> decision_options, one row per option
  discussed (an option preferred is one that was discussed).
"""

import os
import re

import pyarrow as pa
from django.db.models import Count

from thrive.care.models import Contact, Episode, Goal, GoalRating, GroupingDecision
from thrive.measures.engine.catalogue_loader import get_catalogue
from thrive.measures.engine.coded_items import coded_items
from thrive.measures.engine.errors import MeasureError, UnknownMeasure, UnknownScale
from thrive.measures.engine.experience_measures import collaborate_top_score
from thrive.measures.models import Completion, ScaleScore, Source
from thrive.people.models import YoungPerson
from thrive.risk.models import RiskSupportPlan

from .schema import TABLES, write_extract

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


def _table(name: str, columns: dict[str, list]) -> pa.Table:
    schema = TABLES[name]
    return pa.table({f.name: pa.array(columns[f.name], f.type) for f in schema}, schema=schema)


def _columns(name: str) -> dict[str, list]:
    return {f.name: [] for f in TABLES[name]}


def age_on(born, on) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def people_table() -> pa.Table:
    cols = _columns("people")
    rows = YoungPerson.objects.order_by("id").values_list(
        "public_id", "sex", "gender_identity", "ethnic_category", "deprivation_decile", "local_authority")
    for public_id, sex, gender, ethnic, decile, la in rows.iterator(chunk_size=CHUNK):
        cols["person_id"].append(str(public_id))
        cols["sex"].append(sex or None)
        cols["gender_identity"].append(gender or None)
        cols["ethnic_category"].append(ethnic or None)
        cols["lsoa"].append(None)
        cols["imd_decile"].append(decile)
        la = (la or "").strip().upper()
        cols["la_code"].append(la if ONS_LA_CODE.match(la) else None)
    return _table("people", cols)


def referrals_table() -> pa.Table:
    cols = _columns("referrals")
    rows = Episode.objects.order_by("id").values_list(
        "public_id", "young_person__public_id", "young_person__date_of_birth", "agency__ods_code",
        "agency__name", "team__name", "referral_received_on", "referral_source", "referral_reason",
        "declined_on", "ending__ended_on", "ending__goals_met")
    for pid, person, born, ods, agency, team, received, source, reason, declined, ended, met in rows.iterator(
            chunk_size=CHUNK):
        cols["referral_id"].append(str(pid))
        cols["person_id"].append(str(person))
        cols["provider"].append(ods or agency)
        cols["received_on"].append(received)
        cols["age_at_referral"].append(age_on(born, received))
        cols["source"].append(source)
        cols["reason"].append(reason)
        cols["team_type"].append(None)
        cols["team"].append(team)
        cols["rejected_on"].append(declined)
        cols["discharged_on"].append(ended)
        cols["goals_met"].append(met)
    return _table("referrals", cols)


def contacts_table() -> pa.Table:
    cols = _columns("contacts")
    rows = Contact.objects.order_by("id").values_list(
        "id", "episode__young_person__public_id", "episode__public_id", "date", "time", "attendance", "mode")
    for cid, person, episode, on, at, attendance, mode in rows.iterator(chunk_size=CHUNK):
        cols["contact_id"].append(str(cid))
        cols["kind"].append("direct")
        cols["person_id"].append(str(person))
        cols["referral_id"].append(str(episode))
        cols["contact_date"].append(on)
        cols["contact_time"].append(at.replace(microsecond=0) if at else None)
        cols["attend_status"].append(ATTEND_STATUS.get(attendance))
        cols["mechanism"].append(CONS_MECHANISM.get(mode))
    return _table("contacts", cols)


def scale_concept_ids() -> dict[str, str]:
    """Catalogue scale key -> SNOMED concept id to emit (v2)."""
    out = {}
    for measure in get_catalogue().measures.values():
        for scale in measure.scales:
            if scale.snomed is not None:
                out[scale.key] = scale.snomed.concept_id
    return out


def scores_table() -> pa.Table:
    cols = _columns("scores")
    concept = scale_concept_ids()
    rows = ScaleScore.objects.filter(value__isnull=False).order_by("id").values_list(
        "id", "completion__episode__young_person__public_id", "completion__episode__public_id",
        "completion__measure_id", "scale_id", "value", "completion__completed_on")
    for sid, person, episode, measure_id, scale_id, value, on in rows.iterator(chunk_size=CHUNK):
        code = concept.get(f"{measure_id}/{scale_id}")
        if code is None:
            continue  # no SNOMED code: not submitted
        cols["score_id"].append(f"s{sid}")
        cols["person_id"].append(str(person))
        cols["referral_id"].append(str(episode))
        cols["concept_id"].append(code)
        cols["score"].append(format(value.normalize(), "f"))
        cols["completed_on"].append(on)
    gbo = {}
    for n in (1, 2, 3):
        try:
            gbo[n] = get_catalogue().scale(f"gbo/goal_{n}").snomed.concept_id
        except (UnknownMeasure, UnknownScale, AttributeError):
            pass
    ratings = GoalRating.objects.filter(goal__number__in=list(gbo)).order_by("id").values_list(
        "id", "goal__episode__young_person__public_id", "goal__episode__public_id", "goal__number",
        "rating", "rated_on")
    for rid, person, episode, number, rating, on in ratings.iterator(chunk_size=CHUNK):
        cols["score_id"].append(f"g{rid}")
        cols["person_id"].append(str(person))
        cols["referral_id"].append(str(episode))
        cols["concept_id"].append(gbo[number])
        cols["score"].append(str(rating))
        cols["completed_on"].append(on)
    item_coded = item_coded_measures()
    completions = Completion.objects.filter(measure_id__in=item_coded, source=Source.ITEMS).order_by(
        "id").values_list("id", "episode__young_person__public_id", "episode__public_id", "measure_id",
                          "responses", "completed_on")
    for cid, person, episode, measure_id, responses, on in completions.iterator(chunk_size=CHUNK):
        try:
            values = coded_items(measure_id, _responses(responses))
        except MeasureError:
            continue  # answers the catalogue no longer accepts: not submitted
        for value in values:
            cols["score_id"].append(f"c{cid}.{value.item:03d}")
            cols["person_id"].append(str(person))
            cols["referral_id"].append(str(episode))
            cols["concept_id"].append(value.snomed_concept_id)
            cols["score"].append(str(value.value))
            cols["completed_on"].append(on)
    return _table("scores", cols)


def item_coded_measures() -> list[str]:
    """Measures coded item by item (no scale scores to submit): Current View."""
    return [m.id for m in get_catalogue().measures.values()
            if any(item.snomed is not None for item in m.items.values())]


def _responses(stored) -> dict[int, int | None]:
    return {int(k): v for k, v in (stored or {}).items()}


def groupings_table() -> pa.Table:
    cols = _columns("groupings")
    rows = GroupingDecision.objects.order_by("episode_id", "decided_on", "id").values_list(
        "episode_id", "episode__young_person__public_id", "episode__public_id", "grouping", "decided_on",
        "young_person_took_part", "parent_carer_took_part", "episode__ending__ended_on")
    previous = None
    for episode_id, person, episode, grouping, decided, yp, parent, ended in rows.iterator(chunk_size=CHUNK):
        if previous is not None and previous == episode_id:
            cols["end_on"][-1] = decided  # superseded by this decision
        cols["person_id"].append(str(person))
        cols["referral_id"].append(str(episode))
        cols["grouping"].append(grouping)
        cols["start_on"].append(decided)
        cols["end_on"].append(ended)
        cols["shared_decision"].append(bool(yp or parent))
        previous = episode_id
    return _table("groupings", cols)


def goals_table() -> pa.Table:
    cols = _columns("goals")
    ratings: dict[int, list] = {}
    for goal_id, rating, on in GoalRating.objects.order_by("goal_id", "rated_on", "id").values_list(
            "goal_id", "rating", "rated_on").iterator(chunk_size=CHUNK):
        ratings.setdefault(goal_id, []).append((rating, on))
    rows = Goal.objects.order_by("id").values_list(
        "id", "episode__young_person__public_id", "episode__public_id", "number", "agreed_on")
    for gid, person, episode, number, agreed in rows.iterator(chunk_size=CHUNK):
        rated = ratings.get(gid, [])
        first, last = (rated[0], rated[-1]) if rated else ((None, None), (None, None))
        cols["goal_id"].append(str(gid))
        cols["person_id"].append(str(person))
        cols["referral_id"].append(str(episode))
        cols["number"].append(number)
        cols["agreed_on"].append(agreed)
        cols["first_rating"].append(first[0])
        cols["first_rated_on"].append(first[1])
        cols["last_rating"].append(last[0])
        cols["last_rated_on"].append(last[1])
    return _table("goals", cols)


def risk_plans_table() -> pa.Table:
    cols = _columns("risk_plans")
    rows = RiskSupportPlan.objects.order_by("id").annotate(n_agencies=Count("agencies")).values_list(
        "id", "young_person__public_id", "agreed_on", "review_on", "status", "ended_on", "n_agencies")
    for pid, person, agreed, review, status, ended, agencies in rows.iterator(chunk_size=CHUNK):
        cols["plan_id"].append(str(pid))
        cols["person_id"].append(str(person))
        cols["agreed_on"].append(agreed)
        cols["review_on"].append(review)
        cols["status"].append(status)
        cols["ended_on"].append(ended)
        cols["agencies"].append(agencies)
    return _table("risk_plans", cols)


def collaborate_table() -> pa.Table:
    cols = _columns("collaborate")
    rows = Completion.objects.filter(measure_id=COLLABORATE, source=Source.ITEMS).order_by("id").values_list(
        "id", "episode__young_person__public_id", "episode__public_id", "rater", "completed_on", "responses")
    for cid, person, episode, rater, on, responses in rows.iterator(chunk_size=CHUNK):
        top = collaborate_top_score(_responses(responses))
        if top is None:
            continue  # not a completed encounter
        cols["response_id"].append(str(cid))
        cols["person_id"].append(str(person))
        cols["referral_id"].append(str(episode))
        cols["rater"].append(rater)
        cols["completed_on"].append(on)
        cols["top_score"].append(top)
    return _table("collaborate", cols)


def decision_options_table() -> pa.Table:
    cols = _columns("decision_options")
    rows = GroupingDecision.objects.order_by("id").values_list(
        "id", "episode__young_person__public_id", "episode__public_id", "decided_on", "grouping",
        "options_discussed", "options_preferred")
    for did, person, episode, decided, grouping, discussed, preferred in rows.iterator(chunk_size=CHUNK):
        preferred = set(preferred or ())
        for option in dict.fromkeys([*(discussed or ()), *sorted(preferred)]):
            cols["decision_id"].append(str(did))
            cols["person_id"].append(str(person))
            cols["referral_id"].append(str(episode))
            cols["decided_on"].append(decided)
            cols["grouping"].append(grouping)
            cols["option"].append(option)
            cols["preferred"].append(option in preferred)
    return _table("decision_options", cols)


def build_platform_extract(out_dir: str | os.PathLike) -> dict:
    tables = {
        "people": people_table(),
        "referrals": referrals_table(),
        "contacts": contacts_table(),
        "scores": scores_table(),
        "groupings": groupings_table(),
        "goals": goals_table(),
        "risk_plans": risk_plans_table(),
        "collaborate": collaborate_table(),
        "decision_options": decision_options_table(),
    }
    return write_extract(out_dir, tables, source="platform")
