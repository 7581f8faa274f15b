"""Caseload and episode pages. Thin: access through the policy, rules in services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from thrive.accounts import navigation, permissions
from thrive.accounts.models import User
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.views import apply, form_page
from thrive.history import services as history_services
from thrive.sharing import policy
from thrive.sharing import services as sharing_services
from thrive.sharing.guards import episode_for_change, episode_for_late_addition

from . import caseload as caseload_queries
from . import forms, services
from . import waiting_list as waiting_list_queries
from .groupings import LABELS, Grouping
from .models import GoalRating


def _require_clinical(user):
    if not permissions.works_with_records(user):
        raise PermissionDenied("Caseloads and records are for practitioners and team managers.")


def home(request):
    """Each role starts at its own work (accounts/navigation.py): practitioners at their caseload,
    analysts at the analytics, and so on; a role with no such page at one saying what is theirs."""
    home_url = navigation.home_url(request.user)
    if home_url:
        return redirect(home_url)
    return render(request, "care/home.html", {"page_title": "Home"})


def caseload(request):
    _require_clinical(request.user)
    grouping = request.GET.get("grouping") or None
    review = request.GET.get("review") or None
    if grouping not in (None, caseload_queries.NO_GROUPING, *[g.value for g in Grouping]):
        grouping = None
    if review not in (None, "due", "overdue"):
        review = None
    follow_ups = request.GET.get("follow_up") == "overdue"
    groups = caseload_queries.caseload_groups(request.user, grouping=grouping, review=review,
                                              follow_ups_overdue=follow_ups)
    total = sum(len(g.rows) for g in groups)
    audit.record(request, AuditEvent.Action.VIEW, detail=f"caseload ({total} episodes)")
    return render(request, "care/caseload.html", {
        "page_title": "My caseload", "active_nav": "caseload", "groups": groups, "total": total,
        "grouping_filter": grouping, "review_filter": review,
        "follow_up_filter": follow_ups,
        "grouping_choices": [(g.value, LABELS[g]) for g in Grouping],
        "is_team_view": permissions.can_manage_team(request.user),
        "recently_ended": caseload_queries.recently_ended(request.user),
        "window_days": settings.THRIVE_POST_ENDING_WINDOW_DAYS,
        **sharing_services.home_messages(request.user),
    })


def _episode_url(episode):
    return reverse("care:episode", args=[episode.public_id])


def _caption(episode):
    return f"{episode.young_person.full_name} – {episode.team.name}"


def episode_detail(request, episode_id):
    episode = policy.episode_or_404(request.user, episode_id)
    decisions = list(
        episode.grouping_decisions.select_related("recorded_by", "entered_in_error_by")
        .prefetch_related("practitioners")
    )
    goals = list(episode.goals.select_related("entered_in_error_by").prefetch_related(
        Prefetch("ratings", queryset=GoalRating.objects.select_related("entered_in_error_by"))))
    contacts = list(episode.contacts.select_related("practitioner", "entered_in_error_by")
                    .order_by("-date", "-time"))
    audit.record(request, AuditEvent.Action.VIEW, obj=episode, young_person=episode.young_person)
    # Entries entered in error stay on the page, struck through, and count for nothing.
    attended = sorted(c.date for c in contacts
                      if c.attendance == "attended" and not c.is_entered_in_error)
    current = next((d for d in decisions if d.is_current), None)
    valid_decisions = [d for d in decisions if not d.is_entered_in_error]
    if current is None and episode.status == "discharged" and valid_decisions:
        current = valid_decisions[0]  # the grouping it ended in: the ending retires "current"
    return render(request, "care/episode.html", {
        "page_title": str(episode), "episode": episode, "person": episode.young_person,
        "decisions": decisions, "current": current,
        "letters": list(episode.closing_letters.select_related("written_by")),
        "can_add_late": policy.can_add_after_ending(request.user, episode),
        "window_closes": policy.post_ending_window_closes(episode),
        "goals": goals, "contacts": contacts,
        "first_contact": attended[0] if attended else None,
        "second_contact": attended[1] if len(attended) > 1 else None,
        "can_edit": policy.can_edit_episode(request.user, episode),
        "can_correct": history_services.may_change_episode(request.user, episode),
        "can_allocate": episode.is_open and services.may_allocate(request.user, episode),
        "allocations": list(episode.allocations.select_related("from_user", "to_user",
                                                               "allocated_by")),
        # Endings recorded by mistake: kept, struck through (one query whatever their number).
        "endings_in_error": list(episode.endings_entered_in_error.select_related(
            "recorded_by", "entered_in_error_by")),
        "can_undo_ending": history_services.may_undo_ending(request.user, episode),
        "back_url": reverse("people:record", args=[episode.young_person.public_id]),
    })


def new_grouping_decision(request, episode_id):
    episode = episode_for_change(request, episode_id)
    colleagues = User.objects.filter(agency_id=request.user.agency_id, is_active=True,
                                     role__in=permissions.CLINICAL_ROLE_CODES).order_by(
        "last_name", "first_name")
    current = services.current_decision(episode)
    if request.method == "POST":
        form = forms.GroupingDecisionForm(request.POST, practitioners=colleagues)
        if form.is_valid():
            data = dict(form.cleaned_data)
            replaces = data.pop("replaces")
            practitioners = data.pop("practitioners")
            if apply(form, lambda: services.record_grouping_decision(
                    request, episode, replaces_id=replaces, practitioners=practitioners, **data)):
                messages.success(request, f"Grouping agreed: {LABELS[Grouping(data['grouping'])]}")
                return redirect(_episode_url(episode))
    else:
        form = forms.GroupingDecisionForm(
            initial={"replaces": current.pk if current else None,
                     "practitioners": [request.user.pk]},
            practitioners=colleagues,
        )
    intro = (f"The current grouping is {current.grouping_label}, agreed "
             f"{current.decided_on:%-d %B %Y}. A new decision replaces it; the old one stays in "
             "the history." if current else
             "Agree the grouping with the young person and family. Scores can inform the "
             "conversation; they never decide it.")
    return form_page(request, form, title="Record a grouping decision", caption=_caption(episode),
                     back_url=_episode_url(episode), submit_text="Save decision", intro=intro)


def new_goal(request, episode_id):
    episode = episode_for_change(request, episode_id)
    form = forms.GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.add_goal(request, episode, **form.cleaned_data)):
            messages.success(request, "Goal agreed")
            return redirect(_episode_url(episode))
    return form_page(request, form, title="Agree a goal", caption=_caption(episode),
                     back_url=_episode_url(episode), submit_text="Save goal")


def new_goal_rating(request, episode_id, number):
    episode = episode_for_change(request, episode_id)
    goal = episode.goals.filter(number=number).first()
    if goal is None:
        raise Http404("No such goal")
    form = forms.GoalRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.rate_goal(request, goal, **form.cleaned_data)):
            messages.success(request, f"Rating saved for goal {goal.number}")
            return redirect(_episode_url(episode))
    return form_page(request, form, title=f"Rate progress on goal {goal.number}",
                     caption=_caption(episode), intro=f"Goal: {goal.description}",
                     back_url=_episode_url(episode), submit_text="Save rating")


def new_contact(request, episode_id):
    episode = episode_for_change(request, episode_id)
    form = forms.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.record_contact(
                request, episode, practitioner=request.user, **form.cleaned_data)):
            messages.success(request, "Contact recorded")
            return redirect(_episode_url(episode))
    return form_page(request, form, title="Record a contact", caption=_caption(episode),
                     back_url=_episode_url(episode), submit_text="Save contact")


def new_ending(request, episode_id):
    episode = episode_for_change(request, episode_id)
    form = forms.EndingForm(request.POST or None, initial={"version": episode.version})
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.record_ending(request, episode, **form.cleaned_data)):
            messages.success(request, "Ending recorded. The episode is closed.")
            return redirect("care:caseload")
    return form_page(request, form, title="Record the ending", caption=_caption(episode),
                     back_url=_episode_url(episode), submit_text="Save ending",
                     intro="Talk about the ending with the young person and family first.")


def edit_key_dates(request, episode_id):
    episode = episode_for_change(request, episode_id)
    initial = {name: getattr(episode, name) for name in services.KEY_DATES}
    initial.update(declined_reason=episode.declined_reason, version=episode.version)
    form = forms.KeyDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.update_key_dates(request, episode, **form.cleaned_data)):
            messages.success(request, "Key dates saved")
            return redirect(_episode_url(episode))
    return form_page(request, form, title="Key dates", caption=_caption(episode),
                     back_url=_episode_url(episode), submit_text="Save dates")


def waiting_list(request):
    """The team manager's waiting list: unallocated referrals and episodes, most urgent first."""
    rows = waiting_list_queries.waiting_list(request.user)
    audit.record(request, AuditEvent.Action.VIEW, detail=f"waiting list ({len(rows)} episodes)")
    return render(request, "care/waiting_list.html", {
        "page_title": "Waiting list", "active_nav": "waiting-list", "rows": rows,
        "team": request.user.team,
    })


