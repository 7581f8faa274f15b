"""Item-level SNOMED values for measures coded per item but not scored (Current View)."""

from collections.abc import Mapping
from dataclasses import dataclass

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue
from .scoring import check_responses


@dataclass(frozen=True)
class CodedItemValue:
    item: int
    value: int
    snomed_concept_id: str


def coded_items(
    measure_id: str, responses: Mapping[int, int | None], *, catalogue: Catalogue | None = None
) -> list[CodedItemValue]:
    """Answered, codable items with their concept ids ("not known" and uncoded items left out)."""
    measure = (catalogue or get_catalogue()).measure(measure_id)
    check_responses(measure, responses)
    out = []
    for n, r in sorted(responses.items()):
        item = measure.items[n]
        if r is None or item.snomed is None or r in item.unscored_responses:
            continue
        out.append(CodedItemValue(n, r, item.snomed.concept_id))
    return out
