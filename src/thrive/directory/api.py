"""The directory published as an Open Referral UK API (read-only, open, no keys).

Plain JSON views rather than django-ninja: the response shapes are fixed by the UK profile's
OpenAPI document (tests validate every response against it), so there is nothing to generate.
Bad query parameters get a 400 naming the parameter; unknown ids a 404. `per_page` above the
most we serve is capped, not refused; `modified_after`, `minimal`, `full` and `format=ndjson`
work as the profile describes.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, time

from django.db.models import Exists, OuterRef, Q
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from thrive.core import dates

from . import links, publish, query, search
from .importer import DAYS
from .models import (
    Organization,
    Schedule,
    Service,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
    listed_services,
)
from .postcodes import bounding_box, haversine_km, locate, normalise_postcode

MAX_PER_PAGE = 200
# `minimal` answers are an id and a date each: a consumer may take them all in one call.
MAX_MINIMAL_PER_PAGE = 10_000
DEFAULT_PER_PAGE = 50
PROFILE_URL = "https://openreferraluk.org/"
OPENAPI_URL = ("https://raw.githubusercontent.com/openreferral/uk-profile/main/"
               "openapi30.json")


class BadParameter(Exception):
    def __init__(self, name: str, message: str):
        self.name, self.message = name, message


def _json(data, status=200) -> JsonResponse:
    # Never pass on a link that is not plain http(s), whatever was stored before it was checked.
    response = JsonResponse(links.without_unsafe_links(data), status=status,
                            json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _endpoint(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadParameter as bad:
            return _json({"errors": [{"parameter": bad.name, "message": bad.message}]}, 400)
        except _NotFound:
            return _json({"errors": [{"message": "No record with this id"}]}, 404)
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


class _NotFound(Exception):
    pass


def _int(request, name, default, low, high) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
        raise BadParameter(name, f"must be a whole number from {low} to {high}")
    return int(raw)


def _number(request, name) -> float | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise BadParameter(name, "must be a number") from None


def _time(request, name) -> time | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    match = re.fullmatch(r"(\d{2}):(\d{2})(?::(\d{2}))?", raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
        raise BadParameter(name, "must be a time of day, HH:MM or HH:MM:SS")
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _uuid(request, name) -> str | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadParameter(name, "must be an id (UUID)") from None


def _day(request) -> str | None:
    raw = request.GET.get("day", "").strip()
    if not raw:
        return None
    code = search.DAY_NAMES.get(raw.lower(), raw.upper()[:2] if len(raw) == 2 else "")
    if code not in DAYS:
        raise BadParameter("day", "must be a day: MO, TU, WE, TH, FR, SA, SU or its name")
    return code


def _paging(request, most: int = MAX_PER_PAGE) -> tuple[int, int]:
    """The page asked for, and its size: above the most we serve is capped (the page says how
    many it holds and how many pages there are, so a consumer reading on is not misled)."""
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, 10**9)
    return _int(request, "page", 1, 1, 1_000_000), min(per_page, most)


def _bool(request, name) -> bool:
    raw = request.GET.get(name, "").strip().lower()
    if raw in ("", "false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise BadParameter(name, "must be true or false")


def _modified_after(request):
    raw = request.GET.get("modified_after", "").strip()
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+")) if "T" in raw or ":" in raw else None
    if value is None:
        day = parse_date(raw)
        if day is None:
            raise BadParameter("modified_after", "must be a date and time, like "
                                                 "2026-01-15T09:00:00Z, or a date")
        value = datetime.combine(day, time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _format(request) -> str:
    raw = request.GET.get("format", "").strip().lower()
    if raw in ("", "json"):
        return "json"
    if raw == "ndjson":
        return "ndjson"
    raise BadParameter("format", "must be json or ndjson")


def _get(queryset, id_value):
    try:
        key = uuid.UUID(str(id_value))
    except ValueError:
        raise _NotFound() from None
    found = queryset.filter(oruk_id=key).first()
    if found is None:
        raise _NotFound()
    return found


def _services_filtered(request):
    """The profile's service filters, as the profile defines them."""
    qs = listed_services().filter(status__in=[Service.Status.ACTIVE,
                                            Service.Status.TEMPORARILY_CLOSED])
    text = request.GET.get("search", "").strip()
    found = query.parse(text)
    if found.groups:
        qs = qs.filter(pk__in=list(search.text_scores(qs, found).scores))
    term_id = _uuid(request, "taxonomy_term_id")
    if term_id:
        qs = qs.filter(Exists(ServiceAttribute.objects.filter(service=OuterRef("pk"),
                                                              term__oruk_id=term_id)))
    taxonomy_id = _uuid(request, "taxonomy_id")
    if taxonomy_id:
        qs = qs.filter(Exists(ServiceAttribute.objects.filter(
            service=OuterRef("pk"), term__taxonomy__oruk_id=taxonomy_id)))
    since = _modified_after(request)
    if since is not None:
        qs = qs.filter(Q(last_modified__gte=since) |
                       Q(last_modified__isnull=True, imported_at__gte=since))
    org_id = _uuid(request, "organization_id")
    if org_id:
        qs = qs.filter(organization__oruk_id=org_id)
    minimum = _number(request, "minimum_age")
    if minimum is not None:
        qs = qs.filter(minimum_age__gte=minimum)
    maximum = _number(request, "maximum_age")
    if maximum is not None:
        qs = qs.filter(maximum_age__lte=maximum)
    day, start, end = _day(request), _time(request, "start_time"), _time(request, "end_time")
    if day or start or end:
        # Only schedules still in force: one that ended in 2020 answers no day today.
        schedules = Schedule.objects.filter(service=OuterRef("pk")).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=dates.today()))
        if day:
            schedules = schedules.filter(byday__contains=day)
        if start:
            schedules = schedules.filter(opens_at__gte=start)
        if end:
            schedules = schedules.filter(closes_at__lte=end)
        qs = qs.filter(Exists(schedules))
    return qs.order_by("name", "id"), found


