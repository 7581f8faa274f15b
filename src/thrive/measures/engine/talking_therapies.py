"""NHS Talking Therapies recovery measures for paired PHQ-9 and GAD-7 (spec 7)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue
from .reliable_change import Classification, classify_values
from .rounding import ONE_PLACE, round_half_up, to_decimal

PHQ9 = "phq9/total"
GAD7 = "gad7/total"
FINISHED_COURSE_APPOINTMENTS = 2
Number = int | float | str | Decimal


@dataclass(frozen=True)
class TalkingTherapiesOutcome:
    finished_course: bool | None  # None when attendance was not given
    caseness_at_start: bool
    recovery: bool
    reliable_improvement: bool
    reliable_recovery: bool
    reliable_deterioration: bool
    phq9_change: Classification
    gad7_change: Classification


def _caseness(catalogue: Catalogue, key: str, value: Decimal) -> bool:
    # Cut-offs come from the catalogue (PHQ-9 >= 10, GAD-7 >= 8), not from this module.
    return value >= catalogue.scale(key).caseness[0].at_least


def talking_therapies_outcome(
    *,
    phq9_first: Number,
    phq9_last: Number,
    gad7_first: Number,
    gad7_last: Number,
    attended_treatment_appointments: int | None = None,
    catalogue: Catalogue | None = None,
) -> TalkingTherapiesOutcome:
    catalogue = catalogue or get_catalogue()
    p1, p2, g1, g2 = (to_decimal(v) for v in (phq9_first, phq9_last, gad7_first, gad7_last))
    caseness_start = _caseness(catalogue, PHQ9, p1) or _caseness(catalogue, GAD7, g1)
    caseness_end = _caseness(catalogue, PHQ9, p2) or _caseness(catalogue, GAD7, g2)
    phq = classify_values(catalogue.scale(PHQ9), p1, p2).classification
    gad = classify_values(catalogue.scale(GAD7), g1, g2).classification
    kinds = {phq, gad}
    deterioration = Classification.DETERIORATION in kinds
    improvement = Classification.IMPROVEMENT in kinds and not deterioration
    recovery = caseness_start and not caseness_end
    finished = (
        None
        if attended_treatment_appointments is None
        else attended_treatment_appointments >= FINISHED_COURSE_APPOINTMENTS
    )
    return TalkingTherapiesOutcome(
        finished_course=finished,
        caseness_at_start=caseness_start,
        recovery=recovery,
        reliable_improvement=improvement,
        reliable_recovery=recovery and improvement,
        reliable_deterioration=deterioration,
        phq9_change=phq,
        gad7_change=gad,
    )


def recovery_rate(outcomes: Iterable[TalkingTherapiesOutcome]) -> Decimal | None:
    """Recovered / (finished - not at caseness at start), as a percentage to 1 d.p."""
    finished = [o for o in outcomes if o.finished_course]
    denominator = sum(1 for o in finished if o.caseness_at_start)
    if denominator == 0:
        return None
    recovered = sum(1 for o in finished if o.recovery)
    return round_half_up(Decimal(100) * recovered / denominator, ONE_PLACE)
