"""The national CYP outcomes metric for one referral (spec 8), as a pure function.

Cohort selection and contact qualification are database queries in the app; this module
takes the referral's qualifying contacts and recorded scores and does steps 2-6.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation

from . import norms
from . import reference_tables as ref
from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue, Scale, SnomedCoding
from .errors import UnknownMeasure, UnknownScale
from .rater_rollup import REPORTING_RATERS, RaterOutcome, ScaleChange, roll_up_by_rater
from .reliable_change import DirectionMode, classify_values, not_classifiable
from .rounding import ONE_PLACE, round_half_up, to_decimal

_CATALOGUE_KEY = re.compile(r"^[a-z0-9_]+/[a-z0-9_]+$")
ATTENDED = {"5", "6"}
DIRECT_MECHANISMS = {"01", "02", "04", "11"}


def is_qualifying_contact(
    attendance: str | None, consultation_mechanism: str | None, *, indirect: bool = False
) -> bool:
    """Attended direct contact (attendance 5/6; face to face, telephone, talk type, video)
    or any indirect activity."""
    return indirect or (attendance in ATTENDED and consultation_mechanism in DIRECT_MECHANISMS)


@dataclass(frozen=True)
class Contact:
    on: date
    at: time | None = None
    id: int | str = 0


@dataclass(frozen=True)
class RecordedScore:
    """A stored scale score: ``scale`` is 'measure/scale' or a SNOMED concept id or term."""

    scale: str
    value: int | float | str | Decimal
    on: date
    id: int | str = 0
    rater: str | None = None  # needed only for measures with several raters


@dataclass(frozen=True)
class SelectedPair:
    identity: str
    first: RecordedScore | None
    last: RecordedScore | None


@dataclass(frozen=True)
class ReferralOutcome:
    contact1: Contact | None
    contact2: Contact | None
    scales: tuple[ScaleChange, ...]
    raters: dict[str, RaterOutcome]

    @property
    def assessment_any(self) -> bool:
        return any(r.assessed for r in self.raters.values())

    @property
    def paired_any(self) -> bool:
        return any(r.paired for r in self.raters.values())


def national_metric_for_referral(
    *,
    contacts: Sequence[Contact],
    discharged_on: date,
    scores: Iterable[RecordedScore],
    sex: str | None = None,
    age_at_referral: int | None = None,
    direction_mode: DirectionMode = "national",
    catalogue: Catalogue | None = None,
) -> ReferralOutcome:
    catalogue = catalogue or get_catalogue()
    ordered = sorted(
        (c for c in contacts if c.on <= discharged_on),
        key=lambda c: (c.on, c.at or time.min, str(c.id)),
    )
    contact1 = ordered[0] if ordered else None
    contact2 = ordered[1] if len(ordered) > 1 else None

    by_identity: dict[str, tuple[Scale, str, list[RecordedScore]]] = {}
    for recorded in scores:
        resolved = _in_scope_scale(catalogue, recorded)
        if resolved is None:
            continue
        scale, coding = resolved
        identity = coding.preferred_term
        value = _valid_value(coding, recorded.value)
        if value is None:
            continue
        measure = catalogue.measure(scale.measure_id)
        rater = measure.reporting_rater(recorded.rater or measure.raters[0])
        entry = by_identity.setdefault(identity, (scale, rater, []))
        entry[2].append(RecordedScore(recorded.scale, value, recorded.on, recorded.id, rater))

    changes = []
    for identity, (scale, rater, recorded) in by_identity.items():
        pair = select_first_last(identity, recorded, contact1, contact2, discharged_on)
        change = None
        if pair.first and pair.last:
            change = _classify(scale, pair, sex, age_at_referral, direction_mode)
        if pair.first:
            changes.append(
                ScaleChange(
                    identity,
                    scale.key,
                    rater,
                    contact2 is not None,
                    contact2 is not None and pair.last is not None,
                    change,
                )
            )
    return ReferralOutcome(contact1, contact2, tuple(changes), roll_up_by_rater(changes))


def select_first_last(
    identity: str,
    scores: Iterable[RecordedScore],
    contact1: Contact | None,
    contact2: Contact | None,
    discharged_on: date,
) -> SelectedPair:
    """First = earliest eligible; last = latest eligible that is not the first and is dated on
    or after Contact2. Eligible = dated from Contact1 to discharge; identical duplicates once."""
    if contact1 is None:
        return SelectedPair(identity, None, None)
    seen, eligible = set(), []
    for s in sorted(scores, key=lambda s: (s.on, str(s.id))):
        if not contact1.on <= s.on <= discharged_on or (s.on, s.value) in seen:
            continue
        seen.add((s.on, s.value))
        eligible.append(s)
    if not eligible:
        return SelectedPair(identity, None, None)
    first = eligible[0]
    later = [s for s in eligible[1:] if contact2 is not None and s.on >= contact2.on]
    return SelectedPair(identity, first, later[-1] if later else None)


def _in_scope_scale(catalogue: Catalogue, recorded: RecordedScore):
    """(scale, coding) when the scale counts nationally, else None.

    The identity is the coding the score was recorded under, so GBO's alternative code set
    stays a scale of its own, as nationally."""
    try:
        if _CATALOGUE_KEY.match(recorded.scale):
            scale = catalogue.scale(recorded.scale)
        else:
            scale = catalogue.scale_for_snomed(recorded.scale)
    except (UnknownScale, UnknownMeasure):
        return None
    codings = [c for c in (scale.snomed, *scale.snomed_alternatives) if c]
    coding = next(
        (c for c in codings if recorded.scale == c.preferred_term or recorded.scale in c.accepted_ids),
        scale.snomed,
    )
    if coding is None or coding.preferred_term not in ref.cyp_outcome_scales():
        return None
    return scale, coding


def _valid_value(coding: SnomedCoding, raw) -> Decimal | None:
    """Numeric and within the MHSDS table's range, else not counted."""
    try:
        value = to_decimal(raw)
    except (TypeError, ValueError, InvalidOperation):
        return None
    if not value.is_finite() or not coding.valid_lower <= value <= coding.valid_upper:
        return None
    return value