@_endpoint
def index(request):
    """About this API (`/`)."""
    return _json({"version": "3.0", "profile": PROFILE_URL, "openapi_url": OPENAPI_URL,
                  "services_url": request.build_absolute_uri(reverse("oruk:services"))})


def _minimal(service: Service) -> dict:
    modified = service.last_modified or service.imported_at
    return {"id": str(service.oruk_id), "modified_date": modified.isoformat() if modified else None}


@_endpoint
def services(request):
    minimal, full, output = _bool(request, "minimal"), _bool(request, "full"), _format(request)
    if minimal and full:
        raise BadParameter("minimal", "cannot be asked for with full")
    qs, _ = _services_filtered(request)
    qs = publish.full_services(qs) if full else qs.select_related("organization")
    shape = _minimal if minimal else publish.service_full if full else publish.service_list_item
    if output == "ndjson":
        # Every result, one JSON document a line, without pages.
        def lines():
            for start in range(0, 10**9, 500):
                chunk = list(qs[start:start + 500])
                if not chunk:
                    return
                for service in chunk:
                    yield json.dumps(links.without_unsafe_links(shape(service)),
                                     ensure_ascii=False) + "\n"
        response = StreamingHttpResponse(lines(), content_type="application/x-ndjson")
        response["Access-Control-Allow-Origin"] = "*"
        return response
    page, per_page = _paging(request, MAX_MINIMAL_PER_PAGE if minimal else MAX_PER_PAGE)
    total = qs.count()
    items = [shape(s) for s in qs[(page - 1) * per_page: page * per_page]]
    return _json(publish.page(items, total=total, page_number=page, per_page=per_page))


@_endpoint
def service_detail(request, service_id):
    service = _get(publish.full_services(listed_services()), service_id)
    return _json(publish.service_full(service))


