"""Charts beside the analytics tables: drawn only from the suppressed figures the table shows, one
chart per table whatever its shape, and a flow diagram of moves between groupings."""

import json
import re

import pytest

from thrive.accounts.models import Role
from thrive.analytics import charts, dashboards
from thrive.analytics.dashboards import Chart, Table
from thrive.care.groupings import Grouping
from thrive.conftest import make_user

from . import test_more_dashboards
from .builders import Extract, all_pages

FIVE = [g.label for g in Grouping]  # framework order
ADVICE, HELP, MORE, RISK = FIVE[1:]


def monthly(counts=(("referrals", "Referrals"), ("seen", "Seen")), percents=(), **extra):
    return Chart("monthly", "Seen", "monthly", "By month.", (("month", "Month"),), counts, percents, **extra)


def data(figure) -> list[dict]:
    return figure.spec["data"]["values"]


def test_a_suppressed_figure_is_not_drawn_and_its_line_breaks():
    table = Table(monthly(), ["Month", "Referrals", "Seen"],
                  [["2024-01", 10, 5], ["2024-02", "*", 0], ["2024-03", 15, "*"]])
    [figure] = charts.figures(table)
    assert figure.spec["mark"]["type"] == "line"
    points = {(d["month"], d["series"]): d["value"] for d in data(figure)}
    assert points == {("2024-01-01", "Referrals"): 10, ("2024-01-01", "Seen"): 5,
                      ("2024-02-01", "Referrals"): None, ("2024-02-01", "Seen"): 0,
                      ("2024-03-01", "Referrals"): 15, ("2024-03-01", "Seen"): None}
    assert "*" not in json.dumps(figure.spec["data"])
    assert "shown there as * (1 to 4) is not drawn and its line breaks there" in figure.description
    assert figure.spec["description"] == figure.description
    assert figure.spec["title"]["text"] == "Seen" and figure.spec["width"] == "container"


def test_a_month_table_with_percentages_draws_the_percentages():
    chart = monthly(percents=(("% seen", "seen", "referrals"),))
    table = Table(chart, ["Month", "Referrals", "Seen", "% seen"],
                  [["2024-01", 20, 10, "50.0"], ["2024-02", "*", "*", "*"]])
    [figure] = charts.figures(table)
    assert [(d["series"], d["value"]) for d in data(figure)] == [("% seen", 50.0), ("% seen", None)]
    assert figure.spec["encoding"]["y"]["title"] == "Per cent"
    assert "worked out from the rounded counts" in figure.description


def test_the_caseload_has_one_series_per_grouping_in_framework_order():
    chart = dashboards.CHART_BY_SLUG["caseload"]
    table = Table(chart, ["Month", *FIVE], [["2024-01", 10, 25, "*", 5, 0], ["2024-02", 15, 20, 10, "*", 5]])
    [figure] = charts.figures(table)
    colour = figure.spec["encoding"]["color"]
    assert figure.spec["mark"]["type"] == "bar" and figure.spec["encoding"]["y"]["stack"] == "zero"
    assert colour["scale"]["domain"] == FIVE
    assert colour["scale"]["range"] == [charts.GROUPING_COLOURS[g] for g in FIVE]
    drawn = [(d["month"], d["series"], d["value"]) for d in data(figure)]
    assert [d for d in drawn if d[0] == "2024-01-01"] == [
        ("2024-01-01", FIVE[0], 10), ("2024-01-01", ADVICE, 25), ("2024-01-01", MORE, 5),
        ("2024-01-01", RISK, 0)]  # Getting Help's "*" is left out


def transitions(rows):
    return Table(dashboards.CHART_BY_SLUG["transitions"], ["From", ADVICE, HELP, MORE, RISK], rows)


MOVES = [[ADVICE, 5, 20, "*", 0], [HELP, 10, 0, 15, "*"], [MORE, 0, 5, 0, 5]]


def test_moves_between_groupings_get_a_heat_map_and_a_flow_diagram():
    heat, flow = charts.figures(transitions(MOVES))
    assert heat.id == "chart-transitions" and flow.id == "flow-transitions"
    assert heat.spec["encoding"]["y"]["scale"]["domain"] == [ADVICE, HELP, MORE]
    assert heat.spec["encoding"]["x"]["scale"]["domain"] == [ADVICE, HELP, MORE, RISK]
    assert {(d["row"], d["column"]) for d in data(heat)} == {
        (r[0], c) for r in MOVES for c, v in zip([ADVICE, HELP, MORE, RISK], r[1:], strict=True) if v != "*"}
    assert flow.spec["$schema"].startswith("https://vega.github.io/schema/vega/")
    assert "is not drawn as a band" in flow.description


