from decimal import Decimal

from thrive.measures.engine import Classification, recovery_rate, talking_therapies_outcome


def test_not_at_caseness_at_start_cannot_recover():
    outcome = talking_therapies_outcome(phq9_first=9, phq9_last=2, gad7_first=7, gad7_last=1)
    assert not outcome.caseness_at_start and not outcome.recovery


def test_any_deterioration_blocks_reliable_improvement():
    outcome = talking_therapies_outcome(phq9_first=20, phq9_last=5, gad7_first=2, gad7_last=8)
    assert outcome.phq9_change is Classification.IMPROVEMENT
    assert outcome.gad7_change is Classification.DETERIORATION
    assert outcome.reliable_deterioration and not outcome.reliable_improvement
    assert not outcome.reliable_recovery


def test_finished_course_needs_two_treatment_appointments():
    kw = dict(phq9_first=15, phq9_last=5, gad7_first=12, gad7_last=3)
    assert talking_therapies_outcome(**kw, attended_treatment_appointments=2).finished_course
    assert not talking_therapies_outcome(**kw, attended_treatment_appointments=1).finished_course
    assert talking_therapies_outcome(**kw).finished_course is None


def test_recovery_rate_excludes_unfinished_and_not_at_caseness():
    recovered = talking_therapies_outcome(
        phq9_first=15, phq9_last=5, gad7_first=12, gad7_last=3, attended_treatment_appointments=4
    )
    not_recovered = talking_therapies_outcome(
        phq9_first=15, phq9_last=12, gad7_first=12, gad7_last=9, attended_treatment_appointments=4
    )
    below_caseness = talking_therapies_outcome(
        phq9_first=5, phq9_last=2, gad7_first=4, gad7_last=1, attended_treatment_appointments=4
    )
    unfinished = talking_therapies_outcome(
        phq9_first=15, phq9_last=5, gad7_first=12, gad7_last=3, attended_treatment_appointments=1
    )
    rate = recovery_rate([recovered, not_recovered, below_caseness, unfinished])
    assert rate == Decimal("50.0")
    assert recovery_rate([below_caseness]) is None
