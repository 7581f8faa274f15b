"""Builds the Catalogue from JSON data and the reference tables, checking it as it goes.

The shipped catalogue is data/catalogue.json; a service may load its own file (same schema)
to change a configurable rule, e.g. the RCADS missing-item limit, without code changes.
"""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from . import reference_tables as ref
from .catalogue_model import (
    REPORTING_RATER,
    Band,
    CasenessRule,
    Catalogue,
    Item,
    Measure,
    RiskItem,
    Scale,
    SnomedCoding,
)
from .errors import InvalidConfiguration

_DIRECTIONS = {"higher_is_worse", "higher_is_better", None}
_NATIONAL = {"Positive": "higher_is_better", "Negative": "higher_is_worse"}


@cache
def get_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return parse_catalogue(ref.read_data_text("catalogue.json"))


def load_catalogue(path: str | Path) -> Catalogue:
    """A service's own catalogue file (same schema as data/catalogue.json)."""
    return parse_catalogue(Path(path).read_text(encoding="utf-8"))


def parse_catalogue(text: str) -> Catalogue:
    data = json.loads(text, parse_float=Decimal)
    if data.get("schema_version") != 1:
        raise InvalidConfiguration("catalogue schema_version must be 1")
    measures: dict[str, Measure] = {}
    for raw in data["measures"]:
        measure = _measure(raw)
        if measure.id in measures:
            raise InvalidConfiguration(f"measure {measure.id!r} is defined twice")
        measures[measure.id] = measure
    return Catalogue(measures)


def parse_numbers(spec: Any) -> tuple[int, ...]:
    """Item numbers as a list, "1-9", "10" or "1,3,5-7"."""
    if isinstance(spec, list):
        return tuple(int(n) for n in spec)
    numbers: list[int] = []
    for part in str(spec).split(","):
        first, _, last = part.strip().partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return tuple(numbers)


def _fail(where: str, message: str) -> InvalidConfiguration:
    return InvalidConfiguration(f"{where}: {message}")


def _snomed_by_term(term: str, displayable: bool, where: str) -> SnomedCoding:
    rows = ref.coded_assessments_by_term().get(term)
    if not rows:
        raise _fail(where, f"SNOMED preferred term not in the MHSDS table: {term!r}")
    return _coding(rows, displayable)


def _snomed_by_id(concept_id: str, displayable: bool, where: str) -> SnomedCoding:
    row = ref.coded_assessment_by_concept_id().get(str(concept_id))
    if row is None:
        raise _fail(where, f"SNOMED concept id not in the MHSDS table: {concept_id}")
    return _coding(ref.coded_assessments_by_term()[row.preferred_term], displayable)


def _coding(rows, displayable: bool) -> SnomedCoding:
    emit = rows[0]  # v2 first
    return SnomedCoding(
        preferred_term=emit.preferred_term,
        concept_id=emit.concept_id,
        accepted_ids=frozenset(r.concept_id for r in rows),
        assessment_tool=emit.assessment_tool,
        valid_lower=emit.lower,
        valid_upper=emit.upper,
        displayable=displayable,
    )


def _items(raw: dict, where: str, displayable: bool) -> dict[int, Item]:
    reversed_items = set(raw.get("reversed_items", []))
    items: dict[int, Item] = {}
    for group in raw.get("items", []):
        numbers = parse_numbers(group["numbers"])
        score_map = group.get("score_map")
        snomed_ids = group.get("snomed_ids")
        if snomed_ids is not None and len(snomed_ids) != len(numbers):
            raise _fail(where, "snomed_ids must give one id per item")
        for i, n in enumerate(numbers):
            if n in items:
                raise _fail(where, f"item {n} defined twice")
            items[n] = Item(
                number=n,
                min=int(group["min"]),
                max=int(group["max"]),
                scored=group.get("scored", True),
                reversed=n in reversed_items,
                score_map={int(k): int(v) for k, v in score_map.items()} if score_map else None,
                unscored_responses=frozenset(int(x) for x in group.get("unscored_responses", [])),
                options={int(k): v for k, v in group.get("options", {}).items()},
                role=group.get("role"),
                decimals=int(group.get("decimals", 0)),
                snomed=_snomed_by_id(snomed_ids[i], displayable, f"{where} item {n}") if snomed_ids else None,
            )
    for n in reversed_items:
        if n not in items:
            raise _fail(where, f"reversed item {n} is not an item")
        if items[n].score_map:
            raise _fail(where, f"item {n} cannot be both reversed and score-mapped")
    for item in items.values():
        if item.score_map and set(item.score_map) != set(range(item.min, item.max + 1)):
            raise _fail(where, f"item {item.number} score_map must cover every response")
    return items


