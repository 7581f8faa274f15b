"""Recording questionnaires, seeing their scores, change over an episode, charts, and handing a
tablet to a young person or parent. Thin: access through the policy, rules in services."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password, make_password
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.views import apply, form_page
from thrive.history import services as history_services
from thrive.sharing import policy
from thrive.sharing.guards import episode_for_late_addition

from . import charts, forms, services
from .models import Completion, Rater

HANDOVER = "measures_handover"  # session key: the pending tablet completion
MAX_PIN_ATTEMPTS = 5


def _episode_url(episode):
    return reverse("care:episode", args=[episode.public_id])


def _measures_url(episode):
    return reverse("measures:episode", args=[episode.public_id])


def _caption(episode):
    return f"{episode.young_person.full_name} – {episode.team.name}"


def _audit_view(request, episode, detail=""):
    audit.record(request, AuditEvent.Action.VIEW, obj=episode, young_person=episode.young_person,
                 detail=detail)


# -- Per-episode outcomes page ----------------------------------------------------------------


def episode_measures(request, episode_id):
    """Every questionnaire in the episode, first-to-last change per scale, the roll-up per rater,
    and a chart with its data table per measure. Query count does not grow with completions."""
    episode = policy.episode_or_404(request.user, episode_id)
    completions = services.episode_completions(episode)
    counted = services.valid_completions(completions)  # entered in error: listed, not counted
    ratings = services.episode_goal_ratings(episode)
    outcome = services.episode_outcome(counted, goal_ratings=ratings)
    all_charts = charts.measure_charts(counted, episode.young_person)
    goals = charts.goal_chart(ratings)
    if goals:
        all_charts.append(goals)
    _audit_view(request, episode, "outcome measures")
    return render(request, "measures/episode.html", {
        "page_title": "Outcome measures", "episode": episode, "person": episode.young_person,
        "completions": list(reversed(completions)), "outcome": outcome, "charts": all_charts,
        "can_edit": (policy.can_edit_episode(request.user, episode)
                     or policy.can_add_after_ending(request.user, episode)),
        "can_correct": history_services.may_change_episode(request.user, episode),
        "measure_name": services.measure_name, "back_url": _episode_url(episode),
        "unreviewed_risk": services.unreviewed_risk(episode),
        "due": services.measures_due(episode),
        "wording_problem": services.wording_problem(),
    })


def record_measures(request, person_id):
    """The record's view: a chart per measure across the episodes this user may see."""
    person = policy.young_person_or_404(request.user, person_id)
    episodes = policy.visible_episodes(request.user).filter(young_person=person)
    completions = list(Completion.objects.valid().filter(episode__in=episodes)
                       .prefetch_related("scores").order_by("completed_on", "id"))
    from thrive.care.models import GoalRating

    ratings = list(GoalRating.objects.valid().filter(goal__entered_in_error_at__isnull=True,
                                                     goal__episode__in=episodes)
                   .select_related("goal")
                   .order_by("goal__number", "rated_on", "id"))
    all_charts = charts.measure_charts(completions, person)
    goals = charts.goal_chart(ratings)
    if goals:
        all_charts.append(goals)
    audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person,
                 detail="outcome measure charts")
    return render(request, "measures/record.html", {
        "page_title": "Outcome measures", "person": person, "charts": all_charts,
        "back_url": reverse("people:record", args=[person.public_id]),
    })


# -- Recording --------------------------------------------------------------------------------


def new_completion(request, episode_id):
    """Step 1: which questionnaire, whose version, and how it will be recorded."""
    episode = episode_for_late_addition(request, episode_id, audit_get=False)
    form = forms.ChooseMeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        query = urlencode({"measure": form.cleaned_data["measure"],
                           "rater": form.cleaned_data["rater"], "method": form.cleaned_data["method"]})
        name = "measures:hand-over" if form.cleaned_data["method"] == "tablet" else "measures:record"
        return redirect(f"{reverse(name, args=[episode.public_id])}?{query}")
    if request.method == "GET":
        _audit_view(request, episode, "record a questionnaire")
    return form_page(request, form, title="Record a questionnaire", caption=_caption(episode),
                     back_url=_measures_url(episode), submit_text="Continue", intro=GOALS_ELSEWHERE)


