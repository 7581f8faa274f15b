"""Charts of the analytics tables, drawn only from the suppressed figures a ``dashboards.Table``
shows (never from the aggregates behind it): Vega-Lite specs, and one Vega flow diagram.

The chart follows the table's shape, so a chart added to ``dashboards.CHARTS`` gets one without
any change here:

- keyed by month: a line per figure over the months;
- a matrix of months by something (caseload by grouping): bars over the months, stacked by column;
- any other matrix (moves from one grouping to another): a heat map, and when both sides are
  groupings a flow diagram too (``flow_diagram``);
- keyed by grouping, or by any other category: horizontal bars, groupings in framework order;
- no keys (a snapshot): a horizontal bar per count.

Which figures: a keyed table draws its percentages if it has any to show, else its medians and
means, else its counts: the rates are what those tables are about, and counts of different things
on one axis would hide them (the chart's subtitle and description say which it draws). A snapshot
draws its counts side by side (the bars show the proportion).

A suppressed figure ("*", a count of 1 to 4) is never drawn: a line breaks there, a bar, cell or
band is left out, and every chart's description says so. The table under each chart gives every
figure and is the accessible alternative. Plain Python, no Django.
"""

import json
import re
from dataclasses import dataclass

from thrive.care.groupings import Grouping

from .disclosure import SUPPRESSED

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"
VEGA = "https://vega.github.io/schema/vega/v6.json"

# NHS identity colours (service-manual/styles/colour), each at least 3:1 against white.
NHS_BLUE, NHS_TEXT = "#005eb8", "#212b32"
GROUPING_COLOURS = {  # framework order: Thriving ... Getting Risk Support
    Grouping.THRIVING.label: "#007f3b",                # green
    Grouping.GETTING_ADVICE.label: "#0072ce",          # bright blue
    Grouping.GETTING_HELP.label: "#330072",            # purple
    Grouping.GETTING_MORE_HELP.label: "#ae2573",       # pink
    Grouping.GETTING_RISK_SUPPORT.label: "#d5281b",    # red
}
PALETTE = ("#005eb8", "#007f3b", "#ae2573", "#330072", "#d5281b", "#425563", "#7c2855", "#00a499",
           "#8a1538")
HEAT_RANGE = ("#e8edee", "#41b6e6")  # pale grey to light blue: dark text on every cell passes 4.5:1
MONTH = re.compile(r"^\d{4}-\d{2}$")

NOT_DRAWN = ("Figures are suppressed as in the table: a figure shown there as * (1 to 4) is not "
             "drawn{where}. The table gives every figure.")
CONFIG = {
    "font": "Frutiger W01, Arial, sans-serif",
    "view": {"stroke": None},
    "title": {"anchor": "start", "color": NHS_TEXT, "subtitleColor": NHS_TEXT, "fontSize": 16,
              "subtitleFontSize": 14},
    "axis": {"labelColor": NHS_TEXT, "titleColor": NHS_TEXT, "labelFontSize": 12, "titleFontSize": 13,
             "gridColor": "#d8dde0"},
    "legend": {"orient": "bottom", "direction": "vertical", "labelColor": NHS_TEXT, "titleColor": NHS_TEXT,
               "labelFontSize": 12, "titleFontSize": 13, "labelLimit": 320},
}


@dataclass(frozen=True)
class Figure:
    """One chart on the page: the container's id, its title, what it shows in words (its
    accessible name) and the spec vega-embed draws."""
    id: str
    title: str
    description: str
    spec: dict


def figures(table) -> list[Figure]:
    """Every chart for one table: none when there is nothing to draw (no rows, the source lacks
    the figures, or every figure is suppressed)."""
    if table.missing or not table.rows or not table.chart.drawn:
        return []
    chart = table.chart
    if chart.pivot:
        made = [_matrix(table)]
        if _is_grouping_matrix(table):
            made.append(flow_diagram(table))
    elif not chart.keys:
        made = [_snapshot(table)]
    elif _is_month([row[0] for row in table.rows]):
        made = [_over_months(table)]
    else:
        made = [_by_category(table)]
    return [f for f in made if f is not None]


