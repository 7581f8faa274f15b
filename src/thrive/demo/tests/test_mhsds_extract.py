"""The demo written as an MHSDS-style extract: imports cleanly, matches the histories, the same bytes
whatever the worker count, and nothing identifying in it."""

import csv
from datetime import date
from pathlib import Path

import pytest

from thrive.analytics.mhsds_import import import_mhsds
from thrive.demo import mhsds_extract as mx
from thrive.demo.generator import generate
from thrive.measures.engine import score
from thrive.measures.engine.coded_items import coded_items

TODAY = date(2026, 3, 2)
SEED = 2026
PEOPLE = 240


@pytest.fixture(scope="module")
def codes():
    return mx.platform_codes()


@pytest.fixture(scope="module")
def demo():
    return generate(SEED, PEOPLE, today=TODAY)


@pytest.fixture(scope="module")
def histories(demo):
    return list(demo.histories())


@pytest.fixture(scope="module")
def written(tmp_path_factory, codes):
    out = tmp_path_factory.mktemp("mhsds")
    counts = mx.write_extract(out, people=PEOPLE, seed=SEED, today=TODAY, workers=1, codes=codes)
    return out, counts


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_file_the_importer_reads_is_written_with_its_header(written):
    out, _ = written
    for name, columns in mx.FILES.items():
        with open(out / name, encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == list(columns)
    assert read(out / "MHS204IndirectActivity.csv") == []  # the demo records no indirect activity


def test_imports_cleanly_and_counts_match_the_histories(written, histories, codes, tmp_path):
    out, counts = written
    result = import_mhsds(out, tmp_path / "extract")  # raises ImportRejected on any problem
    assert result.skipped_groupings == 0
    episodes = [b for h in histories for b in h.episodes]
    cv_items = sum(len(coded_items(c.measure_id, dict(c.responses)))
                   for b in episodes for c in b.completions if c.measure_id == "current_view")
    gbo = sum(len(b.ratings) for b in episodes)  # every demo goal is goal 1, 2 or 3
    # Every scored scale with a SNOMED concept (CollaboRATE has none: not submitted, as the platform)
    coded = sum(1 for b in episodes for c in b.completions
                for r in score(c.measure_id, dict(c.responses), rater=c.rater,
                               entered_totals=dict(c.entered_totals))
                if r.value is not None and f"{c.measure_id}/{r.scale_id}" in codes.scale_concepts)
    expected = {
        "people": len(histories),
        "referrals": len(episodes),
        "contacts": sum(len(b.contacts) for b in episodes),
        "scores": gbo + cv_items + coded,
        "groupings": sum(len(b.decisions) for b in episodes),
    }
    rows = result.manifest["rows"]
    assert {k: rows[k] for k in expected} == expected
    assert {k: counts[k] for k in expected} == expected
    assert counts["indirect"] == 0
    assert cv_items and gbo and coded


def test_ranges_make_the_same_rows_as_the_whole_generator(demo, histories, codes, written, tmp_path):
    """histories_between(start, stop) must stay in step with Demo.histories()."""
    mx.write_rows(tmp_path, demo, codes, enumerate(histories), header=True)
    out, _ = written
    for name in mx.FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_byte_identical_whatever_the_worker_count(written, codes, tmp_path):
    out, _ = written
    counts = mx.write_extract(tmp_path, people=PEOPLE, seed=SEED, today=TODAY, workers=2, codes=codes)
    assert counts == written[1]
    for name in mx.FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(mx.FILES)  # part files removed


def test_ranges_split_in_order():
    assert mx.ranges(10, 3) == [(0, 3), (3, 6), (6, 10)]
    assert mx.ranges(2, 8) == [(0, 1), (1, 2)]


def test_no_nhs_number_or_name_in_any_file(written, histories):
    out, _ = written
    numbers = {h.person.nhs_number for h in histories if h.person.nhs_number}
    names = {n for h in histories for n in (h.person.given_name, h.person.family_name,
                                            h.person.preferred_name) if n}
    names |= {c.name for h in histories for c in h.carers}
    full = {f"{h.person.given_name} {h.person.family_name}" for h in histories}
    public_ids = {h.person.public_id for h in histories}
    assert len(numbers) == PEOPLE
    for name in mx.FILES:
        text = (out / name).read_text(encoding="utf-8")
        cells = {cell for row in csv.reader(text.splitlines()) for cell in row}
        assert not any(n in text for n in numbers), name
        assert not any(n in text for n in full), name
        assert not cells & names, (name, cells & names)
        assert not cells & public_ids, name


def test_a_known_history_is_written_with_the_right_dates_and_codes(written, histories, demo):
    out, _ = written
    referrals = {r["UniqServReqID"]: r for r in read(out / "MHS101Referral.csv")}
    people = {r["Person_ID"]: r for r in read(out / "MHS001MPI.csv")}
    ended = next((i, n, h, b) for i, h in enumerate(histories)
                 for n, b in enumerate(h.episodes, start=1) if b.ending and b.decisions)
    index, n, history, bundle = ended
    e, p = bundle.episode, history.person
    row = referrals[f"P{index:07d}R{n}"]
    born, received = p.date_of_birth, e.referral_received_on
    assert row == {
        "Person_ID": f"P{index:07d}", "UniqServReqID": f"P{index:07d}R{n}",
        "OrgIDProv": demo.locality.agencies[e.agency_key].name,  # the demo's agencies have no ODS code
        "UniqCareProfTeamID": demo.locality.teams[e.team_key].name,
        "ReferralRequestReceivedDate": received.isoformat(),
        "AgeServReferRecDate": str(received.year - born.year
                                   - ((received.month, received.day) < (born.month, born.day))),
        "SourceOfReferralMH": e.referral_source, "PrimReasonReferralMH": e.referral_reason,
        "ServTeamTypeRefToMH": "", "ReferRejectionDate": "",
        "ServDischDate": bundle.ending.ended_on.isoformat(),
    }
    assert people[row["Person_ID"]] == {
        "Person_ID": row["Person_ID"], "Gender": p.sex, "GenderIDCode": p.gender_identity,
        "EthnicCategory": p.ethnic_category, "LSOA2011": "", "IMD_Decile": str(p.deprivation_decile),
        "LADistrictAuth": "",  # "Northvale" is a name, not an ONS code
    }
    contacts = [r for r in read(out / "MHS201CareContact.csv") if r["UniqServReqID"] == row["UniqServReqID"]]
    assert [(r["CareContDate"], r["CareContTime"]) for r in contacts] == [
        (c.date.isoformat(), c.time.strftime("%H:%M:%S")) for c in bundle.contacts]
    mode = {"face_to_face": "01", "telephone": "02", "video": "11", "other": "98"}
    attend = {"attended": "5", "did_not_attend": "3", "cancelled_by_family": "2", "cancelled_by_service": "4"}
    assert [(r["AttendStatus"], r["ConsMechanismMH"]) for r in contacts] == [
        (attend[c.attendance], mode[c.mode]) for c in bundle.contacts]
    periods = [r for r in read(out / "THRIVEGrouping.csv") if r["UniqServReqID"] == row["UniqServReqID"]]
    ends = [d.decided_on.isoformat() for d in bundle.decisions[1:]] + [bundle.ending.ended_on.isoformat()]
    assert [(r["Grouping"], r["StartDate"], r["EndDate"], r["SharedDecision"]) for r in periods] == [
        (d.grouping, d.decided_on.isoformat(), end,
         "Y" if d.young_person_took_part or d.parent_carer_took_part else "N")
        for d, end in zip(bundle.decisions, ends, strict=True)]

    declined = next((i, n, b) for i, h in enumerate(histories)
                    for n, b in enumerate(h.episodes, start=1) if b.episode.declined_on)
    row = referrals[f"P{declined[0]:07d}R{declined[1]}"]
    assert row["ReferRejectionDate"] == declined[2].episode.declined_on.isoformat()
    assert row["ServDischDate"] == ""


def test_same_seed_same_bytes_and_another_seed_differs(written, codes, tmp_path):
    out, _ = written
    mx.write_extract(tmp_path / "same", people=PEOPLE, seed=SEED, today=TODAY, codes=codes)
    mx.write_extract(tmp_path / "other", people=PEOPLE, seed=SEED + 1, today=TODAY, codes=codes)
    name = "MHS101Referral.csv"
    assert (tmp_path / "same" / name).read_bytes() == (out / name).read_bytes()
    assert (tmp_path / "other" / name).read_bytes() != (out / name).read_bytes()
