"""Finding a young person, their record, and keeping their details right."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from thrive.accounts import permissions
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

from . import forms, merge, services, timeline


def _require_clinical(user):
    if not permissions.works_with_records(user):
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
        elif queries.search_problem(query):
            error = queries.search_problem(query)
        else:
            results = list(queries.find_young_people(request.user, query))
            audit.record(request, AuditEvent.Action.SEARCH,
                         detail=f"by {queries.search_kind(query)}: {len(results)} found")
    return render(request, "people/find.html", {
        "page_title": "Find a young person", "active_nav": "find", "query": query,
        "results": results, "error": error, "has_errors": bool(error),
        "read_only_labels": {policy.ENDED: "Ended", policy.DECLINED: "Declined",
                             policy.BREAK_GLASS: "Emergency access"},
    })


def record(request, person_id):
    try:
        person = policy.young_person_or_404(request.user, person_id)
    except Http404:
        # A merged record's old address leads on only to a record this user may open.
        survivor = merge.surviving_record(person_id)
        if survivor is None:
            raise
        return redirect(_record_url(policy.young_person_or_404(request.user, survivor.public_id)))
    episodes, entries = timeline.build(policy.visible_episodes(request.user).filter(
        young_person=person))
    carers = list(person.parents_carers.all())
    sharing_services.note_record_viewed(request, person)
    user = request.user
    kind = policy.relationship(user, person)  # once: it decides what the page offers
    related = kind == policy.STANDING
    return render(request, "people/record.html", {
        "page_title": person.full_name, "person": person, "episodes": episodes,
        "entries": entries, "carers": carers,
        "via_break_glass": kind == policy.BREAK_GLASS,
        "read_only_after": kind if kind in (policy.ENDED, policy.DECLINED) else "",
        "risk_banner": risk_services.risk_banner(person),
        "can_edit": related,  # break-glass is read-only
        "care_team": list(person.care_team.filter(removed_at__isnull=True)
                          .select_related("user__agency", "consent")),
        "consents": list(person.consents.select_related("with_agency")),
        "notes": policy.notes_for(user, person),
        "agency_referrals": list(person.agency_referrals.select_related(
            "from_agency", "to_agency")),
    })


PENDING = "pending_registration"  # the add-a-young-person form, held server-side between steps


def _pending_forms(data, user):
    return (forms.DemographicsForm(data, prefix="person"),
            ReferralForm(data, prefix="referral", user=user))


def register(request):
    _require_clinical(request.user)
    data = request.POST or None
    if request.method == "GET" and request.GET.get("change") and request.session.get(PENDING):
        data = request.session[PENDING]  # back from the possible-match step to change details
    details, referral = _pending_forms(data, request.user)
    if request.method == "POST" and details.is_valid() and referral.is_valid():
        if services.possible_matches(details.cleaned_data):
            # Held in the (database-backed) session, so no identifier goes into a URL.
            request.session[PENDING] = {k: v for k, v in request.POST.items()
                                        if k != "csrfmiddlewaretoken"}
            return redirect("people:possible-match")
        person = apply(details, lambda: services.register_young_person(
            request, details=details.cleaned_data, referral=referral.cleaned_data), referral)
        if person:
            request.session.pop(PENDING, None)
            messages.success(request, "Young person added with their referral")
            return redirect(_record_url(person))
    return render(request, "people/register.html", {
        "page_title": "Add a young person", "active_nav": "register", "details": details,
        "referral": referral, "has_errors": bool(details.errors or referral.errors),
        "back_url": reverse("care:caseload"),
    })


def possible_match(request):
    """The young person being added may already have a record, here or at another agency: show
    only name, date of birth and why, and let the user link the referral or add a new record."""
    _require_clinical(request.user)
    details, referral = _pending_forms(request.session.get(PENDING), request.user)
    if not (details.is_bound and details.is_valid() and referral.is_valid()):
        return redirect("people:register")
    matches = services.possible_matches(details.cleaned_data)
    if not matches:
        return redirect("people:register")
    form = forms.PossibleMatchForm(request.POST or None, matches=matches)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        if choice == form.NEW:
            person = apply(form, lambda: services.register_young_person(
                request, details=details.cleaned_data, referral=referral.cleaned_data,
                despite=matches, reason=form.cleaned_data["reason"]))
            if person:
                request.session.pop(PENDING, None)
                messages.success(request, "Young person added with their referral")
                return redirect(_record_url(person))
        else:
            match = next(m for m in matches if str(m.person.public_id) == choice)
            episode = apply(form, lambda: services.refer_existing(
                request, match, referral=referral.cleaned_data))
            if episode:
                request.session.pop(PENDING, None)
                messages.success(request, "Referral added to their existing record")
                return redirect("care:episode", episode_id=episode.public_id)
    services.note_matches_shown(request, matches)
    mine = set(policy.related_young_people(request.user).filter(
        pk__in=[m.person.pk for m in matches]).values_list("pk", flat=True))
    return render(request, "people/possible_match.html", {
        "page_title": "This young person may already have a record", "active_nav": "register",
        "matches": matches, "mine": mine, "form": form, "has_errors": bool(form.errors),
        "same_nhs_number": any(m.reason == services.matching.SAME_NHS_NUMBER for m in matches),
        "back_url": reverse("people:register") + "?change=1",
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


def edit_parent_carer(request, person_id, carer_id):
    person = person_for_change(request, person_id)
    carer = person.parents_carers.filter(pk=carer_id).first()
    if carer is None:
        raise Http404("No such parent or carer")
    initial = {name: getattr(carer, name) for name in forms.ParentCarerForm.base_fields}
    form = forms.ParentCarerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.update_parent_carer(request, carer, **form.cleaned_data)):
            messages.success(request, "Parent or carer's details saved")
            return redirect(_record_url(person))
    return form_page(request, form, title="Change a parent's or carer's details",
                     caption=person.full_name, back_url=_record_url(person),
                     submit_text="Save details")


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
    form = ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        episode = apply(form, lambda: open_referral(request, person, **form.cleaned_data))
        if episode:
            messages.success(request, "Referral recorded")
            return redirect("care:episode", episode_id=episode.public_id)
    return form_page(request, form, title="Record a new referral", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Save referral")
