"""Scoring rules and bad input beyond the worked examples."""

from decimal import Decimal

import pytest

from thrive.measures.engine import (
    ConflictingInput,
    EnteredTotalOutOfRange,
    MeasureError,
    RaterNotAvailable,
    ResponseOutOfRange,
    UnknownItem,
    UnknownMeasure,
    UnknownScale,
    coded_items,
    display,
    score,
)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: score("nope", {}, rater="self"), UnknownMeasure),
        (lambda: score("phq9", {11: 1}, rater="self"), UnknownItem),
        (lambda: score("phq9", {1: 4}, rater="self"), ResponseOutOfRange),
        (lambda: score("phq9", {1: -1}, rater="self"), ResponseOutOfRange),
        (lambda: score("phq9", {1: True}, rater="self"), ResponseOutOfRange),
        (lambda: score("phq9", {1: 1.5}, rater="self"), ResponseOutOfRange),
        (lambda: score("phq9", {}, rater="parent"), RaterNotAvailable),
        (lambda: score("phq9", {}, rater="self", entered_totals={"total": 28}), EnteredTotalOutOfRange),
        (lambda: score("phq9", {}, rater="self", entered_totals={"total": "12.5"}), EnteredTotalOutOfRange),
        (lambda: score("phq9", {}, rater="self", entered_totals={"total": "abc"}), EnteredTotalOutOfRange),
        (lambda: score("phq9", {}, rater="self", entered_totals={"sum": 3}), UnknownScale),
        (lambda: score("phq9", {1: 1}, rater="self", entered_totals={"total": 3}), ConflictingInput),
    ],
)  # fmt: skip
def test_bad_input_raises_a_specific_value_error(call, error):
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, MeasureError) and isinstance(caught.value, ValueError)
    assert str(caught.value)


def test_messages_say_what_is_wrong():
    with pytest.raises(ResponseOutOfRange, match="item 1: response 4 is outside 0-3"):
        score("phq9", {1: 4}, rater="self")
    with pytest.raises(RaterNotAvailable, match="raters: self"):
        score("phq9", {}, rater="clinician")


def test_phq9_allows_no_missing_items_and_never_scores_missing_as_zero():
    result = score("phq9", {n: 1 for n in range(1, 9)}, rater="self")["total"]
    assert result.value is None and result.missing
    assert result.missing_reason == "1 of 9 items missing; no item may be missing."
    assert result.band is None and result.caseness is None


def test_phq9_item_10_is_recorded_not_scored():
    responses = {n: 0 for n in range(1, 10)} | {10: 3}
    assert score("phq9", responses, rater="self")["total"].value == 0


def test_risk_alert_for_phq9_item_9_only_when_above_zero():
    quiet = score("phq9", {n: 0 for n in range(1, 10)}, rater="self")
    assert quiet.risk_alerts == () and quiet["total"].risk_alerts == ()
    loud = score("phq9", {9: 1}, rater="self")
    assert loud.risk_alerts[0].item == 9 and loud.risk_alerts[0].audience == "clinician"
    assert loud["total"].risk_alerts == loud.risk_alerts  # alerts even when the total is missing


def test_entered_total_is_scored_and_banded_like_items():
    result = score("gad7", {}, rater="self", entered_totals={"total": 9})["total"]
    assert (result.value, result.source, result.band, result.caseness) == (9, "entered_total", "mild", True)
    assert result.n_answered is None


def test_composite_from_entered_components():
    entered = {"emotional": 5, "conduct": 3, "hyperactivity": 6, "peer_problems": 2}
    result = score("sdq_parent", {}, rater="parent", entered_totals=entered)
    total = result["total_difficulties"]
    assert (total.value, total.source, total.band) == (16, "entered_total", "borderline")
    assert result["externalising"].value == 9 and result["internalising"].value == 7


def test_composite_is_prorated_if_any_component_is():
    responses = {n: 1 for n in range(1, 26)} | {3: None}
    result = score("sdq_parent", responses, rater="parent")
    assert result["emotional"].prorated and not result["conduct"].prorated
    assert result["total_difficulties"].prorated
    assert result["internalising"].prorated and not result["externalising"].prorated


def test_composite_is_missing_if_any_component_is():
    responses = {n: 1 for n in range(1, 26)} | {3: None, 8: None, 13: None}
    result = score("sdq_parent", responses, rater="parent")
    assert result["emotional"].missing
    assert result["total_difficulties"].missing
    assert "Emotional symptoms is missing" in result["total_difficulties"].missing_reason


