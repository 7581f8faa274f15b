"""Risk Support plan pages. Thin: the young person always comes from the access policy, plans
only through that young person, rules in services, one audit entry per read."""


from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from thrive.core import audit, dates
from thrive.core.fields import NhsDateField
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.core.views import apply, form_page
from thrive.sharing import policy

from . import forms, rules, services


def _person(request, person_id):
    return policy.young_person_or_404(request.user, person_id)


def _plan_reader(request, person_id):
    """Plan pages are open to anyone who may open the record, and to agencies named on the
    current plan with consent or a safeguarding basis (the plan only, not the record)."""
    return policy.plan_reader_young_person_or_404(request.user, person_id)


def _visible_plan_or_404(request, person, plan_id):
    plan = services.plan_or_404(person, plan_id)
    if not policy.visible_plans(request.user, person).filter(pk=plan.pk).exists():
        raise Http404("No such plan")
    return plan


def _person_for_change(request, person_id):
    person = _person(request, person_id)
    if not policy.can_edit_record(request.user, person):
        raise PermissionDenied("Only practitioners working with this young person can change or "
                               "export their Risk Support plan.")
    return person


def _plans_url(person):
    return reverse("risk:plans", args=[person.public_id])


def _plan_url(person, plan):
    return reverse("risk:plan", args=[person.public_id, plan.public_id])


def _caption(person):
    return f"{person.full_name}, born {person.date_of_birth.day} {person.date_of_birth:%B %Y}"


@require_GET
def plans(request, person_id):
    """The young person's plans: the current one, the gap if there is one, and earlier plans."""
    person = _plan_reader(request, person_id)
    all_plans = list(services.plans_of(person).filter(
        pk__in=policy.visible_plans(request.user, person).values("pk")))
    sees_record = policy.visible_young_people(request.user).filter(pk=person.pk).exists()
    current = next((p for p in all_plans if p.is_current), None)
    banner = services.risk_banner(person)
    audit.record(request, AuditEvent.Action.VIEW, young_person=person,
                 detail=f"risk support plans ({len(all_plans)})")
    return render(request, "risk/plans.html", {
        "page_title": "Risk Support plans", "person": person, "plans": all_plans,
        "current": current, "banner": banner, "caption": _caption(person),
        "can_edit": policy.can_edit_record(request.user, person),
        "back_url": (reverse("people:record", args=[person.public_id]) if sees_record
                     else reverse("care:caseload")),
    })


@require_GET
def plan_detail(request, person_id, plan_id):
    person = _plan_reader(request, person_id)
    plan = _visible_plan_or_404(request, person, plan_id)
    today = dates.today()
    may_change = policy.can_edit_record(request.user, person)
    audit.record(request, AuditEvent.Action.VIEW, obj=plan, young_person=person)
    return render(request, "risk/plan.html", {
        "page_title": "Risk Support plan", "person": person, "plan": plan,
        "caption": _caption(person),
        "review_state": rules.review_state(plan.review_on, today) if plan.is_current else "",
        "gap": services.plan_gap_for(person, services._summary(plan)) if plan.is_current else None,
        "can_edit": plan.is_current and may_change, "can_export": may_change,
        "sharing": services.platform_sharing(plan, today),
        "back_url": _plans_url(person),
    })


def _plan_forms_page(request, person, plan_forms, *, title, submit_text, back_url, status=200):
    return render(request, "risk/plan_form.html", {
        "page_title": title, "person": person, "caption": _caption(person),
        "forms": plan_forms, "main": plan_forms.main, "sets": plan_forms.sets,
        "summary_parts": plan_forms.in_page_order(), "has_errors": any(f.errors for f in
                                                               plan_forms.all_forms()),
        "submit_text": submit_text, "back_url": back_url,
    }, status=status)


def _save(plan_forms, operation):
    try:
        return operation()
    except RuleBroken as broken:
        plan_forms.add_error(broken.field, broken.message)
        return None