# -- reading a table ---------------------------------------------------------------------------

def number(value) -> float | int | None:
    """A shown figure as a number to draw, or None for a suppressed ("*") or empty one."""
    if value is None or value == SUPPRESSED or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _is_month(values) -> bool:
    values = [v for v in values if v is not None]
    return bool(values) and all(isinstance(v, str) and MONTH.match(v) for v in values)


def _is_grouping(values) -> bool:
    values = [v for v in values if v is not None]
    return bool(values) and all(v in GROUPING_COLOURS for v in values)


def _is_grouping_matrix(table) -> bool:
    return _is_grouping([row[0] for row in table.rows]) and _is_grouping(table.headings[1:])


def _series(table) -> tuple[str, list[tuple[str, int]]]:
    """What a keyed table draws: (kind, [(heading, column index)]), percentages first, then
    medians and means, then counts (module docstring); a kind whose every figure is suppressed
    gives way to the next, so a table with counts to show always has a chart."""
    chart = table.chart
    start = len(chart.keys)
    spans = {"count": (start, len(chart.counts))}
    spans["percent"] = (start + len(chart.counts), len(chart.percents))
    spans["value"] = (start + len(chart.counts) + len(chart.percents), len(chart.values))
    for kind in ("percent", "value", "count"):
        at, n = spans[kind]
        columns = [(table.headings[i], i) for i in range(at, min(at + n, len(table.headings)))]
        if any(number(row[i]) is not None for row in table.rows for _, i in columns):
            return kind, columns
    return "count", []


def _axis_title(kind: str, names: list[str]) -> str:
    """"Per cent" or "Number"; for medians and means their shared unit ("Median days", "Mean
    days" -> "Days"), else the one figure's heading, else "Value"."""
    if kind != "value":
        return {"percent": "Per cent", "count": "Number"}[kind]
    units = {n.split()[-1] for n in names if n.split()}
    return units.pop().capitalize() if len(units) == 1 else "Value"


KIND_WORDS = {"percent": "percentages, worked out from the rounded counts", "value": "medians and means",
              "count": "counts, rounded to the nearest 5"}


def _colours(names) -> list[str]:
    spare = iter(PALETTE * 4)
    return [GROUPING_COLOURS.get(n) or next(spare) for n in names]


def _value_scale(kind: str, data: list[dict]) -> dict:
    """Percentages on 0 to 100, so months and filters compare; an axis of nothing but zeros
    still has a scale to draw on."""
    if kind == "percent":
        return {"domain": [0, 100]}
    if not any(d["value"] for d in data):
        return {"domain": [0, 5]}
    return {"zero": True}


def _month_tooltip(x: dict) -> dict:
    return {"field": x["field"], "type": "temporal", "timeUnit": x["timeUnit"], "title": x["title"],
            "format": "%B %Y"}


def _month_date(month: str) -> str:
    return f"{month}-01"


def _category(row, n_keys) -> str:
    return " – ".join(str(v) for v in row[:n_keys])


def _spec(title: str, subtitle: str, description: str, data: list[dict], height: int, **parts) -> dict:
    return {"$schema": VEGA_LITE, "title": {"text": title, "subtitle": subtitle},
            "description": description, "width": "container", "height": height,
            "autosize": {"type": "fit-x", "contains": "padding"}, "data": {"values": data},
            "config": CONFIG, **parts}


def _figure(table, suffix, subtitle, description, spec) -> Figure:
    return Figure(f"chart-{table.chart.slug}{suffix}", f"{table.chart.title}: {subtitle}", description, spec)


# -- the charts --------------------------------------------------------------------------------

