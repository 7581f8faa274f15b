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

from . import schedules
from .importer import ImportRejected, import_services, new_id
from .models import ProblemReport, Service

DAYS = [("MO", "Monday"), ("TU", "Tuesday"), ("WE", "Wednesday"), ("TH", "Thursday"),
        ("FR", "Friday"), ("SA", "Saturday"), ("SU", "Sunday")]
LABELS = {"name": "Name", "description": "Description", "status": "Status",
          "minimum_age": "Youngest age", "maximum_age": "Oldest age", "email": "Email",
          "url": "Website", "opening_times": "Opening times", "assured_date": "Last reviewed",
          "retired": "Listed"}


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


def current_hours(service: Service) -> tuple[list[str], time | None, time | None]:
    """The days and times of the service's first weekly schedule, to prefill the form."""
    first = service.schedules.order_by("position").first()
    if first is None:
        return [], None, None
    return [d for d in first.byday.split(",") if d], first.opens_at, first.closes_at


def _snapshot(service: Service) -> dict:
    data = service.data
    return {"name": service.name, "description": data.get("description", ""),
            "status": service.status, "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age, "email": data.get("email", ""),
            "url": data.get("url", ""), "opening_times": opening_times(service),
            "assured_date": data.get("assured_date", ""),
            "retired": "No" if service.retired_at else "Yes"}


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
    _check(minimum_age, maximum_age, days, opens_at, closes_at)
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
            record["schedules"] = _new_schedules(record, days, opens_at, closes_at)
        return _write(request, service, record, "directory listing edited")


def add_service(request, *, name: str, description: str, status: str, minimum_age, maximum_age,
                email: str, url: str, days: list[str], opens_at: time | None,
                closes_at: time | None) -> Service:
    """A new listing the directory team owns (no feed), written through the importer."""
    _check(minimum_age, maximum_age, days, opens_at, closes_at)
    record = {"id": new_id(), "name": name.strip(), "description": description.strip(),
              "status": status,
              "last_modified": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")}
    for key, value in (("email", email.strip()), ("url", url.strip()),
                       ("minimum_age", minimum_age), ("maximum_age", maximum_age)):
        if value not in (None, ""):
            record[key] = value
    record["schedules"] = _new_schedules(record, days, opens_at, closes_at)
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


def _check(minimum_age, maximum_age, days, opens_at, closes_at) -> None:
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise RuleBroken("Youngest age must be the same as or less than the oldest age",
                         "minimum_age")
    if bool(opens_at) != bool(closes_at) or (days and not opens_at):
        raise RuleBroken("Enter both the opening and closing time, or neither", "opens_at")
    if opens_at and not days:
        raise RuleBroken("Select the days it is open", "days")


def _new_schedules(record: dict, days: list[str], opens_at, closes_at) -> list[dict]:
    """The service's opening times as one weekly schedule, at its first place if it has one."""
    if not days:
        return []
    order = [code for code, _ in DAYS]
    byday = ",".join(sorted(days, key=order.index))
    schedule = {"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": byday,
                "opens_at": opens_at.strftime("%H:%M"), "closes_at": closes_at.strftime("%H:%M"),
                "description": f"{byday.replace(',', ', ')} {opens_at:%H:%M} to {closes_at:%H:%M}"}
    if record.get("service_at_locations"):
        schedule["service_at_location_id"] = record["service_at_locations"][0]["id"]
    return [schedule]


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
