"""Spec 8: selection of first and last per scale, validity, raters and published figures."""

from datetime import date, time
from decimal import Decimal

from thrive.measures.engine import (
    Classification,
    Contact,
    RecordedScore,
    is_qualifying_contact,
    national_metric_for_referral,
    published_figures,
)

C1, C2 = Contact(date(2024, 1, 10), id=1), Contact(date(2024, 1, 24), id=2)
DISCHARGE = date(2024, 4, 30)


def run(scores, contacts=(C1, C2), **kw):
    return national_metric_for_referral(contacts=list(contacts), discharged_on=DISCHARGE, scores=scores, **kw)


def test_contacts_after_discharge_do_not_count_and_order_uses_time_then_id():
    late = Contact(date(2024, 5, 1), id=9)
    outcome = run(
        [], contacts=[late, Contact(date(2024, 1, 10), time(15), 3), Contact(date(2024, 1, 10), time(9), 4)]
    )
    assert outcome.contact1.id == 4 and outcome.contact2.id == 3


def test_without_contact2_nothing_is_assessed():
    outcome = run([RecordedScore("gad7/total", 12, date(2024, 1, 10))], contacts=[C1])
    assert not outcome.assessment_any and not outcome.paired_any


def test_scores_outside_the_table_range_or_not_numeric_are_ignored():
    scores = [
        RecordedScore("gad7/total", 22, date(2024, 1, 10), 1),  # > 21: invalid
        RecordedScore("gad7/total", "n/a", date(2024, 1, 11), 2),
        RecordedScore("gad7/total", 12, date(2024, 1, 12), 3),
        RecordedScore("gad7/total", 6, date(2024, 2, 1), 4),
    ]
    change = run(scores).scales[0].change
    assert change.change == -6


def test_v1_codes_and_terms_identify_the_same_scale():
    scores = [
        RecordedScore("506701000000100", 20, date(2024, 1, 10), 1),  # PHQ-9 v1 code
        RecordedScore("Patient health questionnaire 9 score", 10, date(2024, 2, 10), 2),
    ]
    outcome = run(scores)
    assert len(outcome.scales) == 1
    assert outcome.scales[0].change.classification is Classification.IMPROVEMENT


def test_identical_duplicates_count_once_and_last_is_never_the_first():
    scores = [
        RecordedScore("gad7/total", 12, date(2024, 1, 30), 1),
        RecordedScore("gad7/total", 12, date(2024, 1, 30), 2),
    ]
    me = run(scores).raters["self"]
    assert me.assessed and not me.paired


def test_out_of_scope_scales_do_not_count():
    scores = [
        RecordedScore("sdq_teacher/emotional", 2, date(2024, 1, 10), 1),
        RecordedScore("sdq_teacher/emotional", 9, date(2024, 3, 10), 2),
        RecordedScore("sdq_parent/total_difficulties", 9, date(2024, 1, 10), 3),
        RecordedScore("srs/total", 9, date(2024, 1, 10), 4),
    ]
    assert run(scores).scales == ()


def test_rcads_uses_t_scores_at_age_at_referral():
    scores = [
        RecordedScore("rcads47_parent/panic", 20, date(2024, 1, 10), 1),
        RecordedScore("rcads47_parent/panic", 2, date(2024, 3, 10), 2),
    ]
    with_norms = run(scores, sex="F", age_at_referral=13).scales[0].change
    assert with_norms.basis == "t_score" and abs(with_norms.change) > 18
    scale_mode = run(scores, direction_mode="scale").scales[0].change
    assert scale_mode.classification is Classification.NOT_CLASSIFIABLE
    national_raw = run(scores).scales[0].change  # no sex/age: raw change vs T threshold 40.93
    assert national_raw.basis == "value"
    assert national_raw.classification is Classification.NO_RELIABLE_CHANGE


def test_prosocial_national_direction_by_default():
    scores = [
        RecordedScore("sdq_parent/prosocial", 5, date(2024, 1, 10), 1),
        RecordedScore("sdq_parent/prosocial", 8, date(2024, 3, 10), 2),
    ]
    assert run(scores).raters["parent"].deterioration
    assert run(scores, direction_mode="scale").raters["parent"].improvement


def test_gbo_alternative_code_set_is_its_own_scale_and_counts_as_self():
    scores = [
        RecordedScore("1638531000000102", 2, date(2024, 1, 10), 1),
        RecordedScore("1638531000000102", 7, date(2024, 3, 10), 2),
    ]
    outcome = run(scores)
    assert outcome.scales[0].identity.startswith("Goal-Based Outcomes tool")
    assert outcome.raters["self"].improvement


def test_clinician_rater():
    scores = [
        RecordedScore("cgas/score", 40, date(2024, 1, 10), 1),
        RecordedScore("cgas/score", 55, date(2024, 3, 10), 2),
    ]
    assert run(scores).raters["clinician"].improvement


def test_qualifying_contacts():
    assert is_qualifying_contact("5", "01")
    assert is_qualifying_contact("6", "11")
    assert not is_qualifying_contact("5", "03")
    assert not is_qualifying_contact("2", "01")
    assert is_qualifying_contact(None, None, indirect=True)


def test_published_figures():
    improved = run([
        RecordedScore("gad7/total", 12, date(2024, 1, 10), 1),
        RecordedScore("gad7/total", 5, date(2024, 3, 10), 2),
    ])  # fmt: skip
    assessed_only = run([RecordedScore("gad7/total", 12, date(2024, 1, 10), 1)])
    nothing = run([])
    one_contact = run([], contacts=[C1])
    figures = published_figures([improved, assessed_only, nothing, one_contact])
    assert figures["MHS110"] == 3
    assert figures["MHS111"] == Decimal("66.7")
    assert figures["MHS112"] == Decimal("33.3")
    assert figures["MHS113"]["improvement"] == Decimal("100.0")
    assert figures["MHS114"]["improvement"] is None
