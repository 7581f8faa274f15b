import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.template.loader import render_to_string

from thrive.community import results, services, stats
from thrive.community.models import Action, Assessment, FactorSet, Participant, Rating
from thrive.core.rules import RuleBroken

from .conftest import factor, participants_rate


def test_default_factor_set_loads_from_data_file(factor_set):
    assert factor_set.code == "pi-2013" and factor_set.is_default
    assert factor_set.factors.count() == 12
    assert [c.key for c in factor_set.clusters.all()] == ["people", "place",
                                                          "equitable_opportunity"]
    assert factor_set.drivers.count() == 2
    parks = factor_set.factors.get(key="parks_open_space")
    assert parks.cluster.key == "place"
    assert {link.outcome for link in parks.outcome_links.all()} == {"physical activity",
                                                                    "mental health"}
    assert {link.status for link in parks.outcome_links.all()} == {"illustrative"}


def test_factor_set_is_immutable_once_used(assessment, tmp_path):
    data = json.loads((services.FACTOR_SETS_DIR / "pi-2013.json").read_text())
    data["factors"][0]["name"] = "Renamed factor"
    changed = tmp_path / "pi-2013.json"
    changed.write_text(json.dumps(data))
    with pytest.raises(RuleBroken, match="new version"):
        services.load_factor_set(changed)
    assert FactorSet.objects.get(code="pi-2013", version=1).factors.filter(
        name="Renamed factor").count() == 0
    # The unchanged file is accepted and keeps the same rows; a new version loads beside it.
    assert services.load_factor_set().pk == assessment.factor_set_id
    data["version"] = 2
    changed.write_text(json.dumps(data))
    v2 = services.load_factor_set(changed)
    assert v2.pk != assessment.factor_set_id
    assert FactorSet.objects.filter(code="pi-2013").count() == 2


def test_short_form_scope(facilitator, factor_set, community):
    short = services.create_assessment(
        user=facilitator, community=community, period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31), purpose="Short form at the youth club",
        factor_set=factor_set, factors=factor_set.factors.filter(cluster__key="place"))
    assert short.is_short_form
    assert short.factors_in_scope.count() == 7


def test_assessment_needs_factors_and_ordered_period(facilitator, factor_set, community):
    with pytest.raises(RuleBroken, match="at least one factor"):
        services.create_assessment(user=facilitator, community=community,
                                   period_start=date(2026, 1, 1), period_end=date(2026, 2, 1),
                                   purpose="x", factor_set=factor_set, factors=[])
    with pytest.raises(RuleBroken, match="on or after"):
        services.create_assessment(user=facilitator, community=community,
                                   period_start=date(2026, 2, 1), period_end=date(2026, 1, 1),
                                   purpose="x", factor_set=factor_set,
                                   factors=factor_set.factors.all())


def test_ratings_only_while_open(assessment):
    with pytest.raises(RuleBroken, match="not open"):
        services.join(assessment, role="resident", age_band="25-64")
    services.open_for_ratings(assessment)
    p = services.join(assessment, role="resident", age_band="25-64")
    services.rate(p, factor(assessment, "housing"), services.Answer(condition=2, importance=5))
    services.close(assessment, reason="Pilot session only")
    with pytest.raises(RuleBroken, match="closed"):
        services.rate(p, factor(assessment, "housing"), services.Answer(condition=4))
    assert Rating.objects.get(participant=p).condition == 2


def test_dont_know_never_has_a_condition(open_assessment):
    p = services.join(open_assessment, role="resident", age_band="25-64")
    with pytest.raises(RuleBroken):
        services.rate(p, factor(open_assessment, "housing"),
                      services.Answer(condition=3, dont_know=True))
    services.rate(p, factor(open_assessment, "housing"), services.Answer(dont_know=True))
    assert Rating.objects.get(participant=p).condition is None


def test_blank_answer_is_a_skip_and_removes_an_earlier_answer(open_assessment):
    p = services.join(open_assessment, role="resident", age_band="25-64")
    housing = factor(open_assessment, "housing")
    services.rate(p, housing, services.Answer(condition=3))
    services.rate(p, housing, services.Answer())
    assert not Rating.objects.filter(participant=p).exists()


def test_participant_model_has_no_identifying_fields():
    names = {f.name for f in Participant._meta.get_fields()}
    for forbidden in ("name", "first_name", "email", "phone", "ip", "ip_address", "user_agent",
                      "address", "postcode", "user", "young_person"):
        assert forbidden not in names


def test_action_is_never_attached_to_a_child():
    related = {f.related_model._meta.app_label for f in Action._meta.get_fields()
               if f.is_relation and f.related_model is not None}
    assert related <= {"community"}
    assert Action._meta.get_field("thrive_grouping").default == "thriving"


