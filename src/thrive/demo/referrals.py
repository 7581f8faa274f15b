"""Where a referral goes and why: reason, team and source, with local waiting times."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from . import locality as loc
from .decisions import ADVICE, HELP, MORE_HELP, RISK
from .names import SCHOOL_SIDE
from .weighted import Weighted

_YOUNGER_REASONS = (
    ("anxiety", 25), ("behaviour", 25), ("neurodevelopmental", 15), ("relationships", 10),
    ("trauma", 10), ("low_mood", 5), ("obsessive_compulsive", 3), ("school_attendance", 4),
    ("other", 3),
)
_OLDER_REASONS = (
    ("anxiety", 28), ("low_mood", 20), ("self_harm", 12), ("eating", 4), ("behaviour", 6),
    ("neurodevelopmental", 5), ("trauma", 6), ("relationships", 6), ("psychosis", 1),
    ("obsessive_compulsive", 3), ("school_attendance", 7), ("other", 2),
)
# Self-harm and eating difficulties are referred more often for girls.
_GIRLS_MORE = {"self_harm": 1.6, "eating": 2.5}

# Team weights by reason: (camhs_help, camhs_more, crisis, mhst, early_help, open_door)
_TEAM_COLUMNS = (loc.CAMHS_HELP, loc.CAMHS_MORE, loc.CAMHS_CRISIS, "mhst", loc.EARLY_HELP,
                 loc.OPEN_DOOR)
_TEAMS_BY_REASON = {
    "anxiety": (30, 5, 0, 40, 5, 15),
    "low_mood": (35, 8, 2, 30, 5, 20),
    "self_harm": (30, 10, 35, 10, 0, 10),
    "eating": (20, 70, 10, 0, 0, 0),
    "behaviour": (15, 5, 0, 25, 50, 0),
    "neurodevelopmental": (40, 40, 0, 0, 20, 0),
    "trauma": (35, 25, 0, 0, 15, 25),
    "relationships": (5, 0, 0, 25, 40, 35),
    "psychosis": (0, 60, 40, 0, 0, 0),
    "obsessive_compulsive": (50, 40, 0, 10, 0, 0),
    "school_attendance": (20, 0, 0, 40, 40, 0),
    "other": (25, 5, 0, 25, 20, 25),
}

_SOURCES = {
    "camhs": (("gp", 40), ("school", 15), ("parent_carer", 10), ("social_care", 8),
              ("paediatrics", 7), ("emergency_department", 5), ("other_mental_health", 5),
              ("self", 2), ("voluntary_sector", 3), ("youth_justice", 2), ("other", 3)),
    loc.CAMHS_CRISIS: (("emergency_department", 45), ("gp", 20), ("social_care", 10),
                       ("school", 10), ("parent_carer", 10), ("youth_justice", 5)),
    "mhst": (("school", 65), ("parent_carer", 18), ("self", 9), ("gp", 8)),
    loc.EARLY_HELP: (("school", 35), ("social_care", 20), ("parent_carer", 20), ("gp", 10),
                     ("self", 5), ("youth_justice", 5), ("other", 5)),
    loc.OPEN_DOOR: (("self", 45), ("parent_carer", 20), ("school", 15), ("gp", 15),
                    ("voluntary_sector", 5)),
}


_SOURCE = {
    code: Weighted(_SOURCES[group])
    for code, group in ((loc.CAMHS_HELP, "camhs"), (loc.CAMHS_MORE, "camhs"),
                        (loc.CAMHS_CRISIS, loc.CAMHS_CRISIS), (loc.MHST_EAST, "mhst"),
                        (loc.MHST_WEST, "mhst"), (loc.EARLY_HELP, loc.EARLY_HELP),
                        (loc.OPEN_DOOR, loc.OPEN_DOOR))
}


@dataclass(frozen=True)
class Service:
    """How a team works: waits in days (low, high) and the mix of first groupings."""

    triage: tuple[int, int]
    assessment: tuple[int, int]
    treatment: tuple[int, int]
    declines: float
    first_grouping: Weighted
    # Share of accepted referrals who never come to an assessment, and of those given advice at
    # assessment for whom that one appointment is all (many closed referrals have one contact).
    no_show: float = 0.09
    advice_only: float = 0.65


_MHST = Service((1, 10), (5, 35), (5, 30), 0.10, Weighted(((HELP, 70), (ADVICE, 30))))
SERVICES = {
    loc.CAMHS_HELP: Service((1, 14), (14, 120), (7, 150), 0.18, Weighted(
        ((HELP, 65), (ADVICE, 20), (MORE_HELP, 12), (RISK, 3)))),
    loc.CAMHS_MORE: Service((1, 10), (10, 90), (7, 120), 0.10, Weighted(
        ((MORE_HELP, 75), (HELP, 20), (RISK, 5)))),
    loc.CAMHS_CRISIS: Service((0, 1), (0, 3), (0, 5), 0.05, Weighted(
        ((RISK, 35), (MORE_HELP, 40), (HELP, 15), (ADVICE, 10))), no_show=0.03),
    loc.MHST_EAST: _MHST,
    loc.MHST_WEST: _MHST,
    loc.EARLY_HELP: Service((1, 7), (5, 25), (0, 20), 0.08,
                            Weighted(((HELP, 60), (ADVICE, 40)))),
    loc.OPEN_DOOR: Service((2, 14), (10, 60), (7, 90), 0.05,
                           Weighted(((HELP, 75), (ADVICE, 25)))),
}


def term_weight(day: date, team_code: str) -> float:
    """How busy referrals are in this week of the school year, 1 in term time: schools and
    families refer far less in the summer and Christmas holidays (crisis referrals barely dip)."""
    m, d = day.month, day.day
    if m == 8 or (m == 7 and d >= 23) or (m == 9 and d <= 3):
        weight = 0.45
    elif (m == 12 and d >= 20) or (m == 1 and d <= 3):
        weight = 0.5
    elif m == 4 and d <= 14:
        weight = 0.75  # Easter holidays, roughly
    elif (m == 10 and d >= 24) or (m == 2 and 12 <= d <= 20) or (m == 5 and d >= 25):
        weight = 0.8  # half terms
    else:
        weight = 1.0
    return 0.6 + 0.4 * weight if team_code == loc.CAMHS_CRISIS else weight


def wait(rng: random.Random, span: tuple[int, int]) -> int:
    """Days within span, skewed short with a long tail, as real waiting lists are."""
    low, high = span
    return low + int((high - low) * rng.random() ** 1.8)


def reason(rng: random.Random, age: int, female: bool) -> str:
    return _reasons(age < 11, age < 14, female)(rng)


@cache
def _reasons(younger: bool, under_14: bool, female: bool) -> Weighted:
    table = _YOUNGER_REASONS if younger else _OLDER_REASONS
    return Weighted(tuple(
        (code, 0 if under_14 and code == "psychosis" else
         weight * (_GIRLS_MORE.get(code, 1) if female else 1))
        for code, weight in table
    ))


def team(rng: random.Random, why: str, age: int, school: str) -> str:
    side = SCHOOL_SIDE.get(school)
    choice = _teams(why, side is not None, min(age, 11))(rng)
    if choice == "mhst":
        return loc.MHST_EAST if side == "east" else loc.MHST_WEST
    return choice


@cache
def _teams(why: str, at_school: bool, age: int) -> Weighted:
    weights = list(_TEAMS_BY_REASON[why])
    if not at_school:
        weights[3] = 0  # no school, no mental health support team
    if age < 11:
        weights[5] = 0  # Open Door sees 11 to 25 year olds
    if age < 10:
        weights[2] = 0
    if not any(weights):
        weights[0] = 1
    return Weighted(tuple(zip(_TEAM_COLUMNS, weights, strict=True)))


def source(rng: random.Random, team_code: str) -> str:
    return _SOURCE[team_code](rng)
