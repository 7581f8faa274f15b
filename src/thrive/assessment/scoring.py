"""Pure scoring rules of the THRIVE implementation self-assessment (no Django).

A principle is scored with an integer 1-4, or "not able to judge" (``None`` here, ``NOT_ABLE`` in
forms). A site may call itself THRIVE-like on a principle only at 3 or more
(thrive-framework.md section 4). Principles not judged count in no total and no share.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

LEVELS = (1, 2, 3, 4)
THRIVE_LIKE_FROM = 3
NOT_ABLE = "na"
NOT_ABLE_LABEL = "Not able to judge"


def parse_score(raw) -> int | None:
    """A score from a form or a file: 1-4 as an integer, or None for "not able to judge".
    Anything else (0, 5, 2.5, True, text) is refused with ValueError."""
    if raw == NOT_ABLE or raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError("A score is a whole number from 1 to 4")
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw.isdigit():
            raise ValueError("A score is a whole number from 1 to 4")
        raw = int(raw)
    if not isinstance(raw, int) or raw not in LEVELS:
        raise ValueError("A score is a whole number from 1 to 4")
    return raw


def is_thrive_like(score: int | None) -> bool:
    return score is not None and score >= THRIVE_LIKE_FROM


def label(score: int | None) -> str:
    return NOT_ABLE_LABEL if score is None else str(score)


@dataclass(frozen=True)
class Summary:
    total: int  # sum of the principles scored
    scored: int  # principles with a score 1-4
    not_judged: int  # principles "not able to judge"
    thrive_like: int  # principles scored 3 or 4
    by_level: dict[int, int] = field(default_factory=dict)  # how many principles at each score

    @property
    def share_thrive_like(self) -> float | None:
        """Share of the scored principles that are THRIVE-like (0-100, one decimal)."""
        if not self.scored:
            return None
        return round(100 * self.thrive_like / self.scored, 1)

    @property
    def maximum(self) -> int:
        return 4 * self.scored


def summarise(scores: Mapping[str, int | None]) -> Summary:
    values = [parse_score(v) for v in scores.values()]
    scored = [v for v in values if v is not None]
    return Summary(
        total=sum(scored),
        scored=len(scored),
        not_judged=len(values) - len(scored),
        thrive_like=sum(1 for v in scored if is_thrive_like(v)),
        by_level={level: sum(1 for v in scored if v == level) for level in LEVELS},
    )


@dataclass(frozen=True)
class Change:
    principle: str
    before: int | None
    after: int | None

    @property
    def difference(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def became_thrive_like(self) -> bool:
        return is_thrive_like(self.after) and not is_thrive_like(self.before)


def changes(before: Mapping[str, int | None], after: Mapping[str, int | None]) -> list[Change]:
    """Per principle, in the order of ``after``: the previous and the current agreed score."""
    return [Change(pid, before.get(pid), after[pid]) for pid in after]


def total_change(before: Mapping[str, int | None], after: Mapping[str, int | None]) -> int | None:
    """Change in the site total over the principles scored in both rounds (so a principle not
    judged in one of them neither adds nor removes points); None when none is comparable."""
    both = [c for c in changes(before, after) if c.difference is not None]
    if not both:
        return None
    return sum(c.difference for c in both)


def spread(scores: list[int | None]) -> dict:
    """How panel members' scores for one principle spread: lowest, highest, counts per level."""
    scored = [s for s in scores if s is not None]
    return {
        "lowest": min(scored) if scored else None,
        "highest": max(scored) if scored else None,
        "range": (max(scored) - min(scored)) if scored else None,
        "counts": {level: scored.count(level) for level in LEVELS},
        "not_judged": len(scores) - len(scored),
    }