def test_close_needs_priority_and_action_or_reason(open_assessment):
    with pytest.raises(RuleBroken, match="at least one priority"):
        services.close(open_assessment)
    housing = factor(open_assessment, "housing")
    priority = services.add_priority(open_assessment, factor=housing, rank=1,
                                     rationale="Overcrowding", method="consensus",
                                     agreed_on=date(2026, 10, 1))
    with pytest.raises(RuleBroken, match="at least one priority"):
        services.close(open_assessment)
    services.add_action(open_assessment, priority=priority, smart_objective="Survey 200 homes",
                        strategy_type="programme", sector="community", lead_partner="Council",
                        start=date(2026, 11, 1), due=date(2027, 3, 31),
                        progress_measure="Homes surveyed", baseline="0", target="200")
    closed = services.close(open_assessment)
    assert closed.status == Assessment.Status.CLOSED
    with pytest.raises(RuleBroken, match="closed"):
        services.add_priority(closed, factor=factor(closed, "education"), rank=2,
                              rationale="x", method="vote", agreed_on=date(2026, 10, 1))


def test_priority_keeps_the_groups_order_not_the_suggestion(open_assessment):
    # Example D: Housing has the highest suggestion, but the group ranks Getting Around first.
    services.add_priority(open_assessment, factor=factor(open_assessment, "getting_around"),
                          rank=1, rationale="Buses stopped", method="vote",
                          agreed_on=date(2026, 10, 1))
    services.add_priority(open_assessment, factor=factor(open_assessment, "housing"), rank=2,
                          rationale="Damp homes", method="vote", agreed_on=date(2026, 10, 1))
    assert [p.factor.key for p in open_assessment.priorities.all()] == ["getting_around",
                                                                        "housing"]
    with pytest.raises(RuleBroken, match="already ranked 1"):
        services.add_priority(open_assessment, factor=factor(open_assessment, "education"),
                              rank=1, rationale="x", method="vote", agreed_on=date(2026, 10, 1))


def test_results_apply_example_b_disclosure(open_assessment):
    participants_rate(open_assessment, "parks_open_space", [3, 3, 3, 3], role="resident",
                      age_band="16-17")
    participants_rate(open_assessment, "parks_open_space", [4] * 5, role="resident")
    participants_rate(open_assessment, "parks_open_space", [4] * 5, role="practitioner")
    # Roles: residents 9 here (4 young + 5 adults); a separate young_person pair.
    participants_rate(open_assessment, "parks_open_space", [2, 2], role="young_person",
                      age_band="25-64")
    parks = next(r for r in results.results_for(open_assessment).factors
                 if r.factor.key == "parks_open_space")
    assert parks.young_vs_adults["young"].state == stats.FEWER_THAN_MIN
    assert parks.young_vs_adults["adults"].state == stats.SUPPRESSED
    assert parks.divergence is None
    assert parks.roles["young_person"].state == stats.FEWER_THAN_MIN
    assert parks.roles["practitioner"].state == stats.SUPPRESSED
    assert parks.roles["resident"].shown


def test_results_example_c_and_low_n(open_assessment):
    participants_rate(open_assessment, "parks_open_space", [1, 2, 1, 2, 2], role="young_person",
                      age_band="11-15", importance=3)
    participants_rate(open_assessment, "parks_open_space", [4, 3, 4, 5, 3, 4], importance=3)
    participants_rate(open_assessment, "education", [3, 3, 3, 3], importance=5)
    res = results.results_for(open_assessment)
    parks = next(r for r in res.factors if r.factor.key == "parks_open_space")
    assert round(parks.condition.mean, 2) == 2.82 and parks.condition.n == 11
    assert round(parks.divergence.difference, 2) == -2.23 and parks.divergence.flagged
    education = next(r for r in res.factors if r.factor.key == "education")
    assert education.low_n and education.suggestion is None
    assert [r.factor.key for r, _ in res.suggestions] == ["parks_open_space"]
    place = next(c for c in res.clusters if c.key == "place")
    assert place.mean.label == "1 of 7 factors"


def test_repeat_clones_scope_into_linked_draft_and_review_shows_change(open_assessment,
                                                                       facilitator):
    participants_rate(open_assessment, "housing", [2, 2, 2, 3, 3])
    services.close(open_assessment, reason="Annual round finished")
    draft = services.repeat(open_assessment, user=facilitator)
    assert draft.status == Assessment.Status.DRAFT and draft.previous == open_assessment
    assert set(draft.factors_in_scope.all()) == set(open_assessment.factors_in_scope.all())
    services.open_for_ratings(draft)
    participants_rate(draft, "housing", [3, 3, 3, 4, 3])
    factor_rows, clusters = results.review(results.results_for(open_assessment),
                                           results.results_for(draft))
    housing = next(r for r in factor_rows if r.factor.key == "housing")
    assert (round(housing.change.delta, 2), housing.change.verdict) == (0.8, "better")
    place = next(c for c in clusters if c.name.startswith("Place"))
    assert place.change.shared == 1