def _over_months(table) -> Figure | None:
    """A line per figure over the months; a suppressed figure breaks its line."""
    kind, columns = _series(table)
    n_keys = len(table.chart.keys)
    data = []
    for row in table.rows:
        extra = _category(row[1:], n_keys - 1) if n_keys > 1 else ""
        for heading, i in columns:
            name = f"{extra}: {heading}" if extra and len(columns) > 1 else (extra or heading)
            data.append({"month": _month_date(row[0]), "series": name, "value": number(row[i])})
    if all(d["value"] is None for d in data):
        return None
    names = list(dict.fromkeys(d["series"] for d in data))
    axis = _axis_title(kind, [h for h, _ in columns])
    subtitle = f"{axis} by month"
    description = (f"{table.chart.title}: line chart of the {KIND_WORDS[kind]}, by month, one line for each "
                   f"of: {', '.join(names)}. " + NOT_DRAWN.format(where=" and its line breaks there"))
    x = {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth", "title": table.headings[0],
         "axis": {"format": "%b %Y", "labelOverlap": True}}
    spec = _spec(table.chart.title, subtitle, description, data, 260,
                 mark={"type": "line", "point": True, "strokeWidth": 2},
                 encoding={
                     "x": x,
                     "y": {"field": "value", "type": "quantitative", "title": axis,
                           "scale": _value_scale(kind, data)},
                     "color": {"field": "series", "type": "nominal", "title": None,
                               "scale": {"domain": names, "range": _colours(names)}, "sort": names},
                     "tooltip": [_month_tooltip(x),
                                 {"field": "series", "type": "nominal", "title": "Figure"},
                                 {"field": "value", "type": "quantitative", "title": axis}],
                 })
    return _figure(table, "", subtitle, description, spec)


def _by_category(table) -> Figure | None:
    """Horizontal bars, one per category (grouping) and figure, in the table's order."""
    kind, columns = _series(table)
    n_keys = len(table.chart.keys)
    categories = [_category(row, n_keys) for row in table.rows]
    data = [{"category": c, "series": heading, "value": number(row[i])}
            for c, row in zip(categories, table.rows, strict=True) for heading, i in columns]
    data = [d for d in data if d["value"] is not None]
    if not data:
        return None
    names = [h for h, _ in columns]
    heading = " – ".join(h for _, h in table.chart.keys)
    subtitle = f"{', '.join(names)} by {heading.lower()}"
    description = (f"{table.chart.title}: bar chart of the {KIND_WORDS[kind]}, one bar for each "
                   f"{heading.lower()}{' and figure' if len(names) > 1 else ''}. "
                   + NOT_DRAWN.format(where=""))
    grouped = len(names) > 1
    colour = ({"field": "series", "type": "nominal", "title": None, "sort": names,
               "scale": {"domain": names, "range": _colours(["", *names])[1:]}} if grouped else
              {"field": "category", "type": "nominal", "legend": None,
               "scale": {"domain": categories, "range": _colours(categories)}})
    encoding = {
        "y": {"field": "category", "type": "nominal", "title": None, "scale": {"domain": categories},
              "axis": {"labelLimit": 170}},
        "x": {"field": "value", "type": "quantitative",
              "title": names[0] if not grouped else _axis_title(kind, names)},
        "color": colour,
        "tooltip": [{"field": "category", "type": "nominal", "title": heading},
                    {"field": "series", "type": "nominal", "title": "Figure"},
                    {"field": "value", "type": "quantitative", "title": "Value"}],
    }
    if grouped:
        encoding["yOffset"] = {"field": "series", "type": "nominal", "sort": names}
    height = max(120, len(categories) * (18 * len(names) + 14))
    spec = _spec(table.chart.title, subtitle, description, data, height, mark={"type": "bar"},
                 encoding=encoding)
    return _figure(table, "", subtitle, description, spec)


