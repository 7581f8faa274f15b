"""build_extract: the platform's records in the same canonical schema, one code path onwards."""

from datetime import date, time
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.analytics import metrics
from thrive.analytics.engine import connect
from thrive.analytics.platform_extract import build_platform_extract
from thrive.analytics.schema import TABLES
from thrive.care.models import Contact, Ending, Goal, GoalRating, GroupingDecision
from thrive.conftest import make_episode, make_young_person
from thrive.measures.models import Completion, ScaleScore


def _decision(episode, user, on, grouping, current, yp=True):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=on, grouping=grouping, young_person_took_part=yp,
        parent_carer_took_part=False, rationale="Agreed together.", made_explicit=True,
        review_on=date(2024, 6, 1), is_current=current, recorded_by=user)


@pytest.fixture
def records(camhs_team, practitioner):
    person = make_young_person(date_of_birth=date(2011, 6, 15), sex="1", local_authority="E06000001",
                               deprivation_decile=2, ethnic_category="A")
    ep = make_episode(person, camhs_team, practitioner, referral_received_on=date(2023, 11, 1),
                      accepted_on=date(2023, 11, 5))
    modes = [("attended", "face_to_face"), ("did_not_attend", "telephone"),
             ("cancelled_by_family", "video"), ("cancelled_by_service", "other"), ("attended", "video")]
    for day, (attendance, mode) in zip((10, 12, 14, 16, 24), modes, strict=True):
        Contact.objects.create(episode=ep, date=date(2024, 1, day), time=time(9, 30), mode=mode,
                               attendance=attendance, practitioner=practitioner)
    for on, total in ((date(2024, 1, 10), "12"), (date(2024, 3, 20), "7")):
        completion = Completion.objects.create(
            episode=ep, measure_id="gad7", rater="self", respondent="self", completed_on=on,
            source="entered_total", recorded_by=practitioner)
        ScaleScore.objects.create(completion=completion, scale_id="total", value=Decimal(total),
                                  source="entered_total")
    goal = Goal.objects.create(episode=ep, number=1, description="Go back to school",
                               agreed_on=date(2024, 1, 10), expected_by=date(2024, 4, 1),
                               plan_if_not_met="Review", recorded_by=practitioner)
    for on, rating in ((date(2024, 1, 10), 2), (date(2024, 3, 20), 3)):
        GoalRating.objects.create(goal=goal, rated_on=on, rating=rating, rated_by="young_person",
                                  recorded_by=practitioner)
    _decision(ep, practitioner, date(2023, 11, 20), "getting_advice", False)
    _decision(ep, practitioner, date(2024, 1, 10), "getting_help", True, yp=False)
    Ending.objects.create(episode=ep, ended_on=date(2024, 4, 30), reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed", recorded_by=practitioner)
    declined_person = make_young_person(date_of_birth=date(2010, 1, 1), local_authority="Northvale")
    declined = make_episode(declined_person, camhs_team, practitioner, referral_received_on=date(2024, 2, 1),
                            accepted_on=None, declined_on=date(2024, 2, 3))
    return ep, declined


@pytest.mark.django_db
def test_platform_records_in_the_canonical_schema(tmp_path, records):
    ep, declined = records
    manifest = build_platform_extract(tmp_path / "x")
    assert manifest["source"] == "platform"
    tables = {name: pq.read_table(tmp_path / "x" / f"{name}.parquet") for name in TABLES}
    for name, schema in TABLES.items():
        assert tables[name].schema.equals(schema)
    people = {p["person_id"]: p for p in tables["people"].to_pylist()}
    assert people[str(ep.young_person.public_id)]["la_code"] == "E06000001"
    assert people[str(declined.young_person.public_id)]["la_code"] is None  # a name, not a code
    referrals = {r["referral_id"]: r for r in tables["referrals"].to_pylist()}
    assert referrals[str(ep.public_id)]["age_at_referral"] == 12
    assert referrals[str(ep.public_id)]["discharged_on"] == date(2024, 4, 30)
    assert referrals[str(declined.public_id)]["rejected_on"] == date(2024, 2, 3)
    ending = referrals[str(ep.public_id)]
    assert (ending["ending_agreed"], ending["ending_reason"]) == (True, "goals_met")
    assert referrals[str(declined.public_id)]["ending_agreed"] is None  # no ending
    contacts = tables["contacts"].to_pylist()
    assert [(c["attend_status"], c["mechanism"]) for c in contacts] == [
        ("5", "01"), ("3", "02"), ("2", "11"), ("4", "98"), ("5", "11")]
    scores = sorted((s["concept_id"], s["score"]) for s in tables["scores"].to_pylist())
    assert scores == [("1034351000000101", "2"), ("1034351000000101", "3"),
                      ("445455005", "12"), ("445455005", "7")]
    groupings = tables["groupings"].to_pylist()
    assert [(g["grouping"], g["start_on"], g["end_on"], g["shared_decision"]) for g in groupings] == [
        ("getting_advice", date(2023, 11, 20), date(2024, 1, 10), True),
        ("getting_help", date(2024, 1, 10), date(2024, 4, 30), False)]
    assert [g["made_explicit"] for g in groupings] == [True, True]


@pytest.mark.django_db
def test_same_metric_code_path(tmp_path, records):
    ep, declined = records
    build_platform_extract(tmp_path / "x")
    rows = metrics.cyp_outcomes_rows(connect(tmp_path / "x"), date(2024, 4, 1), date(2024, 4, 30))
    assert [r["UniqServReqID"] for r in rows] == [str(ep.public_id)]  # declined: not in the cohort
    row = rows[0]
    assert (row["Contact1"], row["Contact2"]) == ("2024-01-10", "2024-01-24")
    # GAD-7 12 -> 7 improvement, GBO 2 -> 3 no change: self improvement.
    assert (row["Assessment_SR"], row["Paired_SR"], row["Improvement_SR"], row["NoChange_SR"]) == (1, 1, 1, 0)


@pytest.mark.django_db
def test_query_count_does_not_grow(tmp_path, records, camhs_team, practitioner):
    with CaptureQueriesContext(connection) as before:
        build_platform_extract(tmp_path / "a")
    for n in range(5):
        person = make_young_person(date_of_birth=date(2012, 1, 1))
        make_episode(person, camhs_team, practitioner, referral_received_on=date(2024, 1, n + 1))
    with CaptureQueriesContext(connection) as after:
        build_platform_extract(tmp_path / "b")
    assert len(after) == len(before)


@pytest.mark.django_db
def test_commands(tmp_path, records, capsys):
    call_command("build_extract", "--out", str(tmp_path / "x"))
    assert "2 people, 2 referrals, 5 contacts, 4 scores, 2 groupings" in capsys.readouterr().out
    call_command("cyp_outcomes", "--source", "platform", "--from", "2024-04-01", "--to", "2024-04-30",
                 "--out", str(tmp_path / "cyp.csv"))
    assert "MHS110 closed referrals with two or more contacts: 1" in capsys.readouterr().out
    assert len((tmp_path / "cyp.csv").read_text().splitlines()) == 2


@pytest.mark.django_db
def test_streaming_in_small_batches_writes_the_same_extract(tmp_path, monkeypatch):
    """build_extract streams each table to its file a batch at a time (memory bounded at any
    size): batches of 7 rows and row groups of 50 give exactly the extract that one batch does,
    including goals whose ratings are read beside them and entries marked in error."""
    from thrive.analytics import platform_extract, schema
    from thrive.demo import writer
    from thrive.demo.corrections import add_corrections
    from thrive.demo.generator import generate

    writer.write(generate(2026, 60, today=date(2026, 3, 2)))
    add_corrections(date(2026, 3, 2))
    goal = Goal.objects.filter(ratings__isnull=False).order_by("id")[3]
    goal.entered_in_error_at, goal.entered_in_error_reason = timezone.now(), "wrong person"
    goal.save()
    whole = build_platform_extract(tmp_path / "whole")
    monkeypatch.setattr(platform_extract, "BATCH", 7)
    monkeypatch.setattr(schema, "ROW_GROUP_ROWS", 50)
    streamed = build_platform_extract(tmp_path / "streamed")
    assert streamed["rows"] == whole["rows"]
    assert whole["rows"]["goals"] > 50 and whole["rows"]["scores"] > 50
    for name in TABLES:
        files = [pq.ParquetFile(tmp_path / d / f"{name}.parquet") for d in ("whole", "streamed")]
        if whole["rows"][name] > 50:
            assert files[1].num_row_groups > 1, name  # it really was written in parts
        assert files[1].read().equals(files[0].read()), name
    goals = pq.read_table(tmp_path / "whole" / "goals.parquet").to_pylist()
    assert str(goal.pk) not in {g["goal_id"] for g in goals}
    rated = next(g for g in goals if g["first_rating"] is not None)
    ratings = GoalRating.objects.valid().filter(goal_id=int(rated["goal_id"])).order_by("rated_on", "id")
    assert (rated["first_rating"], rated["last_rating"]) == (ratings.first().rating, ratings.last().rating)
