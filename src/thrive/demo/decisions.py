"""The content of one shared grouping decision: who took part, the options, the words."""

from __future__ import annotations

import random
from datetime import date

from thrive.care.groupings import Grouping, SupportOption

from . import phrases
from .records import DecisionRec
from .weighted import Weighted

ADVICE = Grouping.GETTING_ADVICE.value
HELP = Grouping.GETTING_HELP.value
MORE_HELP = Grouping.GETTING_MORE_HELP.value
RISK = Grouping.GETTING_RISK_SUPPORT.value
THRIVING = Grouping.THRIVING.value

# Rough order of need, used only to word a change as a step up or down (and by tests).
NEED_ORDER = {THRIVING: 0, ADVICE: 1, HELP: 2, MORE_HELP: 3, RISK: 4}

_O = SupportOption
_OPTION_ORDER = {o.value: i for i, o in enumerate(SupportOption)}
# (options usually preferred for this grouping, others that are often discussed too)
_OPTIONS = {
    THRIVING: ((_O.NO_FURTHER_HELP,), (_O.SELF_HELP, _O.COMMUNITY, _O.PEER_SUPPORT)),
    ADVICE: ((_O.SELF_HELP, _O.COMMUNITY, _O.DIGITAL),
             (_O.PEER_SUPPORT, _O.SCHOOL_SUPPORT, _O.NO_FURTHER_HELP, _O.GROUP)),
    HELP: ((_O.ONE_TO_ONE, _O.GROUP, _O.FAMILY_WORK),
           (_O.SCHOOL_SUPPORT, _O.DIGITAL, _O.SELF_HELP, _O.COMMUNITY, _O.PEER_SUPPORT)),
    MORE_HELP: ((_O.ONE_TO_ONE, _O.FAMILY_WORK, _O.JOINT_MULTI_AGENCY),
                (_O.MEDICATION_REVIEW, _O.GROUP, _O.INPATIENT, _O.SCHOOL_SUPPORT)),
    RISK: ((_O.RISK_SUPPORT_PLAN,),
           (_O.JOINT_MULTI_AGENCY, _O.ONE_TO_ONE, _O.FAMILY_WORK, _O.INPATIENT, _O.COMMUNITY)),
}


RISK_PLAN_DECLINED = 0.25
_RISK_INSTEAD = (_O.JOINT_MULTI_AGENCY, _O.ONE_TO_ONE, _O.FAMILY_WORK)


def options(rng: random.Random, grouping: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(discussed, preferred): preferred is always among those discussed."""
    usual, others = _OPTIONS[grouping]
    preferred = {rng.choice(usual).value}
    if grouping == RISK and rng.random() < RISK_PLAN_DECLINED:
        # Offered a Risk Support plan, the family or young person prefer something else.
        preferred = {rng.choice(_RISK_INSTEAD).value}
    elif grouping == MORE_HELP and rng.random() < 0.12:
        others = others + (_O.RISK_SUPPORT_PLAN,)  # talked about, seldom chosen
    discussed = set(preferred) | {o.value for o in rng.sample(others, rng.randint(1, 3))}
    if grouping == RISK:
        discussed.add(_O.RISK_SUPPORT_PLAN.value)  # always offered in Getting Risk Support
    if rng.random() < 0.4:  # self-help and community options are offered as real choices
        discussed.add(rng.choice((_O.SELF_HELP, _O.COMMUNITY)).value)
    if rng.random() < 0.3:
        preferred.add(rng.choice(sorted(discussed)))
    return _ordered(discussed), _ordered(preferred)


def _ordered(values: set[str]) -> tuple[str, ...]:
    return tuple(sorted(values, key=_OPTION_ORDER.__getitem__))


def make(rng: random.Random, *, episode_key: int, on: date, grouping: str,
         previous: str | None, kind: str, name: str, age: int, review_on: date,
         practitioners: tuple[int, ...]) -> DecisionRec:
    """kind: 'triage' (phone, while waiting), 'first' (at assessment) or 'review'."""
    if kind == "triage":
        young_person, parent = rng.random() < 0.3, rng.random() < 0.95
        rationale = rng.choice(phrases.TRIAGE_RATIONALE)
    else:
        young_person = rng.random() < (0.93 if age >= 8 else 0.6)
        parent = rng.random() < (0.92 if age < 16 else 0.55)
        if kind == "first" or previous is None:
            rationale = rng.choice(phrases.RATIONALE[grouping])
        else:
            change = NEED_ORDER[grouping] - NEED_ORDER[previous]
            direction = "up" if change > 0 else "down" if change < 0 else "same"
            rationale = rng.choice(phrases.MOVE_RATIONALE[direction])
    if not (young_person or parent):
        parent = True  # a shared decision needs someone from the family
    others = ""
    if rng.random() < (0.6 if grouping == RISK else 0.15):
        others = ", ".join(rng.sample(phrases.OTHER_PARTICIPANTS, rng.randint(1, 2)))
    discussed, preferred = options(rng, grouping)
    return DecisionRec(
        key=-1,
        episode_key=episode_key,
        decided_on=on,
        grouping=grouping,
        young_person_took_part=young_person,
        parent_carer_took_part=parent,
        practitioner_keys=practitioners,
        other_participants=others,
        options_discussed=discussed,
        options_preferred=preferred,
        decision_aid=rng.choice(phrases.DECISION_AIDS) if rng.random() < 0.2 else "",
        rationale=rationale.format(name=name),
        made_explicit=rng.random() < 0.9,
        review_on=review_on,
        is_current=False,
        recorded_by_key=practitioners[0],
    )


# What happens at a review: (next grouping or "end", weight), by current grouping.
TRANSITIONS = {
    THRIVING: Weighted((("end", 1),)),
    ADVICE: Weighted((("end", 78), (HELP, 15), (ADVICE, 5), (THRIVING, 2))),
    HELP: Weighted(((HELP, 44), (MORE_HELP, 12), (ADVICE, 14), (RISK, 3), ("end", 27))),
    MORE_HELP: Weighted(((MORE_HELP, 45), (HELP, 20), (RISK, 8), (ADVICE, 5), ("end", 22))),
    RISK: Weighted(((RISK, 50), (MORE_HELP, 30), (HELP, 5), ("end", 15))),
}


def next_step(rng: random.Random, grouping: str) -> str:
    return TRANSITIONS[grouping](rng)