def _snapshot(table) -> Figure | None:
    """A table with no keys (one row): a horizontal bar per count."""
    columns = [(table.headings[i], i) for i in range(min(len(table.chart.counts), len(table.headings)))]
    row = table.rows[0]
    data = [{"figure": h, "value": number(row[i])} for h, i in columns]
    data = [d for d in data if d["value"] is not None]
    if not data:
        return None
    names = [h for h, _ in columns]
    # A per-combination snapshot (Risk Support now) is as of the refresh; others cover the months.
    subtitle = "Counts now" if table.chart.cube else "Counts for the chosen months"
    description = (f"{table.chart.title}: bar chart of the {KIND_WORDS['count']}, one bar each for "
                   f"{', '.join(names)}. " + NOT_DRAWN.format(where=""))
    spec = _spec(table.chart.title, subtitle, description, data, max(100, 44 * len(names)),
                 mark={"type": "bar", "color": NHS_BLUE},
                 encoding={
                     "y": {"field": "figure", "type": "nominal", "title": None, "sort": names,
                           "axis": {"labelLimit": 220}},
                     "x": {"field": "value", "type": "quantitative", "title": "Number"},
                     "tooltip": [{"field": "figure", "type": "nominal", "title": "Figure"},
                                 {"field": "value", "type": "quantitative", "title": "Number"}],
                 })
    return _figure(table, "", subtitle, description, spec)


def _cells(table) -> list[dict]:
    """A matrix's cells, row by row: {"row", "column", "value"}; suppressed ones have no value."""
    return [{"row": row[0], "column": column, "value": number(v)}
            for row in table.rows for column, v in zip(table.headings[1:], row[1:], strict=False)]


def _matrix(table) -> Figure | None:
    cells = _cells(table)
    if all(c["value"] is None for c in cells):
        return None
    rows, columns = [row[0] for row in table.rows], table.headings[1:]
    if _is_month(rows):
        return _stacked_over_months(table, cells, columns)
    return _heat_map(table, cells, rows, columns)


def _stacked_over_months(table, cells, columns) -> Figure:
    """Bars over the months, stacked by the matrix's columns (the caseload by grouping)."""
    data = [{"month": _month_date(c["row"]), "series": c["column"], "value": c["value"],
             "order": columns.index(c["column"])} for c in cells if c["value"] is not None]
    counted = dict(table.chart.counts)
    what = counted.get(table.chart.pivot[2], "Number") if table.chart.pivot else "Number"
    columns_are = _column_words(table)
    subtitle = f"{what} by month and {columns_are}"
    description = (f"{table.chart.title}: stacked bar chart of the {KIND_WORDS['count']}, by month, one "
                   f"colour for each of: {', '.join(columns)}. "
                   + NOT_DRAWN.format(where=", so a month's bar may be shorter than its total"))
    x = {"field": "month", "type": "ordinal", "timeUnit": "utcyearmonth", "title": table.headings[0],
         "axis": {"format": "%b %Y", "labelOverlap": True, "labelAngle": 0}}
    spec = _spec(table.chart.title, subtitle, description, data, 280, mark={"type": "bar"},
                 encoding={
                     "x": x,
                     "y": {"field": "value", "type": "quantitative", "title": what, "stack": "zero"},
                     "color": {"field": "series", "type": "nominal", "title": None, "sort": columns,
                               "scale": {"domain": columns, "range": _colours(columns)}},
                     "order": {"field": "order", "type": "quantitative", "sort": "ascending"},
                     "tooltip": [_month_tooltip(x),
                                 {"field": "series", "type": "nominal", "title": columns_are.capitalize()},
                                 {"field": "value", "type": "quantitative", "title": what}],
                 })
    return _figure(table, "", subtitle, description, spec)


def _column_words(table) -> str:
    """How the matrix's columns are named ("grouping"), from the chart's keys."""
    if table.chart.pivot:
        return dict(table.chart.keys).get(table.chart.pivot[1], "column").lower()
    return "column"


