"""An entry entered in error leaves the analytics extract and with it the national CYP outcomes
metric: the per-referral flags change when a score is marked."""

from datetime import date, time
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from thrive.analytics import metrics
from thrive.analytics.engine import connect
from thrive.analytics.platform_extract import build_platform_extract
from thrive.care.models import Contact, Ending, Goal, GoalRating, GroupingDecision
from thrive.conftest import make_episode, make_young_person
from thrive.history import services
from thrive.measures.models import Completion, ScaleScore

from .helpers import request_for

pytestmark = pytest.mark.django_db


def flags(row, rater):
    return {k: row[f"{k}_{rater}"] for k in ("Assessment", "Paired", "Improvement", "NoChange", "Deter")}


@pytest.fixture
def closed(camhs_team, practitioner):
    """An April 2024 discharge: two attended contacts, GAD-7 12 -> 7, GBO goal 1 rated 2 -> 3."""
    person = make_young_person(date_of_birth=date(2011, 6, 15), sex="1", local_authority="E06000001")
    ep = make_episode(person, camhs_team, practitioner, referral_received_on=date(2023, 11, 1),
                      accepted_on=date(2023, 11, 5))
    contacts = [Contact.objects.create(episode=ep, date=date(2024, 1, day), time=time(9, 30),
                                       mode="face_to_face", attendance="attended",
                                       practitioner=practitioner) for day in (10, 24)]
    completions = []
    for on, total in ((date(2024, 1, 10), "12"), (date(2024, 3, 20), "7")):
        completion = Completion.objects.create(
            episode=ep, measure_id="gad7", rater="self", respondent="self", completed_on=on,
            source="entered_total", recorded_by=practitioner)
        ScaleScore.objects.create(completion=completion, scale_id="total", value=Decimal(total),
                                  source="entered_total")
        completions.append(completion)
    goal = Goal.objects.create(episode=ep, number=1, description="Go back to school",
                               agreed_on=date(2024, 1, 10), expected_by=date(2024, 4, 1),
                               plan_if_not_met="Review", recorded_by=practitioner)
    ratings = [GoalRating.objects.create(goal=goal, rated_on=on, rating=rating,
                                         rated_by="young_person", recorded_by=practitioner)
               for on, rating in ((date(2024, 1, 10), 2), (date(2024, 3, 20), 3))]
    decisions = [GroupingDecision.objects.create(
        episode=ep, decided_on=on, grouping=grouping, young_person_took_part=True,
        parent_carer_took_part=False, rationale="Agreed.", made_explicit=True,
        review_on=date(2024, 6, 1), is_current=False, recorded_by=practitioner)
        for on, grouping in ((date(2023, 11, 20), "getting_advice"), (date(2024, 1, 10), "getting_help"))]
    # Corrections are made while the episode is open; it ends afterwards (see `end`).
    return ep, contacts, completions, goal, ratings, decisions


def end(ep, practitioner):
    Ending.objects.create(episode=ep, ended_on=date(2024, 4, 30), reason="goals_met", goals_met="met",
                          agreed_with_family=True, next_step="none_needed", recorded_by=practitioner)


def metric_row(tmp_path, name, ep):
    build_platform_extract(tmp_path / name)
    rows = metrics.cyp_outcomes_rows(connect(tmp_path / name), date(2024, 4, 1), date(2024, 4, 30))
    return {r["UniqServReqID"]: r for r in rows}.get(str(ep.public_id))


def test_an_entered_in_error_score_changes_the_metric_flags(tmp_path, closed, practitioner):
    ep, contacts, completions, *_ = closed
    end(ep, practitioner)
    before = metric_row(tmp_path, "before", ep)
    assert flags(before, "SR") == dict(Assessment=1, Paired=1, Improvement=1, NoChange=0, Deter=0)
    ep.ending.delete()  # correct while open (an ended episode is read only after the window)
    ep.refresh_from_db()
    services.mark_entered_in_error(request_for(practitioner), completions[1], "Another child's form")
    end(ep, practitioner)
    after = metric_row(tmp_path, "after", ep)
    # GAD-7 now has only its first score; GBO 2 -> 3 is no reliable change: self no change.
    assert flags(after, "SR") == dict(Assessment=1, Paired=1, Improvement=0, NoChange=1, Deter=0)


def test_an_erroneous_contact_leaves_no_second_contact_so_nothing_is_assessed(
        tmp_path, closed, practitioner):
    ep, contacts, *_ = closed
    services.mark_entered_in_error(request_for(practitioner), contacts[1], "Never happened")
    end(ep, practitioner)
    row = metric_row(tmp_path, "x", ep)
    assert (row["Contact1"], row["Contact2"]) == ("2024-01-10", None)
    assert flags(row, "SR") == dict.fromkeys(flags(row, "SR"), 0)


def test_every_extract_table_leaves_erroneous_entries_out(tmp_path, closed, practitioner):
    ep, contacts, completions, goal, ratings, decisions = closed
    request = request_for(practitioner)
    services.mark_entered_in_error(request, contacts[0], "Wrong")
    services.mark_entered_in_error(request, completions[0], "Wrong")
    services.mark_entered_in_error(request, ratings[0], "Wrong")
    services.mark_entered_in_error(request, decisions[1], "Wrong")
    end(ep, practitioner)
    build_platform_extract(tmp_path / "x")
    table = {name: pq.read_table(tmp_path / "x" / f"{name}.parquet").to_pylist()
             for name in ("contacts", "scores", "goals", "groupings", "decision_options")}
    assert [c["contact_date"] for c in table["contacts"]] == [date(2024, 1, 24)]
    assert sorted(s["score"] for s in table["scores"]) == ["3", "7"]
    assert [(g["first_rating"], g["last_rating"]) for g in table["goals"]] == [(3, 3)]
    # The erroneous decision is gone; the one before it lasts until the ending.
    assert [(g["grouping"], g["end_on"]) for g in table["groupings"]] == [
        ("getting_advice", date(2024, 4, 30))]
    assert {o["grouping"] for o in table["decision_options"]} <= {"getting_advice"}
    ep.ending.delete()
    ep.refresh_from_db()
    services.mark_entered_in_error(request, goal, "Wrong")
    build_platform_extract(tmp_path / "y")
    assert pq.read_table(tmp_path / "y" / "goals.parquet").num_rows == 0
    assert not [s for s in pq.read_table(tmp_path / "y" / "scores.parquet").to_pylist()
                if s["score_id"].startswith("g")]
