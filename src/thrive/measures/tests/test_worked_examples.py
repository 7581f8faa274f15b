"""Spec section 11: each worked example as its own test."""

from datetime import date
from decimal import Decimal

from thrive.measures.engine import (
    Classification,
    Contact,
    RecordedScore,
    classify_change,
    clinical_cutoffs,
    jacobson_truax_threshold,
    national_metric_for_referral,
    round_half_up,
    score,
    talking_therapies_outcome,
)


def rcads_items(raw_by_subscale_items: dict[int, int]) -> dict[int, int | None]:
    responses: dict[int, int | None] = {n: None for n in range(1, 48)}
    responses.update(raw_by_subscale_items)
    return responses


RCADS_DEPRESSION = [2, 6, 11, 15, 19, 21, 25, 29, 40, 47]


def test_example_01_phq9_all_twos_is_18_moderately_severe_caseness():
    result = score("phq9", {n: 2 for n in range(1, 10)}, rater="self")["total"]
    assert result.value == 18
    assert result.band == "moderately severe"
    assert result.caseness is True
    assert not result.prorated


def test_example_02_sdq_parent_emotional_prorated_from_three_items():
    responses = {3: 2, 8: 1, 13: 1, 16: None, 24: None}
    result = score("sdq_parent", responses, rater="parent")["emotional"]
    # 4 on 3 items -> 4 / 3 x 5 = 6.67 -> 7
    assert result.value == 7
    assert result.n_answered == 3
    assert result.prorated
    assert result.band == "abnormal"


def test_example_03_sdq_parent_conduct_reverses_item_7():
    responses = {5: 1, 7: 0, 12: 0, 18: 1, 22: 0}
    result = score("sdq_parent", responses, rater="parent")["conduct"]
    assert result.value == 4  # item 7: 0 -> 2
    assert result.band == "abnormal"


def test_example_04_sdq_prosocial_rise_is_improvement_by_scale_deterioration_nationally():
    scale = "sdq_parent/prosocial"
    ours = classify_change(scale, 5, 8, direction_mode="scale")
    national = classify_change(scale, 5, 8, direction_mode="national")
    assert ours.change == 3 and ours.threshold == 3
    assert ours.classification is Classification.IMPROVEMENT
    assert national.classification is Classification.DETERIORATION


def test_example_05_rcads_depression_t_scores_and_improvement():
    def depression_raw(raw: int):
        # raw spread over the ten depression items (0-3 each)
        items = {}
        for n in RCADS_DEPRESSION:
            take = min(3, raw)
            items[n] = take
            raw -= take
        return score("rcads47_child", rcads_items(items), rater="self", sex="M", age=12)

    first = depression_raw(20)["depression"]
    last = depression_raw(12)["depression"]
    assert first.value == 20 and last.value == 12
    assert first.t_score_display == Decimal("86.51")
    assert first.band == "clinical"
    assert last.t_score_display == Decimal("64.53")
    change = classify_change("rcads47_child/depression", first, last)
    assert round_half_up(change.change, Decimal("0.01")) == Decimal("-21.98")
    assert change.threshold == Decimal("17.73")
    assert change.basis == "t_score"
    assert change.classification is Classification.IMPROVEMENT


def test_example_06_rcads_depression_prorated_with_one_missing_missing_with_two():
    nine = dict(zip(RCADS_DEPRESSION[:9], [2, 2, 2, 2, 2, 1, 1, 1, 0], strict=True))  # sum 13
    result = score("rcads47_child", rcads_items(nine), rater="self")["depression"]
    assert result.value == 14  # round(13 / 9 x 10 = 14.44)
    assert result.prorated
    eight = dict(list(nine.items())[:8])
    missing = score("rcads47_child", rcads_items(eight), rater="self")["depression"]
    assert missing.value is None
    assert "2 of 10 items missing" in missing.missing_reason


