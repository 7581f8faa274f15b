"""Rolls per-scale change up to one outcome per reporting rater (self, parent, clinician)."""

from collections.abc import Iterable
from dataclasses import dataclass

from .reliable_change import ChangeResult, Classification

REPORTING_RATERS = ("self", "parent", "clinician")


@dataclass(frozen=True)
class ScaleChange:
    """First and last on one scale for one rater, and how the change was classified."""

    identity: str  # SNOMED preferred term, or the catalogue key for uncoded scales
    scale_key: str
    reporting_rater: str
    has_first: bool
    has_last: bool
    change: ChangeResult | None  # None unless there is a pair


@dataclass(frozen=True)
class RaterOutcome:
    rater: str
    assessed: bool
    paired: bool
    improvement: bool
    deterioration: bool
    no_change: bool


def roll_up_by_rater(changes: Iterable[ScaleChange]) -> dict[str, RaterOutcome]:
    """Improvement = at least one improvement and no deterioration; deterioration = any;
    no change = at least one no-change and neither of the others."""
    changes = list(changes)
    out = {}
    for rater in REPORTING_RATERS:
        mine = [c for c in changes if c.reporting_rater == rater]
        kinds = {c.change.classification for c in mine if c.change is not None}
        deterioration = Classification.DETERIORATION in kinds
        improvement = Classification.IMPROVEMENT in kinds and not deterioration
        out[rater] = RaterOutcome(
            rater=rater,
            assessed=any(c.has_first for c in mine),
            paired=any(c.has_last for c in mine),
            improvement=improvement,
            deterioration=deterioration,
            no_change=Classification.NO_RELIABLE_CHANGE in kinds and not improvement and not deterioration,
        )
    return out
