"""Community THRIVE computations and disclosure rules (domain spec community-thrive.md §6).

Plain Python, no Django: the pages, CSV exports and the PDF report all call these, so every output
applies the same rules.

A rating value is an int 1–5, `DONT_KNOW`, or `None` (skipped). Skipped answers and "don't know"
never enter a mean or a median, and nothing is ever divided by all factors or all invitees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import mean as _mean
from statistics import median as _median

DONT_KNOW = "dk"
MIN_GROUP = 5
DIVERGENCE_THRESHOLD = 1.0
CHANGE_THRESHOLD = 0.5
SCALE = (1, 2, 3, 4, 5)
YOUNG_AGE_BANDS = frozenset({"11-15", "16-17", "18-24"})
AGE_NOT_STATED = "not_stated"
SUGGESTION_LABEL = "Suggestion to support the group's decision"

# Group states in a breakdown.
SHOWN = "shown"
FEWER_THAN_MIN = "fewer_than_5"  # primary suppression: the group itself is small
SUPPRESSED = "suppressed"  # complementary suppression: hidden so the small group is not derivable


@dataclass(frozen=True)
class Summary:
    """Statistics of one factor's condition (or importance) ratings."""

    n: int
    dont_know: int
    mean: float | None
    median: float | None
    distribution: dict = field(default_factory=dict)  # {1..5: count, "DK": count}

    @property
    def dk_share(self) -> float | None:
        answered = self.n + self.dont_know
        return self.dont_know / answered if answered else None

    @property
    def low_n(self) -> bool:
        """Fewer than MIN_GROUP numeric ratings: "low n" for the facilitator, and left out of
        cluster means, suggestions, change and exports."""
        return self.n < MIN_GROUP


def summarise(values: Iterable) -> Summary:
    """n, mean, median (even n: mean of the middle two) and distribution over numeric ratings;
    "don't know" counted apart; None (skipped) ignored."""
    numbers = []
    dont_know = 0
    for value in values:
        if value is None:
            continue
        if value == DONT_KNOW:
            dont_know += 1
            continue
        if value not in SCALE:
            raise ValueError(f"A rating is 1 to 5 or don't know, not {value!r}")
        numbers.append(value)
    distribution = {point: numbers.count(point) for point in SCALE}
    distribution["DK"] = dont_know
    return Summary(
        n=len(numbers), dont_know=dont_know,
        mean=_mean(numbers) if numbers else None,
        median=float(_median(numbers)) if numbers else None,
        distribution=distribution,
    )


@dataclass(frozen=True)
class ClusterMean:
    mean: float | None
    used: int  # k: factors with n >= MIN_GROUP
    of: int  # K: factors in the cluster (in scope)

    @property
    def label(self) -> str:
        return f"{self.used} of {self.of} factors"


def cluster_mean(factor_summaries: Sequence[Summary]) -> ClusterMean:
    """Unweighted mean of the cluster's factor means that have n >= MIN_GROUP."""
    usable = [s.mean for s in factor_summaries if not s.low_n]
    return ClusterMean(_mean(usable) if usable else None, len(usable), len(factor_summaries))


# -- Breakdowns and disclosure ------------------------------------------------------------------


def is_young_person(age_band: str, role: str) -> bool:
    """Young people: aged 11–24, or with the role young_person when age is not known."""
    if age_band and age_band != AGE_NOT_STATED:
        return age_band in YOUNG_AGE_BANDS
    return role == "young_person"


@dataclass(frozen=True)
class Group:
    key: str
    n: int
    state: str
    summary: Summary | None  # None unless shown

    @property
    def shown(self) -> bool:
        return self.state == SHOWN

    @property
    def text(self) -> str:
        if self.state == FEWER_THAN_MIN:
            return f"fewer than {MIN_GROUP}"
        if self.state == SUPPRESSED:
            return "suppressed"
        return ""


