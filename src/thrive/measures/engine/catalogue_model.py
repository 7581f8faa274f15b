"""The catalogue's shape: measures -> items and scales. Built from data by catalogue_loader."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal

from .errors import UnknownItem, UnknownMeasure, UnknownScale

Direction = Literal["higher_is_worse", "higher_is_better"]
Rater = Literal["self", "parent", "teacher", "clinician"]
ReportingRater = Literal["self", "parent", "clinician"]

# National reporting has three raters: teachers count with parents and carers.
REPORTING_RATER: dict[str, ReportingRater] = {
    "self": "self",
    "parent": "parent",
    "teacher": "parent",
    "clinician": "clinician",
}


@dataclass(frozen=True)
class SnomedCoding:
    """A scale's SNOMED identity. The preferred term identifies the scale; v2 is emitted."""

    preferred_term: str
    concept_id: str  # the id to emit (v2 where one exists)
    accepted_ids: frozenset[str]  # every version's id, accepted on input
    assessment_tool: str
    valid_lower: Decimal
    valid_upper: Decimal
    displayable: bool = True  # CHI-ESQ terms contain item wording: never shown

    @property
    def display_term(self) -> str | None:
        return self.preferred_term if self.displayable else None


@dataclass(frozen=True)
class Item:
    number: int
    min: int
    max: int
    scored: bool = True
    reversed: bool = False
    score_map: Mapping[int, int] | None = None  # response -> score, when not the response itself
    unscored_responses: frozenset[int] = frozenset()  # e.g. "don't know": valid, never scored
    options: Mapping[int, str] = field(default_factory=dict)
    role: str | None = None
    snomed: SnomedCoding | None = None  # item-level code (Current View)
    decimals: int = 0  # places a response may have (ORS/CORS visual analogue: 1, e.g. 7.3)

    def is_allowed(self, response) -> bool:
        if not isinstance(response, int):
            if not self.decimals or not isinstance(response, Decimal) or not response.is_finite():
                return False
            if response.as_tuple().exponent < -self.decimals:
                return False
            return self.min <= response <= self.max
        return self.min <= response <= self.max or response in self.unscored_responses

    def score(self, response: int) -> int | None:
        """Item score for a valid response; None when the response is valid but not scored."""
        if response in self.unscored_responses:
            return None
        if self.score_map is not None:
            return self.score_map[response]
        if self.reversed:
            return self.min + self.max - response
        return response

    @property
    def score_min(self) -> int:
        return min(self.score_map.values()) if self.score_map else self.min

    @property
    def score_max(self) -> int:
        return max(self.score_map.values()) if self.score_map else self.max


@dataclass(frozen=True)
class Band:
    """Half-open [lower, upper): prorated or mean-based scores can be fractional."""

    label: str
    lower: Decimal | None
    upper: Decimal | None

    def contains(self, value: Decimal) -> bool:
        return (self.lower is None or value >= self.lower) and (self.upper is None or value < self.upper)


@dataclass(frozen=True)
class CasenessRule:
    at_least: Decimal
    sex: str | None = None
    age_from: int | None = None
    age_to: int | None = None

    @property
    def is_conditional(self) -> bool:
        return self.sex is not None or self.age_from is not None or self.age_to is not None

    def applies(self, sex: str | None, age: int | None) -> bool:
        if self.sex is not None and sex != self.sex:
            return False
        if self.age_from is not None or self.age_to is not None:
            if age is None:
                return False
            if self.age_from is not None and age < self.age_from:
                return False
            if self.age_to is not None and age > self.age_to:
                return False
        return True


@dataclass(frozen=True)
class RiskItem:
    item: int
    alert_when_at_least: int
    message: str