def _classify(scale: Scale, pair: SelectedPair, sex, age_at_referral, mode: DirectionMode):
    first, last = pair.first.value, pair.last.value
    if scale.change_basis == "t_score":
        # RCADS: T-scores at the age at referral, unrounded, before differencing.
        t_first, reason = norms.t_score(scale, first, sex=sex, age=age_at_referral)
        t_last, _ = norms.t_score(scale, last, sex=sex, age=age_at_referral)
        if t_first is not None and t_last is not None:
            return classify_values(scale, t_first, t_last, direction_mode=mode, basis="t_score")
        if mode == "scale":
            return not_classifiable(scale, mode, reason, "t_score")
        return classify_values(
            scale,
            first,
            last,
            direction_mode=mode,
            basis="value",
            note="No T-score: raw change against the T-score threshold.",
        )
    return classify_values(scale, first, last, direction_mode=mode)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return round_half_up(Decimal(100) * numerator / denominator, ONE_PLACE)


def published_figures(outcomes: Iterable[ReferralOutcome]) -> dict[str, object]:
    """MHS110-115 over closed referrals in the cohort (percentages to 1 d.p., half up)."""
    counted = [o for o in outcomes if o.contact2 is not None]
    figures: dict[str, object] = {
        "MHS110": len(counted),
        "MHS111": _percent(sum(o.assessment_any for o in counted), len(counted)),
        "MHS112": _percent(sum(o.paired_any for o in counted), len(counted)),
    }
    for code, rater in zip(("MHS113", "MHS114", "MHS115"), REPORTING_RATERS, strict=True):
        paired = [o.raters[rater] for o in counted if o.raters[rater].paired]
        figures[code] = {
            "rater": rater,
            "paired": len(paired),
            "improvement": _percent(sum(r.improvement for r in paired), len(paired)),
            "deterioration": _percent(sum(r.deterioration for r in paired), len(paired)),
            "no_change": _percent(sum(r.no_change for r in paired), len(paired)),
        }
    return figures