def suppressed_groups(sizes: Mapping[str, int]) -> dict[str, str]:
    """The state of each group of a breakdown. A group with n < MIN_GROUP shows "fewer than 5";
    if exactly one group is so suppressed, the next-smallest is suppressed too, or it could be
    worked out from the total. Groups with nobody in them are not groups and are left out."""
    present = {key: n for key, n in sizes.items() if n > 0}
    states = {key: (FEWER_THAN_MIN if n < MIN_GROUP else SHOWN) for key, n in present.items()}
    small = [key for key, state in states.items() if state == FEWER_THAN_MIN]
    if len(small) == 1:
        others = sorted((n, key) for key, n in present.items() if states[key] == SHOWN)
        if others:
            states[others[0][1]] = SUPPRESSED
    return states


def breakdown(groups: Mapping[str, Iterable]) -> dict[str, Group]:
    """Summaries of each group's ratings with the disclosure rules applied; the size of a group
    is its number of numeric ratings, the n its statistics would show."""
    summaries = {key: summarise(values) for key, values in groups.items()}
    states = suppressed_groups({key: s.n for key, s in summaries.items()})
    return {key: Group(key, summaries[key].n, state,
                       summaries[key] if state == SHOWN else None)
            for key, state in states.items()}


@dataclass(frozen=True)
class Divergence:
    difference: float
    flagged: bool


def divergence(mean_a: float | None, mean_b: float | None,
               threshold: float = DIVERGENCE_THRESHOLD) -> Divergence | None:
    """mean(A) − mean(B), flagged when |d| >= threshold. Not a significance test."""
    if mean_a is None or mean_b is None:
        return None
    d = mean_a - mean_b
    return Divergence(d, abs(d) >= threshold - 1e-9)


def young_vs_adults(groups: Mapping[str, Iterable], threshold: float = DIVERGENCE_THRESHOLD
                    ) -> tuple[dict[str, Group], Divergence | None]:
    """The young people's view: groups "young" and "adults" with disclosure applied, and their
    divergence only when both are shown."""
    result = breakdown(groups)
    young, adults = result.get("young"), result.get("adults")
    if young and adults and young.shown and adults.shown:
        return result, divergence(young.summary.mean, adults.summary.mean, threshold)
    return result, None


# -- Priorities --------------------------------------------------------------------------------


def priority_suggestion(condition: Summary, importance: Summary) -> float | None:
    """importance mean × (6 − condition mean), 1 to 25, when both have n >= MIN_GROUP."""
    if condition.low_n or importance.low_n:
        return None
    return importance.mean * (6 - condition.mean)


def suggested_order(scores: Mapping[str, float | None]) -> list[tuple[str, float]]:
    """Factors with a suggestion, highest first (ties by key). Only ever shown as a suggestion."""
    return sorted(((k, v) for k, v in scores.items() if v is not None),
                  key=lambda kv: (-kv[1], kv[0]))


# -- Change between assessments -------------------------------------------------------------------

BETTER, WORSE, LITTLE = "better", "worse", "little change"


@dataclass(frozen=True)
class Change:
    delta: float
    verdict: str


def change(before: Summary, after: Summary, threshold: float = CHANGE_THRESHOLD) -> Change | None:
    """mean_to − mean_from for a mapped factor; None (not compared) unless both have n >= 5."""
    if before.low_n or after.low_n:
        return None
    delta = after.mean - before.mean
    if abs(delta) >= threshold - 1e-9:
        return Change(delta, BETTER if delta > 0 else WORSE)
    return Change(delta, LITTLE)


@dataclass(frozen=True)
class ClusterChange:
    before: float | None
    after: float | None
    shared: int

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def cluster_change(pairs: Sequence[tuple[Summary, Summary]]) -> ClusterChange:
    """Cluster change over the factors with n >= 5 in both assessments."""
    shared = [(a, b) for a, b in pairs if not a.low_n and not b.low_n]
    if not shared:
        return ClusterChange(None, None, 0)
    return ClusterChange(_mean(a.mean for a, _ in shared), _mean(b.mean for _, b in shared),
                         len(shared))
