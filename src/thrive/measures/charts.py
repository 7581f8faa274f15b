"""Charts of scores over time as Vega-Lite specs (built with Altair), each with the data table
that is its accessible fallback. Nothing here queries the database: callers pass what they read.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

import altair as alt

from . import services
from .engine.rounding import display

SCALE_COLOUR = "#005eb8"  # NHS blue
THRESHOLD_COLOUR = "#d5281b"  # NHS red
BAND_COLOUR = "#aeb7bd"


@dataclass
class ChartTable:
    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    id: str
    title: str
    spec: dict | None
    table: ChartTable
    notes: list[str] = field(default_factory=list)
    key: str = ""        # what the chart draws, in words: only what is drawn
    panels: int = 1      # several panels (one per scale) take the full width, the table below


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(display(value))


def _text(value: Decimal | None) -> str:
    if value is None:
        return ""
    shown = display(value)
    return format(shown.normalize(), "f") if shown == shown.to_integral_value() else str(shown)


def _threshold(scale, person, on) -> Decimal | None:
    """The clinical cut-off that applies to this young person, if the scale has one."""
    if not scale.caseness:
        return None
    sex = services.NORM_SEX.get(person.sex)
    age = person.age_on(on)
    rule = next((r for r in scale.caseness if r.applies(sex, age)), None)
    return rule.at_least if rule else None


def measure_charts(completions, person) -> list[Chart]:
    """One chart per measure and rater version: each scale's score over time, its clinical
    cut-off, and the reliable-change band around the first score."""
    cat = services.catalogue()
    groups: OrderedDict[tuple[str, str], list] = OrderedDict()
    for c in completions:
        groups.setdefault((c.measure_id, c.rater), []).append(c)
    charts = []
    for (measure_id, rater), comps in groups.items():
        measure = cat.measure(measure_id)
        scales_used = []
        points = []
        for scale in measure.scales:
            series = []
            for c in comps:
                s = next((x for x in c.scores.all() if x.scale_id == scale.id), None)
                if s is None or s.value is None:
                    continue
                use_t = scale.change_basis == "t_score" and s.t_score is not None
                series.append({
                    "date": c.completed_on.isoformat(), "scale": scale.name,
                    "score": _num(s.t_score if use_t else s.value),
                    "basis": "T-score" if use_t else "score", "band": s.band or "",
                    "prorated": "yes" if s.prorated else "no",
                })
            if series:
                scales_used.append((scale, series))
                points.extend(series)
        title = f"{measure.name} – {dict(services.Rater.choices)[rater]}"
        table = _measure_table(measure, comps)
        spec, key = _spec(title, scales_used, person, comps[0].completed_on) if points else (None, "")
        notes = []
        if not points:
            notes.append("No score could be computed yet, so there is nothing to plot.")
        charts.append(Chart(f"chart-{measure_id}-{rater}", title, spec, table, notes, key=key,
                            panels=len(scales_used)))
    return charts


def date_axis(dates, title: str) -> alt.X:
    """A date axis whose ticks fall on whole days, at most about six of them, so a date is never
    repeated (Vega's own ticks fall every few hours when the dates are close together)."""
    from datetime import date as day

    days = sorted({day.fromisoformat(d) for d in dates})
    span = (days[-1] - days[0]).days if days else 0
    step = max(1, -(-span // 6))
    return alt.X("date:T", title=title,
                 axis=alt.Axis(format="%d %b %Y", tickCount={"interval": "day", "step": step},
                               labelOverlap=True, labelAngle=0))


def key_text(*, cutoff: bool, band: bool, lines: str = "Blue line: score on each date.") -> str:
    parts = [lines]
    if cutoff:
        parts.append("Dashed red line: clinical cut-off.")
    if band:
        parts.append("Grey band: the reliable-change range around the first score.")
    return " ".join(parts)


def _spec(title, scales_used, person, first_day) -> tuple[dict, str]:
    panels = []
    drew_cutoff = drew_band = False
    for scale, series in scales_used:
        basis = series[0]["basis"]
        y_title = f"{scale.name} ({'T-score' if basis == 'T-score' else 'score'})"
        base = alt.Chart(alt.Data(values=series))
        x = date_axis([p["date"] for p in series], "Date completed")
        layers = []
        first = series[0]["score"]
        if scale.rc_threshold is not None and first is not None:
            rc = float(scale.rc_threshold)
            band = alt.Chart(alt.Data(values=[{"low": first - rc, "high": first + rc}])).mark_rect(
                opacity=0.25, color=BAND_COLOUR
            ).encode(y="low:Q", y2="high:Q")
            layers.append(band)
            drew_band = True
        line = base.mark_line(point=True, color=SCALE_COLOUR).encode(
            x=x, y=alt.Y("score:Q", title=y_title),
            tooltip=[alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
                     alt.Tooltip("score:Q", title="Score"), alt.Tooltip("band:N", title="Band"),
                     alt.Tooltip("prorated:N", title="Prorated")],
        )
        layers.append(line)
        cutoff = _threshold(scale, person, first_day) if basis == "score" else None
        if basis == "T-score":
            cutoff = Decimal(70)  # RCADS: T 70 and above is the clinical band
        if cutoff is not None:
            layers.append(alt.Chart(alt.Data(values=[{"cut": float(cutoff)}])).mark_rule(
                color=THRESHOLD_COLOUR, strokeDash=[6, 4]).encode(y="cut:Q"))
            drew_cutoff = True
        panels.append(alt.layer(*layers).properties(
            width="container", height=180, title=scale.name))
    chart = panels[0] if len(panels) == 1 else alt.vconcat(*panels)
    key = key_text(cutoff=drew_cutoff, band=drew_band)
    description = f"{title}: scores over time. {key} The table gives every value."
    return chart.properties(description=description).to_dict(), key


def _measure_table(measure, comps) -> ChartTable:
    scales = [s for s in measure.scales
              if any(x.scale_id == s.id and (x.value is not None) for c in comps for x in c.scores.all())]
    if not scales:
        scales = list(measure.scales[:1])
    rows = []
    for c in comps:
        by_id = {x.scale_id: x for x in c.scores.all()}
        row = [f"{c.completed_on.day} {c.completed_on:%B %Y}"]
        for scale in scales:
            s = by_id.get(scale.id)
            if s is None or s.value is None:
                row.append("Not computed" + (f": {s.missing_reason}" if s and s.missing_reason else ""))
                continue
            parts = [_text(s.value)]
            if s.t_score is not None:
                parts.append(f"T {_text(s.t_score)}")
            if s.band:
                parts.append(s.band)
            if s.prorated:
                parts.append("prorated")
            row.append(", ".join(parts))
        rows.append(row)
    return ChartTable(f"{measure.name}: scores by date", ["Date", *[s.name for s in scales]], rows)


def goal_chart(ratings) -> Chart | None:
    """Goal Based Outcomes: each goal's 0-10 ratings over time."""
    if not ratings:
        return None
    values = [{"date": r.rated_on.isoformat(), "goal": f"Goal {r.goal.number}", "rating": r.rating,
               "rated_by": r.get_rated_by_display()} for r in ratings]
    chart = alt.Chart(alt.Data(values=values)).mark_line(point=True).encode(
        x=date_axis([v["date"] for v in values], "Date rated"),
        y=alt.Y("rating:Q", title="Rating (0 to 10)", scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("goal:N", title="Goal"),
        tooltip=[alt.Tooltip("goal:N"), alt.Tooltip("date:T", format="%d %b %Y"),
                 alt.Tooltip("rating:Q"), alt.Tooltip("rated_by:N", title="Rated by")],
    ).properties(width="container", height=200, title="Goal ratings",
                 description="Goal ratings over time, one line per goal. The table gives every value.")
    rows = [[f"Goal {r.goal.number}", f"{r.rated_on.day} {r.rated_on:%B %Y}", str(r.rating),
             r.get_rated_by_display()] for r in ratings]
    table = ChartTable("Goal ratings by date", ["Goal", "Date", "Rating", "Rated by"], rows)
    return Chart("chart-goals", "Goal Based Outcomes", chart.to_dict(), table,
                 key="One coloured line per goal: its rating on each date.")
