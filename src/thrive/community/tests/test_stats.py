"""§6 computations and disclosure rules, and acceptance examples A–E with the spec's numbers."""

import pytest

from thrive.community import stats
from thrive.community.stats import DONT_KNOW as DK


def r2(x):
    return round(x, 2)


# -- Example A ------------------------------------------------------------------------------


def test_example_a_housing_summary():
    housing = stats.summarise([1, 2, 2, 5, DK, 4, None])  # 7 participants, one skipped
    assert housing.n == 5
    assert r2(housing.mean) == 2.80
    assert housing.median == 2
    assert housing.distribution == {1: 1, 2: 2, 3: 0, 4: 1, 5: 1, "DK": 1}
    assert round(housing.dk_share, 3) == 0.167


def test_even_median_is_mean_of_middle_two_and_nothing_divides_by_skips():
    s = stats.summarise([1, 2, 4, 5, None, None, DK])
    assert s.median == 3.0
    assert s.mean == 3.0
    assert s.dk_share == pytest.approx(1 / 5)


def test_no_answers_has_no_statistics():
    s = stats.summarise([None, DK])
    assert (s.n, s.mean, s.median) == (0, None, None)
    assert s.dk_share == 1.0
    assert stats.summarise([]).dk_share is None


def test_out_of_scale_value_is_refused():
    with pytest.raises(ValueError):
        stats.summarise([6])


# -- Example B ------------------------------------------------------------------------------


def test_example_b_young_vs_adults_complementary_suppression():
    groups, div = stats.young_vs_adults({"young": [3] * 4, "adults": [4] * 10})
    assert groups["young"].state == stats.FEWER_THAN_MIN
    assert groups["young"].text == "fewer than 5"
    assert groups["adults"].state == stats.SUPPRESSED
    assert groups["young"].summary is None and groups["adults"].summary is None
    assert div is None


def test_example_b_roles_suppress_young_person_and_practitioners_show_residents():
    roles = stats.breakdown({"resident": [3] * 7, "practitioner": [4] * 5,
                             "young_person": [2] * 2})
    assert roles["young_person"].state == stats.FEWER_THAN_MIN
    assert roles["practitioner"].state == stats.SUPPRESSED
    assert roles["resident"].shown
    assert roles["resident"].summary.n == 7


def test_two_small_groups_need_no_complement():
    states = stats.suppressed_groups({"a": 3, "b": 2, "c": 9})
    assert states == {"a": stats.FEWER_THAN_MIN, "b": stats.FEWER_THAN_MIN, "c": stats.SHOWN}


def test_empty_groups_are_not_groups():
    assert stats.suppressed_groups({"a": 0, "b": 6, "c": 7}) == {"b": stats.SHOWN,
                                                                 "c": stats.SHOWN}


# -- Example C ------------------------------------------------------------------------------


def test_example_c_divergence_flagged():
    young = [1, 2, 1, 2, 2]
    adults = [4, 3, 4, 5, 3, 4]
    groups, div = stats.young_vs_adults({"young": young, "adults": adults})
    assert r2(groups["young"].summary.mean) == 1.60
    assert r2(groups["adults"].summary.mean) == 3.83
    assert r2(div.difference) == -2.23
    assert div.flagged
    overall = stats.summarise(young + adults)
    assert overall.n == 11
    assert r2(overall.mean) == 2.82


def test_divergence_just_under_threshold_not_flagged():
    assert not stats.divergence(3.0, 2.1).flagged
    assert stats.divergence(3.0, 2.0).flagged
    assert stats.divergence(None, 2.0) is None


def test_young_person_classification():
    assert stats.is_young_person("16-17", "resident")
    assert stats.is_young_person("not_stated", "young_person")
    assert not stats.is_young_person("25-64", "young_person")
    assert not stats.is_young_person("not_stated", "resident")


# -- Example D ------------------------------------------------------------------------------


def test_example_d_priority_suggestions():
    housing = stats.priority_suggestion(stats.summarise([2, 2, 1, 3, 2]),
                                        stats.summarise([5, 4, 5, 4, 5, 4]))
    parks = stats.priority_suggestion(stats.summarise([1, 2, 1, 2, 1, 2]),
                                      stats.summarise([3, 3, 3, 3, 3]))
    getting_around = stats.priority_suggestion(stats.summarise([3, 4, 3, 4, 3, 4]),
                                               stats.summarise([4, 4, 4, 4, 4]))
    education = stats.priority_suggestion(stats.summarise([3, 3, 3, 3]),
                                          stats.summarise([5, 5, 5, 5, 5]))
    assert r2(housing) == 18.0
    assert r2(parks) == 13.5
    assert r2(getting_around) == 10.0
    assert education is None
    order = stats.suggested_order({"housing": housing, "parks": parks,
                                   "getting_around": getting_around, "education": education})
    assert [k for k, _ in order] == ["housing", "parks", "getting_around"]


# -- Example E ------------------------------------------------------------------------------


def _with_mean(mean, n=5):
    """A factor's condition summary with that mean and n (the spec gives means, not ratings)."""
    return stats.Summary(n=n, dont_know=0, mean=mean, median=None)


def test_example_e_cluster_means_and_change():
    before = {"social_networks_trust": _with_mean(2.4), "participation": _with_mean(3.0),
              "norms_culture": _with_mean(3.3)}
    after = {"social_networks_trust": _with_mean(3.1), "participation": _with_mean(3.1),
             "norms_culture": _with_mean(3.5, n=4)}
    c2024 = stats.cluster_mean(list(before.values()))
    c2025 = stats.cluster_mean(list(after.values()))
    assert (r2(c2024.mean), c2024.label) == (2.90, "3 of 3 factors")
    assert (r2(c2025.mean), c2025.label) == (3.10, "2 of 3 factors")

    social = stats.change(before["social_networks_trust"], after["social_networks_trust"])
    assert (r2(social.delta), social.verdict) == (0.7, "better")
    participation = stats.change(before["participation"], after["participation"])
    assert (r2(participation.delta), participation.verdict) == (0.1, "little change")
    assert stats.change(before["norms_culture"], after["norms_culture"]) is None

    cluster = stats.cluster_change([(before[k], after[k]) for k in before])
    assert (r2(cluster.before), r2(cluster.after), r2(cluster.delta)) == (2.70, 3.10, 0.40)
    assert cluster.shared == 2


def test_change_worse_and_summary_from_real_ratings():
    before = stats.summarise([4, 4, 4, 4, 4])
    after = stats.summarise([3, 3, 3, 3, 4])
    result = stats.change(before, after)
    assert result.verdict == "worse"
    assert r2(result.delta) == -0.8
