"""An assessment's results, with every disclosure rule applied, for every output: the live page,
the CSV exports and the PDF report all read from `results_for`, and never from the ratings
directly."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from . import conf, stats
from .models import Assessment, Factor, FactorCrosswalk, Participant, Rating

YOUNG, ADULTS = "young", "adults"
GROUP_LABELS = {YOUNG: "Young people (11 to 24)", ADULTS: "Adults"}


@dataclass
class FactorResult:
    factor: Factor
    condition: stats.Summary
    importance: stats.Summary
    young_vs_adults: dict[str, stats.Group]
    divergence: stats.Divergence | None
    roles: dict[str, stats.Group]
    age_bands: dict[str, stats.Group]
    suggestion: float | None

    @property
    def low_n(self) -> bool:
        return self.condition.low_n


@dataclass
class ClusterResult:
    key: str
    name: str
    mean: stats.ClusterMean
    young: stats.ClusterMean
    adults: stats.ClusterMean


@dataclass
class Comment:
    rating_id: int
    factor: Factor
    text: str
    hidden: bool


@dataclass
class Results:
    assessment: Assessment
    participants: int
    young_participants: int
    factors: list[FactorResult]
    clusters: list[ClusterResult]
    comments: list[Comment] = field(default_factory=list)

    @property
    def suggestions(self) -> list[tuple[FactorResult, float]]:
        scored = {r.factor.key: r.suggestion for r in self.factors}
        by_key = {r.factor.key: r for r in self.factors}
        return [(by_key[k], v) for k, v in stats.suggested_order(scored)]

    @property
    def young_warning(self) -> bool:
        """Fewer than 5 young people have taken part: their view cannot be shown yet."""
        return self.young_participants < stats.MIN_GROUP


def _value(rating: Rating):
    if rating.dont_know:
        return stats.DONT_KNOW
    return rating.condition


def results_for(assessment: Assessment) -> Results:
    scope = list(assessment.scope())
    participants = {p.pk: p for p in Participant.objects.filter(assessment=assessment)}
    ratings = list(Rating.objects.filter(participant__assessment=assessment)
                   .select_related("factor").order_by("id"))
    by_factor: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_factor[rating.factor_id].append(rating)

    def young(p: Participant) -> bool:
        return stats.is_young_person(p.age_band, p.role)

    factor_results = []
    for factor in scope:
        rows = by_factor.get(factor.pk, [])
        condition = stats.summarise(_value(r) for r in rows)
        importance = stats.summarise(r.importance for r in rows)
        yva_groups = {YOUNG: [], ADULTS: []}
        role_groups: dict[str, list] = defaultdict(list)
        age_groups: dict[str, list] = defaultdict(list)
        for r in rows:
            p = participants[r.participant_id]
            yva_groups[YOUNG if young(p) else ADULTS].append(_value(r))
            role_groups[p.role].append(_value(r))
            age_groups[p.age_band].append(_value(r))
        yva, div = stats.young_vs_adults(yva_groups, conf.divergence_threshold())
        factor_results.append(FactorResult(
            factor=factor, condition=condition, importance=importance, young_vs_adults=yva,
            divergence=div, roles=stats.breakdown(role_groups),
            age_bands=stats.breakdown(age_groups),
            suggestion=stats.priority_suggestion(condition, importance)))

    clusters = []
    seen = []
    for r in factor_results:
        if r.factor.cluster not in seen:
            seen.append(r.factor.cluster)
    for cluster in seen:
        members = [r for r in factor_results if r.factor.cluster_id == cluster.pk]
        clusters.append(ClusterResult(
            key=cluster.key, name=cluster.name,
            mean=stats.cluster_mean([r.condition for r in members]),
            young=stats.cluster_mean([_group_summary(r, YOUNG) for r in members]),
            adults=stats.cluster_mean([_group_summary(r, ADULTS) for r in members])))

    comments = [Comment(r.pk, r.factor, r.comment, r.comment_hidden) for r in ratings
                if r.comment]
    return Results(
        assessment=assessment, participants=len(participants),
        young_participants=sum(1 for p in participants.values() if young(p)),
        factors=factor_results, clusters=clusters, comments=comments)


_EMPTY = stats.Summary(n=0, dont_know=0, mean=None, median=None)


def _group_summary(result: FactorResult, key: str) -> stats.Summary:
    """A group's summary only where it is shown; a suppressed group counts as having no data."""
    group = result.young_vs_adults.get(key)
    return group.summary if group is not None and group.shown else _EMPTY


# -- Comparing two assessments (the review) ------------------------------------------------------


@dataclass
class FactorChange:
    factor: Factor
    before: stats.Summary | None
    after: stats.Summary
    change: stats.Change | None


@dataclass
class ClusterChangeRow:
    name: str
    change: stats.ClusterChange


def _mapping(before: Results, after: Results) -> dict[int, FactorResult]:
    """Each later factor's earlier result: the same factor on the same set, else through the
    factor crosswalk; unmapped factors are not compared."""
    if before.assessment.factor_set_id == after.assessment.factor_set_id:
        by_pk = {r.factor.pk: r for r in before.factors}
        return {r.factor.pk: by_pk[r.factor.pk] for r in after.factors if r.factor.pk in by_pk}
    by_pk = {r.factor.pk: r for r in before.factors}
    links = FactorCrosswalk.objects.filter(
        to_factor__in=[r.factor for r in after.factors], from_factor_id__in=list(by_pk))
    return {link.to_factor_id: by_pk[link.from_factor_id] for link in links}


def review(before: Results, after: Results) -> tuple[list[FactorChange], list[ClusterChangeRow]]:
    """Change per mapped factor and per cluster over the mapped factors with n >= 5 in both."""
    mapped = _mapping(before, after)
    factors = []
    for r in after.factors:
        old = mapped.get(r.factor.pk)
        factors.append(FactorChange(
            r.factor, old.condition if old else None, r.condition,
            stats.change(old.condition, r.condition, conf.change_threshold()) if old else None))
    clusters = []
    for cluster in after.clusters:
        pairs = [(mapped[r.factor.pk].condition, r.condition) for r in after.factors
                 if r.factor.cluster.key == cluster.key and r.factor.pk in mapped]
        clusters.append(ClusterChangeRow(cluster.name, stats.cluster_change(pairs)))
    return factors, clusters


# -- Beside the Thriving grouping (an area's population view) -------------------------------------


@dataclass
class AreaPanel:
    """A community's latest closed assessment for an area: its disclosed profile, the group's
    priorities and the plan. Community-level only: nothing in it links to any child."""

    assessment: Assessment
    results: Results
    priorities: list
    actions: list


def area_panel(scheme: str, code: str) -> AreaPanel | None:
    """The panel for the community whose geography matches (scheme and code), or None."""
    latest = (Assessment.objects.filter(
        community__geography_scheme=scheme, community__geography_code__iexact=code,
        status=Assessment.Status.CLOSED).select_related("community")
        .order_by("-period_end").first())
    if latest is None:
        return None
    return AreaPanel(latest, results_for(latest),
                     list(latest.priorities.select_related("factor")),
                     list(latest.actions.select_related("priority__factor")))
