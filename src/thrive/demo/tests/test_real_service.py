"""The demo looks like a real service (decision 0027): referrals follow the school year, many
closed referrals had one appointment or none, Risk Support plans are offered and sometimes
declined, every service uses the outcome measures such services use, from self, parent and
clinician raters, with believable courses and missing follow-ups, and no date contradicts
another once the locality is loaded."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import mean

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from thrive.analytics import metrics
from thrive.analytics.engine import connect
from thrive.analytics.platform_extract import build_platform_extract
from thrive.care.models import (
    ClosingLetter,
    Contact,
    Ending,
    Episode,
    Goal,
    GoalRating,
    GroupingDecision,
)
from thrive.core import dates
from thrive.demo import locality as loc
from thrive.demo import writer
from thrive.demo.generator import generate, tables
from thrive.demo.outcome_measures import TEAM_MEASURES
from thrive.measures import engine
from thrive.measures.engine.catalogue_loader import get_catalogue
from thrive.measures.models import Completion, RiskReview, ScaleScore
from thrive.risk.models import RiskSupportPlan

TODAY = date(2026, 12, 4)
TERM_MONTHS = (1, 3, 5, 6, 9, 10, 11)
NOT_OUTCOMES = ("collaborate", "current_view")


@pytest.fixture(scope="module")
def town():
    return tables(generate(2026, 2000, today=TODAY))


def _attended(t) -> Counter:
    return Counter(c.episode_key for c in t["contacts"] if c.attendance == "attended")


def test_referrals_dip_in_the_summer_holidays_and_do_not_pile_up_recently(town):
    by_month = Counter((e.referral_received_on.year, e.referral_received_on.month) for e in town["episodes"])
    years = (2023, 2024, 2025)
    august = mean(by_month[(y, 8)] for y in years)
    term = mean(by_month[(y, m)] for y in years for m in TERM_MONTHS)
    assert august < 0.7 * term
    # The last six whole months are like the years before (no pile-up of open episodes' referrals).
    recent = mean(by_month[(2026, m)] for m in range(6, 12))
    before = mean(by_month[(y, m)] for y in years for m in range(1, 13))
    assert recent < 1.3 * before


def test_a_realistic_share_of_closed_referrals_had_fewer_than_two_appointments(town):
    attended = _attended(town)
    ended = {n.episode_key for n in town["endings"]}
    closed = [e for e in town["episodes"] if e.key in ended]
    few = [e for e in closed if attended[e.key] < 2]
    assert 0.12 < len(few) / len(closed) < 0.45
    # Some never came at all; others were given advice at assessment and needed nothing more.
    reasons = Counter(n.reason for n in town["endings"] if n.episode_key in {e.key for e in few})
    assert reasons["not_engaging"] and sum(reasons.values()) > reasons["not_engaging"]


def test_risk_support_plans_are_offered_and_not_always_chosen(town):
    risk = [d for d in town["decisions"] if d.grouping == "getting_risk_support"]
    assert risk and all("risk_support_plan" in d.options_discussed for d in risk)
    offered = [d for d in town["decisions"] if "risk_support_plan" in d.options_discussed]
    chosen = [d for d in offered if "risk_support_plan" in d.options_preferred]
    assert 0.5 < len(chosen) / len(offered) < 0.9
    assert any(d.grouping != "getting_risk_support" for d in offered)


def test_each_service_uses_its_measures_from_the_right_raters(town):
    catalogue = get_catalogue()
    team_of = {e.key: loc.TEAMS[e.team_key].code for e in town["episodes"]}
    used = defaultdict(set)
    for c in town["completions"]:
        if c.measure_id in NOT_OUTCOMES:
            continue
        team = team_of[c.episode_key]
        assert (c.measure_id, c.rater) in {(u.measure_id, u.rater) for u in TEAM_MEASURES[team]}
        assert c.rater in catalogue.measure(c.measure_id).raters
        used[team].add(c.measure_id)
        engine.score(c.measure_id, dict(c.responses), rater=c.rater, age=c.age, sex=c.sex,
                     entered_totals=dict(c.entered_totals))  # valid answers: raises otherwise
    assert {"rcads47_child", "rcads47_parent", "sdq_parent", "honosca_clinician", "cgas", "phq9",
            "gad7"} <= used[loc.CAMHS_HELP]
    assert {"rcads25", "sdq_parent", "yp_core"} <= used[loc.MHST_EAST] | used[loc.MHST_WEST]
    assert {"sdq_parent", "ors", "cors"} <= used[loc.EARLY_HELP]
    assert {"yp_core", "ors", "swemwbs"} <= used[loc.OPEN_DOOR]
    raters = Counter(c.rater for c in town["completions"] if c.measure_id not in NOT_OUTCOMES)
    assert raters["self"] and raters["parent"] and raters["clinician"] and raters["teacher"]


def test_measures_are_completed_at_attended_appointments_within_the_episode(town):
    days = defaultdict(set)
    for c in town["contacts"]:
        if c.attendance == "attended":
            days[c.episode_key].add(c.date)
    assessed = {e.key: e.assessed_on for e in town["episodes"]}
    for c in town["completions"]:
        if c.measure_id not in NOT_OUTCOMES:
            assert c.completed_on in days[c.episode_key]
            assert c.completed_on >= assessed[c.episode_key] and c.completed_on <= TODAY


def _change(catalogue, first, last) -> str:
    """Reliable change on any scale, as the national metric combines them (worse wins)."""
    measure = catalogue.measure(first.measure_id)
    before = {r.scale_id: r for r in _scored(first)}
    verdicts = set()
    for r in _scored(last):
        scale, a = measure.scale(r.scale_id), before[r.scale_id]
        if scale.rc_threshold is None or scale.direction is None or scale.is_composite:
            continue
        t = scale.change_basis == "t_score"
        x, y = (a.t_score, r.t_score) if t else (a.value, r.value)
        if x is None or y is None:
            continue
        if abs(y - x) < scale.rc_threshold:
            verdicts.add("same")
        else:
            verdicts.add("better" if (y < x) == (scale.direction == "higher_is_worse") else "worse")
    return "worse" if "worse" in verdicts else "better" if "better" in verdicts else "same"


def _scored(c):
    return engine.score(c.measure_id, dict(c.responses), rater=c.rater, age=c.age, sex=c.sex,
                        entered_totals=dict(c.entered_totals))


def test_most_improve_some_do_not_and_a_few_get_worse_with_follow_ups_missing(town):
    catalogue = get_catalogue()
    series = defaultdict(list)
    for c in town["completions"]:
        if c.measure_id not in NOT_OUTCOMES and catalogue.measure(c.measure_id).category != "PREM":
            series[(c.episode_key, c.measure_id, c.rater)].append(c)
    paired = [cs for cs in series.values() if len(cs) > 1]
    course = Counter(_change(catalogue, cs[0], cs[-1]) for cs in paired)
    total = sum(course.values())
    assert course["better"] / total > 0.3 and course["same"] / total > 0.2
    assert 0.02 < course["worse"] / total < 0.15
    # Questionnaires at assessment in closed episodes that went on: a follow-up often, not always.
    ended = {n.episode_key for n in town["endings"]}
    attended = _attended(town)
    went_on = [cs for (episode, *_), cs in series.items()
               if episode in ended and attended[episode] >= 8]
    followed = sum(len(cs) > 1 for cs in went_on) / len(went_on)
    assert 0.4 < followed < 0.9


def test_same_seed_same_measures():
    one, two = (tables(generate(5, 150, today=TODAY))["completions"] for _ in range(2))
    assert one == two and any(c.measure_id not in NOT_OUTCOMES for c in one)


# -- Loaded into the database -------------------------------------------------------------------


def _contradictions(today: date) -> dict[str, int]:
    """Each check counts rows that contradict another date (or lie in the future)."""
    ep = "episode__"
    episodes, decisions, goals = Episode.objects, GroupingDecision.objects, Goal.objects
    ratings, completions, letters = GoalRating.objects, Completion.objects, ClosingLetter.objects
    future = Q(referral_received_on__gt=today) | Q(triaged_on__gt=today) | Q(accepted_on__gt=today) \
        | Q(assessed_on__gt=today) | Q(first_help_on__gt=today) | Q(declined_on__gt=today)
    plans = RiskSupportPlan.objects.all()
    before_referral = [p.pk for p in plans if not Episode.objects.filter(
        young_person=p.young_person, referral_received_on__lte=p.agreed_on).exists()]
    return {
        "episode date in the future": episodes.filter(future).count(),
        "triaged before referral": episodes.filter(triaged_on__lt=F("referral_received_on")).count(),
        "accepted before triage": episodes.filter(accepted_on__lt=F("triaged_on")).count(),
        "declined before referral": episodes.filter(declined_on__lt=F("referral_received_on")).count(),
        "assessment before referral": episodes.filter(assessed_on__lt=F("referral_received_on")).count(),
        "assessment before acceptance": episodes.filter(assessed_on__lt=F("accepted_on")).count(),
        "first help before referral": episodes.filter(first_help_on__lt=F("referral_received_on")).count(),
        "decision before referral": decisions.filter(
            decided_on__lt=F(f"{ep}referral_received_on")).count(),
        "decision in the future": decisions.filter(decided_on__gt=today).count(),
        "review before decision": decisions.filter(review_on__lte=F("decided_on")).count(),
        "decision after ending": decisions.filter(decided_on__gt=F(f"{ep}ending__ended_on")).count(),
        "contact before referral": Contact.objects.filter(date__lt=F(f"{ep}referral_received_on")).count(),
        "contact after ending": Contact.objects.filter(date__gt=F(f"{ep}ending__ended_on")).count(),
        "contact in the future": Contact.objects.filter(date__gt=today).count(),
        "ending before referral": Ending.objects.filter(ended_on__lt=F(f"{ep}referral_received_on")).count(),
        "ending before assessment": Ending.objects.filter(ended_on__lt=F(f"{ep}assessed_on")).count(),
        "ending in the future": Ending.objects.filter(ended_on__gt=today).count(),
        "ending on a declined referral": Ending.objects.filter(episode__declined_on__isnull=False).count(),
        "goal agreed before referral": goals.filter(agreed_on__lt=F(f"{ep}referral_received_on")).count(),
        "goal agreed after ending": goals.filter(agreed_on__gt=F(f"{ep}ending__ended_on")).count(),
        "goal agreed in the future": goals.filter(agreed_on__gt=today).count(),
        "rating before goal set": ratings.filter(rated_on__lt=F("goal__agreed_on")).count(),
        "rating after ending": ratings.filter(rated_on__gt=F("goal__episode__ending__ended_on")).count(),
        "rating in the future": ratings.filter(rated_on__gt=today).count(),
        "questionnaire before referral": completions.filter(
            completed_on__lt=F(f"{ep}referral_received_on")).count(),
        "questionnaire after ending": completions.filter(completed_on__gt=F(f"{ep}ending__ended_on")).count(),
        "questionnaire in the future": completions.filter(completed_on__gt=today).count(),
        "questionnaire before birth": completions.filter(
            completed_on__lt=F(f"{ep}young_person__date_of_birth")).count(),
        "plan agreed before its referral": len(before_referral),
        "plan agreed in the future": plans.filter(agreed_on__gt=today).count(),
        "plan reviewed before agreed": plans.filter(review_on__lt=F("agreed_on")).count(),
        "closing letter before ending": letters.filter(written_on__lt=F(f"{ep}ending__ended_on")).count(),
    }


@pytest.mark.django_db
def test_the_loaded_locality_has_no_contradicting_dates(tmp_path, settings):
    call_command("load_demo", "--young-people", "300", stdout=open(tmp_path / "out.txt", "w"))
    found = _contradictions(dates.today())
    assert {k: n for k, n in found.items() if n} == {}
    # The checks had something to check, and find a contradiction when there is one.
    assert RiskSupportPlan.objects.exists() and Completion.objects.exists()
    assert Ending.objects.exists() and GoalRating.objects.exists()
    plan = RiskSupportPlan.objects.order_by("pk").first()
    first = Episode.objects.filter(young_person=plan.young_person).order_by("referral_received_on").first()
    RiskSupportPlan.objects.filter(pk=plan.pk).update(
        agreed_on=first.referral_received_on - timedelta(days=1))
    Episode.objects.filter(pk=first.pk).update(assessed_on=first.referral_received_on - timedelta(days=2))
    found = _contradictions(dates.today())
    assert found["plan agreed before its referral"] == 1 and found["assessment before referral"] == 1


@pytest.mark.django_db
def test_questionnaires_are_stored_as_recording_stores_them():
    writer.write(generate(2026, 200, today=dates.today()))
    from thrive.demo.risk_reviews import add_risk_reviews

    counts = add_risk_reviews(dates.today())
    rcads = ScaleScore.objects.filter(completion__measure_id="rcads47_child", scale_id="depression",
                                      value__isnull=False)
    assert rcads.exists() and not rcads.filter(t_score__isnull=True).exclude(band="").exists()
    assert rcads.exclude(t_score=None).exists() and rcads.exclude(band="").exists()
    cgas = Completion.objects.filter(measure_id="cgas")
    assert cgas.exists() and not cgas.exclude(source="entered_total").exists()
    assert not ScaleScore.objects.filter(completion__measure_id="cgas", value__isnull=True).exists()
    ors = Completion.objects.filter(measure_id__in=("ors", "cors"))
    assert any(isinstance(v, float) for c in ors for v in c.responses.values())  # one decimal place
    alerted = Completion.objects.exclude(risk_alerts=[])
    assert alerted.exists()
    assert RiskReview.objects.count() == counts["risk alerts reviewed"] == \
        alerted.count() - counts["risk alerts to review"]


@pytest.mark.django_db
def test_the_national_metric_on_the_demo_shows_all_three_raters(tmp_path):
    today = dates.today()
    writer.write(generate(2026, 300, today=today))
    build_platform_extract(tmp_path / "extract")
    con = connect(tmp_path / "extract")
    table = metrics.compute_cyp_outcomes(con, today - timedelta(days=730), today)
    figures = metrics.published_figures(con, table).figures
    assert figures["MHS110"] > 0
    for code, rater in (("MHS113", "self"), ("MHS114", "parent"), ("MHS115", "clinician")):
        f = figures[code]
        assert f["rater"] == rater and f["paired"] > 0, (code, f)
        assert f["improvement"] is not None and f["improvement"] > f["deterioration"], (code, f)
        assert f["no_change"] is not None
