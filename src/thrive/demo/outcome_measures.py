"""Outcome and experience measures completed through an episode, as each kind of service uses
them (decision 0027): which measures, from which raters, when, and how the answers move.

Each young person's episode gets a course up front (most improve, some do not change, a few get
worse; more often better when their goals were met). Every rater sees that course with their own
noise and, now and then, a different view of it. Answers are drawn item by item from the course
with the catalogue's own items, ranges, reversed items and scales, so the platform's scoring
engine makes every score (the writer scores them as recording does). Baselines are taken at the
assessment, follow-ups at attended appointments and the last one at the last appointment, and
each can be missing, at rates like those services report.

Added once an episode is placed in time and cut at today, from a random stream of its own, so
the rest of the history is exactly what it was without them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from thrive.measures.engine.catalogue_loader import get_catalogue

from . import locality as loc
from .decisions import NEED_ORDER
from .records import CompletionRec, EpisodeBundle, PersonRec
from .weighted import Weighted

REVIEW_EVERY = 6  # attended appointments between routine outcome measures ("every sixth contact")
# Chance that a measure taken at assessment is followed up at all, by rater: questionnaires sent
# home come back less often than ones a clinician fills in.
FOLLOWED_UP = {"self": 0.65, "parent": 0.5, "teacher": 0.4, "clinician": 0.75}
MISSED_REVIEW = 0.25  # and then a review point now and then without one
MISSED_SESSION = 0.15  # session-by-session measures: a session now and then without one
MISSED_LAST = 0.2  # on top: the last appointment came and went without the questionnaires
ITEM_LEFT_BLANK = 0.04  # share of completions with one question not answered
PROFILE_SD = 0.12  # a rater's steady lean on each question, as a share of its range
OCCASION_SD = 0.06  # and what varies from one completion to the next
RISK_ITEM_LOWER = 0.3  # thoughts of self-harm are answered above 0 less often than the rest

# Course of an episode, by how its goals went (no goals / still open: the overall mix).
_COURSE = {
    "met": Weighted((("better", 80), ("same", 18), ("worse", 2))),
    "partly": Weighted((("better", 55), ("same", 39), ("worse", 6))),
    "not_met": Weighted((("better", 28), ("same", 60), ("worse", 12))),
    None: Weighted((("better", 52), ("same", 42), ("worse", 6))),
}
_OWN_VIEW = 0.15  # a rater who sees the course differently from the others

# Scales a referral reason makes higher than the rest (multi-scale measures only).
_REASON_SCALES = {
    "anxiety": {"separation_anxiety", "social_phobia", "generalised_anxiety", "panic", "anxiety",
                "emotional", "scale_9"},
    "low_mood": {"depression", "emotional", "scale_9", "scale_11"},
    "self_harm": {"depression", "emotional", "scale_3", "scale_9"},
    "eating": {"depression", "emotional", "scale_6", "scale_8"},
    "behaviour": {"conduct", "hyperactivity", "scale_1", "scale_12"},
    "neurodevelopmental": {"hyperactivity", "peer_problems", "scale_2", "scale_5", "scale_10"},
    "trauma": {"separation_anxiety", "panic", "emotional", "scale_9", "scale_12"},
    "relationships": {"peer_problems", "conduct", "scale_10", "scale_12"},
    "psychosis": {"scale_7", "scale_11"},
    "obsessive_compulsive": {"obsessions_compulsions", "generalised_anxiety", "scale_9"},
    "school_attendance": {"social_phobia", "separation_anxiety", "scale_13", "emotional"},
}
# How far below the main problem the other scales sit, by measure family.
_OTHER_SCALES_LOWER = {"rcads": 0.12, "sdq": 0.12, "honosca": 0.35}


@dataclass(frozen=True)
class Use:
    """A measure a team uses: for whom (ages, inclusive), how often, and in what share of
    episodes. when: "review" (assessment, every REVIEW_EVERY appointments, last appointment),
    "session" (most appointments) or "ending" (experience of the service, at the last one)."""

    measure_id: str
    rater: str
    ages: tuple[int, int]
    share: float
    when: str = "review"


_CAMHS = (
    Use("rcads47_child", "self", (8, 15), 0.75),
    Use("phq9", "self", (16, 18), 0.75),
    Use("gad7", "self", (16, 18), 0.75),
    Use("rcads47_parent", "parent", (8, 15), 0.5),
    Use("sdq_parent", "parent", (4, 17), 0.55),
    Use("sdq_self", "self", (11, 17), 0.3),
    Use("honosca_clinician", "clinician", (4, 17), 0.7),
    Use("cgas", "clinician", (4, 17), 0.75),
    Use("chi_esq_parent", "parent", (4, 17), 0.3, "ending"),
    Use("chi_esq_self_12_18", "self", (12, 18), 0.3, "ending"),
    Use("chi_esq_self_9_11", "self", (9, 11), 0.3, "ending"),
)
_MHST = (
    Use("rcads25", "self", (8, 18), 0.8),
    Use("rcads25", "parent", (8, 11), 0.5),
    Use("sdq_parent", "parent", (5, 17), 0.4),
    Use("sdq_self", "self", (11, 17), 0.25),
    Use("sdq_teacher", "teacher", (5, 17), 0.15),
    Use("yp_core", "self", (11, 16), 0.45, "session"),
    Use("chi_esq_self_12_18", "self", (12, 18), 0.25, "ending"),
    Use("chi_esq_self_9_11", "self", (9, 11), 0.25, "ending"),
)
TEAM_MEASURES = {
    loc.CAMHS_HELP: _CAMHS,
    loc.CAMHS_MORE: _CAMHS + (
        Use("honosca_self", "self", (13, 17), 0.12),
        Use("honosca_parent", "parent", (4, 17), 0.12),
    ),
    loc.CAMHS_CRISIS: (
        Use("honosca_clinician", "clinician", (4, 17), 0.8),
        Use("cgas", "clinician", (4, 17), 0.8),
        Use("phq9", "self", (16, 18), 0.3),
    ),
    loc.MHST_EAST: _MHST,
    loc.MHST_WEST: _MHST,
    loc.EARLY_HELP: (
        Use("sdq_parent", "parent", (4, 17), 0.75),
        Use("sdq_self", "self", (11, 17), 0.3),
        Use("ors", "self", (13, 18), 0.5, "session"),
        Use("cors", "self", (6, 12), 0.5, "session"),
        Use("score15", "self", (12, 18), 0.2),
    ),
    loc.OPEN_DOOR: (
        Use("yp_core", "self", (11, 16), 0.8, "session"),
        Use("core10", "self", (17, 25), 0.8, "session"),
        Use("ors", "self", (13, 25), 0.45, "session"),
        Use("cors", "self", (11, 12), 0.45, "session"),
        Use("srs", "self", (13, 25), 0.3, "session"),
        Use("csrs", "self", (11, 12), 0.3, "session"),
        Use("swemwbs", "self", (13, 25), 0.35),
        Use("wemwbs", "self", (16, 25), 0.1),
    ),
}


@dataclass(frozen=True)
class _Item:
    number: int
    low: int
    high: int
    reversed: bool
    better_high: bool  # a high score means doing well
    main: str | None  # the scale it counts in (None: not in any scale)
    decimals: int


@cache
def _items(measure_id: str) -> tuple[_Item, ...]:
    measure = get_catalogue().measure(measure_id)
    scale_of = {}
    for scale in measure.scales:
        if not scale.is_composite:
            for n in scale.items:
                scale_of.setdefault(n, scale)
    out = []
    for n, item in sorted(measure.items.items()):
        scale = scale_of.get(n)
        out.append(_Item(n, item.min, item.max, item.reversed,
                         bool(scale and scale.direction == "higher_is_better"),
                         scale.id if scale and item.scored else None, item.decimals))
    return tuple(out)


@cache
def _entered_scale(measure_id: str):
    measure = get_catalogue().measure(measure_id)
    return next((s for s in measure.scales if s.aggregation == "entered"), None)


@cache
def _measure(measure_id: str):
    return get_catalogue().measure(measure_id)


def _check_catalogue() -> None:
    """Every use names a measure and a rater the catalogue has (fails loudly at import)."""
    for uses in TEAM_MEASURES.values():
        for use in uses:
            if use.rater not in _measure(use.measure_id).raters:
                raise ValueError(f"{use.measure_id} has no {use.rater!r} rater in the catalogue")


_check_catalogue()


def _age(person: PersonRec, day: date) -> int:
    born = person.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class _Course:
    """Severity 0 (none) .. 1 (most severe) from the first day to the last."""

    start: float
    end: float
    first: date
    last: date

    def at(self, day: date) -> float:
        span = (self.last - self.first).days
        done = 1.0 if span <= 0 else min(1.0, max(0.0, (day - self.first).days / span))
        return self.start + (self.end - self.start) * done


def _course(rng: random.Random, kind: str, start: float, first: date, last: date) -> _Course:
    if kind == "better":
        end = start - rng.uniform(0.18, 0.45)
    elif kind == "worse":
        end = start + rng.uniform(0.12, 0.3)
    else:
        end = start + rng.gauss(0, 0.04)
    return _Course(start, min(0.95, max(0.03, end)), first, last)


def add_outcome_measures(bundle: EpisodeBundle, person: PersonRec) -> None:
    episode = bundle.episode
    uses = TEAM_MEASURES.get(loc.TEAMS[episode.team_key].code, ())
    if not uses or episode.assessed_on is None or not bundle.decisions:
        return
    rng = random.Random(f"outcome-measures/{episode.public_id}")
    seen = [c for c in bundle.contacts if c.attendance == "attended" and c.date >= episode.assessed_on]
    if not seen:
        return
    closed = bundle.ending is not None
    days = [c.date for c in seen]
    first, last = days[0], days[-1]
    # An open episode is part of the way along its course.
    expected_last = last if closed else max(last, first + timedelta(days=365))
    goals = bundle.ending.goals_met if closed and bundle.ending.goals_met != "no_goals" else None
    shared_kind = _COURSE[goals](rng)
    need = NEED_ORDER[bundle.decisions[0].grouping]
    start = min(0.9, max(0.12, rng.gauss(0.3 + 0.08 * need, 0.1)))
    sex = {"1": "M", "2": "F"}.get(person.sex)
    reason = episode.referral_reason
    recorder = episode.lead_key if episode.lead_key is not None else bundle.decisions[0].recorded_by_key
    courses: dict[str, _Course] = {}
    for use in uses:
        if rng.random() >= use.share:
            continue
        if use.rater not in courses:
            kind = _COURSE[goals](rng) if rng.random() < _OWN_VIEW else shared_kind
            courses[use.rater] = _course(rng, kind, min(0.92, max(0.08, start + rng.gauss(0, 0.06))),
                                         first, expected_last)
        course = courses[use.rater]
        # How this rater answers each question, beyond the course: steady from one time to the
        # next (questionnaires have high test-retest reliability), so change is mostly real.
        profile = {item.number: rng.gauss(0, PROFILE_SD) for item in _items(use.measure_id)}
        for day in _when(rng, use, days, closed):
            age = _age(person, day)
            if not use.ages[0] <= age <= use.ages[1]:
                continue
            measure = _measure(use.measure_id)
            if (measure.age_min is not None and age < measure.age_min) or (
                    measure.age_max is not None and age > measure.age_max):
                continue
            bundle.completions.append(_completion(
                rng, use, day, course.at(day) + rng.gauss(0, 0.03), reason, age, sex, recorder,
                profile))
    bundle.completions.sort(key=lambda c: c.completed_on)


def _when(rng: random.Random, use: Use, days: list[date], closed: bool) -> list[date]:
    """The appointments at which this measure was completed."""
    last_taken = closed and len(days) > 1 and rng.random() >= MISSED_LAST
    if use.when == "ending":
        return [days[-1]] if last_taken else []
    if use.when == "session":
        taken = [d for d in days[:-1] if rng.random() >= MISSED_SESSION]
        if last_taken:
            taken.append(days[-1])
    else:
        taken = [days[0]]
        if rng.random() < FOLLOWED_UP[use.rater]:
            taken += [d for d in days[REVIEW_EVERY:-1:REVIEW_EVERY] if rng.random() >= MISSED_REVIEW]
            if last_taken:
                taken.append(days[-1])
    return sorted(set(taken))


def _completion(rng: random.Random, use: Use, day: date, severity: float, reason: str, age: int,
                sex: str | None, recorder: int, profile: dict[int, float]) -> CompletionRec:
    severity = min(1.0, max(0.0, severity))
    measure = _measure(use.measure_id)
    entered = _entered_scale(use.measure_id)
    if entered is not None:  # a single rating or total copied in (CGAS, SCORE-15)
        low, high = int(entered.range_min), int(entered.range_max)
        worse_high = entered.direction != "higher_is_better"
        where = severity if worse_high else 1 - severity
        if use.measure_id == "cgas":
            where = 0.15 + 0.7 * where  # CGAS in services runs from about 15 to 85
        value = round(low + where * (high - low) + rng.gauss(0, (high - low) * 0.025))
        totals = ((entered.id, str(min(high, max(low, value)))),)
        return CompletionRec(key=-1, episode_key=-1, measure_id=use.measure_id, rater=use.rater,
                             completed_on=day, responses=(), recorded_by_key=recorder,
                             age=age, sex=sex, entered_totals=totals)
    if measure.category == "PREM":
        answers = _experience(rng, use.measure_id)
    else:
        answers = _answers(rng, use.measure_id, severity, reason, profile)
    if rng.random() < ITEM_LEFT_BLANK:
        scored = [n for n, v in answers.items() if v is not None]
        answers[rng.choice(scored)] = None
    return CompletionRec(key=-1, episode_key=-1, measure_id=use.measure_id, rater=use.rater,
                         completed_on=day, responses=tuple(sorted(answers.items())),
                         recorded_by_key=recorder, age=age, sex=sex)


def _answers(rng: random.Random, measure_id: str, severity: float, reason: str,
             profile: dict[int, float]) -> dict:
    items = _items(measure_id)
    family = _measure(measure_id).family
    favoured = _REASON_SCALES.get(reason, set())
    lower = _OTHER_SCALES_LOWER.get(family, 0.0)
    has_favoured = any(i.main in favoured for i in items)
    risky = {r.item for r in _measure(measure_id).risk_items}
    gate = None  # SDQ: "no difficulties" means the impact questions are skipped
    answers: dict[int, int | Decimal | None] = {}
    for item in items:
        span = item.high - item.low
        level = severity
        if item.main is None:
            level = severity * 0.6
        elif has_favoured and lower:
            level = severity + 0.1 if item.main in favoured else severity - lower
        if item.number in risky:
            level -= RISK_ITEM_LOWER
        if item.better_high:
            level = 1 - level if family != "sdq" else 0.85 - 0.3 * level  # prosocial: mostly fine
        x = item.low + (level + profile[item.number]) * span + rng.gauss(0, OCCASION_SD * span + 0.05)
        if item.decimals:
            value = Decimal(str(round(min(item.high, max(item.low, x)), item.decimals)))
        else:
            value = min(item.high, max(item.low, round(x)))
            if item.reversed:
                value = item.low + item.high - value
        answers[item.number] = value
        if family == "sdq" and item.number == 26:
            # "Overall, any difficulties?": no, unless the difficulties are more than slight.
            value = gate = 0 if severity < 0.15 else min(3, 1 + round(3 * (severity - 0.15)))
            answers[item.number] = value
    if gate == 0:
        for n in range(27, 32):
            if n in answers:
                answers[n] = None
    return answers


def _experience(rng: random.Random, measure_id: str) -> dict:
    """How the service was experienced: mostly well."""
    measure = _measure(measure_id)
    best = measure.most_positive_response
    answers: dict[int, int | Decimal | None] = {}
    for item in _items(measure_id):
        if best is not None:
            roll = rng.random()
            if roll < 0.04 and measure.items[item.number].unscored_responses:
                value = min(measure.items[item.number].unscored_responses)  # don't know
            elif roll < 0.72:
                value = best
            else:
                value = rng.choice([v for v in range(item.low, item.high + 1) if v != best])
        else:
            x = item.high - abs(rng.gauss(0, 0.12 * (item.high - item.low)))
            value = Decimal(str(round(max(item.low, x), item.decimals))) if item.decimals \
                else max(item.low, round(x))
        answers[item.number] = value
    return answers
