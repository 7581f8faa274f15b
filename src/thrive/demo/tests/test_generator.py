"""The pure generator: determinism, and the rules a believable history keeps."""

from collections import Counter, defaultdict
from dataclasses import fields
from datetime import date, timedelta

import pytest

from thrive.care.groupings import SupportOption
from thrive.demo import locality
from thrive.demo.decisions import NEED_ORDER
from thrive.demo.generator import canonical, generate, tables
from thrive.demo.outcomes import MET_AT
from thrive.people import nhs_number

TODAY = date(2026, 3, 2)
FUTURE_ALLOWED = {"review_on", "expected_by"}


@pytest.fixture(scope="module")
def small():
    return tables(generate(2026, 300, today=TODAY))


@pytest.fixture(scope="module")
def default():
    """The default size: proportions are only meaningful with enough people."""
    return tables(generate(2026, 2000, today=TODAY))


def open_keys(t) -> set[int]:
    ended = {e.episode_key for e in t["endings"]}
    return {e.key for e in t["episodes"] if e.declined_on is None and e.key not in ended}


def test_same_seed_and_day_give_identical_records():
    assert canonical(generate(7, 120, today=TODAY)) == canonical(generate(7, 120, today=TODAY))


def test_different_seeds_differ():
    assert canonical(generate(7, 120, today=TODAY)) != canonical(generate(8, 120, today=TODAY))


