import pytest

from thrive.assessment import principles, scoring


@pytest.mark.parametrize("raw, expected", [(1, 1), (4, 4), ("3", 3), (" 2 ", 2), ("na", None), (None, None)])
def test_scores_are_whole_numbers_one_to_four_or_not_able_to_judge(raw, expected):
    assert scoring.parse_score(raw) == expected


@pytest.mark.parametrize("raw", [0, 5, -1, 2.5, "2.5", "four", True, "", "0"])
def test_anything_else_is_refused(raw):
    with pytest.raises(ValueError):
        scoring.parse_score(raw)


def test_thrive_like_only_at_three_or_more():
    assert [scoring.is_thrive_like(s) for s in (None, 1, 2, 3, 4)] == [False, False, False, True, True]


def test_summary_counts_totals_and_share_over_the_principles_scored():
    summary = scoring.summarise({"M1": 1, "M2": 2, "M3": 3, "M4": 4, "M5": 3, "M6": None})
    assert summary.total == 13
    assert summary.scored == 5 and summary.not_judged == 1
    assert summary.thrive_like == 3
    assert summary.share_thrive_like == 60.0
    assert summary.by_level == {1: 1, 2: 1, 3: 2, 4: 1}
    assert summary.maximum == 20


def test_nothing_scored_has_no_share():
    summary = scoring.summarise({"M1": None})
    assert summary.total == 0 and summary.share_thrive_like is None


def test_change_since_last_round_per_principle_and_in_total():
    before = {"M1": 2, "M2": 3, "M3": None, "M4": 1}
    after = {"M1": 3, "M2": 3, "M3": 4, "M4": 2}
    changes = {c.principle: c for c in scoring.changes(before, after)}
    assert changes["M1"].difference == 1 and changes["M1"].became_thrive_like
    assert changes["M2"].difference == 0 and not changes["M2"].became_thrive_like
    assert changes["M3"].difference is None and changes["M3"].became_thrive_like
    # M3 was not judged before: only M1, M2 and M4 are comparable.
    assert scoring.total_change(before, after) == 2
    assert scoring.total_change({}, after) is None


def test_spread_of_members_scores():
    spread = scoring.spread([2, 4, None, 2])
    assert spread["lowest"] == 2 and spread["highest"] == 4 and spread["range"] == 2
    assert spread["counts"] == {1: 0, 2: 2, 3: 0, 4: 1} and spread["not_judged"] == 1


def test_shipped_set_has_the_eighteen_principles_with_four_descriptors_each():
    data = principles.shipped()
    assert [p["id"] for p in data["principles"]] == list(principles.IDS)
    assert all(sorted(p["descriptors"]) == ["1", "2", "3", "4"] for p in data["principles"])
    assert principles.DEFAULT_KEY in principles.available_keys()


def test_a_set_missing_a_descriptor_is_refused():
    data = principles.shipped()
    broken = {**data, "principles": [dict(p) for p in data["principles"]]}
    broken["principles"][0] = {**broken["principles"][0], "descriptors": {"1": "a", "2": "b", "3": "c"}}
    with pytest.raises(ValueError):
        principles.validate(broken)
