"""Hypothesis strategies shared by the property tests."""

from hypothesis import strategies as st

from thrive.measures.engine import get_catalogue

CATALOGUE = get_catalogue()
SCORED_MEASURES = sorted(
    m.id for m in CATALOGUE.measures.values() if any(s.aggregation != "entered" for s in m.scales)
)


def response_for(item, *, allow_missing=True, allow_unscored=True):
    options = [st.integers(item.min, item.max)]
    if allow_missing:
        options.append(st.none())
    if allow_unscored and item.unscored_responses:
        options.append(st.sampled_from(sorted(item.unscored_responses)))
    return st.one_of(*options)


@st.composite
def completion(draw, measure_id=None, *, missing_rate=True):
    measure_id = measure_id or draw(st.sampled_from(SCORED_MEASURES))
    measure = CATALOGUE.measure(measure_id)
    responses = {n: draw(response_for(item, allow_missing=missing_rate)) for n, item in measure.items.items()}
    rater = draw(st.sampled_from(measure.raters))
    return measure_id, rater, responses
