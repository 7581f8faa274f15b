"""The directory team keeps listings current: edit a service (its details and opening times),
mark it reviewed, retire or restore it. Each change goes through the importer, so the search
columns, schedules and the Open Referral record stay one; each is versioned (history FieldChange
rows, with old and new values) and audited (which fields, never the values).

A service that a feed owns is overwritten by the feed's next import; the editor's change is for
the records the directory team owns (see ADR 0021).
"""

from __future__ import annotations

import uuid
from datetime import time

from django.db import transaction
from django.utils import timezone

from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.history import services as history

from . import postcodes, schedules
from .importer import ImportRejected, import_services, new_id
from .models import ProblemReport, Service, ServiceAtLocation

DAYS = [("MO", "Monday"), ("TU", "Tuesday"), ("WE", "Wednesday"), ("TH", "Thursday"),
        ("FR", "Friday"), ("SA", "Saturday"), ("SU", "Sunday")]
LABELS = {"name": "Name", "description": "Description", "status": "Status",
          "minimum_age": "Youngest age", "maximum_age": "Oldest age", "email": "Email",
          "url": "Website", "opening_times": "Opening times", "assured_date": "Last reviewed",
          "retired": "Listed", "places": "Places"}


def record_for(service: Service) -> dict:
    """The whole Open Referral record of a service, sensitive places included (the importer writes
    it back; publishing still leaves those places out)."""
    sid = str(service.oruk_id)
    out = dict(service.data)
    out["id"] = sid
    if service.organization is not None:
        out["organization_id"] = str(service.organization.oruk_id)
        out["organization"] = dict(service.organization.data)
    sals = service.service_at_locations.select_related("location").order_by("position")
    out["service_at_locations"] = [
        {**sal.data, "id": str(sal.oruk_id), "service_id": sid,
         "location_id": str(sal.location.oruk_id), "location": dict(sal.location.data)}
        for sal in sals]
    out["schedules"] = [dict(s.data) for s in service.schedules.order_by("position")]
    out["attributes"] = [
        {**a.data, "id": str(a.oruk_id), "link_id": a.data.get("link_id", sid),
         "taxonomy_term_id": str(a.term.oruk_id), "taxonomy_term": dict(a.term.data)}
        for a in service.attributes.select_related("term").order_by("position")]
    return out


def opening_times(service: Service) -> list[str]:
    return schedules.describe_all([s.data for s in service.schedules.order_by("position")])


def current_hours(service: Service, sal: ServiceAtLocation | None = None,
                  ) -> tuple[list[str], time | None, time | None]:
    """The days and times of the service's first weekly schedule (at `sal`, if given), to
    prefill a form."""
    found = service.schedules.order_by("position")
    if sal is not None:
        found = found.filter(service_at_location=sal)
    first = found.first()
    if first is None:
        return [], None, None
    return [d for d in first.byday.split(",") if d], first.opens_at, first.closes_at


def _main_place_id(service: Service) -> str | None:
    """The place whose opening times the listing's own form edits: that of its first schedule,
    else its first place, else none (times for the service as a whole)."""
    first = service.schedules.order_by("position").select_related("service_at_location").first()
    if first is not None:
        return str(first.service_at_location.oruk_id) if first.service_at_location else None
    sal = service.service_at_locations.order_by("position").first()
    return str(sal.oruk_id) if sal else None


def address_of(location_data: dict) -> dict:
    return (location_data.get("addresses") or [{}])[0]


def place_in_words(sal: ServiceAtLocation) -> str:
    """One line per place for the version history: name, address and postcode (its times are
    versioned with the service's "Opening times")."""
    data = sal.location.data
    addr = address_of(data)
    parts = [data.get("name") or "", addr.get("address_1") or "", addr.get("address_2") or "",
             addr.get("city") or "", addr.get("postal_code") or ""]
    return ", ".join(p for p in parts if p) or "A place with no address"


def places(service: Service) -> list[dict]:
    """Every place of a service (sensitive ones too: editors see them, the public never does),
    with its address, whether it is on the map, and its opening times."""
    out = []
    sals = service.service_at_locations.select_related("location").order_by("position")
    for sal in sals:
        times = schedules.describe_all(
            [s.data for s in service.schedules.filter(service_at_location=sal).order_by("position")])
        out.append({"sal": sal, "location": sal.location, "address": address_of(sal.location.data),
                    "times": times, "in_words": place_in_words(sal),
                    "on_map": sal.location.latitude is not None})
    return out


def _snapshot(service: Service) -> dict:
    data = service.data
    return {"name": service.name, "description": data.get("description", ""),
            "status": service.status, "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age, "email": data.get("email", ""),
            "url": data.get("url", ""), "opening_times": opening_times(service),
            "assured_date": data.get("assured_date", ""),
            "retired": "No" if service.retired_at else "Yes",
            "places": [p["in_words"] for p in places(service)]}


