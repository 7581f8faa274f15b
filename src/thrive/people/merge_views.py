"""A system administrator's pages for possible duplicates and merging two records. They hold no
record access otherwise, so these pages show only what a merge needs, and every record shown is
audited. The pair being merged is held in the session: no identifier goes into a URL."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from thrive.accounts.services import is_system_admin
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.views import apply

from . import forms, merge
from .models import YoungPerson

PAIR = "merge_pair"


def _require_system_admin(user):
    if not is_system_admin(user):
        raise PermissionDenied("Merging records is for system administrators.")


def _shown(request, people, why):
    for person in people:
        audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person, detail=why)


def duplicates(request):
    _require_system_admin(request.user)
    form = forms.MergePairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keep = merge.find_record(form.cleaned_data["keep"])
        away = merge.find_record(form.cleaned_data["away"])
        for name, found in (("keep", keep), ("away", away)):
            if found is None:
                form.add_error(name, "No record has this NHS number or record reference")
        if keep and away and keep.pk == away.pk:
            form.add_error("away", merge.SAME_RECORD)
        if not form.errors:
            request.session[PAIR] = [keep.pk, away.pk]
            return redirect("people:merge")
    pairs = merge.possible_duplicates()
    _shown(request, [p for pair in pairs for p in (pair.first, pair.second)],
           "listed as a possible duplicate")
    return render(request, "people/duplicates.html", {
        "page_title": "Possible duplicate records", "pairs": pairs, "form": form,
        "has_errors": bool(form.errors),
    })


def merge_records(request):
    _require_system_admin(request.user)
    pair = request.session.get(PAIR) or []
    people = YoungPerson.objects.in_bulk(pair)
    if len(pair) != 2 or len(people) != 2:
        request.session.pop(PAIR, None)
        return redirect("people:duplicates")
    keep, away = people[pair[0]], people[pair[1]]
    if request.method == "POST" and "swap" in request.POST:
        request.session[PAIR] = [away.pk, keep.pk]
        return redirect("people:merge")
    form = forms.MergeConfirmForm(request.POST or None, initial={
        "keep_version": keep.version, "away_version": away.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kept = apply(form, lambda: merge.merge(
            request, keep_id=keep.pk, away_id=away.pk, keep_version=data["keep_version"],
            away_version=data["away_version"], reason=data["reason"]))
        if kept:
            request.session.pop(PAIR, None)
            messages.success(request, f"Records merged: {kept.full_name}'s other record now "
                                      "points to the one kept")
            return redirect("people:duplicates")
    preview = merge.preview(keep, away)
    _shown(request, [keep, away], "merge preview")
    return render(request, "people/merge.html", {
        "page_title": "Merge two records", "preview": preview, "form": form,
        "has_errors": bool(form.errors), "back_url": reverse("people:duplicates"),
    })
