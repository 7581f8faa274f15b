"""Finding a young person, their record, and keeping their details right."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from thrive.care import caseload as queries
from thrive.care.forms import ReferralForm
from thrive.care.services import open_referral
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.views import apply, form_page
from thrive.risk import services as risk_services
from thrive.sharing import policy
from thrive.sharing import services as sharing_services
from thrive.sharing.guards import person_for_change

from . import forms, services, timeline


def _require_clinical(user):
    if not user.works_with_records:
        raise PermissionDenied("Records are for practitioners and team managers.")


def _record_url(person):
    return reverse("people:record", args=[person.public_id])


def find(request):
    """Search is a POST so names, NHS numbers and birth dates never appear in a URL."""
    _require_clinical(request.user)
    query, results, error = "", None, ""
    if request.method == "POST":
        query = request.POST.get("q", "").strip()
        if len(query) < 2:
            error = "Enter a name, NHS number or date of birth to search for"
        else:
            results = list(queries.find_young_people(request.user, query))
            audit.record(request, AuditEvent.Action.SEARCH,
                         detail=f"by {queries.search_kind(query)}: {len(results)} found")
    return render(request, "people/find.html", {
        "page_title": "Find a young person", "active_nav": "find", "query": query,
        "results": results, "error": error, "has_errors": bool(error),
    })


def record(request, person_id):
    person = policy.young_person_or_404(request.user, person_id)
    episodes, entries = timeline.build(policy.visible_episodes(request.user).filter(
        young_person=person))
    carers = list(person.parents_carers.all())
    sharing_services.note_record_viewed(request, person)
    user = request.user
    related = policy.has_relationship(user, person)  # once: it decides two things below
    return render(request, "people/record.html", {
        "page_title": person.full_name, "person": person, "episodes": episodes,
        "entries": entries, "carers": carers,
        "via_break_glass": not related,
        "risk_banner": risk_services.risk_banner(person),
        "can_edit": related,  # break-glass is read-only
        "care_team": list(person.care_team.filter(removed_at__isnull=True)
                          .select_related("user__agency", "consent")),
        "consents": list(person.consents.select_related("with_agency")),
        "notes": policy.notes_for(user, person),
        "agency_referrals": list(person.agency_referrals.select_related(
            "from_agency", "to_agency")),
    })


def register(request):
    _require_clinical(request.user)
    details = forms.DemographicsForm(request.POST or None, prefix="person")
    referral = ReferralForm(request.POST or None, prefix="referral")
    if request.method == "POST" and details.is_valid() and referral.is_valid():
        person = apply(details, lambda: services.register_young_person(
            request, details=details.cleaned_data, referral=referral.cleaned_data))
        if person:
            messages.success(request, "Young person added with their referral")
            return redirect(_record_url(person))
    return render(request, "people/register.html", {
        "page_title": "Add a young person", "active_nav": "register", "details": details,
        "referral": referral, "has_errors": bool(details.errors or referral.errors),
        "back_url": reverse("care:caseload"),
    })


def edit_details(request, person_id):
    person = person_for_change(request, person_id)
    initial = {name: getattr(person, name) for name in forms.DemographicsForm.base_fields}
    initial["version"] = person.version
    form = forms.EditDemographicsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.update_demographics(request, person, **form.cleaned_data)):
            messages.success(request, "Details saved")
            return redirect(_record_url(person))
    return form_page(request, form, title="Personal details", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Save details")


def new_parent_carer(request, person_id):
    person = person_for_change(request, person_id)
    form = forms.ParentCarerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.add_parent_carer(request, person, **form.cleaned_data)):
            messages.success(request, "Parent or carer added")
            return redirect(_record_url(person))
    return form_page(request, form, title="Add a parent or carer", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Save")


def new_referral(request, person_id):
    person = person_for_change(request, person_id)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        episode = apply(form, lambda: open_referral(request, person, **form.cleaned_data))
        if episode:
            messages.success(request, "Referral recorded")
            return redirect("care:episode", episode_id=episode.public_id)
    return form_page(request, form, title="Record a new referral", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Save referral")
