"""The demo locality written as an MHSDS-style CSV extract, exactly as `thrive import_mhsds` reads it
(docs/specs/standards/mhsds-extract.md; reader: analytics/mhsds_import.py).

    write_extract(out_dir, people=1_000_000, seed=2026, today=date(2026, 3, 2), workers=2)

Files: MHS001MPI, MHS101Referral, MHS201CareContact, MHS204IndirectActivity (header only: the demo
records no indirect activity), MHS606CodedScoreAssessmentRefer and THRIVEGrouping. What maps to what,
with the codes taken from the platform's own extract (analytics/platform_extract.py), never restated:

- person -> MPI row; Person_ID is ``P`` and the person's 0-based index (``P0000042``): never an NHS
  number or a name, and the same whatever else is generated;
- episode -> referral; UniqServReqID is the Person_ID, ``R`` and the episode's place in the
  person's history (``P0000042R2``); OrgIDProv the agency's ODS code (its name while it has none),
  UniqCareProfTeamID the team's name, ServTeamTypeRefToMH empty, declined -> ReferRejectionDate,
  ending -> ServDischDate, age in whole years at referral;
- contact -> MHS201 row (AttendStatus, ConsMechanismMH as the platform maps them);
- scores -> MHS606 rows, as the platform submits them: each scored scale with a SNOMED concept
  (engine scoring of item-by-item completions), GBO goal ratings (goals 1-3), and Current View item
  by item (engine.coded_items);
- grouping decisions -> THRIVEGrouping periods: from the decision to the next one (or the ending,
  or open), SharedDecision ``Y`` when the young person or a parent/carer took part.

Written row by row with the csv module, one young person at a time, so memory stays flat at any size.
With ``workers=N`` the people are split into N contiguous index ranges, generated in separate
processes (each young person has their own random stream), each writing part files that are then
joined in order under one header: the output is byte-identical whatever the worker count, and the
same seed and `today` always give the same bytes.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from thrive.measures import engine
from thrive.measures.engine.coded_items import coded_items
from thrive.measures.engine.errors import MeasureError

from .generator import Demo, generate
from .records import EpisodeBundle, PersonHistory

FILES: dict[str, tuple[str, ...]] = {
    "MHS001MPI.csv": ("Person_ID", "Gender", "GenderIDCode", "EthnicCategory", "LSOA2011", "IMD_Decile",
                      "LADistrictAuth"),
    "MHS101Referral.csv": ("Person_ID", "UniqServReqID", "OrgIDProv", "UniqCareProfTeamID",
                           "ReferralRequestReceivedDate", "AgeServReferRecDate", "SourceOfReferralMH",
                           "PrimReasonReferralMH", "ServTeamTypeRefToMH", "ReferRejectionDate",
                           "ServDischDate"),
    "MHS201CareContact.csv": ("Person_ID", "UniqServReqID", "UniqCareContID", "CareContDate",
                              "CareContTime", "AttendStatus", "ConsMechanismMH"),
    "MHS204IndirectActivity.csv": ("Person_ID", "UniqServReqID", "MHS204UniqID", "IndirectActDate",
                                   "IndirectActTime"),
    "MHS606CodedScoreAssessmentRefer.csv": ("Person_ID", "UniqServReqID", "MHS606UniqID",
                                            "CodedAssToolType", "PersScore", "AssToolCompDate"),
    "THRIVEGrouping.csv": ("Person_ID", "UniqServReqID", "Grouping", "StartDate", "EndDate",
                           "SharedDecision"),
}
# Rows counted per file, under the names of the canonical tables they become.
COUNT_NAMES = {"MHS001MPI.csv": "people", "MHS101Referral.csv": "referrals",
               "MHS201CareContact.csv": "contacts", "MHS204IndirectActivity.csv": "indirect",
               "MHS606CodedScoreAssessmentRefer.csv": "scores", "THRIVEGrouping.csv": "groupings"}
BUFFER = 1 << 20
MICRO = Decimal("0.000001")  # the precision ScaleScore.value keeps


@dataclass(frozen=True)
class Codes:
    """The platform extract's mappings as plain, picklable values (worker processes need no
    Django): platform value -> MHSDS code."""

    attend_status: dict[str, str]
    mechanism: dict[str, str]
    scale_concepts: dict[str, str]  # "measure/scale" -> SNOMED concept id
    item_coded: frozenset[str]  # measures submitted item by item (Current View)
    la_code: str  # the pattern of an ONS local authority code
    scored: frozenset[str] = field(init=False)  # measures with at least one coded scale
    gbo: dict[int, str] = field(init=False)  # goal number -> concept id

    def __post_init__(self):
        object.__setattr__(self, "scored", frozenset(k.split("/")[0] for k in self.scale_concepts))
        object.__setattr__(self, "gbo", {n: self.scale_concepts[f"gbo/goal_{n}"] for n in (1, 2, 3)
                                         if f"gbo/goal_{n}" in self.scale_concepts})


def platform_codes() -> Codes:
    """Read from analytics.platform_extract (needs Django set up: call it in the parent)."""
    from thrive.analytics import platform_extract as pe

    def plain(mapping):
        return {getattr(k, "value", k): v for k, v in mapping.items()}

    return Codes(attend_status=plain(pe.ATTEND_STATUS), mechanism=plain(pe.CONS_MECHANISM),
                 scale_concepts=pe.scale_concept_ids(), item_coded=frozenset(pe.item_coded_measures()),
                 la_code=pe.ONS_LA_CODE.pattern)


def person_id(index: int) -> str:
    return f"P{index:07d}"


def referral_id(index: int, n: int) -> str:
    """The n-th (1-based) episode of the young person with this index."""
    return f"{person_id(index)}R{n}"


def histories_between(demo: Demo, start: int, stop: int) -> Iterator[tuple[int, PersonHistory]]:
    """The young people with index start..stop-1, exactly as `demo.histories()` makes them, without
    making the ones before: each young person's history comes from their own random stream.

    Left out, as the extract never carries them: NHS numbers (drawn from one stream for everyone)
    and carers' keys; which practitioner leads an open episode (teams take open episodes in turn
    across the whole population) may differ from demo.histories(), and is not written either.
    tests/test_mhsds_extract.py checks the written rows match demo.histories() exactly."""
    maker = demo.history_maker()
    for index in range(start, stop):
        yield index, demo.history(maker, index, "", 0)


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _d(day: date | None) -> str:
    return day.isoformat() if day else ""


class RowMaker:
    """One young person's history as rows for each file."""

    def __init__(self, demo: Demo, codes: Codes):
        self.codes = codes
        self.la_code = re.compile(codes.la_code)
        agencies = {a.key: a for a in demo.locality.agencies}
        self.provider = {k: a.ods_code or a.name for k, a in agencies.items()}
        self.team = {t.key: t.name for t in demo.locality.teams}
        self._scores: dict[tuple, list[tuple[str, str]]] = {}

    def rows(self, index: int, history: PersonHistory) -> dict[str, list[tuple]]:
        c = self.codes
        p = history.person
        pid = person_id(index)
        la = (p.local_authority or "").strip().upper()
        out: dict[str, list[tuple]] = {name: [] for name in FILES}
        out["MHS001MPI.csv"].append((pid, p.sex, p.gender_identity, p.ethnic_category, "",
                                     p.deprivation_decile if p.deprivation_decile is not None else "",
                                     la if self.la_code.match(la) else ""))
        referrals, contacts = out["MHS101Referral.csv"], out["MHS201CareContact.csv"]
        scores, groupings = out["MHS606CodedScoreAssessmentRefer.csv"], out["THRIVEGrouping.csv"]
        for n, bundle in enumerate(history.episodes, start=1):
            e, rid = bundle.episode, referral_id(index, n)
            ended = bundle.ending.ended_on if bundle.ending else None
            referrals.append((pid, rid, self.provider[e.agency_key], self.team[e.team_key],
                              _d(e.referral_received_on), _age_on(p.date_of_birth, e.referral_received_on),
                              e.referral_source, e.referral_reason, "", _d(e.declined_on), _d(ended)))
            for i, contact in enumerate(bundle.contacts, start=1):
                contacts.append((pid, rid, f"{rid}C{i:03d}", _d(contact.date),
                                 contact.time.replace(microsecond=0).isoformat(),
                                 c.attend_status.get(contact.attendance, ""),
                                 c.mechanism.get(contact.mode, "")))
            for i, (concept, value, on) in enumerate(self._episode_scores(bundle), start=1):
                scores.append((pid, rid, f"{rid}S{i:04d}", concept, value, _d(on)))
            decisions = bundle.decisions
            for i, d in enumerate(decisions):
                until = decisions[i + 1].decided_on if i + 1 < len(decisions) else ended
                groupings.append((pid, rid, d.grouping, _d(d.decided_on), _d(until),
                                  "Y" if d.young_person_took_part or d.parent_carer_took_part else "N"))
        return out

    def _episode_scores(self, bundle: EpisodeBundle) -> Iterator[tuple[str, str, date]]:
        """(concept id, score, completed on) in the order the platform extract submits them."""
        c = self.codes
        for completion in bundle.completions:
            if completion.measure_id in c.scored:
                for concept, value in self._scale_scores(completion.measure_id, completion.responses,
                                                         completion.rater, completion.entered_totals):
                    yield concept, value, completion.completed_on
        number = {g.key: g.number for g in bundle.goals}
        for rating in bundle.ratings:
            concept = c.gbo.get(number.get(rating.goal_key))
            if concept is not None:
                yield concept, str(rating.rating), rating.rated_on
        for completion in bundle.completions:
            if completion.measure_id in c.item_coded:
                try:
                    values = coded_items(completion.measure_id, dict(completion.responses))
                except MeasureError:
                    continue  # answers the catalogue no longer accepts: not submitted
                for v in values:
                    yield v.snomed_concept_id, str(v.value), completion.completed_on

    def _scale_scores(self, measure_id: str, responses, rater: str, totals=()) -> list[tuple[str, str]]:
        """Scored scales with a concept id (cached: the demo's answers repeat a lot). Raw values
        only, so age and sex (which give T-scores and bands) are not needed."""
        key = (measure_id, responses, rater, totals)
        found = self._scores.get(key)
        if found is None:
            found = []
            for r in engine.score(measure_id, dict(responses), rater=rater, entered_totals=dict(totals)):
                concept = self.codes.scale_concepts.get(f"{measure_id}/{r.scale_id}")
                if concept is not None and r.value is not None:
                    found.append((concept, format(r.value.quantize(MICRO).normalize(), "f")))
            if len(self._scores) < 100_000:
                self._scores[key] = found
        return found


