"""Vectorised scoring of many stored completions with NumPy.

Same rules as scoring.score (the tests check they agree) but one array operation per scale
instead of a Python loop per completion. Raw scores only: no T-scores, bands or caseness.
Responses are small integers with MISSING (-1) for "not answered".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue, Measure
from .errors import DuplicateResponse, ResponseOutOfRange, UnknownItem

MISSING = -1
_UNSCORED = -1  # a valid answer that carries no score ("don't know")
_INVALID = -2


@dataclass(frozen=True)
class BatchScale:
    value: np.ndarray  # float64; NaN where missing
    n_answered: np.ndarray  # int32
    prorated: np.ndarray  # bool

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.value)


@dataclass(frozen=True)
class BatchResult:
    measure_id: str
    completion_ids: np.ndarray | None
    scales: dict[str, BatchScale]
    risk_flags: dict[int, np.ndarray]  # risk item -> bool per completion

    def __getitem__(self, scale_id: str) -> BatchScale:
        return self.scales[scale_id]

    def __len__(self) -> int:
        first = next(iter(self.scales.values()), None)
        return 0 if first is None else len(first.value)


@dataclass(frozen=True)
class _Plan:
    item_numbers: tuple[int, ...]
    lut: np.ndarray  # (n_items, max_response + 2): column r + 1 holds the score of response r


def item_columns(measure_id: str, *, catalogue: Catalogue | None = None) -> tuple[int, ...]:
    """The item number of each column of a wide response array."""
    return _plan((catalogue or get_catalogue()).measure(measure_id)).item_numbers


@cache
def _plan(measure: Measure) -> _Plan:
    numbers = tuple(sorted(measure.items))
    top = max((max([i.max, *i.unscored_responses]) for i in measure.items.values()), default=0)
    lut = np.full((len(numbers), top + 2), _INVALID, dtype=np.int16)
    for col, n in enumerate(numbers):
        item = measure.items[n]
        lut[col, 0] = MISSING
        for r in range(item.min, item.max + 1):
            lut[col, r + 1] = item.score(r)  # reversal and score maps folded in once
        for r in item.unscored_responses:
            lut[col, r + 1] = _UNSCORED
    return _Plan(numbers, lut)


def score_batch(
    measure_id: str,
    responses: np.ndarray,
    *,
    completion_ids: np.ndarray | None = None,
    catalogue: Catalogue | None = None,
) -> BatchResult:
    """Score a wide array: one row per completion, columns in ``item_columns(measure_id)``."""
    measure = (catalogue or get_catalogue()).measure(measure_id)
    plan = _plan(measure)
    responses = np.asarray(responses)
    if responses.ndim != 2 or responses.shape[1] != len(plan.item_numbers):
        raise ValueError(
            f"{measure.name}: expected shape (n, {len(plan.item_numbers)}), got {responses.shape}"
        )
    scores = _item_scores(measure, plan, responses, completion_ids)
    col = {n: i for i, n in enumerate(plan.item_numbers)}
    n_rows = responses.shape[0]
    out: dict[str, BatchScale] = {}
    for scale in measure.scales:
        if scale.is_composite:
            parts = [out[c] for c in scale.components]
            value = np.sum([p.value for p in parts], axis=0)
            prorated = np.any([p.prorated for p in parts], axis=0) & ~np.isnan(value)
            n_answered = np.sum([p.n_answered for p in parts], axis=0, dtype=np.int32)
            out[scale.id] = BatchScale(value, n_answered, prorated)
            continue
        if scale.aggregation == "entered":
            out[scale.id] = BatchScale(
                np.full(n_rows, np.nan), np.zeros(n_rows, np.int32), np.zeros(n_rows, bool)
            )
            continue
        block = scores[:, [col[n] for n in scale.items]]
        answered = block >= 0
        n_items = block.shape[1]
        n_answered = answered.sum(axis=1, dtype=np.int32)
        total = np.where(answered, block, 0).sum(axis=1, dtype=np.int64)
        ok = (n_answered > 0) & (n_answered >= n_items - scale.max_missing)
        safe_n = np.maximum(n_answered, 1)
        if scale.aggregation == "mean_times_k":
            value = float(scale.k) * total / safe_n
        else:
            # round_half_up(total * n / answered) in exact integer arithmetic.
            prorated_value = (2 * total * n_items + safe_n) // (2 * safe_n)
            value = np.where(n_answered == n_items, total, prorated_value).astype(np.float64)
        prorated = ok & (n_answered < n_items)
        value = np.where(ok, value, np.nan)
        if scale.zero_when:
            gate_item, gate_response = scale.zero_when
            gated = responses[:, col[gate_item]] == gate_response
            value = np.where(gated, 0.0, value)
            prorated &= ~gated
        out[scale.id] = BatchScale(value, n_answered, prorated)
    risk = {
        r.item: (scores[:, col[r.item]] >= 0) & (responses[:, col[r.item]] >= r.alert_when_at_least)
        for r in measure.risk_items
    }
    return BatchResult(measure.id, completion_ids, out, risk)


def _item_scores(measure, plan: _Plan, responses: np.ndarray, completion_ids) -> np.ndarray:
    r = responses.astype(np.int64, copy=False)
    in_lut = (r >= MISSING) & (r <= plan.lut.shape[1] - 2)
    scores = plan.lut[np.arange(len(plan.item_numbers))[None, :], np.where(in_lut, r + 1, 0)]
    bad = ~in_lut | (scores == _INVALID)
    if bad.any():
        row, c = (int(x[0]) for x in np.nonzero(bad))
        who = f"completion {completion_ids[row]}" if completion_ids is not None else f"row {row}"
        item = measure.items[plan.item_numbers[c]]
        raise ResponseOutOfRange(
            f"{measure.name} {who} item {item.number}: response {int(r[row, c])} is outside "
            f"{item.min}-{item.max}"
        )
    return scores


def long_to_wide(
    measure_id: str,
    completion_ids: np.ndarray,
    items: np.ndarray,
    responses: np.ndarray,
    *,
    catalogue: Catalogue | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pivot (completion_id, item, response) rows into (unique completion ids, wide array)."""
    measure = (catalogue or get_catalogue()).measure(measure_id)
    numbers = _plan(measure).item_numbers
    items = np.asarray(items, dtype=np.int64)
    column_of = np.full(max(numbers) + 2, -1, dtype=np.int64)
    column_of[list(numbers)] = np.arange(len(numbers))
    cols = column_of[np.clip(items, 0, len(column_of) - 1)]
    unknown = (items < 0) | (items >= len(column_of)) | (cols < 0)
    if unknown.any():
        raise UnknownItem(f"{measure.name} has no item {int(items[np.argmax(unknown)])}")
    ids, row = _completion_rows(np.asarray(completion_ids))
    flat = row * len(numbers) + cols
    # bincount, not unique(): linear time, and the cells array is only rows x items.
    if len(flat) and np.bincount(flat, minlength=len(ids) * len(numbers)).max() > 1:
        raise DuplicateResponse(f"{measure.name}: the same item appears twice in a completion")
    wide = np.full((len(ids), len(numbers)), MISSING, dtype=np.int16)
    wide.ravel()[flat] = responses
    return ids, wide


