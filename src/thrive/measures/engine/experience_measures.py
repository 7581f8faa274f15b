"""Unit-level reporting for experience measures (CHI-ESQ, CollaboRATE); never classified."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue
from .rounding import ONE_PLACE, round_half_up

COLLABORATE_TOP = 9
COLLABORATE_MIN_ENCOUNTERS = 25


def chi_esq_most_positive(
    measure_id: str,
    completions: Iterable[Mapping[int, int | None]],
    *,
    catalogue: Catalogue | None = None,
) -> dict[int, Decimal | None]:
    """Per item: % choosing the most positive option among scored answers (1 d.p.)."""
    measure = (catalogue or get_catalogue()).measure(measure_id)
    best = measure.most_positive_response
    counts = {n: [0, 0] for n in measure.items}
    for responses in completions:
        for n, r in responses.items():
            item = measure.item(n)
            if r is None or r in item.unscored_responses:
                continue  # "don't know" is not a scored answer
            counts[n][1] += 1
            counts[n][0] += r == best
    return {
        n: round_half_up(Decimal(100) * hit / total, ONE_PLACE) if total else None
        for n, (hit, total) in counts.items()
    }


@dataclass(frozen=True)
class CollaborateSummary:
    completed_encounters: int
    top_score_percent: Decimal | None  # None below the reporting minimum
    mean_score: Decimal | None


COLLABORATE_ITEMS = (1, 2, 3)


def collaborate_top_score(responses: Mapping[int, int | None]) -> bool | None:
    """One encounter: None when it is not completed (an item unanswered); otherwise whether it
    is a top score (every item answered COLLABORATE_TOP)."""
    values = [responses.get(n) for n in COLLABORATE_ITEMS]
    if any(v is None for v in values):
        return None
    return all(v == COLLABORATE_TOP for v in values)


def collaborate_summary(encounters: Iterable[Mapping[int, int | None]]) -> CollaborateSummary:
    """Top score = % of completed encounters (all 3 answered) with every item 9, reported
    only from 25 completed encounters; mean score = mean of encounter item means (0-9)."""
    verdicts = [(e, collaborate_top_score(e)) for e in encounters]
    completed = [[e[i] for i in COLLABORATE_ITEMS] for e, top in verdicts if top is not None]
    n = len(completed)
    top = sum(1 for _, is_top in verdicts if is_top)
    mean = sum((Decimal(sum(e)) / 3 for e in completed), Decimal(0)) / n if n else None
    return CollaborateSummary(
        completed_encounters=n,
        top_score_percent=round_half_up(Decimal(100) * top / n, ONE_PLACE)
        if n >= COLLABORATE_MIN_ENCOUNTERS
        else None,
        mean_score=mean,
    )