def allocate(request, episode_id):
    """Allocate or reallocate the lead practitioner (team managers of the episode's agency)."""
    episode = policy.episode_or_404(request.user, episode_id)
    if not services.may_allocate(request.user, episode):
        # Shown nothing, changed nothing: back to the episode, saying why.
        messages.error(request, "Only a team manager of this agency can allocate a lead "
                                "practitioner.")
        return redirect(_episode_url(episode))
    if request.method == "GET":  # the page names the young person: one view, audited
        audit.record(request, AuditEvent.Action.VIEW, obj=episode,
                     young_person=episode.young_person, detail="allocate")
    staff = services.allocatable_staff(episode.agency_id)
    form = forms.AllocateForm(request.POST if request.method == "POST" else None,
                              staff=staff, initial={"version": episode.version},
                              waiting_list_option=episode.lead_practitioner_id is not None)
    if request.method == "POST" and form.is_valid():
        allocation = apply(form, lambda: services.allocate(request, episode, **form.cleaned_data))
        if allocation:
            messages.success(request, f"{episode.young_person.full_name}: " + (
                f"{allocation.to_user.display_name} is now the lead practitioner"
                if allocation.to_user else "back on the team's waiting list"))
            return redirect("care:waiting-list")
    current = episode.lead_practitioner
    intro = (f"The lead practitioner is {current.display_name}." if current else
             f"This episode is on {episode.team.name}'s waiting list "
             f"(urgency: {episode.get_urgency_display().lower()}).")
    return form_page(request, form, title="Allocate the lead practitioner",
                     caption=_caption(episode), back_url=_episode_url(episode),
                     submit_text="Allocate", intro=intro)
def new_closing_letter(request, episode_id):
    episode = episode_for_late_addition(request, episode_id)
    form = forms.ClosingLetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if apply(form, lambda: services.write_closing_letter(request, episode, **form.cleaned_data)):
            messages.success(request, "Closing letter saved")
            return redirect(_episode_url(episode))
    return form_page(request, form, title="Write a closing letter", caption=_caption(episode),
                     back_url=_episode_url(episode), submit_text="Save letter",
                     intro="The letter is kept with the episode. Send it as your service usually does.")
