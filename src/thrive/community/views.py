"""Community THRIVE pages. Facilitator pages need `can_facilitate_community`; the join pages
(`/community/join/…`) are public (core.middleware.PUBLIC_PREFIXES) and keep nothing about the
participant but a random key in their own session. Thin: rules live in services."""

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from thrive.accounts import permissions
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.core.views import apply, form_page

from . import acer, charts, conf, exports, ratelimit, results, services, stats
from .forms import (
    AcerForm,
    ActionForm,
    AssessmentForm,
    CloseForm,
    CommunityForm,
    EvidenceForm,
    JoinForm,
    PaperForm,
    PriorityForm,
    ProgressForm,
    RatingForm,
    answer_from,
)
from .models import Action, Assessment, Community, Participant

SESSION_KEY = "community_participants"
POLL_SECONDS = 15


def _require_facilitator(user):
    if not permissions.can_facilitate_community(user):
        raise PermissionDenied("Community THRIVE is for its facilitators.")


def _assessment(request, assessment_id) -> Assessment:
    _require_facilitator(request.user)
    return get_object_or_404(Assessment.objects.select_related("community", "factor_set"),
                             public_id=assessment_id)


def _url(name, assessment):
    return reverse(f"community:{name}", args=[assessment.public_id])


# -- Facilitator: set up -------------------------------------------------------------------


def home(request):
    _require_facilitator(request.user)
    communities = Community.objects.prefetch_related("assessments")
    return render(request, "community/home.html", {
        "page_title": "Community THRIVE", "active_nav": "community",
        "communities": communities})


def new_community(request):
    _require_facilitator(request.user)
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        community = apply(form, lambda: services.create_community(
            name=d["name"], scheme=d["scheme"], code=d["code"]))
        if community is not None:
            audit.record(request, AuditEvent.Action.CREATE, obj=community,
                         detail="Community THRIVE community")
            return redirect("community:new-assessment", community.public_id)
    return form_page(request, form, title="Add a community", back_url=reverse("community:home"),
                     submit_text="Add community",
                     status=400 if form.errors else 200)


def new_assessment(request, community_id):
    _require_facilitator(request.user)
    community = get_object_or_404(Community, public_id=community_id)
    default = services.default_factor_set()
    form = AssessmentForm(request.POST or None, initial={
        "factor_set": default, "factors": list(default.factors.all())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        assessment = apply(form, lambda: services.create_assessment(
            user=request.user, community=community, period_start=d["period_start"],
            period_end=d["period_end"], purpose=d["purpose"], factor_set=d["factor_set"],
            factors=d["factors"]))
        if assessment is not None:
            audit.record(request, AuditEvent.Action.CREATE, obj=assessment,
                         detail="Community THRIVE assessment")
            return redirect("community:assessment", assessment.public_id)
    return render(request, "community/assessment_form.html", {
        "page_title": "New Community THRIVE assessment", "caption": community.name,
        "form": form, "has_errors": bool(form.errors), "back_url": reverse("community:home"),
        "overlapping": services.overlapping_assessments(community),
    }, status=400 if form.errors else 200)


def assessment(request, assessment_id):
    a = _assessment(request, assessment_id)
    audit.record(request, AuditEvent.Action.VIEW, obj=a, detail="Community THRIVE assessment")
    join_url = request.build_absolute_uri(reverse("community:join", args=[a.join_token]))
    return render(request, "community/assessment.html", {
        "page_title": "Assessment", "caption": a.community.name, "a": a, "join_url": join_url,
        # Drawn on the server as inline SVG: no request elsewhere, nothing for the CSP to block.
        "join_qr": segno.make(join_url, error="m").svg_inline(
            scale=6, dark="#212b32", light="#ffffff", omitsize=False) if a.is_open else "",
        "overlapping": services.overlapping_assessments(a.community, exclude=a),
        "participants": a.participants.count(), "back_url": reverse("community:home"),
        "trauma_overlay": conf.trauma_overlay(),
        "active_nav": "community",
    })


def _post_operation(request, a, operation, *, done, success):
    try:
        operation()
    except RuleBroken as broken:
        messages.error(request, broken.message)
        return redirect(done)
    audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail=success)
    messages.success(request, success)
    return redirect(done)


@require_POST
def open_assessment(request, assessment_id):
    a = _assessment(request, assessment_id)
    return _post_operation(request, a, lambda: services.open_for_ratings(a),
                           done=_url("assessment", a), success="The assessment is open for "
                           "ratings.")


@require_POST
def copy_evidence(request, assessment_id, source_id):
    a = _assessment(request, assessment_id)
    source = get_object_or_404(services.overlapping_assessments(a.community, exclude=a),
                               public_id=source_id)
    return _post_operation(request, a, lambda: services.copy_evidence(source=source, target=a),
                           done=_url("factors", a), success="Evidence copied from the earlier "
                           "assessment.")


def factors(request, assessment_id):
    """Factor cards: description, linked outcomes and local evidence; add evidence."""
    a = _assessment(request, assessment_id)
    form = EvidenceForm(request.POST or None, assessment=a)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {k: d[k] for k in ("indicator", "value", "unit", "source", "as_of",
                                    "peer_value")}
        if apply(form, lambda: services.add_evidence(a, factor=d["factor"], **fields)):
            audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail="evidence added")
            messages.success(request, "Evidence added.")
            return redirect(_url("factors", a))
    scope = list(a.scope().prefetch_related("outcome_links"))
    evidence = list(a.evidence.all())
    return render(request, "community/factors.html", {
        "page_title": "Factors and local evidence", "caption": a.community.name, "a": a,
        "cards": [(f, [e for e in evidence if e.factor_id == f.pk]) for f in scope],
        "drivers": a.factor_set.drivers.all(), "form": form, "has_errors": bool(form.errors),
        "back_url": _url("assessment", a),
    }, status=400 if form.errors else 200)