def test_sdq_prorating_edges():
    two_missing = score("sdq_self", {1: 2, 4: 2, 9: 1}, rater="self")["prosocial"]
    assert two_missing.value == 8 and two_missing.prorated  # 5 / 3 x 5 = 8.33
    three_missing = score("sdq_self", {1: 2, 4: 2}, rater="self")["prosocial"]
    assert three_missing.missing


def test_prorating_rounds_half_up_not_to_even():
    # 2 on 4 items -> 2.5 -> 3 (Python's round would give 2)
    result = score("sdq_self", {1: 1, 4: 1, 9: 0, 17: 0}, rater="self")["prosocial"]
    assert result.value == 3


def test_sdq_impact_zero_when_no_difficulties_else_missing_if_any_item_missing():
    none = score("sdq_parent", {26: 0}, rater="parent")["impact"]
    assert none.value == 0 and not none.missing
    some = score("sdq_parent", {26: 2, 27: 3, 28: 2, 29: 1, 30: 0, 31: 3}, rater="parent")["impact"]
    assert some.value == 2 + 1 + 0 + 0 + 2  # 0,0,1,2 mapping
    gap = score("sdq_parent", {26: 2, 27: 3, 28: 2, 29: 1, 30: 0}, rater="parent")["impact"]
    assert gap.missing


def test_sdq_teacher_impact_has_three_items():
    result = score("sdq_teacher", {26: 1, 27: 3, 28: 3, 29: 3}, rater="teacher")["impact"]
    assert result.value == 6 and result.reporting_rater == "parent"
    with pytest.raises(UnknownItem):
        score("sdq_teacher", {30: 1}, rater="teacher")


# The publisher's three-band table ("Scoring the SDQ for age 4-17"), spec section 4.4:
# rater -> scale -> (normal, borderline, abnormal) as inclusive ranges.
SDQ_BANDS = {
    "parent": {"total_difficulties": ((0, 13), (14, 16), (17, 40)), "emotional": ((0, 3), (4, 4), (5, 10)),
               "conduct": ((0, 2), (3, 3), (4, 10)), "hyperactivity": ((0, 5), (6, 6), (7, 10)),
               "peer_problems": ((0, 2), (3, 3), (4, 10)), "prosocial": ((6, 10), (5, 5), (0, 4)),
               "impact": ((0, 0), (1, 1), (2, 10))},
    "teacher": {"total_difficulties": ((0, 11), (12, 15), (16, 40)), "emotional": ((0, 4), (5, 5), (6, 10)),
                "conduct": ((0, 2), (3, 3), (4, 10)), "hyperactivity": ((0, 5), (6, 6), (7, 10)),
                "peer_problems": ((0, 3), (4, 4), (5, 10)), "prosocial": ((6, 10), (5, 5), (0, 4)),
                "impact": ((0, 0), (1, 1), (2, 6))},
    "self": {"total_difficulties": ((0, 15), (16, 19), (20, 40)), "emotional": ((0, 5), (6, 6), (7, 10)),
             "conduct": ((0, 3), (4, 4), (5, 10)), "hyperactivity": ((0, 5), (6, 6), (7, 10)),
             "peer_problems": ((0, 3), (4, 5), (6, 10)), "prosocial": ((6, 10), (5, 5), (0, 4)),
             "impact": ((0, 0), (1, 1), (2, 10))},
}


@pytest.mark.parametrize("rater", ["parent", "teacher", "self"])
def test_sdq_three_bands_follow_the_publishers_table_for_every_value(rater):
    for scale, ranges in SDQ_BANDS[rater].items():
        for label, (low, high) in zip(("normal", "borderline", "abnormal"), ranges, strict=True):
            for value in range(low, high + 1):
                result = score(f"sdq_{rater}", {}, rater=rater, entered_totals={scale: value})[scale]
                assert result.band == label, (rater, scale, value, result.band)


def test_a_prosocial_score_of_6_is_normal_not_abnormal():
    for rater in ("parent", "teacher", "self"):
        result = score(f"sdq_{rater}", {}, rater=rater, entered_totals={"prosocial": 6})["prosocial"]
        assert result.band == "normal"


def test_yp_core_caseness_depends_on_sex_and_age():
    responses = {n: 1 for n in range(1, 11)} | {3: 3, 5: 3, 10: 3}  # reversed 3 -> 1
    girl = score("yp_core", responses, rater="self", sex="F", age=12)["clinical"]
    assert girl.value == 10
    assert girl.caseness is False  # girls 11-13 cut-off 14.4
    boy = score("yp_core", responses, rater="self", sex="M", age=12)["clinical"]
    assert boy.caseness is False  # boys 11-13: 10.3
    unknown = score("yp_core", responses, rater="self")["clinical"]
    assert unknown.caseness is None and "No caseness cut-off" in unknown.notes[0]


