"""Vega-Lite specs for Community THRIVE results, drawn only from the disclosed figures in
`results.Results` (low-n factors and suppressed groups are never drawn). Each chart's data table is
on the page beside it."""

import math

from thrive.analytics.charts import CONFIG, NHS_BLUE, NHS_TEXT, VEGA_LITE

from . import stats

YOUNG_COLOUR, ADULT_COLOUR = "#ae2573", NHS_BLUE


def factor_profile(res) -> dict:
    """Horizontal bars: each factor's mean condition (1 serious concern … 5 strong asset)."""
    rows = [{"factor": r.factor.name, "mean": round(r.condition.mean, 2), "n": r.condition.n}
            for r in res.factors if not r.low_n]
    return {
        "$schema": VEGA_LITE, "config": CONFIG, "width": "container",
        "description": "Mean condition rating per factor; factors with fewer than 5 ratings "
                       "are not drawn.",
        "data": {"values": rows},
        "mark": {"type": "bar", "color": NHS_BLUE},
        "encoding": {
            "y": {"field": "factor", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "mean", "type": "quantitative", "title": "Mean condition (1 to 5)",
                  "scale": {"domain": [0, 5]}},
            "tooltip": [{"field": "factor"}, {"field": "mean"}, {"field": "n"}],
        },
    }


def _point(i, count, value):
    angle = math.pi / 2 - 2 * math.pi * i / count
    return round(value * math.cos(angle), 4), round(value * math.sin(angle), 4)


OVERLAY_COLOUR = "#ed8b00"  # NHS warm yellow-orange: markers, never a score


def overlay_markers(observations) -> dict[str, list[str]]:
    """Cluster key -> the trauma-overlay items the group saw signs of (some or marked)."""
    from .acer import CLUSTER, LABELS

    found: dict[str, list[str]] = {}
    for o in observations:
        if o.level in ("some", "marked"):
            found.setdefault(CLUSTER[o.item_key], []).append(
                f"{LABELS[o.item_key]} ({o.get_level_display().lower()})")
    return found


def cluster_radar(res, overlay: dict[str, list[str]] | None = None) -> dict | None:
    """A radar of cluster means (overall, and young people and adults where shown), drawn in
    Vega-Lite from precomputed positions: rings at 1 to 5, one spoke per cluster. None for fewer
    than three clusters (a short form), where a radar has no shape: the table says it all."""
    clusters = res.clusters
    k = len(clusters)
    if k < 3:
        return None
    grid, series, labels = [], [], []
    for ring in range(1, 6):
        for i in range(k + 1):
            x, y = _point(i % k, k, ring)
            grid.append({"x": x, "y": y, "ring": ring, "order": i})
    for i, cluster in enumerate(clusters):
        x, y = _point(i, k, 5.6)
        labels.append({"x": x, "y": y, "label": cluster.name.split(" (")[0]})
    for name, pick in (("Everyone", lambda c: c.mean), ("Young people", lambda c: c.young),
                       ("Adults", lambda c: c.adults)):
        values = [pick(c).mean for c in clusters]
        if any(v is None for v in values):
            continue
        for i in range(k + 1):
            x, y = _point(i % k, k, values[i % k])
            series.append({"x": x, "y": y, "series": name, "order": i,
                           "mean": round(values[i % k], 2)})
    markers = []
    for i, cluster in enumerate(clusters):
        if overlay and overlay.get(cluster.key):
            x, y = _point(i, k, 5.0)
            markers.append({"x": x, "y": y, "cluster": cluster.name,
                            "signs": "; ".join(overlay[cluster.key])})
    axis = {"x": {"field": "x", "type": "quantitative", "axis": None,
                  "scale": {"domain": [-6.5, 6.5]}},
            "y": {"field": "y", "type": "quantitative", "axis": None,
                  "scale": {"domain": [-6.5, 6.5]}}}
    return {
        "$schema": VEGA_LITE, "config": CONFIG, "width": 320, "height": 320,
        "description": "Radar of cluster means (1 to 5), from factors with at least 5 ratings; "
                       "groups with fewer than 5 are not drawn. Triangles mark clusters where "
                       "the group saw signs of community trauma (not scored).",
        "layer": [
            {"data": {"values": grid}, "mark": {"type": "line", "color": "#d8dde0", "aria": False},
             "encoding": {**axis, "detail": {"field": "ring"}, "order": {"field": "order"}}},
            {"data": {"values": series},
             "mark": {"type": "line", "point": {"filled": True, "aria": False},
                      "strokeWidth": 2, "aria": False},
             "encoding": {**axis, "order": {"field": "order"},
                          "color": {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": ["Everyone", "Young people", "Adults"],
                                              "range": [NHS_TEXT, YOUNG_COLOUR, ADULT_COLOUR]}},
                          "tooltip": [{"field": "series"}, {"field": "mean"}]}},
            {"data": {"values": labels}, "mark": {"type": "text", "color": NHS_TEXT,
                                                  "fontSize": 12, "aria": False},
             "encoding": {**axis, "text": {"field": "label"}}},
            {"data": {"values": markers},
             "mark": {"type": "point", "shape": "triangle-up", "filled": True, "size": 160,
                      "color": OVERLAY_COLOUR, "aria": False},
             "encoding": {**axis, "tooltip": [{"field": "cluster"}, {"field": "signs"}]}},
        ],
    }


def young_vs_adults(res) -> dict:
    """Dots per factor: young people's and adults' mean condition, only where both are shown."""
    rows = []
    for r in res.factors:
        young, adults = r.young_vs_adults.get("young"), r.young_vs_adults.get("adults")
        if r.low_n or not (young and adults and young.shown and adults.shown):
            continue
        rows += [{"factor": r.factor.name, "group": "Young people",
                  "mean": round(young.summary.mean, 2)},
                 {"factor": r.factor.name, "group": "Adults",
                  "mean": round(adults.summary.mean, 2)}]
    return {
        "$schema": VEGA_LITE, "config": CONFIG, "width": "container",
        "description": f"Young people's and adults' mean condition per factor; a group with "
                       f"fewer than {stats.MIN_GROUP} (and its complement) is not drawn.",
        "data": {"values": rows},
        "mark": {"type": "point", "filled": True, "size": 90},
        "encoding": {
            "y": {"field": "factor", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "mean", "type": "quantitative", "title": "Mean condition (1 to 5)",
                  "scale": {"domain": [1, 5]}},
            "color": {"field": "group", "type": "nominal", "title": None,
                      "scale": {"domain": ["Young people", "Adults"],
                                "range": [YOUNG_COLOUR, ADULT_COLOUR]}},
            "shape": {"field": "group", "type": "nominal", "title": None},
            "tooltip": [{"field": "factor"}, {"field": "group"}, {"field": "mean"}],
        },
    }