def _completion_rows(completion_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unique ids in sorted order, row of each input row)."""
    if len(completion_ids) and np.all(completion_ids[1:] >= completion_ids[:-1]):
        # Already ordered (ORDER BY completion_id): runs give rows without a sort.
        starts = np.concatenate(([True], completion_ids[1:] != completion_ids[:-1]))
        return completion_ids[starts], np.cumsum(starts) - 1
    return np.unique(completion_ids, return_inverse=True)


def score_batch_long(
    measure_id: str,
    completion_ids: np.ndarray,
    items: np.ndarray,
    responses: np.ndarray,
    *,
    catalogue: Catalogue | None = None,
) -> BatchResult:
    """Score a long table of one measure; results are in sorted completion-id order."""
    ids, wide = long_to_wide(measure_id, completion_ids, items, responses, catalogue=catalogue)
    return score_batch(measure_id, wide, completion_ids=ids, catalogue=catalogue)


def score_batch_mixed(
    completion_ids: np.ndarray,
    measure_ids: np.ndarray | Sequence[str],
    items: np.ndarray,
    responses: np.ndarray,
    *,
    catalogue: Catalogue | None = None,
) -> dict[str, BatchResult]:
    """Score a long table holding several measures: one BatchResult per measure."""
    names, group = np.unique(np.asarray(measure_ids), return_inverse=True)
    completion_ids, items, responses = (np.asarray(a) for a in (completion_ids, items, responses))
    out = {}
    for g, name in enumerate(names):
        rows = group == g
        out[str(name)] = score_batch_long(
            str(name), completion_ids[rows], items[rows], responses[rows], catalogue=catalogue
        )
    return out
