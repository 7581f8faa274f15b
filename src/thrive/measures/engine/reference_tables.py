"""The NHS England reference tables shipped as package data, loaded once.

They are copied byte for byte from the published files (checksums in data/SOURCES.txt; MIT
licence, (c) 2023 NHS Digital; see data/NOTICE.md). They are facts the engine needs at run time,
so they are read, not retyped.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

DATA_PACKAGE = "thrive.measures"
DATA_DIR = "data"


def read_data_text(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(DATA_DIR, name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(read_data_text(name)))
    # The source has stray spaces (e.g. "PROM "): strip every cell.
    return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]


@dataclass(frozen=True)
class CodedAssessment:
    """One row of mhsds_coded_assessments.csv: a SNOMED-coded scale MHSDS accepts."""

    category: str
    assessment_tool: str
    preferred_term: str
    concept_id: str
    snomed_version: str
    lower: Decimal
    upper: Decimal
    cypmh: bool
    rater: str


@dataclass(frozen=True)
class RcadsNorm:
    mean: Decimal
    sd: Decimal


@cache
def coded_assessments() -> tuple[CodedAssessment, ...]:
    return tuple(
        CodedAssessment(
            category=r["category"],
            assessment_tool=r["assessment_tool"],
            preferred_term=r["snomed_preferred_term"],
            concept_id=r["snomed_concept_id"],
            snomed_version=r["snomed_version"],
            lower=Decimal(r["lower_range"]),
            upper=Decimal(r["upper_range"]),
            cypmh=r["cypmh"] == "Y",
            rater=r["rater"],
        )
        for r in _rows("mhsds_coded_assessments.csv")
    )


@cache
def coded_assessments_by_term() -> dict[str, tuple[CodedAssessment, ...]]:
    """Preferred term -> its rows, v2 first (the version we emit)."""
    out: dict[str, list[CodedAssessment]] = {}
    for row in coded_assessments():
        out.setdefault(row.preferred_term, []).append(row)
    return {term: tuple(sorted(rows, key=lambda r: r.snomed_version != "v2")) for term, rows in out.items()}


@cache
def coded_assessment_by_concept_id() -> dict[str, CodedAssessment]:
    return {row.concept_id: row for row in coded_assessments()}


@cache
def national_rc_thresholds() -> dict[str, Decimal]:
    """Preferred term -> reliable change threshold (RCADS in T-score units)."""
    return {
        r["snomed_preferred_term"]: Decimal(r["threshold"]) for r in _rows("reliable_change_thresholds.csv")
    }


@cache
def national_directions() -> dict[str, str]:
    """Assessment tool -> 'Positive' (higher is better) or 'Negative' (higher is worse)."""
    return {r["assessment_tool"]: r["direction"] for r in _rows("score_direction.csv")}


@cache
def rcads_norms() -> dict[tuple[str, str, int], RcadsNorm]:
    """(preferred term, sex M/F, age) -> norm mean and SD."""
    return {
        (r["scale"], r["sex"], int(r["age"])): RcadsNorm(Decimal(r["mean"]), Decimal(r["sd"]))
        for r in _rows("rcads_norms.csv")
    }


@cache
def cyp_outcome_scales() -> dict[str, str]:
    """Preferred term -> rater ('Self', 'Parent', 'Clinician') for scales in the national metric."""
    return {r["snomed_preferred_term"]: r["rater"] for r in _rows("cyp_outcomes_measures.csv")}
