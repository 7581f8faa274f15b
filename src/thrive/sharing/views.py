"""Care teams, consent, referrals between agencies, break-glass, notes and access reviews."""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thrive.accounts import permissions
from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.rules import RuleBroken
from thrive.core.views import apply, form_page

from . import forms, policy, services
from .guards import person_for_change
from .models import AccessAlert, CareTeamMember


def _record_url(person):
    return reverse("people:record", args=[person.public_id])


def care_team(request, person_id):
    person = person_for_change(request, person_id)
    user = request.user
    # Searching the picker is a GET of staff names and agencies only: nothing about the young
    # person is in the query.
    query = request.GET.get("q", "").strip()[:100] if request.method == "GET" else ""
    candidates, covered = services.care_team_candidates(user, person, query)
    may_override = policy.can_override_consent(user)
    form = forms.CareTeamMemberForm(request.POST or None, candidates=candidates,
                                    covered_agencies=covered, may_override=may_override)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        current = services.current_keyworker(person)
        if (data["is_keyworker"] and current is not None and current.user_id != data["member"].pk
                and not data["keyworker_change_confirmed"]):
            return render(request, "sharing/confirm_keyworker.html", {
                "page_title": "Change the keyworker", "person": person, "current": current,
                "new": data["member"], "post": request.POST,
                "back_url": reverse("sharing:care-team", args=[person.public_id])})
        if apply(form, lambda: services.add_care_team_member(request, person, **data)):
            messages.success(request, "Added to the care team")
            return redirect("sharing:care-team", person_id=person.public_id)
    members = list(person.care_team.filter(removed_at__isnull=True)
                   .select_related("user__agency", "consent"))
    anyone = policy.may_remove_anyone_from_care_team(user, person)
    removable = {m.pk for m in members if anyone or m.user_id == user.pk}
    return render(request, "sharing/care_team.html", {
        "page_title": "Care team", "person": person, "members": members, "form": form,
        "removable": removable, "query": query, "today": dates.today(),
        "has_errors": bool(form.errors), "back_url": _record_url(person)})


@require_POST
def remove_member(request, person_id, member_id):
    person = person_for_change(request, person_id)
    membership = CareTeamMember.objects.filter(young_person=person, pk=member_id,
                                               removed_at__isnull=True).select_related(
        "user", "young_person").first()
    if membership is None:
        raise Http404("No such member")
    try:
        services.remove_care_team_member(request, membership)
        messages.success(request, "Removed from the care team")
    except RuleBroken as broken:
        messages.error(request, broken.message)
    return redirect("sharing:care-team", person_id=person.public_id)


@require_POST
def dismiss_notification(request, notification_id):
    services.dismiss_notification(request.user, notification_id)
    return redirect("care:home")


def new_consent(request, person_id):
    person = person_for_change(request, person_id)
    form = forms.ConsentForm(request.POST or None, own_agency_id=request.user.agency_id)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.record_consent(request, person, **form.cleaned_data)):
            messages.success(request, "Consent recorded")
            return redirect(_record_url(person))
    return form_page(request, form, title="Record consent to share", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Save consent")


def withdraw_consent(request, person_id, consent_id):
    person = person_for_change(request, person_id)
    consent = person.consents.filter(pk=consent_id).select_related("with_agency").first()
    if consent is None:
        raise Http404("No such consent")
    form = forms.WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.withdraw_consent(request, consent, **form.cleaned_data)):
            messages.success(request, "Consent withdrawn")
            return redirect(_record_url(person))
    return form_page(
        request, form, title="Record that consent was withdrawn", caption=person.full_name,
        back_url=_record_url(person), submit_text="Save",
        intro=f"{consent.given_by_name} consented to share with {consent.with_agency.name} for "
              f"{consent.get_purpose_display().lower()}. From the day it is withdrawn it no "
              "longer covers sharing, and care-team access based on it ends.")


def refer(request, person_id):
    person = person_for_change(request, person_id)
    form = forms.ReferralForm(request.POST or None, own_agency_id=request.user.agency_id)
    if request.method == "POST" and form.is_valid():
        referral = apply(form, lambda: services.send_referral(request, person,
                                                              **form.cleaned_data))
        if referral:
            messages.success(request, f"Referral sent to {referral.to_agency.name}")
            return redirect(_record_url(person))
    return form_page(request, form, title="Refer to another agency", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Send referral",
                     intro="The receiving agency sees the young person's record only once it "
                           "accepts the referral.")


def new_note(request, person_id):
    person = person_for_change(request, person_id)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.add_note(request, person, **form.cleaned_data)):
            messages.success(request, "Note added")
            return redirect(_record_url(person))
    return form_page(request, form, title="Add a note", caption=person.full_name,
                     back_url=_record_url(person), submit_text="Save note")


def referrals(request):
    if not permissions.works_with_records(request.user):
        raise PermissionDenied("Referrals are for practitioners and team managers.")
    mine = policy.visible_referrals(request.user).select_related(
        "young_person", "from_agency", "to_agency", "consent")
    incoming = [r for r in mine if r.to_agency_id == request.user.agency_id]
    outgoing = [r for r in mine if r.from_agency_id == request.user.agency_id]
    audit.record(request, AuditEvent.Action.VIEW, detail=f"referrals ({len(mine)})")
    return render(request, "sharing/referrals.html", {
        "page_title": "Referrals", "active_nav": "referrals", "incoming": incoming,
        "outgoing": outgoing})


