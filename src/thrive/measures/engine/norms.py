"""RCADS T-scores from the national norm table (version, subscale, sex, age 8-17)."""

from decimal import Decimal

from . import reference_tables as ref
from .catalogue_model import Scale

NORM_SEXES = ("M", "F")
NORM_AGES = range(8, 18)


def t_score(scale: Scale, raw: Decimal, *, sex: str | None, age: int | None):
    """(T-score, None) or (None, reason). T = 50 + 10 x (raw - mean) / sd, unrounded."""
    if scale.norms != "rcads" or scale.snomed is None:
        return None, None
    if sex not in NORM_SEXES:
        return None, "No T-score: norms exist only for sex M or F."
    if age is None or age not in NORM_AGES:
        return None, "No T-score: norms exist only for ages 8 to 17."
    norm = ref.rcads_norms().get((scale.snomed.preferred_term, sex, age))
    if norm is None:
        return None, "No T-score: no norm row for this subscale, sex and age."
    return Decimal(50) + Decimal(10) * (raw - norm.mean) / norm.sd, None
