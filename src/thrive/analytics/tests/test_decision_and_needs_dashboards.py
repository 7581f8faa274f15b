"""Section 7 dashboards on shared decision making and presenting needs: CollaboRATE top score
(shown only from 25 responses), preferences offered versus chosen, and the Current View profile
by grouping. Raw aggregate counts against hand-worked answers, then what the page shows."""

import json
from datetime import date, time

import duckdb
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from thrive.accounts.models import Role
from thrive.analytics import dashboards
from thrive.analytics.platform_extract import build_platform_extract
from thrive.analytics.schema import LATER_TABLES, TABLES
from thrive.care.groupings import OPTION_LABELS, SupportOption
from thrive.care.models import Contact, GroupingDecision
from thrive.conftest import make_episode, make_user, make_young_person
from thrive.measures.engine.catalogue_loader import get_catalogue
from thrive.measures.engine.experience_measures import COLLABORATE_MIN_ENCOUNTERS
from thrive.measures.models import Completion

from .builders import Extract, all_pages, d, downloaded_csv

CV = {n: item.snomed.concept_id for n, item in get_catalogue().measure("current_view").items.items()
      if item.snomed}
ONE_TO_ONE, SELF_HELP, GROUP = SupportOption.ONE_TO_ONE, SupportOption.SELF_HELP, SupportOption.GROUP


def build(x: Extract):
    # CollaboRATE: 24 completed encounters in January (15 top scores), 1 in February (top).
    for i in range(25):
        p, r = f"P{i}", f"R{i}"
        x.person(p, sex="2" if i < 12 else "1", ethnic_category="A", imd_decile=3)
        x.referral(r, p, received="2023-12-01", discharged=None, provider="RX1")
        x.rows["collaborate"].append(dict(
            response_id=f"E{i}", person_id=p, referral_id=r, rater="self",
            completed_on=d("2024-02-10") if i == 24 else date(2024, 1, 1 + i), top_score=i < 15 or i == 24))
    # Ten decisions in January: one-to-one offered in all (chosen in 6), self-help in all (chosen
    # in 2), group work in 3 (never chosen).
    for i in range(10):
        options = [ONE_TO_ONE, SELF_HELP] + ([GROUP] if i < 3 else [])
        for option in options:
            x.rows["decision_options"].append(dict(
                decision_id=f"D{i}", person_id=f"P{i}", referral_id=f"R{i}", decided_on=d("2024-01-15"),
                grouping="getting_help", option=option.value,
                preferred=(option == ONE_TO_ONE and i < 6) or (option == SELF_HELP and i >= 8)))
    # Current View. R0-R9: Getting Help from 5 January, a Current View on 1 February: item 1 rated
    # moderate (2) for R0-R5, severe (3) for R6, mild (1) for R7-R9; item 9 severe for R0 only.
    # R10-R14: Getting More Help from 5 January; Current View 1 February, item 1 none (0).
    # R15: a Current View on 2 January, before any grouping; R16: Getting Help until 1 March, then
    # Getting More Help: a Current View on 1 March belongs to Getting More Help (item 1 severe).
    for i in range(17):
        r = f"R{i}"
        if i < 10:
            x.rows["groupings"].append(dict(person_id=f"P{i}", referral_id=r, grouping="getting_help",
                                            start_on=d("2024-01-05"), end_on=None, shared_decision=True))
            x.score(CV[1], 2 if i < 6 else 3 if i == 6 else 1, "2024-02-01", r)
            if i == 0:
                x.score(CV[9], 3, "2024-02-01", r)
        elif i < 15:
            x.rows["groupings"].append(dict(person_id=f"P{i}", referral_id=r, grouping="getting_more_help",
                                            start_on=d("2024-01-05"), end_on=None, shared_decision=True))
            x.score(CV[1], 0, "2024-02-01", r)
        elif i == 15:
            x.score(CV[1], 3, "2024-01-02", r)
        else:
            x.rows["groupings"] += [
                dict(person_id=f"P{i}", referral_id=r, grouping="getting_help", start_on=d("2024-01-05"),
                     end_on=d("2024-03-01"), shared_decision=True),
                dict(person_id=f"P{i}", referral_id=r, grouping="getting_more_help", start_on=d("2024-03-01"),
                     end_on=None, shared_decision=True)]
            x.score(CV[1], 3, "2024-03-01", r)
    x.score("445455005", 12, "2024-02-01", "R0")  # GAD-7: not a Current View item