@_endpoint
def service_at_locations(request):
    page, per_page = _paging(request)
    services_qs, _ = _services_filtered(request)
    qs = publish.published_sals().filter(service__in=services_qs)
    postcode = request.GET.get("postcode", "").strip()
    proximity = _number(request, "proximity")
    if proximity is not None and proximity <= 0:
        raise BadParameter("proximity", "must be a distance in metres greater than 0")
    if proximity is not None and not postcode:
        raise BadParameter("proximity", "needs a postcode to measure from")
    if postcode:
        code = normalise_postcode(postcode)
        point = locate(code) if code else None
        if point is None:
            raise BadParameter("postcode", "is not a postcode we know")
        if proximity is not None:
            km = proximity / 1000
            lat_lo, lat_hi, lon_lo, lon_hi = bounding_box(*point, km)
            near = qs.filter(location__latitude__range=(lat_lo, lat_hi),
                             location__longitude__range=(lon_lo, lon_hi))
            qs = qs.filter(id__in=[
                sal_id for sal_id, lat, lon in near.values_list(
                    "id", "location__latitude", "location__longitude")
                if haversine_km(point[0], point[1], lat, lon) <= km])
    qs = qs.select_related("service__organization", "location").order_by("service__name", "id")
    total = qs.count()
    items = [publish.service_at_location_list_item(s)
             for s in qs[(page - 1) * per_page: page * per_page]]
    return _json(publish.page(items, total=total, page_number=page, per_page=per_page))


@_endpoint
def service_at_location_detail(request, sal_id):
    sal = _get(publish.published_sals().filter(service__retired_at__isnull=True)
               .select_related("location"), sal_id)
    service = publish.full_services(Service.objects.filter(pk=sal.service_id)).get()
    return _json(publish.service_at_location_full(sal, service))


@_endpoint
def organizations(request):
    page, per_page = _paging(request)
    qs = Organization.objects.order_by("name", "id")
    total = qs.count()
    items = [publish.organization_list_item(o) for o in qs[(page - 1) * per_page:
                                                           page * per_page]]
    return _json(publish.page(items, total=total, page_number=page, per_page=per_page))


@_endpoint
def organization_detail(request, organization_id):
    org = _get(Organization.objects.all(), organization_id)
    services_qs = org.services.filter(~Q(status=Service.Status.DEFUNCT),
                                       retired_at__isnull=True).select_related(
        "organization").order_by("name")
    return _json(publish.organization_full(org, list(services_qs)))


def _taxonomy_json(tax: Taxonomy) -> dict:
    return dict(tax.data)


def _term_json(term: TaxonomyTerm) -> dict:
    out = dict(term.data)
    if term.taxonomy is not None:
        out.setdefault("taxonomy_id", str(term.taxonomy.oruk_id))
    return out


@_endpoint
def taxonomies(request):
    page, per_page = _paging(request)
    qs = Taxonomy.objects.order_by("name", "id")
    total = qs.count()
    items = [_taxonomy_json(t) for t in qs[(page - 1) * per_page: page * per_page]]
    return _json(publish.page(items, total=total, page_number=page, per_page=per_page))


@_endpoint
def taxonomy_detail(request, taxonomy_id):
    tax = _get(Taxonomy.objects.all(), taxonomy_id)
    out = _taxonomy_json(tax)
    out["taxonomy_terms"] = [_term_json(t) for t in tax.terms.select_related("taxonomy")
                             .order_by("name", "id")]
    return _json(out)


@_endpoint
def taxonomy_terms(request):
    page, per_page = _paging(request)
    qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")
    taxonomy_id = _uuid(request, "taxonomy_id")
    if taxonomy_id:
        qs = qs.filter(taxonomy__oruk_id=taxonomy_id)
    total = qs.count()
    items = [_term_json(t) for t in qs[(page - 1) * per_page: page * per_page]]
    return _json(publish.page(items, total=total, page_number=page, per_page=per_page))


@_endpoint
def taxonomy_term_detail(request, term_id):
    return _json(_term_json(_get(TaxonomyTerm.objects.select_related("taxonomy"), term_id)))