def _heat_map(table, cells, rows, columns) -> Figure:
    """A matrix as coloured cells, darker for more; each cell labelled with its figure. A matrix of
    percentages is coloured on 0 to 100 and leaves out its row of counts (the Current Views per
    grouping), which would swamp the colours: that row stays in the table beside the chart. The
    column labels are slanted so they never overlap, at a phone's width or a desktop's."""
    percentages = bool(table.chart.pivot_percent)
    if percentages and table.chart.pivot_base:
        cells = [c for c in cells if c["row"] != table.chart.pivot_base]
        rows = [r for r in rows if r != table.chart.pivot_base]
    data = [c for c in cells if c["value"] is not None]
    keys = dict(table.chart.keys)
    row_title = table.headings[0]
    column_title = keys.get(table.chart.pivot[1], "") if table.chart.pivot else ""
    what = dict(table.chart.counts).get(table.chart.pivot[2], "Number") if table.chart.pivot else "Number"
    if percentages:
        what = f"% {what[0].lower()}{what[1:]}"
    subtitle = f"{what}: {row_title.lower()} (rows) by {column_title.lower() or 'column'} (columns)"
    description = (f"{table.chart.title}: heat map of the "
                   f"{KIND_WORDS['percent' if percentages else 'count']}, {row_title.lower()} down "
                   f"the side and {column_title.lower() or 'column'} across the top, darker for more. "
                   + NOT_DRAWN.format(where=": its cell is left blank"))
    spec = _spec(table.chart.title, subtitle, description, data, max(160, 52 * len(rows)),
                 encoding={
                     "x": {"field": "column", "type": "nominal", "title": column_title,
                           "scale": {"domain": columns},
                           "axis": {"orient": "top", "labelAngle": -35, "labelAlign": "left",
                                    "labelFontSize": 11, "labelLimit": 150, "labelOverlap": False}},
                     "y": {"field": "row", "type": "nominal", "title": row_title, "scale": {"domain": rows},
                           "axis": {"labelExpr": _wrapped_labels(rows, 16)}},
                 },
                 layer=[
                     {"mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2},
                      "encoding": {
                          "color": {"field": "value", "type": "quantitative", "title": what, "legend": None,
                                    "scale": {"range": list(HEAT_RANGE), "domainMin": 0}
                                    | ({"domainMax": 100} if percentages else {})},
                          "tooltip": [{"field": "row", "type": "nominal", "title": row_title},
                                      {"field": "column", "type": "nominal", "title": column_title},
                                      {"field": "value", "type": "quantitative", "title": what}]}},
                     {"mark": {"type": "text", "fontSize": 13},
                      "encoding": {
                          "text": {"field": "value", "type": "quantitative"},
                          "color": {"value": NHS_TEXT}}},
                 ])
    return _figure(table, "", subtitle, description, spec)


# -- the flow diagram --------------------------------------------------------------------------

NODE_WIDTH = 14
CONTAINER_WIDTH = "max(200, (isFinite(containerSize()[0]) ? containerSize()[0] : 600) - 8)"
GAP = 0.08  # the space between two groupings in a column, as a share of all the moves drawn


@dataclass
class Flow:
    """A flow diagram's layout in moves (the diagram scales it to its height): the groupings on
    each side with their place in the column, and one band per drawn cell of the matrix."""
    left: list[dict]
    right: list[dict]
    bands: list[dict]

    @property
    def extent(self) -> float:
        return max(n["y1"] for n in self.left + self.right)


def flow_layout(table) -> Flow:
    """Lay out a from-by-to matrix: a band for every cell with a figure above zero (a "*" cell is
    not drawn), as thick as that figure, placed within its from-grouping on the left and its
    to-grouping on the right, both in the matrix's (framework) order."""
    rows, columns = [row[0] for row in table.rows], table.headings[1:]
    moves = [(row[0], column, number(v)) for row in table.rows
             for column, v in zip(columns, row[1:], strict=False)]
    moves = [m for m in moves if m[2]]
    total = sum(m[2] for m in moves)
    left, right = _column(rows, moves, 0, total, "left"), _column(columns, moves, 1, total, "right")
    bands = [{"from": r, "to": c, "moves": v} for r, c, v in moves]
    _place(bands, left, "from", "sy", key=lambda b: columns.index(b["to"]))
    _place(bands, right, "to", "ty", key=lambda b: rows.index(b["from"]))
    return Flow(list(left.values()), list(right.values()), bands)