def _write(request, service: Service, record: dict, detail: str) -> Service:
    """Write `record` back through the importer, keeping the service's retirement as it was;
    version the change and audit it."""
    before = _snapshot(service)
    retired_at = service.retired_at
    record["last_modified"] = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        import_services([record])
    except ImportRejected as rejected:
        problem = rejected.problems[0]
        raise RuleBroken(f"{problem.field} {problem.message}".strip()) from None
    service = Service.objects.get(pk=service.pk)
    if service.retired_at != retired_at:
        service.retired_at = retired_at
        service.save(update_fields=["retired_at"])
    rows = history.record_changes(request, service, before, _snapshot(service),
                                  object_label=f"Directory listing: {service.name}", labels=LABELS)
    audit.record(request, AuditEvent.Action.CHANGE, obj=service,
                 detail=f"{detail}: {history.changed_fields(rows)}")
    return service


def edit_service(request, service: Service, *, name: str, description: str, status: str,
                 minimum_age, maximum_age, email: str, url: str, days: list[str],
                 opens_at: time | None, closes_at: time | None) -> Service:
    check_values(minimum_age, maximum_age, days, opens_at, closes_at)
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        record = record_for(service)
        record.update({"name": name.strip(), "description": description.strip(),
                       "status": status})
        for key, value in (("email", email.strip()), ("url", url.strip()),
                           ("minimum_age", minimum_age), ("maximum_age", maximum_age)):
            if value not in (None, ""):
                record[key] = value
            else:
                record.pop(key, None)
        old = current_hours(service)
        if (days, opens_at, closes_at) != (old[0], old[1], old[2]):
            _replace_schedules(record, _main_place_id(service), days, opens_at, closes_at)
        return _write(request, service, record, "directory listing edited")