def test_example_07_core10_nine_items_sum_13_is_14_44_mild_clinical():
    # Items 2 and 3 are reversed: answer them 4 (-> 0) and give the 13 on the others.
    responses = {1: 3, 2: 4, 3: 4, 4: 2, 5: 2, 6: 2, 7: 2, 8: 1, 9: 1, 10: None}
    result = score("core10", responses, rater="self")["clinical"]
    assert result.display_value == Decimal("14.44")
    assert result.value == Decimal(130) / 9
    assert result.prorated
    assert result.band == "mild"
    assert result.caseness is True


def test_example_08_gbo_goal_2_to_6_is_improvement():
    first = score("gbo", {2: 2}, rater="self")["goal_2"]
    last = score("gbo", {2: 6}, rater="self")["goal_2"]
    change = classify_change("gbo/goal_2", first, last)
    assert change.change == 4 and change.threshold == 3
    assert change.classification is Classification.IMPROVEMENT


def test_example_09_phq9_16_to_11_is_no_reliable_change():
    change = classify_change("phq9/total", 16, 11)
    assert change.change == -5
    assert change.classification is Classification.NO_RELIABLE_CHANGE


def test_example_10a_recovery_reliable_improvement_reliable_recovery():
    outcome = talking_therapies_outcome(phq9_first=8, phq9_last=5, gad7_first=12, gad7_last=7)
    assert outcome.caseness_at_start
    assert outcome.recovery
    assert outcome.reliable_improvement
    assert outcome.reliable_recovery
    assert not outcome.reliable_deterioration


def test_example_10b_reliable_improvement_without_recovery():
    outcome = talking_therapies_outcome(phq9_first=16, phq9_last=11, gad7_first=12, gad7_last=7)
    assert outcome.reliable_improvement
    assert not outcome.recovery  # PHQ-9 11 is still >= 10
    assert not outcome.reliable_recovery


def test_example_11_jacobson_truax_and_clinical_cutoffs():
    rc = jacobson_truax_threshold(Decimal("7.5"), Decimal("0.8"))
    assert round_half_up(rc, Decimal("0.0001")) == Decimal("9.2971")
    cut = clinical_cutoffs(clinical_mean=20, clinical_sd=6, normal_mean=8, normal_sd=4)
    assert (cut.a, cut.b, cut.c) == (8, 16, Decimal("12.8"))


CONTACTS = [Contact(date(2024, 1, 10), id=1), Contact(date(2024, 1, 24), id=2)]
DISCHARGE = date(2024, 4, 30)


def test_example_12_national_metric_self_rater_deterioration():
    scores = [
        RecordedScore("gad7/total", 14, date(2024, 1, 5), 1),
        RecordedScore("gad7/total", 12, date(2024, 1, 10), 2),
        RecordedScore("gad7/total", 9, date(2024, 1, 17), 3),
        RecordedScore("gad7/total", 7, date(2024, 3, 20), 4),
        RecordedScore("sdq_self/emotional", 3, date(2024, 1, 10), 5),
        RecordedScore("sdq_self/emotional", 7, date(2024, 3, 20), 6),
    ]
    outcome = national_metric_for_referral(contacts=CONTACTS, discharged_on=DISCHARGE, scores=scores)
    by_scale = {c.scale_key: c for c in outcome.scales}
    gad = by_scale["gad7/total"].change
    assert (gad.change, gad.classification) == (-5, Classification.IMPROVEMENT)  # 12 -> 7
    sdq = by_scale["sdq_self/emotional"].change
    assert (sdq.change, sdq.classification) == (4, Classification.DETERIORATION)
    me = outcome.raters["self"]
    assert (me.assessed, me.paired) == (True, True)
    assert (me.deterioration, me.improvement, me.no_change) == (True, False, False)


def test_example_12_only_january_gad7_scores_is_assessed_not_paired():
    scores = [
        RecordedScore("gad7/total", 12, date(2024, 1, 10), 2),
        RecordedScore("gad7/total", 9, date(2024, 1, 17), 3),
    ]
    outcome = national_metric_for_referral(contacts=CONTACTS, discharged_on=DISCHARGE, scores=scores)
    me = outcome.raters["self"]
    assert (me.assessed, me.paired) == (True, False)
    assert not (me.improvement or me.deterioration or me.no_change)