def _column(names, moves, side, total, where) -> dict:
    """The groupings on one side, stacked top to bottom with a gap between them."""
    nodes, y = {}, 0.0
    for name in names:
        size = sum(m[2] for m in moves if m[side] == name)
        if size:
            nodes[name] = {"side": where, "name": name, "size": size, "y0": y, "y1": y + size}
            y += size + total * GAP
    return nodes


def _place(bands, nodes, field, prefix, key):
    """Stack each node's bands inside it, in the order of the groupings at their other end."""
    used = dict.fromkeys(nodes, 0)
    for band in sorted(bands, key=key):
        at = nodes[band[field]]["y0"] + used[band[field]]
        band[f"{prefix}0"], band[f"{prefix}1"] = at, at + band["moves"]
        used[band[field]] += band["moves"]


def flow_diagram(table) -> Figure | None:
    """A Sankey-style diagram of a grouping-by-grouping matrix, as a Vega spec (Vega-Lite has no
    Sankey): from-groupings on the left, to-groupings on the right, and between them bands as
    thick as the matrix's suppressed counts."""
    flow = flow_layout(table)
    if not flow.bands:
        return None
    row_key, column_key, count = table.chart.pivot
    keys = dict(table.chart.keys)
    from_words, to_words = keys.get(row_key, "From"), keys.get(column_key, "To")
    what = dict(table.chart.counts).get(count, "Number")
    names = list(dict.fromkeys(n["name"] for n in flow.left + flow.right))
    subtitle = f"Flow diagram: {from_words.lower()} on the left, {to_words.lower()} on the right"
    description = (
        f"{table.chart.title}: flow diagram. {from_words} groupings on the left, {to_words.lower()} "
        f"groupings on the right; each band joins two groupings and is as thick as the "
        f"{KIND_WORDS['count']}. " + NOT_DRAWN.format(where=" as a band"))
    pixels = f"* height / {flow.extent}"
    height = max(220, 76 * max(len(flow.left), len(flow.right)))
    scale = height / flow.extent
    nodes = _labelled(flow.left, scale, height) + _labelled(flow.right, scale, height)
    font = {"font": {"value": CONFIG["font"]}}
    label = {"x": {"signal": "datum.side === 'left' ? node + 6 : width - node - 6"},
             "y": {"field": "label_y"},
             "align": {"signal": "datum.side === 'left' ? 'left' : 'right'"},
             "baseline": {"value": "middle"}, "text": {"field": "lines"}, "fontSize": {"value": 12},
             "fontWeight": {"value": "bold"}, "lineHeight": {"value": LINE_HEIGHT}, **font}
    spec = {
        "$schema": VEGA, "description": description, "background": "#ffffff",
        "title": {"text": table.chart.title, "subtitle": subtitle, "font": CONFIG["font"],
                  "subtitleFont": CONFIG["font"], "frame": "group", "offset": 10, **CONFIG["title"]},
        # Laid out by hand (autosize none): the drawing is as wide as its container less the
        # padding, and the padding holds the title and the column headings above it.
        "autosize": "none", "padding": {"top": 72, "left": 4, "right": 4, "bottom": 12},
        "height": height,
        "signals": [
            {"name": "width", "init": CONTAINER_WIDTH, "on": [{"events": "window:resize",
                                                              "update": CONTAINER_WIDTH}]},
            {"name": "node", "value": NODE_WIDTH},
        ],
        "data": [
            {"name": "nodes", "values": nodes, "transform": [
                {"type": "formula", "as": "py0", "expr": f"datum.y0 {pixels}"},
                {"type": "formula", "as": "py1", "expr": f"datum.y1 {pixels}"}]},
            {"name": "bands", "values": flow.bands, "transform": [
                {"type": "formula", "as": "sx", "expr": "node"},
                {"type": "formula", "as": "tx", "expr": "width - node"},
                {"type": "formula", "as": "sy", "expr": f"(datum.sy0 + datum.sy1) / 2 {pixels}"},
                {"type": "formula", "as": "ty", "expr": f"(datum.ty0 + datum.ty1) / 2 {pixels}"},
                {"type": "formula", "as": "thickness", "expr": f"max(1, datum.moves {pixels})"},
                {"type": "linkpath", "sourceX": "sx", "sourceY": "sy", "targetX": "tx", "targetY": "ty",
                 "orient": "horizontal", "shape": "diagonal"}]},
        ],
        "scales": [{"name": "colour", "type": "ordinal", "domain": names, "range": _colours(names)}],
        "marks": [
            {"aria": False, "type": "path", "from": {"data": "bands"}, "clip": True, "encode": {"update": {
                "path": {"field": "path"}, "stroke": {"scale": "colour", "field": "from"},
                "strokeWidth": {"field": "thickness"}, "strokeOpacity": {"value": 0.4},
                "tooltip": {"signal": _record({from_words: "datum.from", to_words: "datum.to",
                                               what: "datum.moves"})}}}},
            {"aria": False, "type": "rect", "from": {"data": "nodes"}, "encode": {"update": {
                "x": {"signal": "datum.side === 'left' ? 0 : width - node"}, "width": {"signal": "node"},
                "y": {"field": "py0"}, "y2": {"field": "py1"}, "fill": {"scale": "colour", "field": "name"},
                "tooltip": {"signal": _record({"Grouping": "datum.name", what: "datum.size"})}}}},
            # Each grouping's name and figure, on a white halo so the bands do not hide it.
            {"aria": False, "type": "text", "from": {"data": "nodes"}, "interactive": False,
             "encode": {"update": {**label, "stroke": {"value": "#ffffff"}, "strokeWidth": {"value": 4},
                "strokeOpacity": {"value": 0.9}}}},
            {"aria": False, "type": "text", "from": {"data": "nodes"}, "interactive": False,
             "encode": {"update": {**label, "fill": {"value": NHS_TEXT}}}},
            {"aria": False, "type": "text", "encode": {"update": {
                "x": {"value": 0}, "y": {"value": -10}, "text": {"value": from_words},
                "fontSize": {"value": 13}, "fill": {"value": NHS_TEXT}, **font}}},
            {"aria": False, "type": "text", "encode": {"update": {
                "x": {"signal": "width"}, "y": {"value": -10}, "align": {"value": "right"},
                "text": {"value": to_words}, "fontSize": {"value": 13}, "fill": {"value": NHS_TEXT},
                **font}}},
        ],
    }
    return Figure(f"flow-{table.chart.slug}", f"{table.chart.title}: flow diagram", description, spec)


