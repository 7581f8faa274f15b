from datetime import date, timedelta

import pytest

from thrive.risk import rules

TODAY = date(2026, 5, 1)


@pytest.mark.parametrize("grouping, agencies, gap", [
    (None, None, None),
    ("getting_help", None, None),
    ("getting_more_help", 1, None),
    ("getting_risk_support", None, rules.NO_PLAN),
    ("getting_risk_support", 2, None),
    ("getting_risk_support", 5, None),
])
def test_plan_gap(grouping, agencies, gap):
    assert rules.plan_gap(grouping, agencies) == gap


@pytest.mark.parametrize("agencies, words", [(1, "only one agency"), (0, "no agencies")])
def test_a_plan_with_fewer_than_two_agencies_is_a_gap_in_plain_words(agencies, words):
    gap = rules.plan_gap("getting_risk_support", agencies)
    assert words in gap and "at least two agencies" in gap


@pytest.mark.parametrize("review_on, state", [
    (None, ""),
    (TODAY - timedelta(days=1), "overdue"),
    (TODAY, "due"),
    (TODAY + timedelta(days=14), "due"),
    (TODAY + timedelta(days=15), ""),
])
def test_review_state(review_on, state):
    assert rules.review_state(review_on, TODAY) == state


def test_responses_are_one_per_line_and_typed_numbers_are_dropped():
    text = "1. Stay with her\n\n2) Remove sharp things\n  Call 999 if she has taken anything  \n"
    assert rules.responses_from_text(text) == [
        "Stay with her", "Remove sharp things", "Call 999 if she has taken anything"]
    assert rules.responses_from_text("") == []
    assert rules.responses_from_text("2026 was a hard year") == ["2026 was a hard year"]


def test_rules_import_no_django():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(rules))
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m.startswith("django") for m in modules)
