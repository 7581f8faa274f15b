"""The analytics page: THRIVE system measures from precomputed aggregates, suppressed.

Only analysts (commissioners) and team managers see it; everyone else gets 403. The page never
reads person-level data: `thrive refresh_analytics` writes the aggregates it reads. Each page view
and each CSV download is one audit entry naming the dashboard and the filters.
"""

import csv
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from thrive.accounts import permissions
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


def _selection(request, options) -> tuple[dashboards.Selection, list[str]]:
    errors = []
    sel = dashboards.Selection()
    for name in ("from", "to"):
        raw = request.GET.get(name, "").strip()
        value = _month(raw)
        if raw and value is None:
            errors.append(f"Enter the {'start' if name == 'from' else 'end'} month as YYYY-MM, like 2024-04")
        setattr(sel, "start" if name == "from" else "end", value)
    for column, _ in dashboards.FILTERS:
        value = request.GET.get(column, "")
        if value and value in options.get(column, ()):
            sel.values[column] = value
    return sel, errors


def _source(request) -> tuple[str, list[str]]:
    source = request.GET.get("source") or "platform"
    if source not in SOURCES:
        return "platform", ["Choose a source of figures from the list"]
    return source, []


def _described(sel: dashboards.Selection, source: str) -> str:
    parts = [f"source={source}", f"from {sel.start:%Y-%m}" if sel.start else "",
             f"to {sel.end:%Y-%m}" if sel.end else ""]
    parts += [f"{column}={value}" for column, value in sel.values.items()]
    return ", ".join(p for p in parts if p)


def dashboard(request):
    _check(request)
    source, source_errors = _source(request)
    agg = aggregates_dir(source)
    sources = [(key, label) for key, label in SOURCES.items() if dashboards.available(aggregates_dir(key))]
    context = {"page_title": "Analytics", "active_nav": "analytics", "can_refresh": _can_refresh(request),
               "source": source, "sources": sources, "source_label": SOURCES[source]}
    if not dashboards.available(agg):
        audit.record(request, AuditEvent.Action.VIEW, detail=f"analytics dashboard: THRIVE system measures "
                                                             f"(source={source}, no figures yet)")
        return render(request, "analytics/dashboard.html", {**context, "ready": False})
    options = dashboards.filter_options(agg)
    sel, errors = _selection(request, options)
    errors = source_errors + errors
    tables = [] if errors else [dashboards.table(agg, chart, sel) for chart in dashboards.CHARTS]
    audit.record(request, AuditEvent.Action.VIEW,
                 detail=f"analytics dashboard: THRIVE system measures ({_described(sel, source)})")
    return render(request, "analytics/dashboard.html", {
        **context, "ready": True, "tables": tables, "errors": errors,
        "has_errors": bool(errors), "filters": dashboards.FILTERS, "options": options,
        "selected": sel.values, "from_value": request.GET.get("from", ""),
        "to_value": request.GET.get("to", ""), "query": request.GET.urlencode(),
        "meta": dashboards.meta(agg), "figures": {t.chart.slug: charts.figures(t) for t in tables},
    })


def download(request, chart):
    _check(request)
    if chart not in dashboards.CHART_BY_SLUG:
        raise Http404
    source, source_errors = _source(request)
    agg = aggregates_dir(source)
    if source_errors or not dashboards.available(agg):
        raise Http404
    sel, errors = _selection(request, dashboards.filter_options(agg))
    if errors:
        raise Http404
    table = dashboards.table(agg, dashboards.CHART_BY_SLUG[chart], sel)
    audit.record(request, AuditEvent.Action.EXPORT,
                 detail=f"analytics CSV: {table.chart.title} ({_described(sel, source)})")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thrive-{chart}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.headings)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
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
        messages.success(request, f"Figures recomputed from the platform's records at {meta['refreshed_at']}")
    return redirect("analytics:dashboard")