def test_nhs_numbers_valid_unique_and_from_the_test_range(default):
    numbers = [p.nhs_number for p in default["people"]]
    assert all(nhs_number.is_valid(n) and n.startswith("999") for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_no_dates_in_the_future_except_review_and_expected(small):
    for name, records in small.items():
        for rec in records:
            for f in fields(rec):
                value = getattr(rec, f.name)
                if isinstance(value, date) and f.name not in FUTURE_ALLOWED:
                    assert value <= TODAY, (name, f.name, rec)


def test_dates_in_order(small):
    born = {p.key: p.date_of_birth for p in small["people"]}
    contacts = defaultdict(list)
    for c in small["contacts"]:
        contacts[c.episode_key].append(c.date)
    decisions = defaultdict(list)
    for d in small["decisions"]:
        decisions[d.episode_key].append(d)
        assert d.review_on > d.decided_on
    endings = {n.episode_key: n for n in small["endings"]}
    for e in small["episodes"]:
        r = e.referral_received_on
        assert r >= born[e.person_key] + timedelta(days=4 * 365)
        assert e.triaged_on >= r
        assert not (e.accepted_on and e.declined_on)
        for later in (e.accepted_on, e.assessed_on, e.first_help_on):
            assert later is None or later >= e.triaged_on
        assert all(day >= r for day in contacts[e.key])
        days = [d.decided_on for d in decisions[e.key]]
        assert days == sorted(days) and all(day >= r for day in days)
        if e.key in endings:
            assert endings[e.key].ended_on >= max(contacts[e.key], default=r) >= r
            assert endings[e.key].ended_on >= max(days, default=r)
    goals = {g.key: g for g in small["goals"]}
    for g in goals.values():
        assert g.expected_by > g.agreed_on
    for rating in small["ratings"]:
        assert rating.rated_on >= goals[rating.goal_key].agreed_on


def test_one_current_grouping_per_open_episode_and_none_when_closed(default):
    still_open = open_keys(default)
    current = Counter(d.episode_key for d in default["decisions"] if d.is_current)
    assert set(current) == still_open
    assert set(current.values()) == {1}
    by_key = {e.key: e for e in default["episodes"]}
    assert all(by_key[k].accepted_on and by_key[k].lead_key is not None for k in still_open)


def test_about_a_fifth_of_young_people_have_an_open_episode(default):
    # As many as the referrals coming in each month keep open for as long as help lasts: more
    # would pile the open episodes' referrals into the last few months.
    still_open = open_keys(default)
    with_open = {e.person_key for e in default["episodes"] if e.key in still_open}
    assert 0.17 <= len(with_open) / len(default["people"]) <= 0.27


def test_groupings_move_both_up_and_down(default):
    by_episode = defaultdict(list)
    for d in default["decisions"]:
        by_episode[d.episode_key].append(NEED_ORDER[d.grouping])
    moves = Counter()
    for steps in by_episode.values():
        for a, b in zip(steps, steps[1:], strict=False):
            moves["up" if b > a else "down" if b < a else "same"] += 1
    assert moves["up"] > 20 and moves["down"] > 20
    assert any(d.grouping == "getting_risk_support" for d in default["decisions"])


def test_shared_decision_fields(default):
    known = {o.value for o in SupportOption}
    for d in default["decisions"]:
        assert d.options_preferred and set(d.options_preferred) <= set(d.options_discussed)
        assert set(d.options_discussed) <= known
        assert d.rationale and d.practitioner_keys[0] == d.recorded_by_key
        assert d.young_person_took_part or d.parent_carer_took_part
    assert 0.8 < sum(d.made_explicit for d in default["decisions"]) / len(default["decisions"])


def test_reviews_overdue_and_due_soon_on_open_episodes(default):
    current = [d for d in default["decisions"] if d.is_current]
    assert any(d.review_on < TODAY for d in current)
    assert any(TODAY <= d.review_on <= TODAY + timedelta(days=14) for d in current)


def test_goal_ratings_in_range_and_moving(default):
    by_goal = defaultdict(list)
    for r in default["ratings"]:
        assert 0 <= r.rating <= 10
        by_goal[r.goal_key].append(r.rating)
    change = Counter("up" if v[-1] > v[0] else "down" if v[-1] < v[0] else "flat"
                     for v in by_goal.values() if len(v) > 1)
    assert change["up"] > change["down"] > 0 and change["flat"] > 0


def test_goals_met_agrees_with_last_ratings(default):
    last = {}
    for r in default["ratings"]:
        last[r.goal_key] = r.rating
    goals = defaultdict(list)
    for g in default["goals"]:
        goals[g.episode_key].append(last.get(g.key, 0) >= MET_AT)
    for ending in default["endings"]:
        met = goals.get(ending.episode_key)
        expected = ("no_goals" if not met else "met" if all(met) else
                    "partly" if any(met) else "not_met")
        assert ending.goals_met == expected


def test_contacts_in_working_hours_with_some_missed(default):
    attendance = Counter(c.attendance for c in default["contacts"])
    assert 0.05 < attendance["did_not_attend"] / sum(attendance.values()) < 0.15
    assert attendance["cancelled_by_family"] and attendance["cancelled_by_service"]
    for c in default["contacts"]:
        assert c.date.weekday() < 5 and 9 <= c.time.hour < 17


def test_every_practitioner_carries_open_episodes(default):
    still_open = open_keys(default)
    caseload = Counter(e.lead_key for e in default["episodes"] if e.key in still_open)
    practitioners = [u for u in default["users"] if u.role == "practitioner"]
    assert all(caseload[u.key] >= 5 for u in practitioners)
    demo = [u for u in practitioners if u.signin]
    assert len(demo) == len(locality.DEMO_PRACTITIONERS)
    assert all(caseload[u.key] >= 10 for u in demo)


def test_people_look_like_a_town(default):
    people = default["people"]
    ages = [(TODAY - p.date_of_birth).days // 365 for p in people]
    assert min(ages) >= 4 and max(ages) <= 18
    assert len({p.ethnic_category for p in people}) > 10
    assert len({p.school for p in people}) >= 15
    assert {p.deprivation_decile for p in people} == set(range(1, 11))
    carers = Counter(c.person_key for c in default["carers"])
    assert set(carers.values()) == {1, 2}
    assert any(c.relationship == "foster_carer" for c in default["carers"])
    episodes = Counter(e.person_key for e in default["episodes"])
    assert len(episodes) == len(people) and max(episodes.values()) > 1  # some re-referrals
    assert any(e.declined_on and e.declined_reason for e in default["episodes"])


def test_locality_has_each_kind_of_sign_in():
    users = generate(1, 50, today=TODAY).locality.users
    roles = {u.role for u in users if u.signin}
    assert roles == {"practitioner", "team_manager", "agency_admin", "analyst",
                     "privacy_officer", "system_admin", "facilitator", "site_lead",
                     "directory_editor"}
    assert len({u.username for u in users}) == len(users)


def test_collaborate_and_current_view_after_decisions(default):
    from thrive.measures.engine import coded_items, collaborate_top_score, score

    completions = [c for c in default["completions"] if c.measure_id in ("collaborate", "current_view")]
    collaborate = [c for c in completions if c.measure_id == "collaborate"]
    current_view = [c for c in completions if c.measure_id == "current_view"]
    assert len(collaborate) > 500 and len(current_view) > 500
    verdicts = Counter(collaborate_top_score(dict(c.responses)) for c in collaborate)
    assert verdicts[True] > verdicts[False] > verdicts[None] > 0  # mostly top scores; a few incomplete
    decided = {(d.episode_key, d.decided_on) for d in default["decisions"]}
    for c in completions:
        assert (c.episode_key, c.completed_on) in decided  # completed when a grouping was agreed
        assert c.rater in (("self", "parent") if c.measure_id == "collaborate" else ("clinician",))
        if c.measure_id == "current_view":
            assert coded_items("current_view", dict(c.responses))  # every answer valid
        else:
            score("collaborate", dict(c.responses), rater=c.rater)
    # Moderate or severe ratings of the referral's main problems are commoner in groupings giving more help.
    grouping = {(d.episode_key, d.decided_on): d.grouping for d in default["decisions"]}
    share = defaultdict(list)
    for c in current_view:
        share[grouping[(c.episode_key, c.completed_on)]].append(sum(v in (2, 3) for _, v in c.responses[:30]))
    assert sum(share["getting_more_help"]) / len(share["getting_more_help"]) > \
        sum(share["getting_advice"]) / len(share["getting_advice"])


def test_questionnaires_leave_the_rest_of_the_history_alone(monkeypatch):
    from thrive.demo import history

    with_them = tables(generate(11, 80, today=TODAY))
    monkeypatch.setattr(history, "add_questionnaires", lambda bundle, person: None)
    monkeypatch.setattr(history, "add_outcome_measures", lambda bundle, person: None)
    without = tables(generate(11, 80, today=TODAY))
    assert without["completions"] == [] and with_them["completions"]
    assert {k: v for k, v in with_them.items() if k != "completions"} == \
        {k: v for k, v in without.items() if k != "completions"}
