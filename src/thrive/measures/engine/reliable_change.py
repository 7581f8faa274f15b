"""Reliable change (Jacobson-Truax) and the classification of a first/last pair (spec 5-6)."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue, Direction, Scale
from .results import ScoreResult
from .rounding import to_decimal

DirectionMode = Literal["scale", "national"]
Number = int | float | str | Decimal


class Classification(StrEnum):
    IMPROVEMENT = "improvement"
    DETERIORATION = "deterioration"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    NOT_CLASSIFIABLE = "not_classifiable"


@dataclass(frozen=True)
class ChangeResult:
    scale_key: str
    classification: Classification
    change: Decimal | None = None  # last - first, full precision (T-scores for RCADS)
    threshold: Decimal | None = None
    direction: Direction | None = None
    direction_mode: DirectionMode = "scale"
    basis: Literal["value", "t_score"] = "value"
    reason: str | None = None  # why not classifiable, or how it was classified


@dataclass(frozen=True)
class ClinicalCutoffs:
    a: Decimal  # 2 SD beyond the clinical mean
    b: Decimal  # 2 SD within the normal mean
    c: Decimal  # weighted midpoint between the two populations


def jacobson_truax_threshold(sd: Number, reliability: Number) -> Decimal:
    """RC = 1.96 x sqrt(2) x SD x sqrt(1 - r): the smallest change unlikely to be error."""
    sd, r = to_decimal(sd), to_decimal(reliability)
    if sd <= 0 or not Decimal(0) <= r < Decimal(1):
        raise ValueError("need SD > 0 and 0 <= reliability < 1")
    return Decimal("1.96") * Decimal(2).sqrt() * sd * (Decimal(1) - r).sqrt()


def clinical_cutoffs(
    *, clinical_mean: Number, clinical_sd: Number, normal_mean: Number, normal_sd: Number
) -> ClinicalCutoffs:
    m_clin, sd_clin = to_decimal(clinical_mean), to_decimal(clinical_sd)
    m_norm, sd_norm = to_decimal(normal_mean), to_decimal(normal_sd)
    return ClinicalCutoffs(
        a=m_clin - 2 * sd_clin,
        b=m_norm + 2 * sd_norm,
        c=(sd_clin * m_norm + sd_norm * m_clin) / (sd_clin + sd_norm),
    )


def classify_change(
    scale: Scale | str,
    first: ScoreResult | Number | None,
    last: ScoreResult | Number | None,
    *,
    direction_mode: DirectionMode = "scale",
    catalogue: Catalogue | None = None,
) -> ChangeResult:
    """Classify last versus first on one scale.

    ``first``/``last`` are ScoreResults (preferred: RCADS then uses their T-scores) or plain
    numbers, which are read in the scale's change basis (T-scores for RCADS subscales).
    """
    if isinstance(scale, str):
        scale = (catalogue or get_catalogue()).scale(scale)
    scale.direction_for(direction_mode)  # validates the mode early
    values, basis, note = _values_for_change(scale, first, last, direction_mode)
    if values is None:
        return not_classifiable(scale, direction_mode, note, basis)
    return classify_values(scale, values[0], values[1], direction_mode=direction_mode, basis=basis, note=note)


def classify_values(
    scale: Scale,
    first: Decimal,
    last: Decimal,
    *,
    direction_mode: DirectionMode = "scale",
    basis: Literal["value", "t_score"] = "value",
    note: str | None = None,
) -> ChangeResult:
    """Classify two numbers already in the basis the threshold uses."""
    if scale.category == "PREM":
        return not_classifiable(scale, direction_mode, "Experience measures are never classified.")
    direction = scale.direction_for(direction_mode)
    if scale.rc_threshold is None:
        return not_classifiable(scale, direction_mode, "No reliable change threshold.")
    if direction is None:
        return not_classifiable(scale, direction_mode, "No verified direction for this scale.")
    change = last - first
    if abs(change) < scale.rc_threshold:
        classification = Classification.NO_RELIABLE_CHANGE
    elif (change < 0) == (direction == "higher_is_worse"):
        classification = Classification.IMPROVEMENT
    else:
        classification = Classification.DETERIORATION
    return ChangeResult(
        scale_key=scale.key,
        classification=classification,
        change=change,
        threshold=scale.rc_threshold,
        direction=direction,
        direction_mode=direction_mode,
        basis=basis,
        reason=note,
    )


def _values_for_change(scale: Scale, first, last, mode: DirectionMode):
    """((first, last), basis, note) or (None, basis, reason)."""
    basis = scale.change_basis
    if first is None or last is None:
        return None, basis, "A first and a last score are both needed."
    if not isinstance(first, ScoreResult) and not isinstance(last, ScoreResult):
        return (to_decimal(first), to_decimal(last)), basis, None
    if not (isinstance(first, ScoreResult) and isinstance(last, ScoreResult)):
        raise TypeError("first and last must both be ScoreResults or both be numbers")
    if first.value is None or last.value is None:
        return None, basis, "A first and a last score are both needed."
    if basis == "t_score":
        if first.t_score is not None and last.t_score is not None:
            return (first.t_score, last.t_score), basis, None
        if mode == "national":
            # Reproduces the published figures: raw change against the T-score threshold.
            note = "No T-score: raw change compared with the T-score threshold (national mode)."
            return (first.value, last.value), "value", note
        return None, basis, "No T-score, so change on this scale cannot be classified."
    return (first.value, last.value), basis, None


def not_classifiable(scale: Scale, mode: DirectionMode, reason: str | None, basis="value"):
    return ChangeResult(
        scale_key=scale.key,
        classification=Classification.NOT_CLASSIFIABLE,
        threshold=scale.rc_threshold,
        direction=scale.direction_for(mode),
        direction_mode=mode,
        basis=basis,
        reason=reason,
    )
