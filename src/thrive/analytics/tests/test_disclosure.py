import pytest

from thrive.analytics.disclosure import SUPPRESSED, suppress, suppressed_percent


@pytest.mark.parametrize("count, shown", [
    (None, None), (0, 0), (1, "*"), (2, "*"), (4, "*"), (5, 5), (6, 5), (7, 5), (8, 10), (12, 10),
    (12.5, 15), (13, 15), (17, 15), (18, 20), (102, 100), (103, 105), (1_000_002, 1_000_000),
])
def test_suppress(count, shown):
    assert suppress(count) == shown


def test_negative_is_an_error():
    with pytest.raises(ValueError):
        suppress(-1)


def test_percent_from_rounded_counts():
    assert suppressed_percent(3, 100) == SUPPRESSED
    assert suppressed_percent(10, 3) == SUPPRESSED
    assert suppressed_percent(0, 0) is None
    assert suppressed_percent(12, 48) == "20.0"   # 10 / 50, not 12 / 48
    assert suppressed_percent(0, 40) == "0.0"
