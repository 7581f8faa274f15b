"""Self-assessment pages. Role gates from accounts.permissions; a member's view of others'
scores only through access.can_see_scores."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from thrive.accounts import permissions
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.views import apply, form_page

from . import access, evidence, reports, services, sources
from .forms import (
    ActionForm,
    AgreeForm,
    CopyForm,
    DescriptorsForm,
    MemberForm,
    NewVersionForm,
    PdsaForm,
    RoundForm,
    ScoresForm,
    SeniorityForm,
)
from .models import Action, PanelMember, PrincipleSet, Round, StaffSeniority


def _posted(request):
    """The form data of a POST (even an empty one, which must show errors), else None."""
    return request.POST if request.method == "POST" else None


def _round(request, round_id) -> Round:
    round_ = get_object_or_404(
        Round.objects.select_related("principle_set", "agency", "lead"), public_id=round_id
    )
    if not access.can_open(request.user, round_):
        raise Http404
    return round_


def _lead_only(request, round_):
    if not access.is_lead(request.user, round_):
        raise PermissionDenied("Only a self-assessment lead can do this.")


def _scores_visible(request, round_):
    if not access.can_see_scores(request.user, round_):
        raise PermissionDenied("Submit your own scores first: other members' scores stay hidden until then.")


def index(request):
    rounds = access.visible_rounds(request.user).select_related("agency")
    if not rounds.exists() and not permissions.can_lead_self_assessment(request.user):
        raise PermissionDenied("Self-assessment is for site leads and panel members.")
    mine = {m.round_id: m for m in PanelMember.objects.filter(user=request.user)}
    return render(
        request,
        "assessment/index.html",
        {
            "page_title": "THRIVE self-assessment",
            "active_nav": "assessment",
            "rounds": rounds,
            "mine": mine,
            "can_lead": permissions.can_lead_self_assessment(request.user),
        },
    )


def new(request):
    if not permissions.can_lead_self_assessment(request.user):
        raise PermissionDenied
    form = RoundForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = apply(form, lambda: services.create_round(lead=request.user, **data))
        if created:
            audit.record(request, AuditEvent.Action.CREATE, obj=created, detail="self-assessment round")
            return redirect("assessment:round", created.public_id)
    return form_page(
        request,
        form,
        title="Start a self-assessment round",
        back_url="/self-assessment/",
        submit_text="Start the round",
        status=400 if form.errors else 200,
    )


def round_page(request, round_id):
    round_ = _round(request, round_id)
    member = access.membership(request.user, round_)
    previous = services.previous_round(round_)
    audit.record(request, AuditEvent.Action.VIEW, obj=round_, detail="self-assessment round")
    return render(
        request,
        "assessment/round.html",
        {
            "page_title": round_.title,
            "active_nav": "assessment",
            "round": round_,
            "member": member,
            "panel": round_.panel.select_related("user__agency"),
            "is_lead": access.is_lead(request.user, round_),
            "can_see_scores": access.can_see_scores(request.user, round_),
            "previous": previous,
            "previous_actions": previous.actions.prefetch_related("pdsa") if previous else [],
            "back_url": "/self-assessment/",
        },
    )


def add_member(request, round_id):
    round_ = _round(request, round_id)
    _lead_only(request, round_)
    form = MemberForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        added = apply(
            form,
            lambda: services.add_member(
                round_, user=d["user"], name=d["name"], organisation=d["organisation"]
            ),
        )
        if added:
            audit.record(request, AuditEvent.Action.CHANGE, obj=round_, detail="panel member added")
            messages.success(request, f"{added.display_name} added to the panel")
            return redirect("assessment:round", round_.public_id)
    return form_page(
        request,
        form,
        title="Add a panel member",
        caption=round_.title,
        back_url=f"/self-assessment/{round_.public_id}/",
        submit_text="Add to the panel",
        status=400 if form.errors else 200,
    )


def _score_page(request, round_, member, *, keyed_by_lead):
    existing = {s.principle: s for s in member.scores.all()}
    initial = {}
    for pid, s in existing.items():
        initial[pid] = "na" if s.score is None else str(s.score)
        initial[f"notes_{pid}"] = s.notes
    form = ScoresForm(_posted(request), initial=initial, principle_set=round_.principle_set)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        done = apply(form, lambda: services.save_scores(member, form.answers(), submit=submit) or True)
        if done:
            audit.record(
                request,
                AuditEvent.Action.CHANGE,
                obj=round_,
                detail=f"self-assessment scores {'submitted' if submit else 'saved'}"
                f"{' for ' + member.display_name if keyed_by_lead else ''}",
            )
            messages.success(request, "Scores submitted" if submit else "Scores saved: you can finish later")
            return redirect("assessment:round", round_.public_id)
    return render(
        request,
        "assessment/score.html",
        {
            "page_title": f"Score the principles – {round_.title}",
            "round": round_,
            "member": member,
            "form": form,
            "has_errors": bool(form.errors),
            "keyed_by_lead": keyed_by_lead,
            "principles": round_.principle_set.principles,
            "back_url": f"/self-assessment/{round_.public_id}/",
        },
        status=400 if form.errors else 200,
    )


def score(request, round_id):
    round_ = _round(request, round_id)
    member = access.membership(request.user, round_)
    if member is None:
        raise PermissionDenied("Only panel members score the principles.")
    if member.submitted or not round_.is_open:
        messages.info(request, "Your scores have been submitted" if member.submitted else "Scoring has ended")
        return redirect("assessment:round", round_.public_id)
    return _score_page(request, round_, member, keyed_by_lead=False)


def score_for(request, round_id, panel_id):
    """The lead keys in an outside member's scores."""
    round_ = _round(request, round_id)
    _lead_only(request, round_)
    member = get_object_or_404(round_.panel, pk=panel_id, user__isnull=True)
    if member.submitted or not round_.is_open:
        return redirect("assessment:round", round_.public_id)
    return _score_page(request, round_, member, keyed_by_lead=True)