GOALS_ELSEWHERE = ("Goal Based Outcomes are not recorded here: agree goals and rate progress in the "
                   "episode's Goals section.")


def _chosen(request, episode):
    """The questionnaire chosen in step 1 (from the query), checked again: a bad or tampered
    choice shows step 1 with the error, never a half-built form."""
    form = forms.ChooseMeasureForm({k: request.GET.get(k, "") for k in ("measure", "rater", "method")})
    if form.is_valid():
        return form.cleaned_data, None
    return None, form_page(request, form, title="Record a questionnaire", caption=_caption(episode),
                           back_url=_measures_url(episode), submit_text="Continue")


def record_completion(request, episode_id):
    """Step 2: the answers by item number, or the totals from paper, and the date."""
    episode = episode_for_late_addition(request, episode_id, audit_get=False)
    chosen, refusal = _chosen(request, episode)
    if refusal:
        _audit_view(request, episode, "record a questionnaire")
        return refusal
    measure, rater = chosen["measure_obj"], chosen["rater"]
    method = "totals" if chosen["method"] == "totals" else "items"
    form = forms.CompletionForm(request.POST or None, measure=measure, method=method,
                                agency_id=episode.agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        completion = apply(form, lambda: services.record_completion(
            request, episode, measure_id=measure.id, rater=rater, completed_on=data["completed_on"],
            responses=data["responses"], entered_totals=data["entered_totals"]))
        if completion:
            messages.success(request, services.saved_message(measure, completion))
            return redirect("measures:completion", completion.public_id)
    if request.method == "GET":
        _audit_view(request, episode, "record a questionnaire")
    return render(request, "measures/record_completion.html", {
        "page_title": f"{measure.name}: {Rater(rater).label.lower()}", "form": form,
        "measure": measure, "method": method, "caption": _caption(episode),
        "back_url": reverse("measures:new", args=[episode.public_id]),
        "licensed_text": bool(services.item_text(measure.id, episode.agency_id)),
        "wording_problem": services.wording_problem(),
        "describes_needs": services.describes_needs(measure),
    })


def acknowledge_risk(request, completion_id):
    """A clinician acknowledges a completion's risk alert and records what was done."""
    completion = services.completion_for(request.user, completion_id)
    episode = episode_for_late_addition(request, completion.episode.public_id, audit_get=False)
    back = reverse("measures:completion", args=[completion.public_id])
    if not completion.risk_alerts or hasattr(completion, "risk_review"):
        return redirect(back)
    form = forms.AcknowledgeRiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.acknowledge_risk(
                request, completion, action_taken=form.cleaned_data["action_taken"])):
            messages.success(request, "Risk alert acknowledged")
            return redirect(back)
    if request.method == "GET":
        _audit_view(request, episode, "acknowledge a risk alert")
    return form_page(request, form, title="Acknowledge the risk alert", caption=_caption(episode),
                     back_url=back, submit_text="Acknowledge",
                     intro=" ".join(completion.risk_alerts))


def completion_detail(request, completion_id):
    """One completion's scores, shown at once after saving."""
    completion = services.completion_for(request.user, completion_id)
    episode = completion.episode
    measure = services.catalogue().measure(completion.measure_id)
    results = [services.as_result(completion, s) for s in completion.scores.all()]
    ratings = services.ratings(measure, completion) if services.describes_needs(measure) else []
    audit.record(request, AuditEvent.Action.VIEW, obj=completion, young_person=episode.young_person)
    person = episode.young_person
    return render(request, "measures/completion.html", {
        "page_title": measure.name, "completion": completion, "measure": measure,
        "results": results, "ratings": ratings, "episode": episode, "person": person,
        "age": person.age_on(completion.completed_on),
        "rater_label": Rater(completion.rater).label,
        "back_url": _measures_url(episode),
        "risk_review": getattr(completion, "risk_review", None),
        "converted": services.converted_scores(completion),
        "can_acknowledge": (policy.can_edit_episode(request.user, episode)
                            or policy.can_add_after_ending(request.user, episode)),
    })


