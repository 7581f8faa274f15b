"""Staff management pages. Thin: who may see what and every rule live in services.

Temporary passwords are rendered straight into the response to the POST that made them: never
redirected through a URL, put in the session or messages, logged or audited. Signed-in pages are
sent with Cache-Control: no-store (core.middleware), so the browser does not keep them.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import PasswordChangeView
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.views import apply, form_page

from . import forms, permissions, services, sso, two_factor
from .models import Agency, SingleSignOnLinkCode, Team, User


def _posted(request):
    """The submitted data, or None for a GET. (`request.POST or None` would treat a submitted
    form with every field left empty as not submitted.)"""
    return request.POST if request.method == "POST" else None


def _staff_list_url(agency_id):
    return reverse("accounts:agency-staff", args=[agency_id])


def _member_url(member):
    return reverse("accounts:staff-member", args=[member.pk])


def staff(request):
    """Where administrators start: their agency's staff, or for a system administrator every
    agency."""
    services.require_staff_admin(request.user)
    if not services.is_system_admin(request.user):
        return redirect(_staff_list_url(request.user.agency_id))
    agencies = services.agencies_for(request.user).annotate(
        staff_count=Count("staff", distinct=True),
        active_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        team_count=Count("teams", distinct=True),
    )
    unattached = User.objects.filter(agency__isnull=True).order_by("username")
    return render(request, "accounts/agencies.html", {
        "page_title": "Agencies and staff", "agencies": agencies, "unattached": unattached,
    })


def agency_staff(request, agency_id):
    services.require_staff_admin(request.user)
    agency = services.agency_or_404(request.user, agency_id)
    members = list(agency.staff.select_related("team").order_by("last_name", "first_name",
                                                                "username"))
    audit.record(request, AuditEvent.Action.VIEW, obj=agency,
                 detail=f"staff: list ({len(members)})")
    return render(request, "accounts/staff_list.html", {
        "page_title": f"Staff – {agency.name}", "agency": agency, "members": members,
        "teams": list(agency.teams.all()),
        "manageable": {m.pk for m in members if services.may_manage(request.user, m)},
        "is_system_admin": services.is_system_admin(request.user),
        "sso_on": bool(sso.providers()),
        "back_url": reverse("accounts:staff") if services.is_system_admin(request.user) else "",
    })


def _temporary_password_page(request, member, password, *, title):
    return render(request, "accounts/temporary_password.html", {
        "page_title": title, "member": member, "password": password,
        "member_url": _member_url(member),
    })


def staff_add(request, agency_id):
    services.require_staff_admin(request.user)
    agency = services.agency_or_404(request.user, agency_id)
    form = forms.AddStaffForm(_posted(request), roles=services.grantable_roles(request.user),
                              teams=agency.teams.all(), agency=agency)
    if request.method == "POST" and form.is_valid():
        created = apply(form, lambda: services.add_staff(request, agency, **form.cleaned_data))
        if created:
            member, password = created
            return _temporary_password_page(request, member, password,
                                            title="Account created")
    return form_page(request, form, title="Add a member of staff", caption=agency.name,
                     back_url=_staff_list_url(agency.pk), submit_text="Create account",
                     intro="They will get a temporary password, shown to you once on the next "
                           "page.")


def staff_member(request, user_id):
    services.require_staff_admin(request.user)
    member = services.staff_or_404(request.user, user_id)
    audit.record(request, AuditEvent.Action.VIEW, obj=member, detail="staff: account")
    return render(request, "accounts/staff_member.html", {
        "page_title": member.display_name, "member": member,
        "can_manage": services.may_manage(request.user, member),
        "two_factor_on": two_factor.is_on(member),
        "sso_on": bool(sso.providers()),
        "sso_identities": list(member.sso_identities.order_by("linked_at")),
        "sso_link_code": SingleSignOnLinkCode.objects.filter(user=member).first(),
        "sso_labels": {p.name: p.label for p in sso.providers().values()},
        "back_url": _staff_list_url(member.agency_id) if member.agency_id else
        reverse("accounts:staff"),
    })


def _managed_member(request, user_id):
    services.require_staff_admin(request.user)
    member = services.staff_or_404(request.user, user_id)
    services.require_may_manage(request.user, member)
    return member


def staff_change(request, user_id):
    member = _managed_member(request, user_id)
    teams = member.agency.teams.all() if member.agency_id else Team.objects.none()
    form = forms.ChangeStaffForm(
        _posted(request), roles=services.grantable_roles(request.user), teams=teams,
        agency=member.agency or Agency(name="this agency"),
        initial={"role": member.role, "team": member.team_id, "job_title": member.job_title,
                 "is_safeguarding_lead": member.is_safeguarding_lead,
                 "version": services.version_of(member)},
    )
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.change_staff(request, member, **form.cleaned_data)):
            messages.success(request, f"Saved changes to {member.display_name}'s account")
            return redirect(_member_url(member))
    return form_page(request, form, title="Change role, team or job title",
                     caption=member.display_name, back_url=_member_url(member))


def staff_active(request, user_id):
    member = _managed_member(request, user_id)
    form = forms.ConfirmForm(_posted(request),
                             initial={"version": services.version_of(member)})
    activate = not member.is_active
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.set_active(request, member, active=activate,
                                                   **form.cleaned_data)):
            messages.success(request, f"{member.display_name}'s account is "
                                      f"{'active again' if activate else 'deactivated'}")
            return redirect(_member_url(member))
    if activate:
        return form_page(request, form, title="Reactivate this account",
                         caption=member.display_name, back_url=_member_url(member),
                         submit_text="Reactivate account",
                         intro="They will be able to sign in again with their password. If "
                               "they have forgotten it, reset it afterwards.")
    if request.method == "GET" and permissions.works_with_records(member):
        from thrive.care import handover

        held = handover.responsibilities(member)
        if held.total:
            messages.warning(request, f"{member.display_name} still {held.summary()}. Hand "
                                      "these over before deactivating the account.")
            return redirect(reverse("accounts:staff-handover", args=[member.pk]))
    return form_page(request, form, title="Deactivate this account", caption=member.display_name,
                     back_url=_member_url(member), submit_text="Deactivate account",
                     intro="They will not be able to sign in, and any session they have open "
                           "ends. Nothing they recorded is removed, and you can reactivate the "
                           "account later.")


def staff_handover(request, user_id):
    """Before deactivating someone: what they carry (nothing that names a young person) and
    one form that moves it all to a colleague, or their lead episodes to the waiting list."""
    from thrive.care import handover
    from thrive.care.services import allocatable_staff

    member = _managed_member(request, user_id)
    held = handover.responsibilities(member)
    staff = allocatable_staff(member.agency_id, exclude=member) if member.agency_id else []
    form = forms.HandoverForm(
        _posted(request), staff=staff, has_lead_episodes=bool(held.lead_episodes),
        initial={"version": services.version_of(member), "token": held.token})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.hand_over_caseload(request, member, **form.cleaned_data)):
            messages.success(request, f"{member.display_name}'s caseload has been handed over. "
                                      "You can now deactivate the account.")
            return redirect(reverse("accounts:staff-active", args=[member.pk]))
    audit.record(request, AuditEvent.Action.VIEW, obj=member,
                 detail=f"staff: caseload before handover ({held.total})")
    return render(request, "accounts/handover.html", {
        "page_title": "Hand over their caseload", "member": member, "held": held, "form": form,
        "has_errors": bool(form.errors), "back_url": _member_url(member),
    })


def staff_reset_password(request, user_id):
    member = _managed_member(request, user_id)
    form = forms.ConfirmForm(_posted(request),
                             initial={"version": services.version_of(member)})
    if request.method == "POST" and form.is_valid():
        password = apply(form, lambda: services.reset_password(request, member,
                                                               **form.cleaned_data))
        if password:
            return _temporary_password_page(request, member, password, title="Password reset")
    return form_page(request, form, title="Reset password", caption=member.display_name,
                     back_url=_member_url(member), submit_text="Reset password",
                     intro="Their current password will stop working and any session they "
                           "have open ends. You will see a new temporary password once.")


def staff_reset_two_factor(request, user_id):
    member = _managed_member(request, user_id)
    form = forms.ConfirmForm(_posted(request),
                             initial={"version": services.version_of(member)})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.reset_two_factor(request, member, **form.cleaned_data)):
            messages.success(request, f"{member.display_name}'s two-step sign-in is reset. They "
                                      "will sign in with their password alone next time.")
            return redirect(_member_url(member))
    return form_page(request, form, title="Reset two-step sign-in", caption=member.display_name,
                     back_url=_member_url(member), submit_text="Reset two-step sign-in",
                     intro="Do this when they have lost their phone and their recovery codes. "
                           "Their authenticator app and recovery codes stop working; they sign "
                           "in with their password alone, and set up two-step sign-in again if "
                           "their role needs it.")


def staff_sso_link_code(request, user_id):
    """A one-time code for their first single sign-on, shown once like a temporary password."""
    member = _managed_member(request, user_id)
    form = forms.ConfirmForm(_posted(request), initial={"version": services.version_of(member)})
    if request.method == "POST" and form.is_valid():
        code = apply(form, lambda: sso.issue_link_code(request, member, **form.cleaned_data))
        if code:
            return render(request, "accounts/sso_link_code.html", {
                "page_title": "Single sign-on link code", "member": member, "code": code,
                "days": settings.THRIVE_OIDC_LINK_CODE_DAYS, "member_url": _member_url(member),
            })
    return form_page(request, form, title="Give a single sign-on link code",
                     caption=member.display_name, back_url=_member_url(member),
                     submit_text="Make a link code",
                     intro="The first time they sign in with single sign-on, they enter this "
                           "code once to link their organisation account to this account. "
                           "Any earlier code stops working. Their role and agency stay as you "
                           "set them here.")


def staff_sso_unlink(request, user_id):
    member = _managed_member(request, user_id)
    form = forms.ConfirmForm(_posted(request), initial={"version": services.version_of(member)})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: sso.unlink(request, member, **form.cleaned_data)):
            messages.success(request, f"Single sign-on is unlinked from {member.display_name}'s "
                                      "account")
            return redirect(_member_url(member))
    return form_page(request, form, title="Unlink single sign-on", caption=member.display_name,
                     back_url=_member_url(member), submit_text="Unlink single sign-on",
                     intro="Their organisation account will no longer sign in to this account. "
                           "To link one again, give them a new link code.")


def agency_passwords(request, agency_id):
    services.require_system_admin(request.user)
    agency = services.agency_or_404(request.user, agency_id)
    form = forms.PasswordsAllowedForm(_posted(request),
                                      initial={"allowed": agency.passwords_allowed})
    if request.method == "POST" and form.is_valid():
        allowed = form.cleaned_data["allowed"]
        if apply(form, lambda: sso.set_passwords_allowed(request, agency, allowed=allowed)):
            messages.success(request, f"{agency.name}: staff "
                             + ("may sign in with a password" if allowed else
                                "sign in with single sign-on only"))
            return redirect(_staff_list_url(agency.pk))
    return form_page(request, form, title="Password sign-in", caption=agency.name,
                     back_url=_staff_list_url(agency.pk), submit_text="Save")


def agency_add(request):
    services.require_system_admin(request.user)
    form = forms.AgencyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        agency = apply(form, lambda: services.add_agency(request, **form.cleaned_data))
        if agency:
            messages.success(request, f"Agency added: {agency.name}. Add its teams next.")
            return redirect(_staff_list_url(agency.pk))
    return form_page(request, form, title="Add an agency", back_url=reverse("accounts:staff"),
                     submit_text="Add agency")


def agency_age_range(request, agency_id):
    services.require_system_admin(request.user)
    agency = services.agency_or_404(request.user, agency_id)
    form = forms.AgencyAgeRangeForm(_posted(request), initial={
        "min_age": agency.min_age, "max_age": agency.max_age})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.set_age_range(request, agency, **form.cleaned_data)):
            messages.success(request, f"Age range saved: {agency.name} sees young people aged "
                             f"{Agency.objects.get(pk=agency.pk).age_range_text}")
            return redirect(_staff_list_url(agency.pk))
    return form_page(request, form, title="Ages this agency sees", caption=agency.name,
                     back_url=_staff_list_url(agency.pk), submit_text="Save age range")


def team_add(request, agency_id):
    services.require_system_admin(request.user)
    agency = services.agency_or_404(request.user, agency_id)
    form = forms.TeamForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        team = apply(form, lambda: services.add_team(request, agency, **form.cleaned_data))
        if team:
            messages.success(request, f"Team added: {team.name}")
            return redirect(_staff_list_url(agency.pk))
    return form_page(request, form, title="Add a team", caption=agency.name,
                     back_url=_staff_list_url(agency.pk), submit_text="Add team")


class ChangeOwnPasswordView(PasswordChangeView):
    """Anyone signed in changes their own password; the settings' password validators apply."""

    template_name = "form_page.html"
    form_class = forms.ChangeOwnPasswordForm
    success_url = reverse_lazy("care:home")
    extra_context = {"page_title": "Change your password", "submit_text": "Change password"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["back_url"] = reverse("care:home")
        if self.request.user.must_change_password:
            context["back_url"] = ""
            context["intro"] = ("You signed in with a temporary password. Choose your own "
                                "password to carry on.")
        return context

    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password
        response = super().form_valid(form)
        audit.record(self.request, AuditEvent.Action.CHANGE, obj=self.request.user,
                     detail="staff: own password changed")
        messages.success(self.request, "Your password has been changed")
        return response