@require_POST
def start_moderation(request, round_id):
    round_ = _round(request, round_id)
    _lead_only(request, round_)
    try:
        services.start_moderation(round_)
    except services.RuleBroken as broken:
        messages.error(request, str(broken))
        return redirect("assessment:round", round_.public_id)
    audit.record(request, AuditEvent.Action.CHANGE, obj=round_, detail="self-assessment moderation started")
    return redirect("assessment:moderation", round_.public_id)


def _source(request) -> str:
    source = request.GET.get("source") or "platform"
    return source if source in sources.SOURCES else "platform"


def moderation(request, round_id):
    round_ = _round(request, round_id)
    _scores_visible(request, round_)
    is_lead = access.is_lead(request.user, round_)
    agreed = {a.principle: a for a in round_.agreed.all()}
    initial = {}
    for pid, a in agreed.items():
        initial[f"score_{pid}"] = "na" if a.score is None else str(a.score)
        initial[f"rationale_{pid}"] = a.rationale
    form = AgreeForm(_posted(request), initial=initial, principle_set=round_.principle_set)
    if request.method == "POST":
        _lead_only(request, round_)
        if form.is_valid() and apply(form, lambda: services.agree_scores(round_, form.agreed()) or True):
            audit.record(
                request, AuditEvent.Action.CHANGE, obj=round_, detail="self-assessment scores agreed"
            )
            messages.success(request, "Agreed scores saved")
            return redirect("assessment:moderation", round_.public_id)
    source = _source(request)
    live = round_.evidence_at_close if round_.is_closed else sources.evidence_for_round(round_, source)
    audit.record(request, AuditEvent.Action.VIEW, obj=round_, detail="self-assessment moderation view")
    return render(
        request,
        "assessment/moderation.html",
        {
            "page_title": f"Moderation – {round_.title}",
            "active_nav": "assessment",
            "round": round_,
            "rows": reports.moderation_rows(round_),
            "evidence": evidence.by_principle(live),
            "live": live,
            "not_computable": evidence.NOT_COMPUTABLE,
            "form": form,
            "has_errors": bool(form.errors),
            "is_lead": is_lead,
            "source": source,
            "sources": sources.SOURCES,
            "mhsds_available": sources.available("mhsds"),
            "back_url": f"/self-assessment/{round_.public_id}/",
        },
        status=400 if form.errors else 200,
    )


@require_POST
def refresh_evidence(request, round_id):
    round_ = _round(request, round_id)
    _lead_only(request, round_)
    sources.refresh_platform()
    audit.record(
        request,
        AuditEvent.Action.EXPORT,
        detail="self-assessment evidence recomputed from the platform's records",
    )
    messages.success(request, "Evidence recomputed from the platform's records")
    return redirect("assessment:moderation", round_.public_id)


@require_POST
def close(request, round_id):
    round_ = _round(request, round_id)
    _lead_only(request, round_)
    try:
        services.close_round(round_, evidence=sources.evidence_for_round(round_, "platform"))
    except services.RuleBroken as broken:
        messages.error(request, str(broken))
        return redirect("assessment:moderation", round_.public_id)
    audit.record(request, AuditEvent.Action.CHANGE, obj=round_, detail="self-assessment round closed")
    messages.success(request, "Round closed. The agreed scores can no longer change.")
    return redirect("assessment:results", round_.public_id)