@pytest.fixture
def aggregates(tmp_path, settings):
    x = Extract()
    build(x)
    return x.refresh_page(tmp_path, settings)


def query(agg, sql):
    return duckdb.connect().execute(sql.format(agg=agg)).fetchall()


def shown(agg, slug, start=None, end=None, **values):
    return dashboards.table(agg, dashboards.CHART_BY_SLUG[slug],
                            dashboards.Selection(start=start, end=end, values=values))


def test_collaborate_top_score_only_from_25_responses(aggregates):
    assert query(aggregates, "SELECT month, sum(encounters)::INT, sum(top_score)::INT FROM "
                             "read_parquet('{agg}/collaborate.parquet') GROUP BY ALL ORDER BY 1") == [
        (date(2024, 1, 1), 24, 15), (date(2024, 2, 1), 1, 1)]
    table = shown(aggregates, "collaborate")
    assert table.headings == ["Completed encounters", "Top score (every answer 9)", "% top score"]
    # 25 encounters in the selection: 16 top scores, shown 15 of 25 (percent of the rounded counts).
    assert table.rows == [[25, 15, "60.0"]]
    fewer = "fewer than 25 responses"
    # January alone: 24 encounters (shown rounded to 25, but there are fewer than 25 responses).
    assert shown(aggregates, "collaborate", end=date(2024, 1, 1)).rows == [[25, 15, fewer]]
    assert shown(aggregates, "collaborate", start=date(2024, 2, 1)).rows == [["*", "*", fewer]]
    assert shown(aggregates, "collaborate", sex="Female").rows == [[10, 10, fewer]]  # 12, 12
    assert shown(aggregates, "collaborate", start=date(2025, 1, 1)).rows == []
    assert COLLABORATE_MIN_ENCOUNTERS == 25


def test_preferences_offered_versus_chosen(aggregates):
    assert query(aggregates, "SELECT option, sum(offered)::INT, sum(chosen)::INT FROM "
                             "read_parquet('{agg}/decision_options.parquet') GROUP BY ALL ORDER BY 1") == [
        ("group", 3, 0), ("one_to_one", 10, 6), ("self_help", 10, 2)]
    table = shown(aggregates, "preferences")
    assert table.headings == ["Option", "Times offered", "Times chosen", "% chosen when offered"]
    assert table.rows == [  # in the form's order, named as the form names them
        [OPTION_LABELS[SELF_HELP], 10, "*", "*"],
        [OPTION_LABELS[GROUP], "*", 0, "*"],
        [OPTION_LABELS[ONE_TO_ONE], 10, 5, "50.0"]]
    assert shown(aggregates, "preferences", start=date(2024, 2, 1)).rows == []


def test_current_view_profile_by_grouping(aggregates):
    views = query(aggregates, "SELECT grouping, sum(current_views)::INT FROM "
                              "read_parquet('{agg}/current_view.parquet') WHERE item IS NULL "
                              "GROUP BY ALL ORDER BY 1")
    assert views == [("getting_help", 10), ("getting_more_help", 6), ("none", 1)]
    rated = query(aggregates, "SELECT grouping, item, sum(moderate_or_severe)::INT "
                              "FROM read_parquet('{agg}/current_view.parquet') WHERE item IN (1, 9) "
                              "GROUP BY ALL ORDER BY 1, 2")
    # Only what happened is stored: no row where no Current View rated the item moderate or severe.
    assert rated == [("getting_help", 1, 7), ("getting_help", 9, 1), ("getting_more_help", 1, 1),
                     ("none", 1, 1)]
    table = shown(aggregates, "current-view")
    assert table.headings == ["Current View item", "Getting Help", "Getting More Help",
                              "No grouping agreed yet"]
    assert table.rows[0] == ["Current Views (number)", 10, 5, "*"]
    assert table.rows[1] == ["Item 1: provisional problem description", "50.0", "*", "*"]  # 5 of 10
    assert table.rows[9] == ["Item 9: provisional problem description", "*", "0.0", "*"]
    assert table.rows[10][0] == "Item 10: provisional problem description"  # items in number order
    assert table.rows[-1][0] == "Item 36: education, employment, training"
    assert len(table.rows) == 1 + len(CV)
    # The month filter applies: only R16 in March.
    assert shown(aggregates, "current-view", start=date(2024, 3, 1)).rows[:2] == [
        ["Current Views (number)", "*"], ["Item 1: provisional problem description", "*"]]
    assert shown(aggregates, "current-view", start=date(2030, 1, 1)).rows == []  # none: "No figures"