@dataclass(frozen=True)
class Scale:
    measure_id: str
    id: str
    name: str
    category: str  # PROM / PREM / CROM, from the measure
    aggregation: Literal["sum", "mean_times_k", "entered"]
    range_min: Decimal
    range_max: Decimal
    items: tuple[int, ...] = ()
    components: tuple[str, ...] = ()
    k: Decimal = Decimal(1)
    max_missing: int = 0
    zero_when: tuple[int, int] | None = None  # (gate item, response) that makes the score 0
    direction: Direction | None = None
    national_direction: Direction | None = None
    bands: tuple[Band, ...] = ()
    band_basis: Literal["value", "t_score"] = "value"
    caseness: tuple[CasenessRule, ...] = ()
    change_basis: Literal["value", "t_score"] = "value"
    norms: str | None = None
    rc_threshold: Decimal | None = None
    rc_threshold_source: Literal["national", "catalogue"] | None = None
    snomed: SnomedCoding | None = None
    snomed_alternatives: tuple[SnomedCoding, ...] = ()
    loinc: str | None = None
    integer_valued: bool = True

    @property
    def key(self) -> str:
        return f"{self.measure_id}/{self.id}"

    @property
    def identity(self) -> str:
        """Nationally a scale is its SNOMED preferred term; uncoded scales use the catalogue key."""
        return self.snomed.preferred_term if self.snomed else self.key

    @property
    def is_composite(self) -> bool:
        return bool(self.components)

    def direction_for(self, mode: str) -> Direction | None:
        if mode == "scale":
            return self.direction
        if mode == "national":
            return self.national_direction
        raise ValueError(f"direction_mode must be 'scale' or 'national', not {mode!r}")


@dataclass(frozen=True, eq=False)  # identity equality: hashable, so plans can be cached
class Measure:
    id: str
    family: str
    name: str
    version: str
    category: str
    raters: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    licence_summary: str
    item_text_shippable: bool
    items: Mapping[int, Item]
    scales: tuple[Scale, ...]  # components always before the composites that use them
    risk_items: tuple[RiskItem, ...] = ()
    reporting_rater_override: ReportingRater | None = None
    outcome_measure: bool = True
    loinc_panel: str | None = None
    notes: str | None = None
    most_positive_response: int | None = None
    option_mapping_confirmed: bool = True
    licence_source: str = ""  # who owns the wording and where its terms are (docs/measures-licences.md)

    def scale(self, scale_id: str) -> Scale:
        for s in self.scales:
            if s.id == scale_id:
                return s
        raise UnknownScale(f"{self.name} has no scale {scale_id!r}")

    def item(self, number: int) -> Item:
        try:
            return self.items[number]
        except KeyError:
            raise UnknownItem(
                f"{self.name} has no item {number!r} (items are {self.item_range_text()})"
            ) from None

    def item_range_text(self) -> str:
        nums = sorted(self.items)
        return f"{nums[0]}-{nums[-1]}" if nums else "none"

    def reporting_rater(self, rater: str) -> ReportingRater:
        return self.reporting_rater_override or REPORTING_RATER[rater]

    @property
    def is_experience_measure(self) -> bool:
        return self.category == "PREM"


@dataclass(frozen=True, eq=False)
class Catalogue:
    measures: Mapping[str, Measure]

    def measure(self, measure_id: str) -> Measure:
        try:
            return self.measures[measure_id]
        except KeyError:
            raise UnknownMeasure(f"unknown measure {measure_id!r}") from None

    def scale(self, key: str) -> Scale:
        """A scale by 'measure_id/scale_id'."""
        measure_id, sep, scale_id = key.partition("/")
        if not sep:
            raise UnknownScale(f"scale key must be 'measure/scale', not {key!r}")
        return self.measure(measure_id).scale(scale_id)

    @cached_property
    def _snomed_index(self) -> dict[str, Scale]:
        index: dict[str, Scale] = {}
        for measure in self.measures.values():
            for s in measure.scales:
                for coding in (s.snomed, *s.snomed_alternatives):
                    if coding:
                        index[coding.preferred_term] = s
                        index.update(dict.fromkeys(coding.accepted_ids, s))
        return index

    def scale_for_snomed(self, code_or_term: str) -> Scale:
        """The scale for a SNOMED concept id (v1 or v2) or preferred term."""
        try:
            return self._snomed_index[str(code_or_term)]
        except KeyError:
            raise UnknownScale(f"no catalogue scale has SNOMED code or term {code_or_term!r}") from None