def copy(request, round_id):
    round_ = _round(request, round_id)
    _lead_only(request, round_)
    form = CopyForm(_posted(request), initial={"title": f"{round_.title} (follow-up)"})
    if request.method == "POST" and form.is_valid():
        new_round = apply(form, lambda: services.copy_round(round_, lead=request.user, **form.cleaned_data))
        if new_round:
            audit.record(
                request, AuditEvent.Action.CREATE, obj=new_round, detail="self-assessment round copied"
            )
            return redirect("assessment:round", new_round.public_id)
    return form_page(
        request,
        form,
        title="Copy to a new round",
        caption=round_.title,
        intro="The new round has the same site, principles and panel, and no scores.",
        back_url=f"/self-assessment/{round_.public_id}/",
        submit_text="Start the new round",
        status=400 if form.errors else 200,
    )


def _closed_results(request, round_id) -> tuple[Round, reports.Results]:
    round_ = _round(request, round_id)
    _scores_visible(request, round_)
    if not round_.agreed.exists():
        raise Http404
    return round_, reports.results(round_)


def results(request, round_id):
    round_, res = _closed_results(request, round_id)
    audit.record(request, AuditEvent.Action.VIEW, obj=round_, detail="self-assessment results")
    return render(
        request,
        "assessment/results.html",
        {
            "page_title": f"Results – {round_.title}",
            "active_nav": "assessment",
            "round": round_,
            "res": res,
            "spec": reports.profile_spec(res),
            "principle_spec": reports.principle_profile_spec(res),
            "system_levels": reports.by_system_level(res),
            "back_url": f"/self-assessment/{round_.public_id}/",
        },
    )


def results_pdf(request, round_id):
    round_, res = _closed_results(request, round_id)
    pdf = reports.results_pdf(round_, res, generated_by=request.user.display_name)
    audit.record(request, AuditEvent.Action.EXPORT, obj=round_, detail="self-assessment results PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reports.file_stem(round_)}.pdf"'
    return response


def results_csv(request, round_id):
    round_, res = _closed_results(request, round_id)
    audit.record(request, AuditEvent.Action.EXPORT, obj=round_, detail="self-assessment results CSV")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reports.file_stem(round_)}.csv"'
    writer = csv.writer(response)
    for row in reports.csv_rows(round_, res):
        writer.writerow(row)
    return response


def compare(request):
    if not permissions.can_lead_self_assessment(request.user):
        raise PermissionDenied
    closed = Round.objects.filter(status=Round.Status.CLOSED).select_related("agency", "principle_set")
    chosen_ids = request.GET.getlist("round")
    chosen = [r for r in closed if str(r.public_id) in chosen_ids]
    audit.record(request, AuditEvent.Action.VIEW, detail="self-assessment rounds compared")
    return render(
        request,
        "assessment/compare.html",
        {
            "page_title": "Compare rounds",
            "active_nav": "assessment",
            "closed": closed,
            "chosen_ids": chosen_ids,
            "table": reports.comparison(chosen) if chosen else None,
            "back_url": "/self-assessment/",
        },
    )


def plan(request, round_id):
    round_ = _round(request, round_id)
    _scores_visible(request, round_)
    res = reports.results(round_)
    below = [
        (c.principle, f"{c.principle} (agreed {c.after})")
        for c in res.changes
        if c.after is not None and c.after < 3
    ]
    form = ActionForm(_posted(request), principles_below_three=below)
    if request.method == "POST":
        _lead_only(request, round_)
        if form.is_valid():
            added = apply(
                form, lambda: services.add_action(round_, created_by=request.user, **form.cleaned_data)
            )
            if added:
                audit.record(request, AuditEvent.Action.CREATE, obj=added, detail="improvement action added")
                messages.success(request, f"Action added for {added.principle}")
                return redirect("assessment:plan", round_.public_id)
    return render(
        request,
        "assessment/plan.html",
        {
            "page_title": f"Improvement plan – {round_.title}",
            "active_nav": "assessment",
            "round": round_,
            "actions": round_.actions.prefetch_related("pdsa"),
            "form": form,
            "has_errors": bool(form.errors),
            "below": below,
            "is_lead": access.is_lead(request.user, round_),
            "back_url": f"/self-assessment/{round_.public_id}/",
        },
        status=400 if form.errors else 200,
    )


def action(request, round_id, action_id):
    round_ = _round(request, round_id)
    _scores_visible(request, round_)
    item = get_object_or_404(Action, round=round_, public_id=action_id)
    form = PdsaForm(_posted(request), initial={"status": item.status})
    if request.method == "POST":
        _lead_only(request, round_)
        if form.is_valid() and apply(
            form, lambda: services.record_pdsa(item, recorded_by=request.user, **form.cleaned_data)
        ):
            audit.record(request, AuditEvent.Action.CHANGE, obj=item, detail="PDSA step recorded")
            messages.success(request, "Step recorded")
            return redirect("assessment:action", round_.public_id, item.public_id)
    return render(
        request,
        "assessment/action.html",
        {
            "page_title": f"Action for {item.principle}",
            "round": round_,
            "action": item,
            "log": item.pdsa.select_related("recorded_by"),
            "form": form,
            "has_errors": bool(form.errors),
            "is_lead": access.is_lead(request.user, round_),
            "back_url": f"/self-assessment/{round_.public_id}/plan/",
        },
        status=400 if form.errors else 200,
    )