def test_current_view_terms_are_not_shown(aggregates):
    """The Current View preferred terms contain item wording: the catalogue never displays them."""
    table = shown(aggregates, "current-view")
    words = " ".join(str(v) for row in table.rows for v in row)
    assert "anxious" not in words and "Provisional Problem Description item 1 score" not in words


@pytest.mark.django_db
def test_page_and_downloads(client, camhs_team, aggregates):
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = all_pages(client)
    for title in ("Shared decision making: CollaboRATE top score", "Preferences offered versus chosen",
                  "Current View profile by grouping"):
        assert title in page
    assert "shown only when there are 25 or more completed encounters" in page
    assert "has no CollaboRATE responses" not in page and "has no options discussed" not in page
    january = client.get("/analytics/collaborate/", {"to": "2024-01"}).content.decode()
    assert "fewer than 25 responses" in january
    for slug in ("collaborate", "preferences", "current-view"):
        rows = downloaded_csv(client, slug)
        expected = dashboards.table(aggregates, dashboards.CHART_BY_SLUG[slug], dashboards.Selection())
        assert rows[0] == expected.headings
        assert rows[1:] == [["" if v is None else str(v) for v in row] for row in expected.rows]
        assert not {c for r in rows[1:] for c in r} & {"1", "2", "3", "4"}


@pytest.mark.django_db
def test_an_mhsds_source_has_no_collaborate_or_preferences(client, camhs_team, tmp_path, settings):
    x = Extract()
    build(x)
    x.rows["collaborate"] = []
    x.rows["decision_options"] = []
    agg = x.refresh_page(tmp_path, settings)  # absent, as from an MHSDS import
    assert shown(agg, "collaborate").missing == ["collaborate"]
    assert shown(agg, "preferences").missing == ["decision_options"]
    assert shown(agg, "current-view").rows  # MHSDS carries Current View items
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = all_pages(client)
    assert "has no CollaboRATE responses, so" in page
    assert "has no options discussed in grouping decisions, so" in page


def test_an_older_extract_without_the_new_tables_still_attaches(tmp_path):
    x = Extract()
    build(x)
    x.write(tmp_path / "extract")
    for name in ("collaborate", "decision_options"):
        assert name in LATER_TABLES
        (tmp_path / "extract" / f"{name}.parquet").unlink()
    meta = dashboards.refresh(tmp_path / "extract", tmp_path / "agg")
    assert {"collaborate", "decision_options"} <= set(meta["extract_absent"])
    assert meta["rows"]["collaborate"] == meta["rows"]["decision_options"] == 0


def _decision(episode, user, on, grouping, current, discussed, preferred):
    return GroupingDecision.objects.create(
        episode=episode, decided_on=on, grouping=grouping, young_person_took_part=True,
        parent_carer_took_part=True, rationale="Agreed together.", made_explicit=True,
        review_on=date(2024, 6, 1), is_current=current, recorded_by=user,
        options_discussed=discussed, options_preferred=preferred)


def _completion(episode, user, measure_id, on, responses, rater="self", source="items"):
    return Completion.objects.create(
        episode=episode, measure_id=measure_id, rater=rater, respondent=rater, completed_on=on, source=source,
        responses={str(k): v for k, v in responses.items()}, recorded_by=user)


