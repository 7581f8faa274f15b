"""Access history pages: each record's ("Who has looked at this record") and the privacy officer's
log across all records. Filters travel in the query string as opaque ids and dates only; finding
a young person by name is a POST. Both export CSV for a subject access request (audited)."""

import csv
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from thrive.accounts import permissions
from thrive.accounts.models import User
from thrive.core import audit
from thrive.core.dates import today
from thrive.core.models import AuditEvent
from thrive.people import nhs_number
from thrive.people.models import YoungPerson

from . import forms, policy
from .history import describe

PAGE_SIZE = 50
CSV_LIMIT = 100_000
A, Outcome = AuditEvent.Action, AuditEvent.Outcome
ACTION_FILTERS = {
    "viewed": Q(action=A.VIEW, outcome=Outcome.ALLOWED) | Q(action=A.SEARCH),
    "changed": Q(action__in=[A.CREATE, A.CHANGE]),
    "exported": Q(action=A.EXPORT),
    "refused": Q(outcome=Outcome.REFUSED),
    "break_glass": Q(action=A.BREAK_GLASS),
    "sign_in": Q(action__in=[A.SIGN_IN, A.SIGN_OUT, A.SIGN_IN_FAILED]),
}


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(events, data):
    if data.get("user"):
        events = events.filter(user=data["user"])
    if data.get("action"):
        events = events.filter(ACTION_FILTERS[data["action"]])
    if data.get("since"):
        events = events.filter(at__gte=_local_midnight(data["since"]))
    if data.get("until"):
        events = events.filter(at__lt=_local_midnight(data["until"] + timedelta(days=1)))
    return events


def _filter_form(request, users):
    # Only the filter fields: a page number or anything else in the query string is ignored.
    submitted = any(k in request.GET for k in ("user", "action", "since-day", "until-day"))
    return forms.AccessHistoryFilterForm(request.GET if submitted else None, users=users)


def _page(request, events):
    paginator = Paginator(events, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, describe(page.object_list)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _csv_cell(value) -> str:
    """No spreadsheet formulas from the log (CSV injection)."""
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _csv_response(events, filename: str):
    def rows():
        writer = csv.writer(_Echo())
        yield writer.writerow(["When", "Who", "Agency", "Young person", "What", "How",
                               "Reason given", "Outcome"])
        batch = []
        for event in events.iterator(chunk_size=1000):
            batch.append(event)
            if len(batch) == 1000:
                yield from _csv_rows(writer, batch)
                batch = []
        yield from _csv_rows(writer, batch)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_rows(writer, batch):
    for line in describe(batch):
        yield writer.writerow([_csv_cell(v) for v in (
            line.when, line.who, line.agency, line.person, line.what, line.how, line.reason,
            "Refused" if line.refused else "Allowed")])


def _range_text(data) -> str:
    since, until = data.get("since"), data.get("until")
    if since or until:
        return f"{since or 'start'}-to-{until or today()}"
    return f"to-{today()}"


# -- One record's access history ----------------------------------------------------------------


def _record_history(request, person_id):
    person = policy.access_history_subject_or_404(request.user, person_id)
    events = AuditEvent.objects.filter(young_person_id=person.pk)
    users = User.objects.filter(pk__in=events.values("user_id")).select_related(
        "agency").order_by("last_name", "first_name", "pk")
    form = _filter_form(request, users)
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    return person, _filtered(events, data), form, data


def access_history(request, person_id):
    person, events, form, data = _record_history(request, person_id)
    if form.errors:
        events = events.none()
    page, lines = _page(request, events.select_related("user__agency").order_by("-id"))
    audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person,
                 detail="access history")
    officer = permissions.is_privacy_officer(request.user)
    back = (reverse("sharing:access-log") if officer else reverse(
        "people:record", args=[person.public_id]))
    return render(request, "sharing/access_history.html", {
        "page_title": "Who has looked at this record", "person": person, "lines": lines,
        "page": page, "form": form, "has_errors": bool(form.errors), "back_url": back,
        "show_name": not officer, "query": _query_without_page(request),
        "csv_url": reverse("sharing:access-history-csv", args=[person.public_id]),
        "action_url": reverse("sharing:access-history", args=[person.public_id])})


def access_history_csv(request, person_id):
    person, events, form, data = _record_history(request, person_id)
    if form.errors:
        return access_history(request, person_id)
    audit.record(request, AuditEvent.Action.EXPORT, obj=person, young_person=person,
                 detail="access history CSV")
    return _csv_response(events.select_related("user__agency").order_by("id")[:CSV_LIMIT],
                         f"access-history-of-one-young-person-{_range_text(data)}.csv")


# -- The privacy officer's log across all records -----------------------------------------------


def _require_privacy_officer(user):
    if not permissions.is_privacy_officer(user):
        raise PermissionDenied("The access log is for the privacy officer.")


def _find_subjects(text: str):
    text = " ".join(text.split())
    people = YoungPerson.objects.all()
    digits = nhs_number.normalise(text)
    if digits.isdigit() and len(digits) == 10:
        people = people.filter(nhs_number=digits)
    else:
        for word in text.replace(",", " ").split():
            people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word)
                                   | Q(preferred_name__icontains=word))
    return list(people.order_by("family_name", "given_name", "pk")[:50])


def _log_events(request):
    events = AuditEvent.objects.all()
    users = User.objects.select_related("agency").order_by("agency__name", "last_name",
                                                           "first_name", "pk")
    form = _filter_form(request, users)
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    subject, problem = None, ""
    if request.GET.get("person"):
        subject = YoungPerson.objects.filter(public_id=_uuid_or_none(request.GET["person"])).first()
        if subject is None:
            problem = "That young person could not be found: find them again by name"
        else:
            events = events.filter(young_person_id=subject.pk)
    return _filtered(events, data), form, data, subject, problem


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def access_log(request):
    _require_privacy_officer(request.user)
    find = forms.FindYoungPersonForm(request.POST or None)
    found = None
    if request.method == "POST" and find.is_valid():
        found = _find_subjects(find.cleaned_data["name"])
        audit.record(request, AuditEvent.Action.SEARCH,
                     detail=f"access log: find a young person ({len(found)} found)")
    events, form, data, subject, problem = _log_events(request)
    if form.errors or problem:
        events = events.none()
    page, lines = _page(request, events.select_related("user__agency").order_by("-id"))
    if request.method != "POST":
        audit.record(request, AuditEvent.Action.VIEW, young_person=subject,
                     obj=subject, detail="access history" if subject else "access log")
    return render(request, "sharing/access_log.html", {
        "page_title": "Access log", "lines": lines, "page": page, "form": form, "find": find,
        "found": found, "subject": subject, "problem": problem,
        "has_errors": bool(form.errors or find.errors or problem), "query": _query_without_page(request),
        "csv_url": reverse("sharing:access-log-csv") + (
            f"?{request.GET.urlencode()}" if request.GET else ""),
        "action_url": reverse("sharing:access-log")})


def access_log_csv(request):
    _require_privacy_officer(request.user)
    events, form, data, subject, problem = _log_events(request)
    if form.errors or problem:
        return access_log(request)
    audit.record(request, AuditEvent.Action.EXPORT, young_person=subject, obj=subject,
                 detail="access history CSV" if subject else "access log CSV")
    what = "one-young-person" if subject else "all-records"
    return _csv_response(events.select_related("user__agency").order_by("id")[:CSV_LIMIT],
                         f"access-log-{what}-{_range_text(data)}.csv")