# -- Facilitator: live results --------------------------------------------------------------


def _results_context(a):
    res = results.results_for(a)
    observations = exports.overlay_observations(a)
    return {"a": a, "res": res, "MIN_GROUP": stats.MIN_GROUP, "observations": observations,
            "acer_labels": acer.LABELS, "profile_spec": charts.factor_profile(res),
            "radar_spec": charts.cluster_radar(res, charts.overlay_markers(observations)),
            "yva_spec": charts.young_vs_adults(res), "role_labels": dict(Participant.Role.choices),
            "age_labels": dict(Participant.AgeBand.choices), "poll_seconds": POLL_SECONDS,
            "divergence_threshold": conf.divergence_threshold()}


def live_results(request, assessment_id):
    a = _assessment(request, assessment_id)
    audit.record(request, AuditEvent.Action.VIEW, obj=a, detail="Community THRIVE results")
    return render(request, "community/results.html", {
        "page_title": "Live results", "caption": a.community.name,
        "back_url": _url("assessment", a), **_results_context(a)})


def live_results_fragment(request, assessment_id):
    """The part of the results page that htmx polls for a room's screen."""
    a = _assessment(request, assessment_id)
    return render(request, "community/_results.html", _results_context(a))


@require_POST
def hide_comment(request, assessment_id, rating_id):
    a = _assessment(request, assessment_id)
    hidden = request.POST.get("hidden") == "yes"
    return _post_operation(request, a,
                           lambda: services.set_comment_hidden(a, rating_id, hidden),
                           done=_url("results", a) + "#comments",
                           success="Comment hidden." if hidden else "Comment shown again.")


def overlay(request, assessment_id):
    """The optional trauma overlay: the group's observations, shown beside the radar, never
    scored."""
    a = _assessment(request, assessment_id)
    if not conf.trauma_overlay():
        raise Http404("The trauma overlay is turned off.")
    form = AcerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.observe(a, **form.cleaned_data)):
            audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail="trauma overlay")
            messages.success(request, "Observation recorded.")
            return redirect(_url("overlay", a))
    return render(request, "community/overlay.html", {
        "page_title": "Trauma overlay", "caption": a.community.name, "a": a, "form": form,
        "has_errors": bool(form.errors), "observations": exports.overlay_observations(a),
        "acer_labels": acer.LABELS, "back_url": _url("assessment", a),
    }, status=400 if form.errors else 200)


def paper_form(request, assessment_id):
    a = _assessment(request, assessment_id)
    form = PaperForm(request.POST or None, factors=a.scope())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        participant = apply(form, lambda: services.key_paper_form(
            a, role=d["role"], age_band=d["age_band"], answers=form.answers()))
        if participant is not None:
            audit.record(request, AuditEvent.Action.CREATE, obj=a,
                         detail=f"paper form keyed as {participant.pseudonym}")
            messages.success(request, f"Paper form saved as {participant.pseudonym}.")
            return redirect(_url("paper", a))
    return form_page(request, form, title="Key in a paper form", caption=a.community.name,
                     back_url=_url("assessment", a), submit_text="Save paper form",
                     status=400 if form.errors else 200)


# -- Facilitator: prioritise, plan, close --------------------------------------------------------


