"""Property tests: the invariants hold for every measure in the catalogue."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.measures.engine import Classification, classify_change, score

from .strategies import CATALOGUE, SCORED_MEASURES, completion

SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(completion(), st.sampled_from(["M", "F", None]), st.integers(4, 19))
def test_totals_are_within_the_scale_range(case, sex, age):
    measure_id, rater, responses = case
    for result in score(measure_id, responses, rater=rater, sex=sex, age=age):
        scale = CATALOGUE.measure(measure_id).scale(result.scale_id)
        if result.value is not None:
            assert scale.range_min <= result.value <= scale.range_max
            assert result.missing_reason is None
        else:
            assert result.missing_reason and not result.prorated


@st.composite
def one_item_raised(draw):
    measure_id, rater, responses = draw(completion())
    measure = CATALOGUE.measure(measure_id)
    in_scales = sorted({n for s in measure.scales for n in s.items})
    number = draw(st.sampled_from(in_scales))
    item = measure.items[number]
    low = draw(st.integers(item.min, item.max))
    high = draw(st.integers(low, item.max))
    return measure_id, rater, responses, number, low, high


@SETTINGS
@given(one_item_raised())
def test_scores_are_monotonic_in_each_item_and_antitone_in_reversed_items(case):
    measure_id, rater, responses, number, low, high = case
    before = score(measure_id, responses | {number: low}, rater=rater)
    after = score(measure_id, responses | {number: high}, rater=rater)
    reversed_item = CATALOGUE.measure(measure_id).items[number].reversed
    for a, b in zip(before, after, strict=True):
        if a.value is None or b.value is None:
            assert a.missing == b.missing  # same items answered either way
            continue
        assert (b.value <= a.value) if reversed_item else (b.value >= a.value)


@SETTINGS
@given(st.data())
def test_reversal_is_an_involution(data):
    reversed_items = [i for m in CATALOGUE.measures.values() for i in m.items.values() if i.reversed]
    item = data.draw(st.sampled_from(reversed_items))
    response = data.draw(st.integers(item.min, item.max))
    flip = item.min + item.max - response
    assert item.min + item.max - flip == response
    assert item.score(flip) == response  # answering the flipped response scores the original


PRORATED_SCALES = [
    (m.id, s.id)
    for m in CATALOGUE.measures.values()
    for s in m.scales
    if s.items and s.aggregation != "entered" and not s.zero_when
]


@SETTINGS
@given(st.sampled_from(PRORATED_SCALES), st.data())
def test_prorating_edge_allowed_missing_versus_one_more(scale_ref, data):
    measure_id, scale_id = scale_ref
    measure = CATALOGUE.measure(measure_id)
    scale = measure.scale(scale_id)
    if scale.max_missing >= len(scale.items):
        return
    order = data.draw(st.permutations(scale.items))
    answers = {n: data.draw(st.integers(measure.items[n].min, measure.items[n].max)) for n in scale.items}
    allowed = answers | {n: None for n in order[: scale.max_missing]}
    one_more = answers | {n: None for n in order[: scale.max_missing + 1]}
    rater = measure.raters[0]
    ok = score(measure_id, allowed, rater=rater)[scale_id]
    assert ok.value is not None
    assert ok.prorated == (scale.max_missing > 0)
    assert ok.n_answered == len(scale.items) - scale.max_missing
    assert score(measure_id, one_more, rater=rater)[scale_id].missing


CLASSIFIABLE = [
    s
    for m in CATALOGUE.measures.values()
    for s in m.scales
    if s.rc_threshold is not None and s.category != "PREM"
]
SWAP = {
    Classification.IMPROVEMENT: Classification.DETERIORATION,
    Classification.DETERIORATION: Classification.IMPROVEMENT,
    Classification.NO_RELIABLE_CHANGE: Classification.NO_RELIABLE_CHANGE,
    Classification.NOT_CLASSIFIABLE: Classification.NOT_CLASSIFIABLE,
}


@SETTINGS
@given(st.sampled_from(CLASSIFIABLE), st.data(), st.sampled_from(["scale", "national"]))
def test_swapping_first_and_last_swaps_improvement_and_deterioration(scale, data, mode):
    lo, hi = float(scale.range_min), float(scale.range_max)
    if scale.change_basis == "t_score":
        lo, hi = 20.0, 120.0
    values = st.decimals(Decimal(str(lo)), Decimal(str(hi)), places=2)
    first, last = data.draw(values), data.draw(values)
    forward = classify_change(scale, first, last, direction_mode=mode)
    backward = classify_change(scale, last, first, direction_mode=mode)
    assert backward.classification is SWAP[forward.classification]
    if forward.change is not None:
        assert backward.change == -forward.change


def test_every_scored_measure_is_exercised():
    assert {"phq9", "sdq_parent", "core10", "rcads47_child", "gbo"} <= set(SCORED_MEASURES)