def test_the_flow_diagrams_bands_are_the_tables_suppressed_counts():
    flow = charts.flow_layout(transitions(MOVES))
    bands = {(b["from"], b["to"]): b["moves"] for b in flow.bands}
    assert bands == {(ADVICE, ADVICE): 5, (ADVICE, HELP): 20, (HELP, ADVICE): 10, (HELP, MORE): 15,
                     (MORE, HELP): 5, (MORE, RISK): 5}  # no band for "*" or 0
    # Every band is as thick as its count at both ends, and sits inside its groupings.
    for b in flow.bands:
        assert b["sy1"] - b["sy0"] == pytest.approx(b["ty1"] - b["ty0"]) == b["moves"]
    left = {n["name"]: n for n in flow.left}
    right = {n["name"]: n for n in flow.right}
    assert [n["name"] for n in flow.left] == [ADVICE, HELP, MORE]  # framework order, top down
    assert [n["name"] for n in flow.right] == [ADVICE, HELP, MORE, RISK]
    assert {k: n["size"] for k, n in left.items()} == {ADVICE: 25, HELP: 25, MORE: 10}
    assert {k: n["size"] for k, n in right.items()} == {ADVICE: 15, HELP: 25, MORE: 15, RISK: 5}
    for b in flow.bands:
        assert left[b["from"]]["y0"] <= b["sy0"] < b["sy1"] <= left[b["from"]]["y1"]
        assert right[b["to"]]["y0"] <= b["ty0"] < b["ty1"] <= right[b["to"]]["y1"]
    spec = charts.flow_diagram(transitions(MOVES)).spec
    [band_data] = [d for d in spec["data"] if d["name"] == "bands"]
    assert [b["moves"] for b in band_data["values"]] == [b["moves"] for b in flow.bands]
    assert any(t["type"] == "linkpath" for t in band_data["transform"])


def test_a_flow_diagram_needs_a_move_to_draw():
    zeros = charts.figures(transitions([[ADVICE, "*", 0, "*", 0]]))
    assert [f.id for f in zeros] == ["chart-transitions"]  # a heat map of the zeros, no flow
    assert charts.figures(transitions([[ADVICE, "*", "*", "*", "*"]])) == []


def test_a_table_keyed_by_grouping_is_a_bar_per_grouping_in_framework_order():
    chart = dashboards.CHART_BY_SLUG["time-in-grouping"]
    table = Table(chart, ["Grouping", "Completed periods", "Median days", "Mean days"],
                  [[HELP, 10, "12.5", "14.0"], [MORE, "*", "*", "*"], [RISK, 5, "40.0", "41.2"]])
    [figure] = charts.figures(table)
    assert figure.spec["mark"]["type"] == "bar"
    assert figure.spec["encoding"]["y"]["scale"]["domain"] == [HELP, MORE, RISK]  # MORE: no bar
    assert [(d["category"], d["series"], d["value"]) for d in data(figure)] == [
        (HELP, "Median days", 12.5), (HELP, "Mean days", 14.0),
        (RISK, "Median days", 40.0), (RISK, "Mean days", 41.2)]
    assert figure.spec["encoding"]["x"]["title"] == "Days"


def test_a_month_table_whose_percentages_are_all_suppressed_draws_its_counts():
    chart = monthly(percents=(("% seen", "seen", "referrals"),))
    table = Table(chart, ["Month", "Referrals", "Seen", "% seen"], [["2024-01", 10, "*", "*"]])
    [figure] = charts.figures(table)
    assert [(d["series"], d["value"]) for d in data(figure)] == [("Referrals", 10), ("Seen", None)]
    assert figure.spec["encoding"]["y"]["title"] == "Number"


def test_a_snapshot_is_a_horizontal_bar_per_count():
    chart = Chart("now", "Plans now", "now", "Now.", (),
                  (("people", "Young people"), ("plans", "With a plan")),
                  (("% with a plan", "plans", "people"),))
    table = Table(chart, ["Young people", "With a plan", "% with a plan"], [[25, "*", "*"]])
    [figure] = charts.figures(table)
    assert figure.spec["encoding"]["y"]["field"] == "figure"
    assert data(figure) == [{"figure": "Young people", "value": 25}]