def _referral_or_404(request, referral_id):
    try:
        return policy.visible_referrals(request.user).select_related(
            "young_person", "from_agency", "to_agency", "sent_by", "episode").get(
            public_id=referral_id)
    except Exception:
        raise Http404("No such referral") from None


def referral_detail(request, referral_id):
    referral = _referral_or_404(request, referral_id)
    audit.record(request, AuditEvent.Action.VIEW, obj=referral,
                 young_person=referral.young_person)
    receiving = referral.to_agency_id == request.user.agency_id
    return render(request, "sharing/referral.html", {
        "page_title": f"Referral to {referral.to_agency.name}", "referral": referral,
        "receiving": receiving,
        # Prefixes keep the two forms' field ids apart on one page.
        "accept_form": forms.AcceptReferralForm(
            initial={"version": referral.version}, agency_id=request.user.agency_id,
            prefix="accept"),
        "decline_form": forms.DeclineReferralForm(initial={"version": referral.version},
                                                  prefix="decline"),
        "back_url": reverse("sharing:referrals")})


@require_POST
def accept(request, referral_id):
    referral = _referral_or_404(request, referral_id)
    form = forms.AcceptReferralForm(request.POST, agency_id=request.user.agency_id,
                                    prefix="accept")
    if form.is_valid():
        episode = apply(form, lambda: services.accept_referral(request, referral,
                                                               **form.cleaned_data))
        if episode:
            messages.success(request, "Referral accepted. " + (
                "It is on the team's waiting list." if episode.lead_practitioner_id is None
                else "The young person is on your caseload."))
            return redirect("care:episode", episode_id=episode.public_id)
    return form_page(request, form, title="Accept the referral",
                     caption=referral.young_person.full_name, submit_text="Accept referral",
                     back_url=reverse("sharing:referral", args=[referral.public_id]))


@require_POST
def decline(request, referral_id):
    referral = _referral_or_404(request, referral_id)
    form = forms.DeclineReferralForm(request.POST, prefix="decline")
    if form.is_valid():
        if apply(form, lambda: services.decline_referral(request, referral, **form.cleaned_data)):
            messages.success(request, "Referral declined")
            return redirect("sharing:referrals")
    return form_page(request, form, title="Decline the referral",
                     caption=referral.young_person.full_name, submit_text="Decline referral",
                     back_url=reverse("sharing:referral", args=[referral.public_id]))


@require_POST
def withdraw(request, referral_id):
    referral = _referral_or_404(request, referral_id)
    try:
        services.withdraw_referral(request, referral, version=int(request.POST.get("version", 0)))
        messages.success(request, "Referral withdrawn")
    except services.RuleBroken as broken:
        messages.error(request, broken.message)
    return redirect("sharing:referral", referral_id=referral.public_id)


def break_glass(request):
    if not permissions.works_with_records(request.user):
        raise PermissionDenied("Break-glass is for practitioners and team managers.")
    form = forms.BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = apply(form, lambda: services.break_glass(
            request, nhs_number_text=data["nhs_number"], date_of_birth=data["date_of_birth"],
            reason=data["reason"]))
        if person:
            messages.warning(request, f"Emergency access for {services.BREAK_GLASS_HOURS} hours. "
                             "The privacy officer has been alerted.")
            return redirect(_record_url(person))
    if request.method == "POST":
        # A failed attempt is an access decision too: audited, linked to the young person the
        # NHS number belongs to (if any), without telling the user more than the form says.
        services.record_failed_break_glass(request, request.POST.get("nhs_number", ""),
                                           request.POST.get("reason", ""))
    return form_page(
        request, form, title="Emergency access (break-glass)", submit_text="Open the record",
        intro="Use this only when a young person needs help now and you have no other way to "
              "see their record. Access lasts 4 hours, is read-only, and the privacy officer "
              "reviews every use.")


def _require_privacy_officer(user):
    if not permissions.is_privacy_officer(user):
        raise PermissionDenied("Access reviews are for the privacy officer.")


def alerts(request):
    _require_privacy_officer(request.user)
    rows = AccessAlert.objects.select_related("user__agency", "young_person", "grant",
                                              "closed_by")[:500]
    return render(request, "sharing/alerts.html", {
        "page_title": "Access alerts", "alerts": rows,
        "open_count": AccessAlert.objects.filter(closed_at__isnull=True).count()})


def alert_detail(request, alert_id):
    _require_privacy_officer(request.user)
    alert = AccessAlert.objects.select_related("user__agency", "young_person", "grant").filter(
        pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert")
    form = forms.CloseAlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.close_alert(request, alert, **form.cleaned_data)):
            messages.success(request, "Alert closed")
            return redirect("sharing:alerts")
    return render(request, "sharing/alert.html", {
        "page_title": alert.get_kind_display(), "alert": alert, "form": form,
        "has_errors": bool(form.errors), "back_url": reverse("sharing:alerts")})