# -- Hand-over to a tablet --------------------------------------------------------------------


def start_hand_over(request, episode_id):
    """The practitioner chooses a PIN; the session then shows only the completion page."""
    episode = episode_for_late_addition(request, episode_id, audit_get=False)
    chosen, refusal = _chosen(request, episode)
    if refusal:
        _audit_view(request, episode, "hand over a questionnaire")
        return refusal
    form = forms.StartHandOverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[HANDOVER] = {
            "episode": str(episode.public_id), "measure": chosen["measure"],
            "rater": chosen["rater"], "pin": make_password(form.cleaned_data["pin"]),
            "attempts": 0, "completion": None,
        }
        return redirect("measures:tablet")
    if request.method == "GET":
        _audit_view(request, episode, "hand over a questionnaire")
    return render(request, "measures/hand_over.html", {
        "page_title": "Hand the tablet over", "form": form, "caption": _caption(episode),
        "measure": chosen["measure_obj"], "rater_label": Rater(chosen["rater"]).label.lower(),
        "back_url": reverse("measures:new", args=[episode.public_id]),
        "has_wording": services.has_wording(chosen["measure_obj"], episode.agency_id),
        "worded": len(services.item_text(chosen["measure"], episode.agency_id)),
        "wording_problem": services.wording_problem(),
        "remote_url": reverse("measures:remote-link", args=[episode.public_id]) + "?" + urlencode(
            {"measure": chosen["measure"], "rater": chosen["rater"], "method": "tablet"}),
        "totals_url": reverse("measures:record", args=[episode.public_id]) + "?" + urlencode(
            {"measure": chosen["measure"], "rater": chosen["rater"], "method": "totals"}),
    })


def _step_through(request, *, measure, agency_id, answers: dict, save, finish, context: dict):
    """The tablet's questions, a step at a time (``tablet_steps``): each step's answers are checked
    and kept in the server-side session (``save``), Back and Continue move between steps, and
    Finish records every answer (``finish``). Plain forms and redirects: no JavaScript needed."""
    from . import tablet_steps

    asked = request.POST.get("step") if request.method == "POST" else request.GET.get("q")
    step = tablet_steps.step(measure, int(asked) if (asked or "").isdigit() else 1)
    form = forms.CompletionForm(
        request.POST if request.method == "POST" else None, measure=measure, method="tablet",
        tablet=True, agency_id=agency_id, items=step.items,
        initial={f"item_{n}": answers[str(n)] for n in step.items if str(n) in answers})
    if request.method == "POST" and form.is_valid():
        for n in step.items:
            value = request.POST.get(f"item_{n}", "")
            if value:
                answers[str(n)] = value
            else:
                answers.pop(str(n), None)
        save(answers)
        if request.POST.get("nav") == "back":
            return None, redirect(f"{request.path}?q={max(step.number - 1, 1)}")
        if not step.last:
            return None, redirect(f"{request.path}?q={step.number + 1}")
        whole = forms.CompletionForm({f"item_{k}": v for k, v in answers.items()}, measure=measure,
                                     method="tablet", tablet=True, agency_id=agency_id)
        if whole.is_valid():
            done = apply(whole, lambda: finish(whole.cleaned_data["responses"]))
            if done:
                return done, None
        for error in whole.non_field_errors() or [e for es in whole.errors.values() for e in es]:
            form.add_error(None, error)
    wording = services.wording(measure.id, agency_id)
    return None, render(request, "measures/tablet.html", {
        "page_title": f"{step.progress}: questionnaire", "form": form, "measure": measure,
        "instructions": wording.instructions, "step": step, "wording_source": wording.source,
        **context,
    })