LINE_HEIGHT = 14


def _record(fields: dict[str, str]) -> str:
    """A Vega expression for an object (a tooltip): {"Heading": expression, ...}, headings quoted."""
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"


def _labelled(nodes, scale, height) -> list[dict]:
    """One side's nodes with their label's lines (name wrapped, then the figure) and its middle in
    pixels: beside its node, pushed apart where small nodes would make labels overlap."""
    out = [{**n, "lines": [*_wrap(n["name"]), f"{n['size']}"]} for n in nodes]
    low = 0.0
    for n in out:
        half = LINE_HEIGHT * len(n["lines"]) / 2
        n["label_y"] = max((n["y0"] + n["y1"]) / 2 * scale, low + half)
        low = n["label_y"] + half
    high = height
    for n in reversed(out):
        half = LINE_HEIGHT * len(n["lines"]) / 2
        n["label_y"] = min(n["label_y"], high - half)
        high = n["label_y"] - half
    for n in out:  # Vega places a text's first line at y: the block's middle is lower
        n["label_y"] -= LINE_HEIGHT * (len(n["lines"]) - 1) / 2
    return out


def _wrapped_labels(names, width: int) -> str:
    """An axis labelExpr that shows each name on short lines (see _wrap)."""
    return f"{json.dumps({str(n): _wrap(str(n), width) for n in names})}[datum.label] || datum.label"


def _wrap(name: str, width: int = 16) -> list[str]:
    """A grouping's name on lines of about `width` characters, so labels fit a phone's width."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines
