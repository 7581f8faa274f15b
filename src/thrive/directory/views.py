"""Directory pages. Search and service pages are public (no sign-in, nothing about young
people); signposting pages go through the access policy. Thin: rules live in services."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thrive.accounts import permissions
from thrive.community import ratelimit
from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.core.views import apply, form_page
from thrive.history import services as history_services
from thrive.history.models import FieldChange
from thrive.sharing import policy
from thrive.sharing.guards import episode_for_change, episode_for_late_addition

from . import editing, search, services, suggestions
from .forms import (
    InviteForm,
    OutcomeForm,
    PlaceForm,
    ProblemReportForm,
    RejectForm,
    SearchForm,
    ServiceEditForm,
    SignpostForm,
)
from .models import ChangeSuggestion, ProblemReport, Service, ServiceAtLocation, Signpost

PER_PAGE = 10


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


WIDER = (("q", "Search without these words"), ("postcode", "Search anywhere, not near a postcode"),
         ("age", "Search for any age"), ("need", "Search any kind of help"),
         ("kind", "Search however it is offered"), ("when", "Search any time, not only when open"))


def _run_search(request, *, public: bool = True, initial: dict | None = None):
    bound = any(name in request.GET for name in SearchForm.base_fields)
    form = SearchForm(request.GET if bound else None, public=public, initial=initial)
    results = None
    if form.is_bound and form.is_valid():
        results = apply(form, lambda: search.search(form.criteria(), page=_page_number(request),
                                                     per_page=PER_PAGE))
    query = request.GET.copy()
    query.pop("page", None)
    return form, results, query.urlencode()


def _wider(request, action: str) -> list[dict]:
    """Links to the same search with one filter taken off (for a search that found nothing)."""
    links = []
    for name, text in WIDER:
        if request.GET.get(name):
            query = request.GET.copy()
            query.pop("page", None)
            query.pop(name, None)
            if name == "postcode":
                query.pop("distance", None)
            links.append({"href": f"{action}?{query.urlencode()}", "text": text})
    return links


def _suggestion_url(request, action: str, words: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["q"] = words
    return f"{action}?{query.urlencode()}"


def map_tiles() -> dict | None:
    """The map of results' tile source, when one is configured (see settings)."""
    url = getattr(settings, "THRIVE_MAP_TILE_URL", "")
    if not url:
        return None
    return {"url": url, "attribution": getattr(settings, "THRIVE_MAP_ATTRIBUTION", "")}


def search_page(request):
    """Find a service: for young people, families and practitioners alike."""
    form, results, query = _run_search(request)
    action = reverse("directory:search")
    return render(request, "directory/search.html", {
        "map_tiles": map_tiles(),
        "page_title": "Find a community service", "form": form, "results": results,
        "query": query, "service_url": lambda s: reverse("directory:service", args=[s.oruk_id]),
        "action": action, "has_errors": form.is_bound and form.errors, "public": True,
        "wider": _wider(request, action),
        "suggestion_url": _suggestion_url(request, action, results.suggestion)
        if results and results.suggestion else "",
    })


def _service(service_id) -> Service:
    service = search.display_queryset().filter(oruk_id=service_id).first()
    if service is None or service.status == Service.Status.DEFUNCT or service.retired_at:
        raise Http404("No such service")
    return service


def service_page(request, service_id):
    service = _service(service_id)
    return render(request, "directory/service.html", {
        "page_title": service.name, "service": service, "public": True,
        "back_url": _back_to_search(request),
    })


def _back_to_search(request) -> str:
    """Back to the results the visitor came from, but only our own search page on this host: the
    Referer header is the visitor's browser's word, and could name any site."""
    search_path = reverse("directory:search")
    came_from = urlsplit(request.META.get("HTTP_REFERER", ""))
    if (came_from.scheme in ("http", "https") and came_from.netloc == request.get_host()
            and came_from.path == search_path):
        return search_path + (f"?{came_from.query}" if came_from.query else "")
    return search_path


# -- Signposting (signed in, through the access policy) ---------------------------------------


def episode_signposts(request, episode_id):
    episode = policy.episode_or_404(request.user, episode_id)
    items = list(services.signposts_for(episode))
    audit.record(request, AuditEvent.Action.VIEW, obj=episode, young_person=episode.young_person,
                 detail="signposts")
    return render(request, "directory/episode_signposts.html", {
        "page_title": f"Signposting: {episode.young_person.full_name}", "episode": episode,
        "person": episode.young_person, "signposts": items,
        "can_edit": policy.can_edit_episode(request.user, episode),
        "can_follow_up": services.may_follow_up(request.user, episode),
        "can_correct": history_services.may_change_episode(request.user, episode),
        "back_url": reverse("care:episode", args=[episode.public_id]),
    })


def episode_find(request, episode_id):
    """The same search, from a young person's record: results lead to the signposting form."""
    episode = episode_for_change(request, episode_id)
    # Prefilled from the record: the search form starts with the young person's age.
    form, results, query = _run_search(request, public=False,
                                       initial={"age": episode.young_person.age})
    action = reverse("directory:episode-find", args=[episode.public_id])
    return render(request, "directory/search.html", {
        "public": False, "wider": _wider(request, action),
        "suggestion_url": _suggestion_url(request, action, results.suggestion)
        if results and results.suggestion else "",
        "page_title": "Find a service to signpost to", "form": form, "results": results,
        "query": query, "episode": episode,
        "caption": episode.young_person.full_name,
        "service_url": lambda s: reverse("directory:signpost", args=[episode.public_id,
                                                                      s.oruk_id]),
        "action": reverse("directory:episode-find", args=[episode.public_id]),
        "back_url": reverse("directory:episode-signposts", args=[episode.public_id]),
        "has_errors": form.is_bound and form.errors,
    })


def new_signpost(request, episode_id, service_id):
    episode = episode_for_change(request, episode_id)
    service = _service(service_id)
    form = SignpostForm(request.POST or None, initial={"signposted_on": dates.today()})
    if request.method == "POST" and form.is_valid():
        made = apply(form, lambda: services.signpost(request, episode, service,
                                                     **form.cleaned_data))
        if made is not None:
            messages.success(request, f"Signposted to {service.name}. Follow up on "
                                      f"{made.follow_up_on.day} {made.follow_up_on:%B %Y}.")
            return redirect("directory:episode-signposts", episode.public_id)
    person = episode.young_person
    on = (form.cleaned_data.get("signposted_on") if form.is_bound and hasattr(form, "cleaned_data")
          else None) or dates.today()
    return render(request, "directory/signpost_form.html", {
        "page_title": f"Signpost to {service.name}", "form": form, "service": service,
        "episode": episode, "caption": person.full_name,
        "age": person.age_on(on), "age_warning": services.age_warning(service, person, on),
        "has_errors": bool(form.errors),
        "back_url": reverse("directory:episode-find", args=[episode.public_id]),
    }, status=422 if form.errors else 200)


def signpost_outcome(request, signpost_id):
    item = Signpost.objects.filter(
        public_id=signpost_id, episode__in=policy.visible_episodes(request.user)
    ).select_related("episode", "service").first()
    if item is None:
        raise Http404("No such record")
    episode = episode_for_late_addition(request, item.episode.public_id)
    form = OutcomeForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = apply(form, lambda: services.record_outcome(
            request, item, version=data["version"], outcome=data["outcome"],
            recorded_on=data["recorded_on"], note=data["note"],
            next_follow_up_on=data["next_follow_up_on"]))
        if done is not None:
            messages.success(request, f"Follow-up recorded for {item.service.name}.")
            return redirect("directory:episode-signposts", episode.public_id)
    return form_page(request, form, title=f"What happened with {item.service.name}?",
                     caption=episode.young_person.full_name, submit_text="Save follow-up",
                     back_url=reverse("directory:episode-signposts", args=[episode.public_id]),
                     intro=f"Signposted {item.signposted_on.day} {item.signposted_on:%B %Y}: "
                           f"{item.reason}", status=422 if form.errors else 200)


# -- The directory team: keep listings current (permissions.can_edit_directory) ------------------


def _require_editor(user):
    if not permissions.can_edit_directory(user):
        raise PermissionDenied("Editing the directory is for directory editors.")


def manage_list(request):
    _require_editor(request.user)
    text = (request.GET.get("q") or "").strip()[:200]
    found = Service.objects.select_related("organization").annotate(
        open_reports=Count("problem_reports", filter=Q(problem_reports__resolved_at__isnull=True)))
    if text:
        found = found.filter(name__icontains=text)
    reports = (ProblemReport.objects.filter(resolved_at__isnull=True)
               .select_related("service")[:50])
    pending = (ChangeSuggestion.objects.filter(status=ChangeSuggestion.Status.PENDING)
               .select_related("service")[:50])
    return render(request, "directory/manage_list.html", {
        "page_title": "Directory listings", "active_nav": "directory",
        "services": list(found[:200]), "q": text,
        "reports": list(reports), "suggestions": list(pending),
    })


def manage_add(request):
    _require_editor(request.user)
    form = ServiceEditForm(request.POST or None, initial={"status": Service.Status.ACTIVE})
    if request.method == "POST" and form.is_valid():
        made = apply(form, lambda: editing.add_service(request, **form.cleaned_data))
        if made is not None:
            messages.success(request, f"Added {made.name}. It is listed and published.")
            return redirect("directory:manage-service", made.oruk_id)
    return form_page(request, form, title="Add a service", submit_text="Add service",
                     back_url=reverse("directory:manage"),
                     status=422 if form.errors else 200)


def _editor_service(service_id) -> Service:
    service = Service.objects.select_related("organization").filter(oruk_id=service_id).first()
    if service is None:
        raise Http404("No such service")
    return service


def manage_service(request, service_id):
    _require_editor(request.user)
    service = _editor_service(service_id)
    days, opens_at, closes_at = editing.current_hours(service)
    form = ServiceEditForm(request.POST or None, initial={
        "name": service.name, "description": service.description, "status": service.status,
        "minimum_age": service.minimum_age, "maximum_age": service.maximum_age,
        "email": service.data.get("email", ""), "url": service.data.get("url", ""),
        "days": days, "opens_at": opens_at, "closes_at": closes_at})
    if request.method == "POST" and form.is_valid():
        done = apply(form, lambda: editing.edit_service(request, service, **form.cleaned_data))
        if done is not None:
            messages.success(request, f"Saved {done.name}. The public page and the Open "
                                      "Referral feed show the change.")
            return redirect("directory:manage-service", service.oruk_id)
    changes = FieldChange.objects.filter(
        object_type="Service", object_id=str(service.pk)).select_related("changed_by")[:100]
    return render(request, "directory/manage_service.html", {
        "page_title": f"Edit {service.name}", "service": service, "form": form,
        "opening_times": editing.opening_times(service), "changes": list(changes),
        "places": editing.places(service),
        "reports": list(service.problem_reports.all()[:50]),
        "suggestions": list(service.suggestions.all()[:20]),
        "invites": list(service.provider_invites.all()[:20]),
        "has_errors": bool(form.errors),
        "back_url": reverse("directory:manage"),
    }, status=422 if form.errors else 200)


def _editor_place(service: Service, sal_id) -> ServiceAtLocation:
    sal = service.service_at_locations.select_related("location").filter(oruk_id=sal_id).first()
    if sal is None:
        raise Http404("No such place")
    return sal


def manage_place(request, service_id, sal_id=None):
    """Add a place to a listing, or change one: its address, postcode and opening times."""
    _require_editor(request.user)
    service = _editor_service(service_id)
    sal = _editor_place(service, sal_id) if sal_id else None
    form = PlaceForm(request.POST or None, initial=editing.place_initial(service, sal))
    if request.method == "POST" and form.is_valid():
        done = apply(form, lambda: editing.save_place(request, service, sal, **form.cleaned_data))
        if done is not None:
            saved, placed = done
            where = form.cleaned_data["name"]
            messages.success(request, f"Saved {where}." + (
                "" if placed else " Its postcode is not in the loaded postcode table, so it is "
                                  "not on the map or in distance searches."))
            return redirect("directory:manage-service", service.oruk_id)
    return render(request, "directory/place_form.html", {
        "page_title": "Change a place" if sal else "Add a place", "service": service,
        "sal": sal, "form": form, "has_errors": bool(form.errors),
        "submit_text": "Save place" if sal else "Add place",
        "back_url": reverse("directory:manage-service", args=[service.oruk_id]),
    }, status=422 if form.errors else 200)


@require_POST
def remove_place(request, service_id, sal_id):
    _require_editor(request.user)
    service = _editor_service(service_id)
    sal = _editor_place(service, sal_id)
    name = sal.location.name or "The place"
    editing.remove_place(request, service, sal)
    messages.success(request, f"Removed {name} from {service.name}.")
    return redirect("directory:manage-service", service.oruk_id)


@require_POST
def manage_action(request, service_id, action):
    _require_editor(request.user)
    service = _editor_service(service_id)
    if action == "review":
        editing.mark_reviewed(request, service, editor_email=request.user.email or "")
        messages.success(request, f"{service.name} marked as reviewed today.")
    elif action in ("retire", "restore"):
        editing.set_retired(request, service, action == "retire")
        messages.success(request, f"{service.name} {'retired' if action == 'retire' else 'restored'}.")
    elif action == "resolve":
        report = service.problem_reports.filter(pk=request.POST.get("report") or 0,
                                                resolved_at__isnull=True).first()
        if report is not None:
            editing.resolve_report(request, report)
            messages.success(request, "Problem report marked as dealt with.")
    else:
        raise Http404("No such action")
    return redirect("directory:manage-service", service.oruk_id)


def report_problem(request, service_id):
    """Public: a family reports a problem with a listing. Nothing personal is asked for."""
    service = _service(service_id)
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, bucket="directory-report"):
            return render(request, "directory/report_done.html", {
                "page_title": "Please wait a minute", "service": service,
                "message": "There have been too many reports from your connection. Wait a "
                           "minute, then try again."}, status=429)
        if form.is_valid():
            editing.report_problem(request, service, **form.cleaned_data)
            return render(request, "directory/report_done.html", {
                "page_title": "Thank you for telling us", "service": service,
                "message": "The directory team will check this listing."})
    return form_page(request, form, title=f"Report a problem with {service.name}",
                     submit_text="Send report",
                     back_url=reverse("directory:service", args=[service.oruk_id]),
                     intro="Tell us what is wrong with this listing so we can put it right. "
                           "We do not need your name or contact details.",
                     status=422 if form.errors else 200)


# -- Providers suggest changes; an editor approves or rejects them ------------------------------


def invite_provider(request, service_id):
    """The editor makes a one-time link for a provider contact; it is shown once, here."""
    _require_editor(request.user)
    service = _editor_service(service_id)
    form = InviteForm(request.POST or None)
    link_url = ""
    if request.method == "POST" and form.is_valid():
        token = apply(form, lambda: suggestions.invite(request, service, **form.cleaned_data))
        if token is not None:
            link_url = request.build_absolute_uri(reverse("directory:suggest", args=[token]))
    return render(request, "directory/invite.html", {
        "page_title": "Invite the provider to suggest changes", "service": service, "form": form,
        "link_url": link_url, "days": suggestions.INVITE_DAYS, "has_errors": bool(form.errors),
        "back_url": reverse("directory:manage-service", args=[service.oruk_id]),
    }, status=422 if form.errors else 200)


def provider_suggest(request, token):
    """Public, through the link only: the provider proposes changes to their one listing. Not
    cached (the address is the key; Referrer-Policy keeps it from other sites)."""
    response = _provider_suggest(request, token)
    response["Cache-Control"] = "no-store"
    return response


def _provider_suggest(request, token):
    invite = suggestions.open_invite(token)
    if invite is None:
        return render(request, "directory/suggest_done.html", {
            "page_title": "This link cannot be used",
            "message": "The link has expired or has already been used. Ask the directory team "
                       "for a new one."}, status=410)
    service = invite.service
    form = ServiceEditForm(request.POST or None,
                           initial=suggestions.form_initial(suggestions.current_values(service)))
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: suggestions.suggest(request, invite, form.cleaned_data)):
            return render(request, "directory/suggest_done.html", {
                "page_title": "Thank you: your changes have been sent",
                "message": f"The directory team will check them before {service.name} changes. "
                           "This link has now been used."})
    return form_page(request, form, title="Suggest changes to your listing", caption=service.name,
                     submit_text="Send changes for review",
                     intro="Change anything that is wrong, then send it. The directory team checks "
                           "every change before the listing is updated.",
                     status=422 if form.errors else 200)


def manage_suggestion(request, suggestion_id):
    """The editor sees what the provider proposed against the listing now, and decides."""
    _require_editor(request.user)
    suggestion = (ChangeSuggestion.objects.select_related("service", "invite", "decided_by")
                  .filter(pk=suggestion_id).first())
    if suggestion is None:
        raise Http404("No such suggestion")
    service = suggestion.service
    reject_form = RejectForm(request.POST if request.POST.get("decision") == "reject" else None)
    problem = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "approve":
            try:
                suggestions.approve(request, suggestion)
            except RuleBroken as broken:
                problem = broken.message
            else:
                messages.success(request, f"Approved. {service.name} is updated and published.")
                return redirect("directory:manage-service", service.oruk_id)
        elif decision == "reject" and reject_form.is_valid():
            if apply(reject_form, lambda: suggestions.reject(
                    request, suggestion, **reject_form.cleaned_data)) is not None:
                messages.success(request, "Rejected. The listing is unchanged.")
                return redirect("directory:manage-service", service.oruk_id)
        elif decision not in ("approve", "reject"):
            raise Http404("No such decision")
    return render(request, "directory/suggestion.html", {
        "page_title": "Changes suggested by the provider", "service": service,
        "suggestion": suggestion, "rows": suggestions.diff(suggestion),
        "reject_form": reject_form, "problem": problem, "has_errors": bool(reject_form.errors),
        "back_url": reverse("directory:manage-service", args=[service.oruk_id]),
    }, status=422 if reject_form.errors or problem else 200)