def priorities(request, assessment_id):
    a = _assessment(request, assessment_id)
    form = PriorityForm(request.POST or None, assessment=a,
                        initial={"rank": a.priorities.count() + 1})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if apply(form, lambda: services.add_priority(a, **d)):
            audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail="priority recorded")
            messages.success(request, "Priority recorded.")
            return redirect(_url("priorities", a))
    return render(request, "community/priorities.html", {
        "page_title": "Prioritise and plan", "caption": a.community.name, "a": a,
        "res": results.results_for(a), "form": form, "has_errors": bool(form.errors),
        "priorities": a.priorities.select_related("factor"),
        "actions": a.actions.select_related("priority__factor"),
        "suggestion_label": stats.SUGGESTION_LABEL, "back_url": _url("assessment", a),
    }, status=400 if form.errors else 200)


def new_action(request, assessment_id):
    a = _assessment(request, assessment_id)
    form = ActionForm(request.POST or None, assessment=a)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.add_action(a, **form.cleaned_data)):
            audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail="action added")
            messages.success(request, "Action added to the plan.")
            return redirect(_url("priorities", a))
    return form_page(request, form, title="Add an action", caption=a.community.name,
                     back_url=_url("priorities", a), submit_text="Add action",
                     status=400 if form.errors else 200)


def progress(request, assessment_id, action_id):
    """Record progress on an agreed action: allowed after closing, appended, never an edit."""
    a = _assessment(request, assessment_id)
    action = get_object_or_404(Action.objects.select_related("priority__factor"), pk=action_id,
                               assessment=a)
    form = ProgressForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.record_progress(action, user=request.user,
                                                        **form.cleaned_data)):
            audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail="action progress")
            messages.success(request, "Progress recorded.")
            return redirect(_url("priorities", a))
    return form_page(request, form, title="Record progress", caption=action.smart_objective,
                     back_url=_url("priorities", a), submit_text="Record progress",
                     status=400 if form.errors else 200)


def close(request, assessment_id):
    a = _assessment(request, assessment_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.close(a, reason=form.cleaned_data["reason"])):
            audit.record(request, AuditEvent.Action.CHANGE, obj=a, detail="assessment closed")
            messages.success(request, "The assessment is closed.")
            return redirect(_url("assessment", a))
    return form_page(request, form, title="Close the assessment", caption=a.community.name,
                     back_url=_url("assessment", a), submit_text="Close assessment",
                     intro="Once closed, nothing in this assessment can change and no more "
                     "ratings are taken.", status=400 if form.errors else 200)


@require_POST
def repeat(request, assessment_id):
    a = _assessment(request, assessment_id)
    try:
        draft = services.repeat(a, user=request.user)
    except RuleBroken as broken:
        messages.error(request, broken.message)
        return redirect(_url("assessment", a))
    audit.record(request, AuditEvent.Action.CREATE, obj=draft, detail="repeat assessment")
    messages.success(request, "A linked draft for the next round has been made.")
    return redirect("community:assessment", draft.public_id)


def review(request, assessment_id):
    a = _assessment(request, assessment_id)
    if a.previous is None:
        raise Http404("This assessment does not repeat an earlier one.")
    factor_rows, cluster_rows = results.review(results.results_for(a.previous),
                                               results.results_for(a))
    audit.record(request, AuditEvent.Action.VIEW, obj=a, detail="Community THRIVE review")
    return render(request, "community/review.html", {
        "page_title": "Review: change since the last assessment", "caption": a.community.name,
        "a": a, "factor_rows": factor_rows, "cluster_rows": cluster_rows,
        "actions": a.previous.actions.select_related("priority__factor"),
        "back_url": _url("assessment", a)})


def export(request, assessment_id, kind):
    a = _assessment(request, assessment_id)
    if kind not in exports.KINDS:
        raise Http404
    body = exports.export_csv(a, kind)
    audit.record(request, AuditEvent.Action.EXPORT, obj=a, detail=f"Community THRIVE {kind} CSV")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="community-thrive-{kind}-{a.public_id}.csv"')
    return response


def report(request, assessment_id):
    a = _assessment(request, assessment_id)
    pdf = exports.report_pdf(a, generated_by=request.user.display_name)
    audit.record(request, AuditEvent.Action.EXPORT, obj=a, detail="Community THRIVE PDF report")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="community-thrive-report-{a.public_id}.pdf"')
    return response


# -- Participants: no account ------------------------------------------------------------------


def _limited(request):
    if ratelimit.allow(request):
        return None
    return render(request, "community/join_message.html", {
        "page_title": "Please wait a minute",
        "message": "There have been too many requests from your connection. Wait a minute, "
                   "then try again."}, status=429)


