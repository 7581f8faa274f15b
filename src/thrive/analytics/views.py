"""The analytics page: THRIVE system measures from precomputed aggregates, suppressed.

Only analysts (commissioners) and team managers see it; everyone else gets 403. The page never
reads person-level data: `thrive refresh_analytics` writes the aggregates it reads. Each page view
and each CSV download is one audit entry naming the dashboard and the filters.
"""

import csv
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from thrive.accounts import permissions
from thrive.config.jinja2 import nice_date
from thrive.core import audit
from thrive.core.models import AuditEvent

from . import charts, dashboards
from .locations import SOURCES, aggregates_dir
from .refreshing import RefreshBusy
from .refreshing import refresh as refresh_figures


def _can_refresh(request) -> bool:
    return permissions.can_refresh_analytics(request.user)


def _check(request):
    if not permissions.can_use_analytics(request.user):
        raise PermissionDenied


def _month(text: str | None) -> date | None:
    try:
        year, month = (int(x) for x in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def month_words(value: date) -> str:
    return f"{value:%B %Y}"


def _selection(request, options, agg=None) -> tuple[dashboards.Selection, list[tuple[str, str]]]:
    """The filters chosen, and any problems with them as (message, the field's id)."""
    errors = []
    sel = dashboards.Selection(include_incomplete=request.GET.get("incomplete") == "1")
    for name in ("from", "to"):
        raw = request.GET.get(name, "").strip()
        value = _month(raw)
        if raw and value is None:
            errors.append((f"Enter the {'start' if name == 'from' else 'end'} month as YYYY-MM, "
                           f"like 2024-04", f"filter-{name}"))
        setattr(sel, "start" if name == "from" else "end", value)
    if sel.start and sel.end and sel.end < sel.start:
        errors.append((f"The end month ({month_words(sel.end)}) must be the same as or after the start "
                       f"month ({month_words(sel.start)})", "filter-to"))
    elif agg is not None and (sel.start or sel.end):
        first, last = dashboards.months_covered(agg)
        if first and ((sel.start and sel.start > last) or (sel.end and sel.end < first)):
            errors.append((f"There are no figures for the months chosen: the figures cover "
                           f"{month_words(first)} to {month_words(last)}",
                           "filter-from" if sel.start and sel.start > last else "filter-to"))
    for column, _ in dashboards.FILTERS:
        value = request.GET.get(column, "")
        if value and value in options.get(column, ()):
            sel.values[column] = value
    return sel, errors


def _source(request) -> tuple[str, list[tuple[str, str]]]:
    source = request.GET.get("source") or "platform"
    if source not in SOURCES:
        return "platform", [("Choose a source of figures from the list", "sources")]
    return source, []


def _described(sel: dashboards.Selection, source: str) -> str:
    parts = [f"source={source}", f"from {sel.start:%Y-%m}" if sel.start else "",
             f"to {sel.end:%Y-%m}" if sel.end else ""]
    parts += [f"{column}={value}" for column, value in sel.values.items()]
    return ", ".join(p for p in parts if p)


def _source_words(meta: dict) -> str:
    """Where the figures came from, in words (never a server path)."""
    source = meta.get("extract_source") or ""
    if source == "platform":
        return "this platform's records"
    if source.startswith("mhsds"):
        return "an MHSDS-style extract imported by an analyst"
    return "an analytical extract"


def _context(request, source: str) -> dict:
    sources = [(key, label) for key, label in SOURCES.items() if dashboards.available(aggregates_dir(key))]
    return {"page_title": "Analytics", "active_nav": "analytics", "can_refresh": _can_refresh(request),
            "source": source, "sources": sources, "source_label": SOURCES[source]}


def _figures_context(request, agg, source, sel, errors) -> dict:
    m = dashboards.meta(agg)
    refreshed = datetime.fromisoformat(m["refreshed_at"])
    through = date.fromisoformat(m["through"]) if m.get("through") else None
    return {
        "ready": True, "errors": errors, "has_errors": bool(errors), "filters": dashboards.FILTERS,
        "options": dashboards.filter_options(agg), "selected": sel.values,
        "from_value": request.GET.get("from", ""), "to_value": request.GET.get("to", ""),
        "include_incomplete": sel.include_incomplete, "query": request.GET.urlencode(),
        "refreshed": refreshed, "through": through, "source_words": _source_words(m),
        "as_of": dashboards.as_of(agg), "charts": dashboards.CHARTS,
    }


def dashboard(request):
    """The list of dashboards, with the filters that every one of them keeps."""
    _check(request)
    source, source_errors = _source(request)
    agg = aggregates_dir(source)
    context = _context(request, source)
    if not dashboards.available(agg):
        audit.record(request, AuditEvent.Action.VIEW, detail=f"analytics dashboard: THRIVE system measures "
                                                             f"(source={source}, no figures yet)")
        return render(request, "analytics/dashboard.html", {**context, "ready": False})
    sel, errors = _selection(request, dashboards.filter_options(agg), agg)
    errors = source_errors + errors
    audit.record(request, AuditEvent.Action.VIEW,
                 detail=f"analytics dashboard: THRIVE system measures ({_described(sel, source)})")
    return render(request, "analytics/dashboard.html", {
        **context, **_figures_context(request, agg, source, sel, errors)})


def chart_page(request, chart):
    """One dashboard on its own page: its chart, its table and its CSV."""
    _check(request)
    if chart not in dashboards.CHART_BY_SLUG:
        raise Http404
    source, source_errors = _source(request)
    agg = aggregates_dir(source)
    if not dashboards.available(agg):
        return redirect(f"{reverse('analytics:dashboard')}?source={source}")
    sel, errors = _selection(request, dashboards.filter_options(agg), agg)
    errors = source_errors + errors
    table = None if errors else dashboards.table(agg, dashboards.CHART_BY_SLUG[chart], sel)
    the_chart = dashboards.CHART_BY_SLUG[chart]
    audit.record(request, AuditEvent.Action.VIEW,
                 detail=f"analytics dashboard: {the_chart.title} ({_described(sel, source)})")
    context = {**_context(request, source), **_figures_context(request, agg, source, sel, errors)}
    return render(request, "analytics/chart.html", {
        **context, "page_title": f"{the_chart.title} – Analytics", "chart": the_chart, "t": table,
        "community_panels": community_panels() if the_chart.slug == "equity" else [],
        "figures": charts.figures(table) if table else [],
        "csv_name": csv_filename(the_chart, sel, source) if table else "",
    })


def community_panels() -> list:
    """Community THRIVE beside the population view: for each local authority in the population
    table, its community's latest closed assessment (profile, priorities, plan). Community
    figures only, already suppressed; nothing from any child's record."""
    from thrive.community.models import Community
    from thrive.community.results import area_panel

    from .locations import analytics_dir
    from .population import load

    people = load(analytics_dir())
    if people is None:
        return []
    panels = (area_panel(Community.Scheme.LAD, area.code) for area in people.areas)
    return [panel for panel in panels if panel is not None]


def csv_filename(chart, sel: dashboards.Selection, source: str) -> str:
    """thrive-<dashboard>-<period>[-<filters>][-<source>].csv: two downloads with different
    filters never share a name."""
    period = (f"{sel.start:%Y-%m}" if sel.start else "start") + "-to-" + \
        (f"{sel.end:%Y-%m}" if sel.end else "latest")
    parts = ["thrive", chart.slug, period]
    parts += [slugify(f"{column}-{value}") for column, value in sel.values.items()]
    if sel.include_incomplete and chart.by_month:
        parts.append("with-incomplete-months")
    if source != "platform":
        parts.append(source)
    return "-".join(p for p in parts if p) + ".csv"


def _filter_lines(chart, table, sel: dashboards.Selection, source: str, agg) -> list[list[str]]:
    """What the figures are, written above them in the file: a spreadsheet opened later still
    says which dashboard, source, period and filters it shows."""
    labels = dict(dashboards.FILTERS)
    m = dashboards.meta(agg)
    lines = [["Dashboard", chart.title], ["Source", SOURCES[source]],
             ["Figures computed", nice_date(datetime.fromisoformat(m["refreshed_at"]))],
             ["From month", month_words(sel.start) if sel.start else "The first month with figures"],
             ["To month", month_words(sel.end) if sel.end else "The latest month with figures"]]
    lines += [[labels[column], value] for column, value in sel.values.items()]
    lines += [[label, "All"] for column, label in dashboards.FILTERS if column not in sel.values]
    if table.incomplete_from:
        lines.append(["Months not final", f"From {month_words(table.incomplete_from)}: "
                      + ("left out" if table.incomplete_left_out or not sel.include_incomplete
                         else "included, marked in the last column")])
    lines.append(["Small numbers", "Counts of 1 to 4 shown as *, others rounded to the nearest 5"])
    return lines + [[]]


def download(request, chart):
    _check(request)
    if chart not in dashboards.CHART_BY_SLUG:
        raise Http404
    source, source_errors = _source(request)
    agg = aggregates_dir(source)
    if source_errors or not dashboards.available(agg):
        raise Http404
    sel, errors = _selection(request, dashboards.filter_options(agg), agg)
    if errors:
        raise Http404
    the_chart = dashboards.CHART_BY_SLUG[chart]
    table = dashboards.table(agg, the_chart, sel)
    audit.record(request, AuditEvent.Action.EXPORT,
                 detail=f"analytics CSV: {table.chart.title} ({_described(sel, source)})")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(the_chart, sel, source)}"'
    writer = csv.writer(response)
    writer.writerows(_filter_lines(the_chart, table, sel, source, agg))
    marked = bool(table.incomplete_from) and not table.incomplete_left_out and sel.include_incomplete
    writer.writerow(table.headings + (["Month final"] if marked else []))
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row]
                        + ((["no" if table.is_incomplete(row) else "yes"]) if marked else []))
    return response


@require_POST
def refresh(request):
    """Recompute the figures from the platform's own records now (the page's button)."""
    if not _can_refresh(request):
        raise PermissionDenied
    try:
        meta = refresh_figures(aggregates_dir("platform"))
    except RefreshBusy as busy:
        messages.info(request, str(busy))
    else:
        audit.record(request, AuditEvent.Action.EXPORT,
                     detail="analytics: figures recomputed from the platform's records")
        messages.success(request, "Figures recomputed from the platform's records at "
                                  f"{nice_date(datetime.fromisoformat(meta['refreshed_at']))}")
    return redirect("analytics:dashboard")
