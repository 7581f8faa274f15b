"""Goals, their ratings and the ending, kept consistent with each other.

Each goal gets a trajectory up front (mostly better, some flat, some worse); ratings are taken
at attended appointments along it, and the ending's "goals met" is read from the last ratings.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from . import phrases
from .decisions import MORE_HELP, RISK
from .records import EndingRec, EpisodeBundle, GoalRec, RatingRec
from .weighted import Weighted

if TYPE_CHECKING:
    from .episodes import Context

MET_AT = 7  # a goal rated 7 or more at the end counts as met
DISENGAGED_UNRATED = 0.7  # families who stop coming mostly leave goals rated only at the start
_GOAL_COUNT = Weighted(((1, 35), (2, 45), (3, 20)))
_YOUNGER_RATER = Weighted((("parent_carer", 60), ("young_person", 20), ("practitioner", 20)))
_OLDER_RATER = Weighted((("young_person", 80), ("practitioner", 12), ("parent_carer", 8)))
_START = Weighted(tuple(zip(range(6), (10, 18, 26, 24, 14, 8), strict=True)))
_TREND = Weighted((("up", 70), ("flat", 16), ("down", 14)))
# Where risk support was needed, goals move less often.
_TREND_AFTER_RISK = Weighted((("up", 45), ("flat", 30), ("down", 25)))


def add_goals(ctx: Context, bundle: EpisodeBundle, day: date, grouping: str) -> None:
    rng = ctx.rng
    reason = bundle.episode.referral_reason
    pool = tuple(dict.fromkeys(phrases.GOALS[reason] + phrases.GOALS["other"]))
    count = min(_GOAL_COUNT(rng), len(pool))
    weeks = (16, 30) if grouping == MORE_HELP else (8, 16)
    for number, text in enumerate(rng.sample(pool, count), start=1):
        bundle.goals.append(GoalRec(
            key=-1, episode_key=-1, number=number, description=text, agreed_on=day,
            expected_by=day + timedelta(weeks=rng.randint(*weeks)),
            plan_if_not_met=rng.choice(phrases.PLAN_IF_NOT_MET).format(name=ctx.name),
            recorded_by_key=ctx.lead,
        ))


def _rate(ctx: Context, bundle: EpisodeBundle, *, first_only: bool = False) -> None:
    """Ratings at the first session, every few sessions after, and the last one (only the first
    when the family stopped coming before goals were rated again)."""
    rng = ctx.rng
    if not bundle.goals:
        return
    agreed = bundle.goals[0].agreed_on
    days = [c.date for c in bundle.contacts if c.attendance == "attended" and c.date >= agreed]
    every = rng.randint(2, 3)
    points = days[::every]
    if days[-1] != points[-1]:
        points.append(days[-1])
    if first_only:
        points = points[:1]
    stepped_to_risk = any(d.grouping == RISK for d in bundle.decisions)
    rater = (_YOUNGER_RATER if ctx.age < 10 else _OLDER_RATER)(rng)
    trends = _TREND_AFTER_RISK if stepped_to_risk else _TREND
    for goal_index in range(len(bundle.goals)):
        start = _START(rng)
        trend = trends(rng)
        if trend == "up":
            end = min(10, start + rng.randint(3, 8))
        elif trend == "flat":
            end = max(0, start + rng.randint(-1, 1))
        else:
            end = max(0, start - rng.randint(1, 3))
        last = len(points) - 1
        for i, day in enumerate(points):
            if i in (0, last):
                value = start if i == 0 else end
            else:
                value = round(start + (end - start) * i / last) + rng.choice((-1, 0, 0, 1))
            bundle.ratings.append(RatingRec(
                key=-1, goal_key=goal_index, rated_on=day, rating=min(10, max(0, value)),
                rated_by=rater, recorded_by_key=ctx.lead,
            ))


def goals_met(bundle: EpisodeBundle) -> str:
    if not bundle.goals:
        return "no_goals"
    last: dict[int, int] = {}
    for rating in bundle.ratings:  # in date order, so the last one wins
        last[rating.goal_key] = rating.rating
    met = sum(last.get(i, 0) >= MET_AT for i in range(len(bundle.goals)))
    if met == len(bundle.goals):
        return "met"
    return "partly" if met else "not_met"


# (reason weights, next step weights) by how the goals went.
_ENDINGS = {
    "met": (Weighted((("goals_met", 80), ("agreed_enough", 20))),
            Weighted((("none_needed", 45), ("rereferral_advice", 30), ("school_support", 25)))),
    "partly": (Weighted((("agreed_enough", 55), ("family_chose", 20), ("transferred", 10),
                         ("moved_away", 5), ("other", 10))),
               Weighted((("signposted", 35), ("school_support", 30),
                         ("rereferral_advice", 35)))),
    "not_met": (Weighted((("family_chose", 35), ("transferred", 35), ("moved_away", 10),
                          ("other", 20))),
                Weighted((("transferred", 30), ("signposted", 35), ("rereferral_advice", 35)))),
    "no_goals": (Weighted((("agreed_enough", 60), ("family_chose", 20), ("transferred", 10),
                           ("moved_away", 5), ("other", 5))),
                 Weighted((("signposted", 40), ("rereferral_advice", 35), ("none_needed", 15),
                           ("school_support", 10)))),
}


def close(ctx: Context, bundle: EpisodeBundle, ended_on: date, *, disengaged: bool = False,
          transferred: bool = False) -> None:
    rng = ctx.rng
    _rate(ctx, bundle, first_only=disengaged and rng.random() < DISENGAGED_UNRATED)
    met = goals_met(bundle)
    reasons, steps = _ENDINGS[met]
    reason = ("not_engaging" if disengaged else "transferred" if transferred
              else reasons(rng))
    if reason == "transferred":
        step = "transferred"
    elif reason == "not_engaging":
        step = "rereferral_advice"
    else:
        step = steps(rng)
    agreed = rng.random() < {"not_engaging": 0.2, "moved_away": 0.7}.get(reason, 0.95)
    bundle.ending = EndingRec(
        key=-1, episode_key=-1, ended_on=ended_on, reason=reason, goals_met=met,
        agreed_with_family=agreed, next_step=step,
        next_step_detail=rng.choice(phrases.NEXT_STEP_DETAIL[
            "transferred_camhs" if step == "transferred" and ctx.team.startswith("camhs")
            else step]).format(name=ctx.name),
        recorded_by_key=ctx.lead,
    )


def age_out(bundle: EpisodeBundle, eighteenth: date) -> None:
    """An ending on or after the 18th birthday is an ending by age (placed after the fact)."""
    ending = bundle.ending
    if ending and ending.ended_on >= eighteenth and ending.reason != "aged_out":
        ending.reason = "aged_out"
        ending.next_step = "transferred"
        ending.next_step_detail = "Transferred to adult mental health services."
