"""Which measures are due on an episode, from its agency's schedule. Pure: no Django.

A rule says when one measure (and rater) is due: at assessment (none recorded since the episode
began), every n attended contacts (n attended contacts since the last one), and at ending (none in
the 14 days before the ending). Due becomes overdue after OVERDUE_AFTER days at assessment or
ending, or after two more attended contacts for a contact-based rule.
"""

from dataclasses import dataclass
from datetime import date, timedelta

OVERDUE_AFTER = timedelta(days=14)
ENDING_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Rule:
    measure_id: str
    rater: str
    at_assessment: bool = False
    every_contacts: int | None = None
    at_ending: bool = False


@dataclass(frozen=True)
class Due:
    measure_id: str
    rater: str
    reason: str  # "at assessment", "after 6 attended contacts", "at ending"
    since: date | None
    overdue: bool


def due(rules, *, started_on: date | None, ended_on: date | None, attended: list[date],
        completed: dict[tuple[str, str], list[date]], today: date) -> list[Due]:
    """Measures due on one episode. ``attended``: dates of attended contacts; ``completed``:
    (measure, rater) -> dates it was completed."""
    out = []
    attended = sorted(attended)
    for rule in rules:
        done = sorted(completed.get((rule.measure_id, rule.rater), []))
        last = done[-1] if done else None
        if ended_on is not None:
            if rule.at_ending and not any(d >= ended_on - ENDING_WINDOW for d in done):
                out.append(Due(rule.measure_id, rule.rater, "at ending", ended_on,
                               today > ended_on + OVERDUE_AFTER))
            continue
        if rule.at_assessment and started_on is not None and not done and today >= started_on:
            out.append(Due(rule.measure_id, rule.rater, "at assessment", started_on,
                           today > started_on + OVERDUE_AFTER))
            continue
        if rule.every_contacts and rule.every_contacts > 0:
            since = [d for d in attended if last is None or d > last]
            if len(since) >= rule.every_contacts:
                out.append(Due(rule.measure_id, rule.rater,
                               f"after {rule.every_contacts} attended contacts",
                               since[rule.every_contacts - 1],
                               len(since) >= rule.every_contacts + 2))
    return out
