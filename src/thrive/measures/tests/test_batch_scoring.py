"""The NumPy batch path gives the scalar path's results."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.measures.engine import (
    MISSING,
    DuplicateResponse,
    ResponseOutOfRange,
    UnknownItem,
    item_columns,
    score,
    score_batch,
    score_batch_long,
    score_batch_mixed,
)

from .strategies import SCORED_MEASURES, completion


def wide(measure_id, rows):
    cols = item_columns(measure_id)
    return np.array(
        [[MISSING if r.get(n) is None else r[n] for n in cols] for r in rows], dtype=np.int16
    ).reshape(len(rows), len(cols))


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(SCORED_MEASURES), st.data())
def test_batch_equals_scalar(measure_id, data):
    rows = data.draw(st.lists(completion(measure_id), min_size=1, max_size=12))
    batch = score_batch(measure_id, wide(measure_id, [r for _, _, r in rows]))
    for i, (_, rater, responses) in enumerate(rows):
        for result in score(measure_id, responses, rater=rater):
            got = batch[result.scale_id]
            assert bool(got.missing[i]) == result.missing, result
            assert bool(got.prorated[i]) == result.prorated, result
            if result.n_answered is not None:
                assert int(got.n_answered[i]) == result.n_answered
            if not result.missing:
                assert math.isclose(got.value[i], float(result.value), rel_tol=0, abs_tol=1e-9)


def test_batch_risk_flags():
    rows = [{n: 0 for n in range(1, 10)} | {9: 2}, {n: 0 for n in range(1, 10)}]
    batch = score_batch("phq9", wide("phq9", rows))
    assert batch.risk_flags[9].tolist() == [True, False]


def test_long_table_pivots_and_scores_in_completion_id_order():
    ids = np.array([7, 7, 7, 3, 3, 3, 3, 3, 3, 3])
    items = np.array([1, 2, 3, 1, 2, 3, 4, 5, 6, 7])
    responses = np.array([1, 1, 1, 3, 3, 3, 3, 3, 3, 3])
    result = score_batch_long("gad7", ids, items, responses)
    assert result.completion_ids.tolist() == [3, 7]
    assert result["total"].value[0] == 21 and result["total"].missing[1]


def test_mixed_long_table():
    ids = np.array([1] * 7 + [2] * 9)
    measures = np.array(["gad7"] * 7 + ["phq9"] * 9)
    items = np.array(list(range(1, 8)) + list(range(1, 10)))
    responses = np.ones(16, dtype=np.int16)
    out = score_batch_mixed(ids, measures, items, responses)
    assert out["gad7"]["total"].value.tolist() == [7.0]
    assert out["phq9"]["total"].value.tolist() == [9.0]


def test_batch_bad_input():
    with pytest.raises(ResponseOutOfRange, match="completion 5 item 2: response 4"):
        score_batch_long("gad7", np.array([5, 5]), np.array([1, 2]), np.array([0, 4]))
    with pytest.raises(UnknownItem):
        score_batch_long("gad7", np.array([5]), np.array([8]), np.array([0]))
    with pytest.raises(DuplicateResponse):
        score_batch_long("gad7", np.array([5, 5]), np.array([1, 1]), np.array([0, 1]))
    with pytest.raises(ValueError):
        score_batch("gad7", np.zeros((2, 3), dtype=np.int16))
