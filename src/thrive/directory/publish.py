"""Publishing the directory as Open Referral UK: records back to the standard's JSON shapes.

Sensitive locations (a refuge, a safe house) are never published: their service_at_location,
location and any schedule tied to them are left out everywhere.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Organization, Schedule, Service, ServiceAtLocation, ServiceAttribute

LIST_FIELDS = ("id", "organization_id", "name", "description", "url", "email", "status", "fees",
               "accreditations", "minimum_age", "maximum_age", "assured_date", "assurer_email",
               "alert", "last_modified")
ORG_LIST_FIELDS = ("id", "name", "description", "email", "website", "logo", "uri",
                   "parent_organization_id")


def published_sals() -> QuerySet:
    return ServiceAtLocation.objects.filter(location__is_sensitive=False)


def full_services(queryset: QuerySet) -> QuerySet:
    """Everything `service_full` needs, in a fixed number of queries."""
    return queryset.select_related("organization").prefetch_related(
        Prefetch("service_at_locations",
                 queryset=published_sals().select_related("location").order_by("position"),
                 to_attr="published_sals"),
        Prefetch("schedules", queryset=Schedule.objects.select_related(
            "service_at_location__location").order_by("position"), to_attr="ordered_schedules"),
        Prefetch("attributes", queryset=ServiceAttribute.objects.select_related("term").order_by(
            "position"), to_attr="ordered_attributes"),
    )


def _org(org: Organization | None) -> dict | None:
    return dict(org.data) if org is not None else None


def service_list_item(service: Service) -> dict:
    out = {k: service.data[k] for k in LIST_FIELDS if k in service.data}
    out["id"] = str(service.oruk_id)
    if service.organization is not None:
        out["organization_id"] = str(service.organization.oruk_id)
        out["organization"] = {k: v for k, v in _org(service.organization).items()
                               if k in ORG_LIST_FIELDS}
    return out


def attribute(attr: ServiceAttribute, link_id: str) -> dict:
    out = dict(attr.data)
    out.update({"id": str(attr.oruk_id), "link_id": out.get("link_id", link_id),
                "taxonomy_term_id": str(attr.term.oruk_id), "taxonomy_term": dict(attr.term.data)})
    return out


def service_at_location(sal: ServiceAtLocation, service_id: str) -> dict:
    out = dict(sal.data)
    out.update({"id": str(sal.oruk_id), "service_id": service_id,
                "location_id": str(sal.location.oruk_id), "location": dict(sal.location.data)})
    return out


def service_full(service: Service) -> dict:
    """The fully nested service (`/services/{id}`). `service` comes from `full_services`."""
    sid = str(service.oruk_id)
    out = dict(service.data)
    out["id"] = sid
    if service.organization is not None:
        out["organization_id"] = str(service.organization.oruk_id)
        out["organization"] = _org(service.organization)
    out["schedules"] = [
        {**s.data, "service_id": sid} for s in service.ordered_schedules
        if s.service_at_location is None or not s.service_at_location.location.is_sensitive
    ]
    out["service_at_locations"] = [service_at_location(sal, sid) for sal in service.published_sals]
    out["attributes"] = [attribute(a, sid) for a in service.ordered_attributes]
    return out


def service_at_location_list_item(sal: ServiceAtLocation) -> dict:
    return {"id": str(sal.oruk_id), "service_id": str(sal.service.oruk_id),
            "location_id": str(sal.location.oruk_id), "location": dict(sal.location.data),
            "service": service_list_item(sal.service)}


def service_at_location_full(sal: ServiceAtLocation, service: Service) -> dict:
    """`/service_at_locations/{id}`. The profile's OpenAPI document gives this endpoint the
    *service* schema (which requires `name` and `status`), while HSDS describes a
    service_at_location; the response carries both shapes so it satisfies each."""
    full = service_full(service)
    return {
        "id": str(sal.oruk_id), "name": full["name"], "status": full["status"],
        "service_id": full["id"], "location_id": str(sal.location.oruk_id),
        "location": dict(sal.location.data), "service": full,
    }


def organization_list_item(org: Organization) -> dict:
    return {k: v for k, v in org.data.items() if k in ORG_LIST_FIELDS}


def organization_full(org: Organization, services: list[Service]) -> dict:
    out = dict(org.data)
    out["services"] = [service_list_item(s) for s in services]
    return out


def page(items: list, *, total: int, page_number: int, per_page: int) -> dict:
    total_pages = max(1, -(-total // per_page)) if per_page else 1
    return {
        "total_items": total, "total_pages": total_pages, "page_number": page_number,
        "size": len(items), "first_page": page_number == 1,
        "last_page": page_number >= total_pages, "empty": not items, "contents": items,
    }