def write_rows(out_dir: Path, demo: Demo, codes: Codes, histories: Iterator[tuple[int, PersonHistory]],
               *, header: bool = True) -> dict[str, int]:
    """Write the rows of these (index, history) pairs into out_dir, with the header row or without;
    returns the rows written per canonical table."""
    maker = RowMaker(demo, codes)
    out_dir.mkdir(parents=True, exist_ok=True)
    handles = {name: open(out_dir / name, "w", encoding="utf-8", newline="", buffering=BUFFER)
               for name in FILES}
    counts = dict.fromkeys(FILES, 0)
    try:
        writers = {name: csv.writer(fh, lineterminator="\n") for name, fh in handles.items()}
        if header:
            for name, w in writers.items():
                w.writerow(FILES[name])
        for index, history in histories:
            for name, rows in maker.rows(index, history).items():
                if rows:
                    writers[name].writerows(rows)
                    counts[name] += len(rows)
    finally:
        for fh in handles.values():
            fh.close()
    return {COUNT_NAMES[name]: n for name, n in counts.items()}


def _write_range(out_dir: Path, seed: int, people: int, today: date, codes: Codes, start: int, stop: int,
                 header: bool) -> dict[str, int]:
    demo = generate(seed, people, today=today)
    return write_rows(out_dir, demo, codes, histories_between(demo, start, stop), header=header)


