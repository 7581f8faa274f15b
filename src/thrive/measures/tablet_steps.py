"""How a measure is split into the tablet's steps: one question at a time, or grouped where the
measure needs it. Pure: no Django.

- Visual analogue scales (ORS, CORS, SRS, CSRS) are one sheet of four lines rated together: one
  step with all four, as on paper.
- Long questionnaires (more than 12 questions: RCADS, SDQ, WEMWBS) go five questions a step,
  never mixing questions with different answers (the SDQ's impact questions are apart from its
  25 statements), so a 47-question RCADS is ten steps, not 47.
- Everything else: one question a step.
"""

from collections.abc import Sequence
from dataclasses import dataclass

TOGETHER = frozenset({"ors", "cors", "srs", "csrs"})
LONG = 12
PER_STEP = 5


@dataclass(frozen=True)
class Step:
    number: int             # 1-based
    of: int                 # how many steps
    items: tuple[int, ...]  # question numbers on this step
    total_items: int

    @property
    def first(self) -> bool:
        return self.number == 1

    @property
    def last(self) -> bool:
        return self.number == self.of

    @property
    def progress(self) -> str:
        """What the progress indicator says, e.g. "Question 3 of 9" or "Questions 6 to 10 of 47"."""
        if len(self.items) == 1:
            return f"Question {self.items[0]} of {self.total_items}"
        return f"Questions {self.items[0]} to {self.items[-1]} of {self.total_items}"

    @property
    def done(self) -> int:
        """Questions up to the end of this step: the progress bar's value."""
        return self.items[-1] if self.items else 0


def _answers_key(item) -> tuple:
    return (item.min, item.max, tuple(sorted(item.unscored_responses)),
            tuple(sorted(item.options.items())))


def groups(measure) -> list[tuple[int, ...]]:
    numbers: Sequence[int] = sorted(measure.items)
    if measure.id in TOGETHER:
        return [tuple(numbers)]
    if len(numbers) <= LONG:
        return [(n,) for n in numbers]
    out: list[list[int]] = []
    for n in numbers:
        current = out[-1] if out else None
        if (current and len(current) < PER_STEP
                and _answers_key(measure.items[current[-1]]) == _answers_key(measure.items[n])):
            current.append(n)
        else:
            out.append([n])
    return [tuple(g) for g in out]


def steps(measure) -> list[Step]:
    found = groups(measure)
    return [Step(i + 1, len(found), items, len(measure.items)) for i, items in enumerate(found)]


def step(measure, number: int) -> Step:
    """The step asked for, kept within the measure's steps (a stale or edited link is not an error)."""
    all_steps = steps(measure)
    return all_steps[min(max(number, 1), len(all_steps)) - 1]