def test_no_chart_when_there_is_nothing_to_draw():
    assert charts.figures(Table(monthly(), ["Month", "Referrals", "Seen"], [])) == []
    assert charts.figures(Table(monthly(), ["Month", "Referrals", "Seen"], [["2024-01", "*", "*"]])) == []
    assert charts.figures(Table(monthly(needs=("goals",)), ["Month", "Referrals", "Seen"], [],
                                missing=["goals"])) == []


def test_a_chart_of_a_new_shape_still_gets_one():
    """Month by agency, not a matrix: a line per agency."""
    chart = Chart("by-agency", "By agency", "x", "x", (("month", "Month"), ("provider", "Agency")),
                  (("referrals", "Referrals"),))
    table = Table(chart, ["Month", "Agency", "Referrals"],
                  [["2024-01", "RX1", 10], ["2024-01", "RX2", "*"], ["2024-02", "RX1", 15]])
    [figure] = charts.figures(table)
    assert figure.spec["encoding"]["color"]["scale"]["domain"] == ["RX1", "RX2"]
    other = Chart("by-school", "By school", "x", "x", (("school", "School"),), (("n", "Pupils"),))
    [bars] = charts.figures(Table(other, ["School", "Pupils"], [["Hill", 10], ["Vale", "*"]]))
    assert bars.spec["encoding"]["y"]["scale"]["domain"] == ["Hill", "Vale"]


# -- The page ----------------------------------------------------------------------------------

SPEC = re.compile(r'<script type="application/json" data-vega-target="([^"]+)">(.*?)</script>', re.S)


def plotted(spec) -> list[float]:
    """Every figure a spec draws."""
    if spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/"):
        return [d["value"] for d in spec["data"]["values"] if d.get("value") is not None]
    values = {d["name"]: d["values"] for d in spec["data"]}
    return [b["moves"] for b in values["bands"]] + [n["size"] for n in values["nodes"]]


@pytest.fixture
def aggregates(tmp_path, settings):
    """Groupings, moves, goals, plans and outcomes for a few young people (test_more_dashboards)."""
    x = Extract()
    test_more_dashboards.build(x)
    return x.refresh_page(tmp_path, settings)


@pytest.mark.django_db
def test_every_table_on_the_page_has_its_chart_drawn_from_its_suppressed_figures(client, camhs_team,
                                                                                  aggregates):
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    html = all_pages(client, {"incomplete": "1"})  # every month, as the tables below
    specs = {target: json.loads(body) for target, body in SPEC.findall(html)}
    assert "static/core/charts.js" in html and "static/vega-embed/vega-embed.min.js" in html
    sel = dashboards.Selection()
    for chart in dashboards.CHARTS:
        table = dashboards.table(aggregates, chart, sel)
        shown = {charts.number(v) for row in table.rows for v in row} - {None}
        figures = charts.figures(table)
        labels = 1 if chart.pivot else len(chart.keys)
        if not chart.drawn:  # a table only (equity: counts, populations and rates share no axis)
            assert figures == []
        elif any(charts.number(v) is not None for row in table.rows for v in row[labels:]):
            assert figures, f"{chart.slug} has figures but no chart"
        for figure in figures:
            assert f'id="{figure.id}"' in html and figure.id in specs  # a container and its spec
            drawn = plotted(specs[figure.id])
            if figure.id.startswith("flow-"):
                assert all(v % 5 == 0 for v in drawn)  # bands and sums of suppressed counts
            else:
                assert set(drawn) <= shown, f"{figure.id} draws a figure its table does not show"
    # Seven referrals moved from Getting Help to Getting More Help: the page draws 5, never 7.
    flow = specs["flow-transitions"]
    bands = next(d["values"] for d in flow["data"] if d["name"] == "bands")
    assert [(b["from"], b["to"], b["moves"]) for b in bands] == [(HELP, MORE, 5)]
    for spec in specs.values():  # counts drawn are rounded to 5 (percentages and days aside)
        if spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/") and \
                spec["encoding"].get("y", {}).get("title") in ("Number", "Referrals", "Moves"):
            assert all(v % 5 == 0 for v in plotted(spec))