def test_core10_bands_are_half_open_for_fractional_scores():
    # 10 x 10 / 9 = 11.11 (mild) and 10 x 9 / 9 = 10 (low); 10.99.. stays low.
    nine = {1: 1, 2: 3, 3: 3, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}  # sum 9 on 9 items
    assert score("core10", nine, rater="self")["clinical"].band == "low"
    nine[1] = 2  # sum 10 -> 11.11
    assert score("core10", nine, rater="self")["clinical"].band == "mild"


def test_core10_two_missing_is_missing():
    result = score("core10", {n: 1 for n in range(1, 9)}, rater="self")["clinical"]
    assert result.missing and result.n_answered == 8


def test_rcads_t_score_needs_sex_and_age_8_to_17():
    responses = {n: 1 for n in range(1, 48)}
    for kwargs in ({"sex": None, "age": 12}, {"sex": "M", "age": 18}, {"sex": "X", "age": 10}):
        result = score("rcads47_child", responses, rater="self", **kwargs)["depression"]
        assert result.value == 10 and result.t_score is None and result.band is None
        assert any(note.startswith("No T-score") for note in result.notes)


def test_rcads_parent_uses_parent_norms():
    responses = {n: 1 for n in range(1, 48)}
    child = score("rcads47_child", responses, rater="self", sex="F", age=10)["depression"]
    parent = score("rcads47_parent", responses, rater="parent", sex="F", age=10)["depression"]
    assert child.t_score != parent.t_score
    assert score("rcads47_child", responses, rater="self")["total_internalising"].value == 47


def test_multi_rater_measure_and_reporting_rater():
    result = score("rcads25", {n: 0 for n in range(1, 26)}, rater="parent")
    assert result["total"].value == 0 and result["total"].reporting_rater == "parent"
    gbo = score("gbo", {1: 4}, rater="parent")["goal_1"]
    assert gbo.reporting_rater == "self"
    assert score("gbo", {1: 4}, rater="self")["goal_3"].missing


def test_entered_only_scales():
    assert score("cgas", {}, rater="clinician", entered_totals={"score": 55})["score"].value == 55
    assert score("cgas", {}, rater="clinician")["score"].missing
    with pytest.raises(EnteredTotalOutOfRange):
        score("cgas", {}, rater="clinician", entered_totals={"score": 0})


def test_ors_total_and_items_take_one_decimal_place_other_sums_stay_whole():
    # ORS/CORS are marked to 0.1 cm on paper (the national threshold 6.6 assumes it): a total of
    # 33.3 and an item of 7.3 are valid; two decimal places on an item are not.
    assert score("ors", {}, rater="self", entered_totals={"total": "27.4"})["total"].value == Decimal("27.4")
    items = score("ors", {1: Decimal("7.3"), 2: 8, 3: Decimal("9.5"), 4: Decimal("8.5")}, rater="self")
    assert items["total"].value == Decimal("33.3")
    with pytest.raises(ResponseOutOfRange):
        score("ors", {1: Decimal("7.35")}, rater="self")
    with pytest.raises(ResponseOutOfRange):
        score("phq9", {1: Decimal("1.5")}, rater="self")
    with pytest.raises(EnteredTotalOutOfRange):
        score("phq9", {}, rater="self", entered_totals={"total": "12.5"})
    core = score("core10", {}, rater="self", entered_totals={"clinical": "14.4"})["clinical"]
    assert core.value == Decimal("14.4")


def test_chi_esq_dont_know_is_valid_but_unscored():
    result = score("chi_esq_parent", {1: 9, 2: 1}, rater="parent")
    assert result["item_1"].missing and result["item_2"].value == 1
    with pytest.raises(ResponseOutOfRange):
        score("chi_esq_parent", {1: 4}, rater="parent")


def test_current_view_coded_items_skip_not_known():
    values = coded_items("current_view", {1: 2, 2: 9, 31: 1, 37: 1})
    assert [(v.item, v.value, v.snomed_concept_id) for v in values] == [
        (1, 2, "987251000000103"),
        (31, 1, "987191000000101"),
    ]


def test_age_outside_range_is_noted():
    result = score("sdq_self", {}, rater="self", age=9)
    assert any("outside the measure's age range" in n for n in result.notes)


def test_display_is_two_places_half_up():
    assert display(Decimal("2.675")) == Decimal("2.68")
    assert display(Decimal("2.665")) == Decimal("2.67")
    assert display(None) is None


def test_results_carry_snomed_and_completion_date():
    from datetime import date

    result = score("sdq_self", {}, rater="self", completed_on=date(2024, 5, 1))["emotional"]
    assert result.snomed_concept_id == "718145004" and result.completed_on == date(2024, 5, 1)
