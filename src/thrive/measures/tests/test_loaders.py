"""Service-supplied configuration: item text, conversion tables; experience reporting."""

import json
from decimal import Decimal

import pytest

from thrive.measures.engine import (
    InvalidConfiguration,
    UnknownItem,
    UnknownMeasure,
    chi_esq_most_positive,
    collaborate_summary,
    collaborate_top_score,
    load_conversion_table,
    load_item_text,
)


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_item_text_loads_a_services_own_text(tmp_path):
    path = write(tmp_path, "text.json", {"phq9": {"1": "Service text one"}, "gad7": {"7": "Seven"}})
    text = load_item_text(path)
    assert text["phq9"][1] == "Service text one" and text["gad7"][7] == "Seven"


@pytest.mark.parametrize(
    "data, error",
    [
        ({"nope": {"1": "x"}}, UnknownMeasure),
        ({"phq9": {"11": "x"}}, UnknownItem),
        ({"phq9": {"one": "x"}}, UnknownItem),
        ({"phq9": {"1": ""}}, InvalidConfiguration),
        ([], InvalidConfiguration),
    ],
)
def test_item_text_is_checked_against_the_catalogue(tmp_path, data, error):
    with pytest.raises(error):
        load_item_text(write(tmp_path, "text.json", data))


def test_swemwbs_conversion_table_is_loadable(tmp_path):
    table = {str(raw): f"{raw * 1.5:.2f}" for raw in range(7, 36)}  # made-up numbers
    path = write(tmp_path, "swemwbs.json", {"measure": "swemwbs", "scale": "total",
                                            "name": "metric", "table": table})  # fmt: skip
    conversion = load_conversion_table(path)
    assert conversion.convert(20) == Decimal("30.00")
    assert conversion.convert(None) is None
    with pytest.raises(InvalidConfiguration):
        conversion.convert(Decimal("20.5"))


def test_conversion_table_must_cover_the_whole_range(tmp_path):
    path = write(tmp_path, "bad.json", {"measure": "swemwbs", "scale": "total",
                                        "table": {"7": 7}})  # fmt: skip
    with pytest.raises(InvalidConfiguration):
        load_conversion_table(path)


def test_chi_esq_percentage_most_positive_ignores_dont_know():
    completions = [{1: 1, 2: 2}, {1: 2, 2: 9}, {1: 1, 2: None}, {1: 9}]
    rates = chi_esq_most_positive("chi_esq_parent", completions)
    assert rates[1] == Decimal("66.7") and rates[2] == Decimal("0.0") and rates[3] is None


def test_collaborate_top_score_needs_25_completed_encounters():
    top = {1: 9, 2: 9, 3: 9}
    few = collaborate_summary([top] * 24 + [{1: 9, 2: 9}])
    assert few.completed_encounters == 24 and few.top_score_percent is None
    assert few.mean_score == 9
    many = collaborate_summary([top] * 20 + [{1: 9, 2: 9, 3: 6}] * 5)
    assert many.top_score_percent == Decimal("80.0")
    assert many.mean_score == (Decimal(20 * 9) + 5 * Decimal(24) / 3) / 25


def test_collaborate_top_score_per_encounter():
    assert collaborate_top_score({1: 9, 2: 9, 3: 9}) is True
    assert collaborate_top_score({1: 9, 2: 8, 3: 9}) is False
    assert collaborate_top_score({1: 9, 2: None, 3: 9}) is None  # not a completed encounter
    assert collaborate_top_score({1: 9, 3: 9}) is None
