"""What scoring returns."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from .rounding import display


@dataclass(frozen=True)
class RiskAlert:
    """A risk item answered at or above its threshold: for the clinician only, never the family."""

    measure_id: str
    item: int
    response: int
    message: str
    audience: Literal["clinician"] = "clinician"


@dataclass(frozen=True)
class ScoreResult:
    measure_id: str
    scale_id: str
    scale_name: str
    rater: str
    reporting_rater: str
    value: Decimal | None  # full precision; None means missing (never 0)
    n_answered: int | None  # None for totals entered from paper
    prorated: bool
    source: Literal["items", "entered_total"]
    t_score: Decimal | None = None
    band: str | None = None
    caseness: bool | None = None
    missing_reason: str | None = None
    notes: tuple[str, ...] = ()
    risk_alerts: tuple[RiskAlert, ...] = ()
    completed_on: date | datetime | None = None
    snomed_concept_id: str | None = None

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def key(self) -> str:
        return f"{self.measure_id}/{self.scale_id}"

    @property
    def display_value(self) -> Decimal | None:
        """2 d.p., half up."""
        return display(self.value)

    @property
    def t_score_display(self) -> Decimal | None:
        return display(self.t_score)


@dataclass(frozen=True)
class CompletionScore:
    """Every scale of one completion, in catalogue order, plus the completion's risk alerts."""

    measure_id: str
    rater: str
    results: tuple[ScoreResult, ...]
    risk_alerts: tuple[RiskAlert, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[ScoreResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, scale_id: str) -> ScoreResult:
        for r in self.results:
            if r.scale_id == scale_id:
                return r
        raise KeyError(scale_id)