@pytest.fixture
def platform(camhs_team, practitioner):
    person = make_young_person(date_of_birth=date(2010, 3, 1), sex="2")
    ep = make_episode(person, camhs_team, practitioner, referral_received_on=date(2024, 1, 2),
                      accepted_on=date(2024, 1, 3))
    Contact.objects.create(episode=ep, date=date(2024, 1, 10), time=time(10), mode="face_to_face",
                           attendance="attended", practitioner=practitioner)
    _decision(ep, practitioner, date(2024, 1, 10), "getting_advice", False,
              ["self_help", "community", "one_to_one"], ["self_help"])
    _decision(ep, practitioner, date(2024, 2, 20), "getting_help", True, ["one_to_one", "group"],
              ["one_to_one", "group"])
    _completion(ep, practitioner, "collaborate", date(2024, 1, 10), {1: 9, 2: 9, 3: 9})
    _completion(ep, practitioner, "collaborate", date(2024, 2, 20), {1: 9, 2: 8, 3: 9}, rater="parent")
    _completion(ep, practitioner, "collaborate", date(2024, 2, 21), {1: 9, 2: None, 3: 9})  # incomplete
    # Current View: item 1 moderate, item 9 not known (never coded), item 31 severe, item 37 a
    # complexity factor (no MHSDS code).
    _completion(ep, practitioner, "current_view", date(2024, 1, 10), {1: 2, 2: 0, 9: 9, 31: 3, 37: 1},
                rater="clinician")
    return ep


@pytest.mark.django_db
def test_from_the_platform_records(tmp_path, settings, platform):
    manifest = build_platform_extract(tmp_path / "x")
    assert manifest["absent"] == [] and manifest["schema_version"] == 4
    tables = {name: pq.read_table(tmp_path / "x" / f"{name}.parquet") for name in TABLES}
    episode = str(platform.public_id)
    collaborate = tables["collaborate"].to_pylist()
    assert [(c["completed_on"], c["rater"], c["top_score"]) for c in collaborate] == [
        (date(2024, 1, 10), "self", True), (date(2024, 2, 20), "parent", False)]
    assert {c["referral_id"] for c in collaborate} == {episode}
    options = [(o["decided_on"], o["grouping"], o["option"], o["preferred"])
               for o in tables["decision_options"].to_pylist()]
    assert options == [
        (date(2024, 1, 10), "getting_advice", "self_help", True),
        (date(2024, 1, 10), "getting_advice", "community", False),
        (date(2024, 1, 10), "getting_advice", "one_to_one", False),
        (date(2024, 2, 20), "getting_help", "one_to_one", True),
        (date(2024, 2, 20), "getting_help", "group", True)]
    scores = [(s["concept_id"], s["score"], s["completed_on"]) for s in tables["scores"].to_pylist()]
    assert scores == [(CV[1], "2", date(2024, 1, 10)), (CV[2], "0", date(2024, 1, 10)),
                      (CV[31], "3", date(2024, 1, 10))]
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
    call_command("refresh_analytics")
    agg = tmp_path / "analytics" / "aggregates"
    assert json.loads((agg / "meta.json").read_text())["extract_absent"] == []
    assert query(agg, "SELECT sum(encounters)::INT, sum(top_score)::INT "
                      "FROM read_parquet('{agg}/collaborate.parquet')") == [(2, 1)]
    assert query(agg, "SELECT option, sum(offered)::INT, sum(chosen)::INT FROM "
                      "read_parquet('{agg}/decision_options.parquet') GROUP BY 1 ORDER BY 1") == [
        ("community", 1, 0), ("group", 1, 1), ("one_to_one", 2, 1), ("self_help", 1, 1)]
    assert query(agg, "SELECT grouping, item, current_views, moderate_or_severe FROM read_parquet("
                      "'{agg}/current_view.parquet') ORDER BY 2 NULLS FIRST") == [
        ("getting_advice", None, 1, 0), ("getting_advice", 1, 0, 1), ("getting_advice", 31, 0, 1)]


def test_the_current_view_heat_map_is_coloured_by_percentage_without_the_count_row(aggregates):
    from thrive.analytics import charts

    table = shown(aggregates, "current-view")
    heat = charts.figures(table)[0]
    values = [v for layer in [heat.spec] for d in layer["data"]["values"] for v in [d]]
    assert values and all(d["row"] != "Current Views (number)" for d in values)
    assert "Current Views (number)" not in heat.spec["encoding"]["y"]["scale"]["domain"]
    rect = heat.spec["layer"][0]["encoding"]["color"]
    assert rect["scale"]["domainMin"] == 0 and rect["scale"]["domainMax"] == 100
    assert all(0 <= d["value"] <= 100 for d in values)
    # Column labels slant rather than overlap; the table beside the chart keeps the counts.
    assert heat.spec["encoding"]["x"]["axis"]["labelAngle"] != 0
    assert table.rows[0][0] == "Current Views (number)"
    assert "heat map of the percentages" in heat.description