def _scale(raw: dict, measure: dict, items: dict[int, Item], done: dict[str, Scale]) -> Scale:
    where = f"{measure['id']}/{raw['id']}"
    displayable = measure.get("snomed_term_displayable", True)
    direction = raw.get("direction")
    if direction not in _DIRECTIONS:
        raise _fail(where, f"unknown direction {direction!r}")
    scale_items = parse_numbers(raw["items"]) if "items" in raw else ()
    components = tuple(raw.get("components", ()))
    entered_only = raw.get("entered_only", False)
    aggregation = "entered" if entered_only else raw.get("aggregation", "sum")
    k = Decimal(raw.get("k", 1))

    # Check the declared range against what the items can produce: catches typos in the data.
    for n in scale_items:
        if n not in items:
            raise _fail(where, f"item {n} is not an item of the measure")
        if not items[n].scored:
            raise _fail(where, f"item {n} is not scored")
    if components:
        for c in components:
            if c not in done:
                raise _fail(where, f"component {c!r} must be defined before the composite")
        lo = sum(done[c].range_min for c in components)
        hi = sum(done[c].range_max for c in components)
        integer_valued = all(done[c].integer_valued for c in components)
    elif aggregation == "sum":
        lo = Decimal(sum(items[n].score_min for n in scale_items))
        hi = Decimal(sum(items[n].score_max for n in scale_items))
        integer_valued = all(items[n].decimals == 0 for n in scale_items)
    elif aggregation == "mean_times_k":
        lo = k * min(items[n].score_min for n in scale_items)
        hi = k * max(items[n].score_max for n in scale_items)
        integer_valued = False
    elif aggregation == "entered":
        lo, hi = (Decimal(x) for x in raw["range"])
        integer_valued = raw.get("integer_valued", True)
    else:
        raise _fail(where, f"unknown aggregation {aggregation!r}")
    declared = tuple(Decimal(x) for x in raw["range"])
    if declared != (lo, hi):
        raise _fail(where, f"declared range {declared} but items give {(lo, hi)}")

    snomed = None
    if "snomed_term" in raw:
        snomed = _snomed_by_term(raw["snomed_term"], displayable, where)
    elif "snomed_id" in raw:
        snomed = _snomed_by_id(raw["snomed_id"], displayable, where)
    alternatives = tuple(
        _snomed_by_term(t, displayable, where) for t in raw.get("snomed_alternative_terms", ())
    )
    if snomed and not (snomed.valid_lower <= lo and hi <= snomed.valid_upper):
        raise _fail(where, f"range {lo}-{hi} exceeds the MHSDS valid range")

    threshold, source = _rc_threshold(raw, snomed, where)
    national_direction = None
    if snomed:
        national_direction = _NATIONAL.get(ref.national_directions().get(snomed.assessment_tool))

    zero_when = raw.get("zero_when")
    if zero_when and zero_when["item"] not in items:
        raise _fail(where, "zero_when item is not an item of the measure")
    return Scale(
        measure_id=measure["id"],
        id=raw["id"],
        name=raw["name"],
        category=measure["category"],
        aggregation=aggregation,
        range_min=lo,
        range_max=hi,
        items=scale_items,
        components=components,
        k=k,
        max_missing=int((raw.get("prorating") or {}).get("max_missing", 0)),
        zero_when=(int(zero_when["item"]), int(zero_when["response"])) if zero_when else None,
        direction=direction,
        national_direction=national_direction,
        bands=tuple(
            Band(b["label"], _dec(b.get("from")), _dec(b.get("below"))) for b in raw.get("bands", ())
        ),
        band_basis=raw.get("band_basis", "value"),
        caseness=tuple(
            CasenessRule(Decimal(c["at_least"]), c.get("sex"), c.get("age_from"), c.get("age_to"))
            for c in raw.get("caseness", ())
        ),
        change_basis=raw.get("change_basis", "value"),
        norms=raw.get("norms"),
        rc_threshold=threshold,
        rc_threshold_source=source,
        snomed=snomed,
        snomed_alternatives=alternatives,
        loinc=raw.get("loinc"),
        integer_valued=integer_valued,
    )


def _rc_threshold(raw: dict, snomed: SnomedCoding | None, where: str):
    """The national threshold where the term has a row; else the catalogue's (spec) number."""
    ours = _dec(raw.get("rc_threshold"))
    national = ref.national_rc_thresholds().get(snomed.preferred_term) if snomed else None
    if national is not None:
        if ours is not None and ours != national:
            raise _fail(where, f"rc_threshold {ours} disagrees with the national {national}")
        return national, "national"
    if ours is not None:
        return ours, "catalogue"
    return None, None


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _measure(raw: dict) -> Measure:
    where = raw.get("id", "<measure without id>")
    for rater in raw["raters"]:
        if rater not in REPORTING_RATER:
            raise _fail(where, f"unknown rater {rater!r}")
    displayable = raw.get("snomed_term_displayable", True)
    items = _items(raw, where, displayable)
    scales: dict[str, Scale] = {}
    for s in raw.get("scales", []):
        if s["id"] in scales:
            raise _fail(where, f"scale {s['id']!r} defined twice")
        scales[s["id"]] = _scale(s, raw, items, scales)
    risk = tuple(
        RiskItem(int(r["item"]), int(r["alert_when_at_least"]), r["message"])
        for r in raw.get("risk_items", ())
    )
    for r in risk:
        if r.item not in items:
            raise _fail(where, f"risk item {r.item} is not an item")
    age_min, age_max = raw.get("age_range", [None, None])
    licence = raw.get("licence", {})
    return Measure(
        id=raw["id"],
        family=raw.get("family", raw["id"]),
        name=raw["name"],
        version=raw.get("version", ""),
        category=raw["category"],
        raters=tuple(raw["raters"]),
        age_min=age_min,
        age_max=age_max,
        licence_summary=licence.get("summary", ""),
        licence_source=licence.get("source", ""),
        item_text_shippable=bool(licence.get("item_text_shippable", False)),
        items=items,
        scales=tuple(scales.values()),
        risk_items=risk,
        reporting_rater_override=raw.get("reporting_rater"),
        outcome_measure=raw.get("outcome_measure", True),
        loinc_panel=raw.get("loinc_panel"),
        notes=raw.get("notes"),
        most_positive_response=raw.get("most_positive_response"),
        option_mapping_confirmed=raw.get("option_mapping_confirmed", True),
    )