def add_service(request, *, name: str, description: str, status: str, minimum_age, maximum_age,
                email: str, url: str, days: list[str], opens_at: time | None,
                closes_at: time | None) -> Service:
    """A new listing the directory team owns (no feed), written through the importer."""
    check_values(minimum_age, maximum_age, days, opens_at, closes_at)
    record = {"id": new_id(), "name": name.strip(), "description": description.strip(),
              "status": status,
              "last_modified": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")}
    for key, value in (("email", email.strip()), ("url", url.strip()),
                       ("minimum_age", minimum_age), ("maximum_age", maximum_age)):
        if value not in (None, ""):
            record[key] = value
    record["schedules"] = _new_schedules(days, opens_at, closes_at)
    with transaction.atomic():
        try:
            import_services([record])
        except ImportRejected as rejected:
            problem = rejected.problems[0]
            raise RuleBroken(f"{problem.field} {problem.message}".strip()) from None
        service = Service.objects.get(oruk_id=record["id"])
        rows = history.record_changes(request, service, {}, _snapshot(service),
                                      object_label=f"Directory listing: {service.name}",
                                      labels=LABELS)
        audit.record(request, AuditEvent.Action.CREATE, obj=service,
                     detail=f"directory listing added: {history.changed_fields(rows)}")
    return service


def check_values(minimum_age, maximum_age, days, opens_at, closes_at) -> None:
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise RuleBroken("Youngest age must be the same as or less than the oldest age",
                         "minimum_age")
    if bool(opens_at) != bool(closes_at) or (days and not opens_at):
        raise RuleBroken("Enter both the opening and closing time, or neither", "opens_at")
    if opens_at and not days:
        raise RuleBroken("Select the days it is open", "days")


def _new_schedules(days: list[str], opens_at, closes_at, sal_id: str | None = None) -> list[dict]:
    """Opening times as one weekly schedule, at the place `sal_id` (or the whole service)."""
    if not days:
        return []
    order = [code for code, _ in DAYS]
    byday = ",".join(sorted(days, key=order.index))
    schedule = {"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": byday,
                "opens_at": opens_at.strftime("%H:%M"), "closes_at": closes_at.strftime("%H:%M"),
                "description": f"{byday.replace(',', ', ')} {opens_at:%H:%M} to {closes_at:%H:%M}"}
    if sal_id is not None:
        schedule["service_at_location_id"] = sal_id
    return [schedule]


def _replace_schedules(record: dict, sal_id: str | None, days, opens_at, closes_at) -> None:
    """Replace the schedules at one place (or those for the service as a whole, when `sal_id`
    is None) with one weekly schedule; other places' schedules are kept."""
    def here(s):
        return (s.get("service_at_location_id") or None) == sal_id
    kept = [s for s in record.get("schedules") or [] if not here(s)]
    record["schedules"] = kept + _new_schedules(days, opens_at, closes_at, sal_id)


# -- Places: addresses, postcodes (placed from the loaded postcodes) and their opening times ----


def place_initial(service: Service, sal: ServiceAtLocation | None) -> dict:
    if sal is None:
        # A new place is most likely in the same county as the service's others.
        first = service.service_at_locations.select_related("location").order_by("position").first()
        county = address_of(first.location.data).get("state_province", "") if first else ""
        return {"county": county}
    data = sal.location.data
    addr = address_of(data)
    days, opens_at, closes_at = current_hours(service, sal)
    return {"name": data.get("name") or "", "address_1": addr.get("address_1") or "",
            "address_2": addr.get("address_2") or "", "city": addr.get("city") or "",
            "county": addr.get("state_province") or "",
            "postcode": addr.get("postal_code") or "", "days": days, "opens_at": opens_at,
            "closes_at": closes_at}


def save_place(request, service: Service, sal: ServiceAtLocation | None, *, name: str,
               address_1: str, address_2: str, city: str, county: str, postcode: str,
               days: list[str],
               opens_at: time | None, closes_at: time | None) -> tuple[Service, bool]:
    """Add a place to a service, or change one: its address and its opening times. A postcode
    found in the loaded postcodes places it (distance searches, the map); returns whether the
    place has coordinates now."""
    check_values(None, None, days, opens_at, closes_at)
    code = postcodes.normalise_postcode(postcode)
    if not code:
        raise RuleBroken("Enter a full postcode, like NV1 2AB", "postcode")
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        record = record_for(service)
        entry = None
        if sal is not None:
            entry = next(e for e in record["service_at_locations"] if e["id"] == str(sal.oruk_id))
        else:
            location_id = new_id()
            entry = {"id": new_id(), "service_id": str(service.oruk_id),
                     "location_id": location_id,
                     "location": {"id": location_id, "location_type": "physical"}}
            record["service_at_locations"].append(entry)
        location = entry["location"]
        addr = dict(address_of(location)) or {"id": new_id()}
        old_code = postcodes.normalise_postcode(addr.get("postal_code") or "")
        addr.update({"address_1": address_1.strip(), "city": city.strip(),
                     "state_province": county.strip(), "postal_code": code,
                     "country": addr.get("country") or "GB",
                     "address_type": addr.get("address_type") or "physical"})
        if address_2.strip():
            addr["address_2"] = address_2.strip()
        else:
            addr.pop("address_2", None)
        location["addresses"] = [addr] + list((location.get("addresses") or [])[1:])
        location["name"] = name.strip()
        found = postcodes.locate(code)
        if found is not None:
            location["latitude"], location["longitude"] = round(found[0], 6), round(found[1], 6)
        elif code != old_code:
            # Coordinates of the old address would put the new one in the wrong place.
            location.pop("latitude", None)
            location.pop("longitude", None)
        if sal is None or (days, opens_at, closes_at) != current_hours(service, sal):
            _replace_schedules(record, entry["id"], days, opens_at, closes_at)
        service = _write(request, service, record,
                         "directory place added" if sal is None else "directory place edited")
    placed = "latitude" in location and "longitude" in location
    return service, placed


def remove_place(request, service: Service, sal: ServiceAtLocation) -> Service:
    """Take a place (and its opening times) off a service."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        record = record_for(service)
        sal_id = str(sal.oruk_id)
        record["service_at_locations"] = [
            e for e in record["service_at_locations"] if e["id"] != sal_id]
        record["schedules"] = [s for s in record["schedules"]
                               if s.get("service_at_location_id") != sal_id]
        return _write(request, service, record, "directory place removed")


def mark_reviewed(request, service: Service, *, editor_email: str = "") -> Service:
    """The listing was checked with the provider today: its "last checked" date (ORUK
    assured_date) moves to today."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        record = record_for(service)
        record["assured_date"] = dates.today().isoformat()
        if editor_email:
            record["assurer_email"] = editor_email
        return _write(request, service, record, "directory listing reviewed")


def set_retired(request, service: Service, retired: bool) -> Service:
    """Retire (unlisted, unpublished, unsearchable; signposts still name it) or restore."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if (service.retired_at is not None) == retired:
            return service
        before = _snapshot(service)
        service.retired_at = timezone.now() if retired else None
        service.save(update_fields=["retired_at"])
        rows = history.record_changes(request, service, before, _snapshot(service),
                                      object_label=f"Directory listing: {service.name}",
                                      labels=LABELS)
        audit.record(request, AuditEvent.Action.CHANGE, obj=service,
                     detail=("directory listing retired" if retired
                             else "directory listing restored") + f": {history.changed_fields(rows)}")
    return service


def report_problem(request, service: Service, *, what: str, detail: str = ""):
    """A family's report: kept for the directory team, with nothing personal."""
    report = ProblemReport.objects.create(service=service, what=what, detail=detail.strip())
    audit.record(request, AuditEvent.Action.CREATE, obj=report,
                 detail=f"problem reported with listing {service.name}")
    return report


def resolve_report(request, report) -> None:
    report.resolved_at = timezone.now()
    report.resolved_by = request.user
    report.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(request, AuditEvent.Action.CHANGE, obj=report,
                 detail=f"problem report dealt with for {report.service.name}")