def new_plan(request, person_id):
    person = _person_for_change(request, person_id)
    current = services.current_plan(person)
    if current is not None and request.method == "GET":
        messages.info(request, "This young person already has a current Risk Support plan. "
                      "Change it here.")
        return redirect("risk:edit", person.public_id, current.public_id)
    keyworkers = services.keyworker_choices(person, request.user)
    if request.method == "POST":
        plan_forms = forms.PlanForms(request.POST, keyworkers=keyworkers)
        if plan_forms.is_valid():
            plan = _save(plan_forms, lambda: services.create_plan(request, person,
                                                                  plan_forms.content()))
            if plan:
                messages.success(request, "Risk Support plan saved")
                return redirect(_plan_url(person, plan))
    else:
        own = {"agency": request.user.agency_id} if request.user.agency_id else {}
        plan_forms = forms.PlanForms(
            keyworkers=keyworkers, initial={"keyworker": request.user.pk},
            rows={"agencies": [own] if own else []},
        )
        audit.record(request, AuditEvent.Action.VIEW, young_person=person,
                     detail="new risk support plan form")
    return _plan_forms_page(request, person, plan_forms, title="Write a Risk Support plan",
                            submit_text="Save plan", back_url=_plans_url(person))


def edit_plan(request, person_id, plan_id):
    person = _person_for_change(request, person_id)
    plan = services.plan_or_404(person, plan_id)
    if not plan.is_current:
        messages.info(request, "This plan is no longer current, so it cannot be changed.")
        return redirect(_plan_url(person, plan))
    keyworkers = services.keyworker_choices(person, request.user, also=plan.keyworker_id)
    rows = forms.initial_rows(plan)
    if request.method == "POST":
        plan_forms = forms.PlanForms(request.POST, keyworkers=keyworkers, rows=rows)
        if plan_forms.is_valid():
            version = plan_forms.main.cleaned_data.get("version")
            if version is None:
                plan_forms.main.add_error(None, "This form is missing its version. Open the "
                                          "page again; nothing has been saved.")
            elif _save(plan_forms, lambda: services.update_plan(
                    request, plan, version=version, content=plan_forms.content())):
                messages.success(request, "Risk Support plan saved")
                return redirect(_plan_url(person, plan))
    else:
        initial = {name: getattr(plan, name) for name in services.PlanContent.SCALARS}
        initial.update(keyworker=plan.keyworker_id, version=plan.version,
                       safeguarding_basis=plan.safeguarding_basis)
        plan_forms = forms.PlanForms(keyworkers=keyworkers, initial=initial, rows=rows)
        audit.record(request, AuditEvent.Action.VIEW, obj=plan, young_person=person,
                     detail="risk support plan, to change it")
    return _plan_forms_page(request, person, plan_forms, title="Change the Risk Support plan",
                            submit_text="Save changes", back_url=_plan_url(person, plan))


class EndPlanForm(django_forms.Form):
    ended_on = NhsDateField(label="Date ended",
                            error_messages={"required": "Enter the date the plan ended"})
    end_reason = django_forms.CharField(
        widget=django_forms.Textarea, label="Why is the plan ending?", max_length=3000,
        help_text="For example, risks have reduced and help continues in Getting More Help",
        error_messages={"required": "Enter why the plan is ending"},
    )
    version = django_forms.IntegerField(widget=django_forms.HiddenInput)


def end_plan(request, person_id, plan_id):
    person = _person_for_change(request, person_id)
    plan = services.plan_or_404(person, plan_id)
    if not plan.is_current:
        return redirect(_plan_url(person, plan))
    form = EndPlanForm(request.POST or None, initial={"version": plan.version})
    if request.method == "GET":
        audit.record(request, AuditEvent.Action.VIEW, obj=plan, young_person=person,
                     detail="risk support plan, to end it")
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.end_plan(request, plan, **form.cleaned_data)):
            messages.success(request, "Risk Support plan ended")
            return redirect(_plans_url(person))
    return form_page(request, form, title="End the Risk Support plan", caption=_caption(person),
                     back_url=_plan_url(person, plan), submit_text="End plan",
                     intro="Agree the ending with the young person, the family and the agencies "
                     "in the plan first. The plan stays in the record.")


@require_GET
def plan_pdf(request, person_id, plan_id):
    # Exporting takes the record out of the platform: the same standing relationship as changing
    # it (break-glass readers may read, not export) — policy.can_export, checked in here.
    person = _person_for_change(request, person_id)
    plan = services.plan_or_404(person, plan_id)
    pdf = services.plan_pdf(plan, person=person, generated_by=request.user.display_name)
    audit.record(request, AuditEvent.Action.EXPORT, obj=plan, young_person=person,
                 detail="risk support plan PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name says what it is, never who it is about.
    response["Content-Disposition"] = (
        f'attachment; filename="risk-support-plan-{plan.public_id}.pdf"')
    response["Cache-Control"] = "no-store"
    return response
