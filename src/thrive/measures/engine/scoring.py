"""Scores one completion of a measure from item responses and/or totals entered from paper.

One generic routine for every measure: the catalogue says which items make which scale, how
missing items are handled and how results are banded.
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from . import norms
from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue, Measure, Scale
from .errors import (
    ConflictingInput,
    EnteredTotalOutOfRange,
    RaterNotAvailable,
    ResponseOutOfRange,
)
from .results import CompletionScore, RiskAlert, ScoreResult
from .rounding import round_half_up, to_decimal

Responses = Mapping[int, int | None]


def score(
    measure_id: str,
    responses: Responses,
    *,
    rater: str,
    age: int | None = None,
    sex: str | None = None,
    completed_on: date | datetime | None = None,
    entered_totals: Mapping[str, int | float | str | Decimal] | None = None,
    catalogue: Catalogue | None = None,
) -> CompletionScore:
    """Score every scale of one completion.

    ``responses`` maps item number -> response (None = not answered). ``entered_totals`` maps
    scale id -> a total copied from a paper form. ``age`` and ``sex`` ('M'/'F') feed RCADS
    T-scores and age/sex-specific cut-offs; pass age at completion for display.
    Raises a MeasureError (a ValueError) for any bad input.
    """
    measure = (catalogue or get_catalogue()).measure(measure_id)
    if rater not in measure.raters:
        raise RaterNotAvailable(
            f"{measure.name} has no {rater!r} version (raters: {', '.join(measure.raters)})"
        )
    check_responses(measure, responses)
    entered = _check_entered_totals(measure, responses, entered_totals or {})
    item_scores = {n: measure.items[n].score(r) for n, r in responses.items() if r is not None}
    reporting_rater = measure.reporting_rater(rater)

    results: dict[str, ScoreResult] = {}
    all_alerts = _risk_alerts(measure, responses, measure.items)
    for scale in measure.scales:
        if scale.id in entered:
            value, n_answered, prorated, source, reason, notes = (
                entered[scale.id],
                None,
                False,
                "entered_total",
                None,
                (),
            )
        elif scale.is_composite:
            value, n_answered, prorated, source, reason, notes = _composite(scale, results)
        elif scale.aggregation == "entered":
            value, n_answered, prorated, source, reason, notes = (
                None,
                None,
                False,
                "entered_total",
                "Enter the score from the paper form.",
                (),
            )
        else:
            value, n_answered, prorated, reason, notes = _from_items(scale, responses, item_scores)
            source = "items"
        t, band, caseness, derived_notes = _derived(scale, value, sex=sex, age=age)
        results[scale.id] = ScoreResult(
            measure_id=measure.id,
            scale_id=scale.id,
            scale_name=scale.name,
            rater=rater,
            reporting_rater=reporting_rater,
            value=value,
            n_answered=n_answered,
            prorated=prorated,
            source=source,
            t_score=t,
            band=band,
            caseness=caseness,
            missing_reason=reason,
            notes=tuple(notes) + derived_notes,
            risk_alerts=tuple(a for a in all_alerts if a.item in scale.items),
            completed_on=completed_on,
            snomed_concept_id=scale.snomed.concept_id if scale.snomed else None,
        )
    return CompletionScore(
        measure_id=measure.id,
        rater=rater,
        results=tuple(results.values()),
        risk_alerts=all_alerts,
        notes=_completion_notes(measure, age),
    )


def check_responses(measure: Measure, responses: Responses) -> None:
    for number, response in responses.items():
        item = measure.item(number)  # raises UnknownItem
        if response is None:
            continue
        if isinstance(response, bool) or not isinstance(response, int | Decimal) or (
                isinstance(response, Decimal) and not item.decimals):
            raise ResponseOutOfRange(
                f"{measure.name} item {number}: response must be a whole number, not {response!r}"
            )
        if not item.is_allowed(response):
            extra = sorted(item.unscored_responses)
            allowed = f"{item.min}-{item.max}" + (f" or {extra}" if extra else "") + (
                f" with at most {item.decimals} decimal place" if item.decimals else "")
            raise ResponseOutOfRange(
                f"{measure.name} item {number}: response {response} is outside {allowed}"
            )


def _leaf_items(measure: Measure, scale: Scale) -> set[int]:
    items = set(scale.items)
    for c in scale.components:
        items |= _leaf_items(measure, measure.scale(c))
    return items


def _check_entered_totals(measure, responses, entered_totals) -> dict[str, Decimal]:
    checked: dict[str, Decimal] = {}
    for scale_id, raw in entered_totals.items():
        scale = measure.scale(scale_id)  # raises UnknownScale
        if raw is None:
            continue
        try:
            value = to_decimal(raw)
        except (TypeError, ArithmeticError) as exc:
            raise EnteredTotalOutOfRange(
                f"{measure.name} {scale.name}: entered total {raw!r} is not a number"
            ) from exc
        if not value.is_finite() or not scale.range_min <= value <= scale.range_max:
            raise EnteredTotalOutOfRange(
                f"{measure.name} {scale.name}: entered total {raw} is outside "
                f"{scale.range_min}-{scale.range_max}"
            )
        if scale.integer_valued and value != value.to_integral_value():
            raise EnteredTotalOutOfRange(
                f"{measure.name} {scale.name}: entered total {raw} must be a whole number"
            )
        answered = [n for n in _leaf_items(measure, scale) if responses.get(n) is not None]
        if answered:
            raise ConflictingInput(
                f"{measure.name} {scale.name}: both an entered total and item responses "
                f"(items {sorted(answered)}) were given"
            )
        checked[scale_id] = value
    _check_totals_agree(measure, checked)
    return checked


def _check_totals_agree(measure: Measure, entered: dict[str, Decimal]) -> None:
    """A paper total that contradicts its own subscales (SDQ 5+5+5+5 with total 30; RCADS total
    anxiety below the sum of its subscales) is refused: one of them was copied wrongly."""
    for scale in measure.scales:
        if scale.id not in entered or not scale.is_composite or scale.aggregation != "sum":
            continue
        given = [c for c in scale.components if c in entered]
        if not given:
            continue
        parts = sum((entered[c] for c in given), Decimal(0))
        names = " + ".join(measure.scale(c).name for c in given)
        if len(given) == len(scale.components) and parts != entered[scale.id]:
            raise ConflictingInput(
                f"{measure.name}: {scale.name} {entered[scale.id]} does not match {names} = "
                f"{parts}. Check the paper form and correct the total or the subscale scores")
        if parts > entered[scale.id]:
            raise ConflictingInput(
                f"{measure.name}: {scale.name} {entered[scale.id]} is less than {names} = "
                f"{parts}. Check the paper form and correct the total or the subscale scores")


def _from_items(scale: Scale, responses: Responses, item_scores: dict[int, int | None]):
    """(value, n_answered, prorated, missing_reason, notes) for an item-based scale."""
    answered = [item_scores[n] for n in scale.items if item_scores.get(n) is not None]
    n_items, n_answered = len(scale.items), len(answered)
    if scale.zero_when and responses.get(scale.zero_when[0]) == scale.zero_when[1]:
        # SDQ impact: no difficulties reported means no impact, whatever else was ticked.
        notes = ("Scored 0: no difficulties were reported.",)
        if n_answered:
            notes += ("Impact items answered after 'no difficulties' were ignored.",)
        return Decimal(0), n_answered, False, None, notes
    missing = n_items - n_answered
    if n_answered == 0:
        return None, 0, False, f"No items of {scale.name} were answered.", ()
    if missing > scale.max_missing:
        allowed = (
            "no item may be missing"
            if scale.max_missing == 0
            else f"at most {scale.max_missing} may be missing"
        )
        reason = f"{missing} of {n_items} items missing; {allowed}."
        return None, n_answered, False, reason, ()
    total = Decimal(sum(answered))
    if scale.aggregation == "mean_times_k":
        value = scale.k * total / n_answered
    elif missing:
        # Prorate: the mean of answered items times the item count, rounded half up.
        value = round_half_up(total * n_items / n_answered)
    else:
        value = total
    return value, n_answered, missing > 0, None, ()


def _composite(scale: Scale, results: dict[str, ScoreResult]):
    parts = [results[c] for c in scale.components]
    missing = [p.scale_name for p in parts if p.value is None]
    n_answered = None if any(p.n_answered is None for p in parts) else sum(p.n_answered for p in parts)
    source = "entered_total" if any(p.source == "entered_total" for p in parts) else "items"
    if missing:
        reason = f"Missing because {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing."
        return None, n_answered, False, source, reason, ()
    value = sum((p.value for p in parts), Decimal(0))
    return value, n_answered, any(p.prorated for p in parts), source, None, ()


def _derived(scale: Scale, value: Decimal | None, *, sex, age):
    """T-score, band, caseness and the notes explaining any that could not be given."""
    if value is None:
        return None, None, None, ()
    notes: list[str] = []
    t, t_note = norms.t_score(scale, value, sex=sex, age=age)
    if t_note:
        notes.append(t_note)
    basis = t if scale.band_basis == "t_score" else value
    band = None
    if scale.bands and basis is not None:
        band = next((b.label for b in scale.bands if b.contains(basis)), None)
    caseness = None
    if scale.caseness:
        rule = next((r for r in scale.caseness if r.applies(sex, age)), None)
        if rule is None:
            notes.append("No caseness cut-off for this sex and age.")
        else:
            caseness = value >= rule.at_least
    return t, band, caseness, tuple(notes)


def _risk_alerts(measure: Measure, responses: Responses, items) -> tuple[RiskAlert, ...]:
    alerts = []
    for risk in measure.risk_items:
        response = responses.get(risk.item)
        if (
            response is not None
            and response not in items[risk.item].unscored_responses
            and response >= risk.alert_when_at_least
        ):
            alerts.append(RiskAlert(measure.id, risk.item, response, risk.message))
    return tuple(alerts)


def _completion_notes(measure: Measure, age: int | None) -> tuple[str, ...]:
    notes = []
    if not measure.scales:
        notes.append(f"{measure.name} is not scored.")
    if age is not None and (
        (measure.age_min is not None and age < measure.age_min)
        or (measure.age_max is not None and age > measure.age_max)
    ):
        notes.append(
            f"Age {age} is outside the measure's age range ({measure.age_min or ''}-{measure.age_max or ''})."
        )
    return tuple(notes)