def tablet(request):
    """The no-distraction completion page: the questions a step at a time, nothing from the
    record."""
    state = request.session.get(HANDOVER)
    if not state:
        return redirect("care:home")
    if state.get("completion"):
        return render(request, "measures/tablet_done.html", {"page_title": "Thank you"})
    episode = policy.episode_or_404(request.user, state["episode"])
    measure = services.catalogue().measure(state["measure"])

    def save(answers):
        state["answers"] = answers
        request.session[HANDOVER] = state

    def finish(responses):
        return services.record_completion(
            request, episode, measure_id=measure.id, rater=state["rater"], completed_on=dates.today(),
            responses=responses, entered_totals={}, on_tablet=True)

    if request.method == "GET" and not request.GET.get("q"):
        _audit_view(request, episode, "tablet completion")
    completion, page = _step_through(request, measure=measure, agency_id=episode.agency_id,
                                     answers=dict(state.get("answers") or {}), save=save,
                                     finish=finish, context={})
    if completion:
        state["completion"] = str(completion.public_id)
        state.pop("answers", None)
        request.session[HANDOVER] = state
        return redirect("measures:tablet")
    return page


def hand_back(request):
    """Ends hand-over with the PIN or the practitioner's password; 5 wrong tries sign out."""
    state = request.session.get(HANDOVER)
    if not state:
        return redirect("care:home")
    form = forms.HandBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"]
        if check_password(secret, state["pin"]) or request.user.check_password(secret):
            del request.session[HANDOVER]
            if state.get("completion"):
                completion = services.completion_for(request.user, state["completion"])
                measure = services.catalogue().measure(completion.measure_id)
                messages.success(request, "Completed on the tablet: "
                                 + services.saved_message(measure, completion))
                return redirect("measures:completion", state["completion"])
            messages.success(request, "Hand-over ended. Nothing was saved.")
            return redirect("measures:episode", state["episode"])
        state["attempts"] = state.get("attempts", 0) + 1
        if state["attempts"] >= MAX_PIN_ATTEMPTS:
            audit.record(request, AuditEvent.Action.VIEW, detail="hand-back: 5 wrong PINs, signed out")
            logout(request)
            return redirect("accounts:sign-in")
        request.session[HANDOVER] = state
        left = MAX_PIN_ATTEMPTS - state["attempts"]
        form = forms.HandBackForm({"secret": "-"})
        form.is_valid()
        form.add_error("secret", f"That PIN or password is not right. {left} "
                                 f"{'try' if left == 1 else 'tries'} left before you are signed out.")
    return render(request, "measures/hand_back.html", {"page_title": "Hand back", "form": form,
                                                       "finished": bool(state.get("completion"))})


# -- The agency's schedule ---------------------------------------------------------------------


def schedule(request):
    """When each measure is due in this agency: set by its administrator or a team manager."""
    from django.core.exceptions import PermissionDenied

    from thrive.accounts import permissions

    if not permissions.can_set_measure_schedule(request.user):
        raise PermissionDenied("Only an agency administrator or team manager can set the schedule.")
    form = forms.ScheduleRuleForm(request.POST or None)
    if request.method == "POST" and request.POST.get("remove"):
        services.remove_schedule_rule(request, int(request.POST["remove"]) if request.POST["remove"].isdigit()
                                      else 0)
        messages.success(request, "Removed from the schedule")
        return redirect("measures:schedule")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if apply(form, lambda: services.add_schedule_rule(
                request, measure_id=data["measure_id"], rater=data["rater"],
                at_assessment=data["at_assessment"], every_contacts=data["every_contacts"],
                at_ending=data["at_ending"])):
            messages.success(request, "Added to the schedule")
            return redirect("measures:schedule")
    return render(request, "measures/schedule.html", {
        "page_title": "When measures are due", "form": form,
        "rules": services.agency_schedule(request.user.agency_id),
        "measure_name": services.measure_name, "rater_label": lambda r: Rater(r).label,
    })


# -- Remote completion -------------------------------------------------------------------------


