"""Questionnaires completed item by item in an episode: CollaboRATE after shared decisions, and
Current View at assessment (and again, sometimes, when the grouping changes).

Added once an episode is placed in time and cut at today, from a random stream of its own (seeded
by the episode's public id), so the rest of the history is exactly what it was without them.
Current View describes needs: the ratings lean on the referral reason and on how much help the
agreed grouping gives, never the other way round.
"""

from __future__ import annotations

import random
from datetime import date

from .decisions import NEED_ORDER
from .records import CompletionRec, EpisodeBundle, PersonRec
from .weighted import Weighted

COLLABORATE, CURRENT_VIEW = "collaborate", "current_view"
COLLABORATE_AFTER = 0.45  # share of shared decisions followed by a CollaboRATE
CURRENT_VIEW_AT_ASSESSMENT = 0.85
CURRENT_VIEW_WHEN_GROUPING_CHANGES = 0.3
# Current View problem descriptions (items 1-30) likely to be rated for each referral reason.
_PROBLEMS = {
    "anxiety": (1, 2, 3, 5, 6), "low_mood": (9, 3, 23), "self_harm": (10, 9, 11),
    "eating": (20, 9, 3), "behaviour": (15, 16, 17, 21), "neurodevelopmental": (14, 28, 15, 23),
    "trauma": (19, 9, 22), "relationships": (21, 23, 24, 22), "psychosis": (12, 11, 3),
    "obsessive_compulsive": (4, 8, 3), "school_attendance": (6, 1, 2, 36), "other": (3, 9, 27, 30),
}
_OTHER_PROBLEM = Weighted(((0, 80), (1, 12), (2, 4), (9, 4)))  # 9: not known
_CONTEXT = Weighted(((0, 55), (1, 25), (2, 12), (3, 4), (9, 4)))  # items 31-36
_COMPLEXITY = Weighted(((0, 88), (1, 9), (9, 3)))  # items 37-50: no / yes / not known


def add_questionnaires(bundle: EpisodeBundle, person: PersonRec) -> None:
    rng = random.Random(f"questionnaires/{bundle.episode.public_id}")
    episode = bundle.episode
    recorder = episode.lead_key if episode.lead_key is not None else (
        bundle.decisions[0].recorded_by_key if bundle.decisions else None)
    if recorder is None:
        return  # a declined referral: nobody assessed or decided anything
    previous, assessed = None, False
    for decision in bundle.decisions:
        assessment = decision.decided_on == episode.assessed_on and not assessed
        assessed = assessed or assessment
        changed = previous is not None and decision.grouping != previous
        if (assessment and rng.random() < CURRENT_VIEW_AT_ASSESSMENT) or (
                changed and rng.random() < CURRENT_VIEW_WHEN_GROUPING_CHANGES):
            bundle.completions.append(_current_view(rng, bundle, decision.decided_on, decision.grouping,
                                                    recorder))
        if rng.random() < COLLABORATE_AFTER:
            young = decision.young_person_took_part and _age(person, decision.decided_on) >= 12
            if young or decision.parent_carer_took_part:
                rater = "self" if young else "parent"
                bundle.completions.append(_collaborate(rng, decision.decided_on, rater,
                                                       decision.recorded_by_key))
        previous = decision.grouping


def _age(person: PersonRec, day: date) -> int:
    born = person.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _collaborate(rng: random.Random, day: date, rater: str, recorder: int) -> CompletionRec:
    if rng.random() < 0.6:
        answers = [9, 9, 9]  # the top score: most people rate the decision as fully shared
    else:
        answers = [rng.randint(4, 9) for _ in range(3)]
        answers[rng.randrange(3)] = rng.randint(3, 8)  # not every answer 9
    if rng.random() < 0.04:
        answers[rng.randrange(3)] = None  # a question left unanswered: not a completed encounter
    return CompletionRec(key=-1, episode_key=-1, measure_id=COLLABORATE, rater=rater, completed_on=day,
                         responses=tuple(enumerate(answers, start=1)), recorded_by_key=recorder)


def _current_view(rng: random.Random, bundle: EpisodeBundle, day: date, grouping: str,
                  recorder: int) -> CompletionRec:
    need = NEED_ORDER[grouping]  # 0 thriving .. 4 risk support
    likely = _PROBLEMS.get(bundle.episode.referral_reason, _PROBLEMS["other"])
    main = set(likely[:rng.randint(1, len(likely))])
    answers = {}
    for item in range(1, 51):
        if item in main:
            answers[item] = max(1, min(3, round(rng.gauss(1.2 + need * 0.45, 0.7))))
        elif item <= 30:
            answers[item] = _OTHER_PROBLEM(rng)
        elif item <= 36:
            answers[item] = _CONTEXT(rng)
        else:
            answers[item] = _COMPLEXITY(rng)
    return CompletionRec(key=-1, episode_key=-1, measure_id=CURRENT_VIEW, rater="clinician",
                         completed_on=day, responses=tuple(sorted(answers.items())), recorded_by_key=recorder)
