"""Reliable change classification (spec 5-6) beyond the worked examples."""

from datetime import date
from decimal import Decimal

import pytest

from thrive.measures.engine import (
    Classification,
    classify_change,
    episode_outcome,
    jacobson_truax_threshold,
    paired_changes,
    score,
)

NOT = Classification.NOT_CLASSIFIABLE


def test_threshold_is_inclusive():
    assert classify_change("phq9/total", 16, 10).classification is Classification.IMPROVEMENT
    assert classify_change("phq9/total", 10, 16).classification is Classification.DETERIORATION


def test_ors_higher_is_better_and_fractional_threshold():
    assert classify_change("ors/total", 20, "26.6").classification is Classification.IMPROVEMENT
    assert classify_change("ors/total", 20, "26.5").classification is Classification.NO_RELIABLE_CHANGE


def test_rcads_without_t_score_not_classifiable_by_scale_but_raw_nationally():
    responses_first = {n: 2 for n in range(1, 48)}
    responses_last = {n: 0 for n in range(1, 48)}
    first = score("rcads47_child", responses_first, rater="self")["depression"]  # no sex/age
    last = score("rcads47_child", responses_last, rater="self")["depression"]
    ours = classify_change("rcads47_child/depression", first, last)
    assert ours.classification is NOT and "No T-score" in ours.reason
    national = classify_change("rcads47_child/depression", first, last, direction_mode="national")
    assert national.change == -20 and national.basis == "value"
    assert national.classification is Classification.IMPROVEMENT


def test_prems_and_uncoded_or_unthresholded_scales_are_never_classified():
    for mode in ("scale", "national"):
        assert classify_change("srs/total", 10, 40, direction_mode=mode).classification is NOT
        assert classify_change("chi_esq_parent/item_1", 1, 3, direction_mode=mode).classification is NOT
        assert (
            classify_change("sdq_parent/total_difficulties", 5, 30, direction_mode=mode).classification is NOT
        )
        assert classify_change("sdq_teacher/emotional", 0, 10, direction_mode=mode).classification is NOT
        assert classify_change("rcads25/total", 0, 75, direction_mode=mode).classification is NOT


def test_score15_is_classified_only_nationally():
    assert classify_change("score15/total", 30, 45).classification is NOT
    national = classify_change("score15/total", 30, 45, direction_mode="national")
    assert national.classification is Classification.IMPROVEMENT  # national: Positive


def test_missing_scores_are_not_classifiable():
    missing = score("phq9", {}, rater="self")["total"]
    present = score("phq9", {n: 1 for n in range(1, 10)}, rater="self")["total"]
    assert classify_change("phq9/total", missing, present).classification is NOT
    assert classify_change("phq9/total", None, 5).classification is NOT


def test_bad_direction_mode_is_refused():
    with pytest.raises(ValueError):
        classify_change("phq9/total", 1, 2, direction_mode="sideways")


def test_jacobson_truax_rejects_impossible_inputs():
    with pytest.raises(ValueError):
        jacobson_truax_threshold(0, Decimal("0.5"))
    with pytest.raises(ValueError):
        jacobson_truax_threshold(5, 1)


def completion(measure, responses, rater, on, **kw):
    return list(score(measure, responses, rater=rater, completed_on=on, **kw))


def test_episode_first_and_last_per_scale_and_rater_roll_up():
    results = (
        completion("phq9", {n: 2 for n in range(1, 10)}, "self", date(2024, 1, 1))  # 18
        + completion("phq9", {n: 1 for n in range(1, 10)}, "self", date(2024, 3, 1))  # 9
        + completion("phq9", {n: 3 for n in range(1, 10)}, "self", date(2024, 2, 1))  # 27: middle
        + completion("gbo", {1: 2}, "parent", date(2024, 1, 1))
        + completion("gbo", {1: 3}, "parent", date(2024, 3, 1))
        + completion("sdq_parent", {n: 1 for n in range(1, 26)}, "parent", date(2024, 1, 1))
        + completion("sdq_parent", {n: 1 for n in range(1, 26)} | {3: 2, 8: 2, 13: 2, 16: 2},
                     "parent", date(2024, 3, 1))
    )  # fmt: skip
    changes = {c.scale_key: c for c in paired_changes(results)}
    assert changes["phq9/total"].change.change == -9
    assert changes["gbo/goal_1"].reporting_rater == "self"
    assert changes["gbo/goal_1"].change.classification is Classification.NO_RELIABLE_CHANGE
    assert changes["sdq_parent/emotional"].change.classification is Classification.DETERIORATION
    raters = episode_outcome(results)
    assert raters["self"].improvement and not raters["self"].deterioration
    assert raters["parent"].deterioration and not raters["parent"].improvement
    assert not raters["clinician"].assessed


def test_episode_single_score_is_assessed_not_paired():
    raters = episode_outcome(completion("gad7", {n: 1 for n in range(1, 8)}, "self", date(2024, 1, 1)))
    assert raters["self"].assessed and not raters["self"].paired


def test_no_change_only_when_neither_improvement_nor_deterioration():
    results = (
        completion("phq9", {n: 1 for n in range(1, 10)}, "self", date(2024, 1, 1))
        + completion("phq9", {n: 1 for n in range(1, 10)}, "self", date(2024, 2, 1))
        + completion("gad7", {n: 2 for n in range(1, 8)}, "self", date(2024, 1, 1))
        + completion("gad7", {n: 0 for n in range(1, 8)}, "self", date(2024, 2, 1))
    )
    me = episode_outcome(results)["self"]
    assert me.improvement and not me.no_change