def _open_or_message(request, token):
    a = Assessment.objects.filter(join_token=token).select_related("community").first()
    if a is None:
        raise Http404("No assessment has this link.")
    if a.is_closed:
        return a, render(request, "community/join_message.html", {
            "page_title": "This assessment has closed",
            "message": "This Community THRIVE assessment has closed and no longer takes "
                       "ratings. Thank you for your interest."}, status=410)
    if not a.is_open:
        return a, render(request, "community/join_message.html", {
            "page_title": "This assessment has not opened yet",
            "message": "This Community THRIVE assessment is not open for ratings yet. Try "
                       "again when the organisers say it has opened."})
    return a, None


def _participant(request, a) -> Participant | None:
    key = request.session.get(SESSION_KEY, {}).get(str(a.pk))
    return Participant.objects.filter(assessment=a, key=key).first() if key else None


@never_cache
def join(request, token):
    """Consent and privacy notice first; then the participant's key goes in their session."""
    if limited := _limited(request):
        return limited
    a, message = _open_or_message(request, token)
    if message:
        return message
    participant = _participant(request, a)
    if participant is not None:
        step = _first_unanswered(participant)
        if step is None:
            return redirect("community:done", token)
        return redirect("community:rate", token, step)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            participant = services.join(a, role=d["role"], age_band=d["age_band"],
                                        youth_wording=d["wording"] == "youth",
                                        carer_consent=bool(d.get("carer_consent")))
        except RuleBroken as broken:
            return render(request, "community/join_message.html", {
                "page_title": "Ratings are not being taken", "message": broken.message},
                status=409)
        keys = request.session.get(SESSION_KEY, {})
        keys[str(a.pk)] = participant.key
        request.session[SESSION_KEY] = keys
        return redirect("community:rate", token, 1)
    return render(request, "community/join.html", {
        "page_title": "Have your say about your area", "a": a, "form": form,
        "has_errors": bool(form.errors), "min_age": conf.min_age(),
    }, status=400 if form.errors else 200)


def _first_unanswered(participant) -> int | None:
    scope = list(participant.assessment.scope())
    answered = set(participant.ratings.values_list("factor_id", flat=True))
    for i, f in enumerate(scope, start=1):
        if f.pk not in answered:
            return i
    return None


@never_cache
def rate(request, token, step):
    if limited := _limited(request):
        return limited
    a, message = _open_or_message(request, token)
    if message:
        return message
    participant = _participant(request, a)
    if participant is None:
        return redirect("community:join", token)
    scope = list(a.scope())
    if not 1 <= step <= len(scope):
        raise Http404
    factor = scope[step - 1]
    youth = participant.youth_wording
    existing = participant.ratings.filter(factor=factor).first()
    initial = {}
    if existing:
        initial = {"condition": "dk" if existing.dont_know else
                   (str(existing.condition) if existing.condition else ""),
                   "importance": str(existing.importance or ""), "comment": existing.comment}
    form = RatingForm(request.POST or None, youth=youth, initial=initial)
    if request.method == "POST" and form.is_valid():
        answer = services.Answer() if "skip" in request.POST else answer_from(form.cleaned_data)
        try:
            services.rate(participant, factor, answer)
        except RuleBroken as broken:
            return render(request, "community/join_message.html", {
                "page_title": "Your answer was not saved", "message": broken.message},
                status=409)
        if step < len(scope):
            return redirect("community:rate", token, step + 1)
        return redirect("community:done", token)
    return render(request, "community/rate.html", {
        "page_title": factor.name, "a": a, "factor": factor, "form": form, "step": step,
        "steps": len(scope), "youth": youth, "token": token,
        "back_url": reverse("community:rate", args=[token, step - 1]) if step > 1 else "",
        "prompt": (factor.prompt_youth if youth else factor.prompt) or factor.description,
        "has_errors": bool(form.errors),
    }, status=400 if form.errors else 200)


@never_cache
def done(request, token):
    if limited := _limited(request):
        return limited
    a, message = _open_or_message(request, token)
    if message:
        return message
    participant = _participant(request, a)
    if participant is None:
        return redirect("community:join", token)
    if request.method == "POST" and request.POST.get("withdraw") == "yes":
        services.withdraw(participant)
        request.session.get(SESSION_KEY, {}).pop(str(a.pk), None)
        request.session.modified = True
        return render(request, "community/join_message.html", {
            "page_title": "Your answers have been deleted",
            "message": "All your answers to this assessment have been deleted."})
    return render(request, "community/done.html", {
        "page_title": "Thank you", "a": a, "token": token,
        "answered": participant.ratings.count(), "youth": participant.youth_wording})