def send_remote_link(request, episode_id):
    """The practitioner creates a one-time link (7 days) to send to the young person or parent."""
    episode = episode_for_late_addition(request, episode_id, audit_get=False)
    if request.method != "POST":
        # Audited before the measure is checked: a refusal page still names the young person.
        _audit_view(request, episode, "remote completion link")
    chosen, refusal = _chosen(request, episode)
    if refusal:
        return refusal
    link_url, problem = None, ""
    if request.method == "POST":
        from thrive.core.rules import RuleBroken

        try:
            token = services.create_remote_link(request, episode, measure_id=chosen["measure"],
                                                rater=chosen["rater"])
            link_url = request.build_absolute_uri(reverse("measures:remote", args=[token]))
        except RuleBroken as broken:
            problem = broken.message
    return render(request, "measures/remote_link.html", {
        "page_title": "Send a link to complete it on their own phone", "caption": _caption(episode),
        "measure": chosen["measure_obj"], "rater_label": Rater(chosen["rater"]).label.lower(),
        "link_url": link_url, "problem": problem, "days": services.REMOTE_LINK_DAYS,
        "has_wording": services.has_wording(chosen["measure_obj"], episode.agency_id),
        "back_url": reverse("measures:hand-over", args=[episode.public_id]) + "?" + urlencode(
            {"measure": chosen["measure"], "rater": chosen["rater"], "method": "tablet"}),
    })


def remote(request, token):
    """The page a young person or parent opens from the link: the questions only, a step at a
    time, nothing from the record, no sign-in. Used once; expires. Answers so far are kept in
    the server-side session, never in the browser."""
    link = services.remote_link(token)
    if link is None:
        return render(request, "measures/remote_gone.html", {"page_title": "Link not available"},
                      status=410)
    measure = services.catalogue().measure(link.measure_id)
    key = f"measures_remote_{link.pk}"

    def save(answers):
        request.session[key] = answers

    def finish(responses):
        return services.complete_remote(request, link, responses)

    completion, page = _step_through(request, measure=measure, agency_id=link.episode.agency_id,
                                     answers=dict(request.session.get(key) or {}), save=save,
                                     finish=finish, context={"remote": True})
    if completion:
        request.session.pop(key, None)
        return render(request, "measures/remote_done.html", {"page_title": "Thank you"})
    return page


# -- An agency's own wording -------------------------------------------------------------------


def _wording_admin(request):
    from django.core.exceptions import PermissionDenied

    from thrive.accounts import permissions

    if not permissions.can_load_measure_wording(request.user):
        raise PermissionDenied("Only an agency administrator can load questionnaire wording.")


def agency_wording(request):
    """Load the agency's licensed wording (every problem named, nothing kept from a bad file),
    see its versions, and put an earlier one back in use."""
    _wording_admin(request)
    form = forms.WordingFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("reuse"):
        from thrive.core.rules import RuleBroken

        raw = request.POST["reuse"]
        try:
            row = services.reuse_agency_wording(request, int(raw) if raw.isdigit() else 0)
            messages.success(request, f"Version {row.version} is in use: a copy of an earlier version")
        except RuleBroken as broken:
            messages.error(request, broken.message)
        return redirect("measures:wording")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["wording_file"]
        try:
            row = services.load_agency_wording(request, raw=upload.read(), file_name=upload.name,
                                               note=form.cleaned_data["note"])
        except services.WordingRefused as refused:
            for error in refused.errors:
                form.add_error("wording_file", error)
        else:
            messages.success(request, f"Version {row.version} loaded: it is in use now")
            return redirect("measures:wording")
    current = services.agency_wording_version(request.user.agency_id)
    coverage = services.wording_coverage(request.user.agency_id)
    return render(request, "measures/wording.html", {
        "page_title": "Questionnaire wording", "form": form, "current": current, "active_nav": "wording",
        "versions": services.agency_wording_versions(request.user.agency_id),
        "coverage": coverage, "problem_count": len(form.errors.get("wording_file", [])),
    })


def agency_wording_download(request, version):
    """One version as the JSON file it was loaded as (normalised), for the administrator."""
    import json

    from django.http import Http404, HttpResponse

    from .models import AgencyWording

    _wording_admin(request)
    row = AgencyWording.objects.filter(agency_id=request.user.agency_id, version=version).first()
    if row is None:
        raise Http404("No such version")
    audit.record(request, AuditEvent.Action.EXPORT, obj=row,
                 detail=f"questionnaire wording version {row.version} downloaded")
    response = HttpResponse(json.dumps(row.content, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wording-version-{row.version}.json"'
    return response
