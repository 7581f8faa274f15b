"""Per-episode change: first and last score per scale and rater, classified and rolled up."""

from collections.abc import Iterable
from datetime import date, datetime

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue
from .rater_rollup import RaterOutcome, ScaleChange, roll_up_by_rater
from .reliable_change import DirectionMode, classify_change
from .results import ScoreResult


def paired_changes(
    results: Iterable[ScoreResult],
    *,
    direction_mode: DirectionMode = "scale",
    catalogue: Catalogue | None = None,
) -> list[ScaleChange]:
    """First = earliest non-missing score; last = latest non-missing score that is not the first.

    Results are ordered by completed_on (input order breaks ties), grouped by scale identity
    and reporting rater.
    """
    catalogue = catalogue or get_catalogue()
    indexed = list(enumerate(results))
    indexed.sort(key=lambda pair: (_sort_date(pair[1].completed_on), pair[0]))
    groups: dict[tuple[str, str], list[ScoreResult]] = {}
    for _, r in indexed:
        if r.value is None:
            continue
        scale = catalogue.measure(r.measure_id).scale(r.scale_id)
        groups.setdefault((scale.identity, r.reporting_rater), []).append(r)
    changes = []
    for (identity, rater), rs in groups.items():
        first, last = rs[0], (rs[-1] if len(rs) > 1 else None)
        change = (
            classify_change(
                f"{first.measure_id}/{first.scale_id}",
                first,
                last,
                direction_mode=direction_mode,
                catalogue=catalogue,
            )
            if last is not None
            else None
        )
        changes.append(ScaleChange(identity, first.key, rater, True, last is not None, change))
    return changes


def episode_outcome(
    results: Iterable[ScoreResult],
    *,
    direction_mode: DirectionMode = "scale",
    catalogue: Catalogue | None = None,
) -> dict[str, RaterOutcome]:
    """Rater roll-up (self / parent / clinician) over an episode's scored completions."""
    return roll_up_by_rater(paired_changes(results, direction_mode=direction_mode, catalogue=catalogue))


def _sort_date(value: date | datetime | None):
    if value is None:
        return (1, datetime.max)
    if isinstance(value, datetime):
        return (0, value.replace(tzinfo=None))
    return (0, datetime(value.year, value.month, value.day))
