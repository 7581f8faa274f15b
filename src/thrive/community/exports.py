"""CSV exports and the PDF report. Every figure comes from `results.results_for`, so the same
disclosure rules hold: low-n factors are left out, suppressed groups say so, hidden comments and
participants' roles and ages never appear beside a rating."""

import csv
import io
from html import escape

from django.template.loader import render_to_string
from django.utils import timezone

from . import acer, charts, conf, results, stats
from .models import Rating

KINDS = ("ratings", "statistics", "priorities", "actions")


def _fmt(value, places=2):
    return "" if value is None else f"{value:.{places}f}"


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def ratings_csv(assessment, res: results.Results) -> str:
    """One row per rating, by participant pseudonym only (no role, age or comment), for factors
    with at least 5 ratings."""
    shown = {r.factor.pk for r in res.factors if not r.low_n}
    rows = (Rating.objects.filter(participant__assessment=assessment, factor_id__in=shown)
            .select_related("participant", "factor")
            .order_by("participant__number", "factor__order"))
    return _csv(["participant", "factor_key", "factor", "condition", "dont_know", "importance"],
                ([r.participant.pseudonym, r.factor.key, r.factor.name,
                  "" if r.condition is None else r.condition, "yes" if r.dont_know else "no",
                  "" if r.importance is None else r.importance] for r in rows))


def _group_cell(group):
    if group is None:
        return "none"
    if not group.shown:
        return group.text
    return _fmt(group.summary.mean)


def statistics_csv(assessment, res: results.Results) -> str:
    header = ["factor_key", "factor", "cluster", "n", "mean", "median", "dk", "dk_share",
              "importance_n", "importance_mean", "young_people_mean", "adults_mean",
              "divergence", "divergence_flagged", "suggestion"]
    rows = []
    for r in res.factors:
        if r.low_n:
            rows.append([r.factor.key, r.factor.name, r.factor.cluster.name,
                         f"fewer than {stats.MIN_GROUP}"] + [""] * (len(header) - 4))
            continue
        c, i = r.condition, r.importance
        rows.append([
            r.factor.key, r.factor.name, r.factor.cluster.name, c.n, _fmt(c.mean),
            _fmt(c.median, 1), c.dont_know, _fmt(c.dk_share, 3), i.n, _fmt(i.mean),
            _group_cell(r.young_vs_adults.get("young")),
            _group_cell(r.young_vs_adults.get("adults")),
            _fmt(r.divergence.difference) if r.divergence else "",
            ("yes" if r.divergence.flagged else "no") if r.divergence else "",
            _fmt(r.suggestion, 1)])
    return _csv(header, rows)


def priorities_csv(assessment, res=None) -> str:
    return _csv(["rank", "factor_key", "factor", "rationale", "method", "agreed_on"],
                ([p.rank, p.factor.key, p.factor.name, p.rationale, p.get_method_display(),
                  p.agreed_on.isoformat()]
                 for p in assessment.priorities.select_related("factor")))


def actions_csv(assessment, res=None) -> str:
    """The plan, each action with its newest progress (or its status as agreed)."""
    rows = []
    for a in (assessment.actions.select_related("priority__factor")
              .prefetch_related("progress")):
        status, latest, as_of = a.current()
        rows.append([a.priority.rank, a.priority.factor.name, a.smart_objective,
                     a.get_strategy_type_display(), a.get_sector_display(), a.lead_partner,
                     a.start.isoformat(), a.due.isoformat(), status, a.progress_measure,
                     a.baseline, a.target, latest, as_of.isoformat() if as_of else "",
                     a.thrive_grouping])
    return _csv(
        ["priority_rank", "factor", "smart_objective", "strategy_type", "sector", "lead_partner",
         "start", "due", "status", "progress_measure", "baseline", "target", "latest_value",
         "progress_on", "thrive_grouping"], rows)


WRITERS = {"ratings": ratings_csv, "statistics": statistics_csv,
           "priorities": priorities_csv, "actions": actions_csv}


def export_csv(assessment, kind: str) -> str:
    return WRITERS[kind](assessment, results.results_for(assessment))


def _refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"Fetching {url!r} is not allowed when printing a report")


def radar_svg(res: results.Results, overlay=None) -> str:
    """The cluster radar as inline SVG for the PDF (WeasyPrint runs no JavaScript)."""
    spec = charts.cluster_radar(res, overlay)
    if spec is None:
        return ""
    size, scale = 300, 300 / 13
    centre = size / 2

    def xy(p):
        return centre + p["x"] * scale, centre - p["y"] * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
             f'viewBox="0 0 {size} {size}">']
    grid, series, labels, markers = (layer["data"]["values"] for layer in spec["layer"])
    colours = dict(zip(*(spec["layer"][1]["encoding"]["color"]["scale"][k]
                         for k in ("domain", "range")), strict=True))
    for ring in sorted({g["ring"] for g in grid}):
        pts = " ".join("{:.1f},{:.1f}".format(*xy(g)) for g in grid if g["ring"] == ring)
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#d8dde0"/>')
    for name in colours:
        pts = " ".join("{:.1f},{:.1f}".format(*xy(s)) for s in series if s["series"] == name)
        if pts:
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{colours[name]}" '
                         f'stroke-width="2"/>')
    for label in labels:
        x, y = xy(label)
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="10" text-anchor="middle">'
                     f'{escape(label["label"])}</text>')
    for marker in markers:
        x, y = xy(marker)
        parts.append(f'<polygon points="{x:.1f},{y - 7:.1f} {x - 6:.1f},{y + 5:.1f} '
                     f'{x + 6:.1f},{y + 5:.1f}" fill="{charts.OVERLAY_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def overlay_observations(assessment) -> list:
    """The trauma overlay's observations, or none when the overlay is turned off."""
    if not conf.trauma_overlay():
        return []
    order = {key: i for i, (key, _, _) in enumerate(acer.ITEMS)}
    return sorted(assessment.acer_observations.all(), key=lambda o: order.get(o.item_key, 99))


def report_pdf(assessment, *, generated_by: str) -> bytes:
    from weasyprint import HTML  # imported here: loading it is slow, only printing needs it

    res = results.results_for(assessment)
    observations = overlay_observations(assessment)
    html = render_to_string("community/report_print.html", {
        "assessment": assessment, "res": res, "observations": observations,
        "acer_labels": acer.LABELS,
        "radar_svg": radar_svg(res, charts.overlay_markers(observations)),
        "priorities": assessment.priorities.select_related("factor"),
        "actions": assessment.actions.select_related("priority__factor"),
        "generated_by": generated_by, "generated_at": timezone.localtime(),
        "MIN_GROUP": stats.MIN_GROUP,
    })
    return HTML(string=html, base_url=None, url_fetcher=_refuse_fetch).write_pdf()