def _lead_gate(request):
    if not permissions.can_lead_self_assessment(request.user):
        raise PermissionDenied


def principle_sets(request):
    _lead_gate(request)
    services.default_principle_set()
    sets = PrincipleSet.objects.order_by("id")
    used = set(Round.objects.values_list("principle_set_id", flat=True))
    return render(
        request,
        "assessment/principle_sets.html",
        {
            "page_title": "Principles and descriptors",
            "active_nav": "assessment",
            "sets": sets,
            "used": used,
            "back_url": "/self-assessment/",
        },
    )


def principle_set(request, set_id):
    _lead_gate(request)
    chosen = get_object_or_404(PrincipleSet, pk=set_id)
    form = NewVersionForm(_posted(request), initial={"title": f"{chosen.title} – local version"})
    if request.method == "POST" and form.is_valid():
        made = apply(form, lambda: services.new_version(chosen, title=form.cleaned_data["title"]))
        if made:
            audit.record(request, AuditEvent.Action.CREATE, obj=made, detail="principle set version made")
            messages.success(request, "New version made: edit its descriptors before a round uses it")
            return redirect("assessment:principle-set", made.pk)
    return render(
        request,
        "assessment/principle_set.html",
        {
            "page_title": chosen.title,
            "active_nav": "assessment",
            "set": chosen,
            "form": form,
            "has_errors": bool(form.errors),
            "editable": not chosen.rounds.exists(),
            "back_url": "/self-assessment/principles/",
        },
        status=400 if form.errors else 200,
    )


def edit_descriptors(request, set_id, principle):
    _lead_gate(request)
    chosen = get_object_or_404(PrincipleSet, pk=set_id)
    if principle not in chosen.ids:
        raise Http404
    form = DescriptorsForm(_posted(request), principle=chosen.principle(principle))
    if request.method == "POST" and form.is_valid():
        done = apply(form, lambda: services.update_descriptors(chosen, principle, form.cleaned_data) or True)
        if done:
            audit.record(
                request, AuditEvent.Action.CHANGE, obj=chosen, detail=f"descriptors of {principle} changed"
            )
            messages.success(request, f"Descriptors for {principle} saved")
            return redirect("assessment:principle-set", chosen.pk)
    return form_page(
        request,
        form,
        title=f"Descriptors for {principle}",
        caption=chosen.title,
        intro=chosen.principle(principle)["statement"],
        back_url=f"/self-assessment/principles/{chosen.pk}/",
        submit_text="Save the descriptors",
        status=400 if form.errors else 200,
    )


def seniority_list(request):
    """Staff administrators record how experienced each practitioner is (principle I7)."""
    from thrive.accounts import services as staff_services
    from thrive.accounts.models import User

    staff_services.require_staff_admin(request.user)
    members = (
        User.objects.filter(
            agency__in=staff_services.agencies_for(request.user),
            is_active=True,
            role__in=permissions.CLINICAL_ROLE_CODES,
        )
        .select_related("agency", "seniority")
        .order_by("agency__name", "last_name", "first_name")
    )
    audit.record(request, AuditEvent.Action.VIEW, detail="staff: seniority list")
    return render(
        request,
        "assessment/seniority.html",
        {"page_title": "Staff seniority", "members": members, "levels": dict(StaffSeniority.Level.choices)},
    )


def seniority(request, user_id):
    from thrive.accounts import services as staff_services

    staff_services.require_staff_admin(request.user)
    member = staff_services.staff_or_404(request.user, user_id)
    staff_services.require_may_manage(request.user, member)
    current = StaffSeniority.objects.filter(user=member).first()
    form = SeniorityForm(_posted(request), initial={"level": current.level if current else None})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.set_seniority(member, form.cleaned_data["level"])):
            audit.record(request, AuditEvent.Action.CHANGE, obj=member, detail="staff: seniority")
            messages.success(request, f"Seniority of {member.display_name} saved")
            return redirect("assessment:seniority-list")
    return form_page(
        request,
        form,
        title=f"Seniority of {member.display_name}",
        caption=member.agency.name if member.agency else "",
        back_url="/self-assessment/seniority/",
        submit_text="Save",
        status=400 if form.errors else 200,
    )