def test_overlapping_assessments_of_the_last_three_years(assessment, community, facilitator,
                                                         factor_set):
    old = services.create_assessment(user=facilitator, community=community,
                                     period_start=date(2019, 1, 1), period_end=date(2019, 2, 1),
                                     purpose="Long ago", factor_set=factor_set,
                                     factors=factor_set.factors.all())
    found = list(services.overlapping_assessments(community))
    assert assessment in found and old not in found
    services.add_evidence(assessment, factor=factor(assessment, "housing"),
                          indicator="Overcrowded homes", value=12.5, unit="%",
                          source="Census 2021", as_of=date(2021, 3, 21), peer_value=8.7)
    with pytest.raises(RuleBroken, match="Close this assessment"):
        services.repeat(assessment, user=facilitator)
    services.close(assessment, reason="Evidence only")
    draft = services.repeat(assessment, user=facilitator)
    assert services.copy_evidence(source=assessment, target=draft) == 1
    assert services.copy_evidence(source=assessment, target=draft) == 0  # no duplicates
    assert draft.evidence.get().indicator == "Overcrowded homes"
    with pytest.raises(RuleBroken, match="already been repeated"):
        services.repeat(assessment, user=facilitator)


def test_paper_form_keyed_by_facilitator(open_assessment):
    p = services.key_paper_form(
        open_assessment, role="parent_carer", age_band="25-64",
        answers={factor(open_assessment, "housing"): services.Answer(condition=1, importance=5),
                 factor(open_assessment, "education"): services.Answer()})
    assert p.keyed_from_paper and p.ratings.count() == 1


def test_no_model_field_anywhere_in_the_app_stores_an_address():
    from django.apps import apps
    for model in apps.get_app_config("community").get_models():
        for f in model._meta.get_fields():
            assert not isinstance(f, models.GenericIPAddressField), (model, f.name)


def test_area_panel_for_a_matching_geography(open_assessment):
    participants_rate(open_assessment, "housing", [2, 2, 2, 3, 3])
    assert results.area_panel("ward", "E05000001") is None  # nothing closed yet
    services.close(open_assessment, reason="Short round")
    panel = results.area_panel("ward", "e05000001")
    assert panel.assessment == open_assessment
    place = next(c for c in panel.results.clusters if c.key == "place")
    assert round(place.mean.mean, 2) == 2.40
    assert results.area_panel("lsoa", "E05000001") is None
    html = render_to_string("community/_area_panel.html", {"panel": panel})
    assert "Community THRIVE: Northvale East" in html and "2.40 (1 of 7 factors)" in html


def test_change_across_factor_set_versions_only_for_mapped_factors(open_assessment, facilitator,
                                                                   tmp_path):
    participants_rate(open_assessment, "housing", [2, 2, 2, 2, 2])
    participants_rate(open_assessment, "education", [3, 3, 3, 3, 3])
    services.close(open_assessment, reason="Round one")
    data = json.loads((services.FACTOR_SETS_DIR / "pi-2013.json").read_text())
    data["version"], data["is_default"] = 2, False
    for f in data["factors"]:
        if f["key"] == "housing":
            f["key"], f["name"] = "homes", "Homes"
    data["crosswalk"] = {"from": {"code": "pi-2013", "version": 1},
                         "map": {"housing": "homes", "parks_open_space": "parks_open_space"}}
    path = tmp_path / "pi-2013-v2.json"
    path.write_text(json.dumps(data))
    v2 = services.load_factor_set(path)
    later = services.create_assessment(
        user=facilitator, community=open_assessment.community, period_start=date(2027, 9, 1),
        period_end=date(2027, 11, 30), purpose="Round two", factor_set=v2,
        factors=v2.factors.all())
    later.previous = open_assessment
    later.save()
    services.open_for_ratings(later)
    participants_rate(later, "homes", [3, 3, 3, 3, 3])
    participants_rate(later, "education", [4, 4, 4, 4, 4])
    rows, _ = results.review(results.results_for(open_assessment), results.results_for(later))
    by_key = {r.factor.key: r for r in rows}
    assert (round(by_key["homes"].change.delta, 2), by_key["homes"].change.verdict) == (
        1.0, "better")
    assert by_key["education"].change is None  # not in the crosswalk: not compared


def test_load_factor_set_command(db, tmp_path):
    out = StringIO()
    call_command("load_factor_set", stdout=out)
    assert "12 factors in 3 clusters" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text('{"code": "x"}')
    with pytest.raises(CommandError, match="Not a factor set file"):
        call_command("load_factor_set", str(bad))