def _part(args) -> dict[str, int]:
    return _write_range(*args)


def ranges(people: int, parts: int) -> list[tuple[int, int]]:
    """Contiguous index ranges, as equal as can be, in order."""
    parts = max(1, min(parts, people))
    bounds = [people * i // parts for i in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def write_extract(out_dir, *, people: int, seed: int, today: date, workers: int = 1,
                  codes: Codes | None = None) -> dict[str, int]:
    """Write the six CSVs into out_dir (made if need be; files there are replaced). Returns the
    rows written per canonical table: people, referrals, contacts, indirect, scores, groupings."""
    if people < 1:
        raise ValueError("Generate at least one young person")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codes = codes or platform_codes()
    if workers <= 1:
        return _write_range(out, seed, people, today, codes, 0, people, header=True)
    parts_dir = out / ".parts"
    shutil.rmtree(parts_dir, ignore_errors=True)
    jobs = [(parts_dir / f"{i:04d}", seed, people, today, codes, start, stop, False)
            for i, (start, stop) in enumerate(ranges(people, workers))]
    try:
        # spawn, not fork: the parent may hold DuckDB or Arrow threads; the children need no Django.
        with mp.get_context("spawn").Pool(len(jobs)) as pool:
            part_counts = pool.map(_part, jobs, chunksize=1)
        for name, columns in FILES.items():
            with open(out / name, "wb") as fh:
                fh.write((",".join(columns) + "\n").encode())
                for job in jobs:
                    with open(job[0] / name, "rb") as part:
                        shutil.copyfileobj(part, fh, BUFFER)
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return {k: sum(c[k] for c in part_counts) for k in COUNT_NAMES.values()}
