"""Domain operations on episodes. Each is one transaction, checks the rules THRIVE and the data
set need, writes the audit log, and either does everything or nothing."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import CLINICAL_ROLES, Role, User
from thrive.core import audit
from thrive.core.dates import check_review_date
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken
from thrive.sharing.models import AgencyReferral

from . import contradictions
from .groupings import LABELS, Grouping
from .models import (
    Allocation,
    ClosingLetter,
    Contact,
    Ending,
    Episode,
    Goal,
    GoalRating,
    GroupingDecision,
)


def locked(episode: Episode) -> Episode:
    """Re-read the episode under a row lock so concurrent changes queue behind each other."""
    return Episode.objects.select_for_update().get(pk=episode.pk)


def require_open(episode: Episode) -> None:
    """Declined and ended episodes are closed to new records (every app that adds to one)."""
    if episode.declined_on:
        raise RuleBroken("This referral was declined, so nothing more can be recorded in it.")
    if Ending.objects.filter(episode=episode).exists():
        raise RuleBroken("This episode has ended, so nothing more can be recorded in it.")


def require_open_or_late_addition(user, episode: Episode) -> None:
    """Open episodes take new records; an ended one only from its lead practitioner, within the
    window after the ending (the rule is the access policy's: can_add_after_ending)."""
    from thrive.sharing import policy

    ended = Ending.objects.filter(episode=episode).first()
    if ended is not None and not episode.declined_on:
        episode.ending = ended
        if policy.can_add_after_ending(user, episode):
            return
        raise RuleBroken("This episode has ended and the time for late additions has passed "
                         "(or you were not its lead practitioner), so nothing more can be "
                         "recorded in it.")
    require_open(episode)


def _not_before_referral(episode: Episode, day: date | None, field: str, what: str) -> None:
    if day and day < episode.referral_received_on:
        raise RuleBroken(
            f"{what} must be on or after the referral was received "
            f"({episode.referral_received_on:%-d %B %Y})",
            field,
        )


def _bump(episode: Episode) -> None:
    Episode.objects.filter(pk=episode.pk).update(version=episode.version + 1)
    episode.version += 1


def current_decision(episode: Episode) -> GroupingDecision | None:
    return episode.grouping_decisions.filter(is_current=True).first()


def record_grouping_decision(request, episode: Episode, *, replaces_id: int | None,
                             practitioners=(), confirm_distant_review: bool = False,
                             **fields) -> GroupingDecision:
    """Agree a grouping. The new decision becomes current; the one it replaces stays as history.

    `replaces_id` is the current decision the user saw when they opened the form (None if there
    was none). If that is no longer current, someone else decided in between: refuse.
    """
    with transaction.atomic():
        episode = locked(episode)
        require_open(episode)
        current = current_decision(episode)
        if current is not None and replaces_id is None:
            raise RuleBroken(
                f"This episode already has a current grouping ({current.grouping_label}, agreed "
                f"{current.decided_on:%-d %B %Y}). Open the form again to record a new decision "
                "that replaces it."
            )
        if (current.pk if current else None) != replaces_id:
            raise RuleBroken(STALE)
        _not_before_referral(episode, fields["decided_on"], "decided_on", "Date agreed")
        if current and fields["decided_on"] < current.decided_on:
            raise RuleBroken(
                f"Date agreed must be on or after the current decision "
                f"({current.decided_on:%-d %B %Y})",
                "decided_on",
            )
        if fields["review_on"] <= fields["decided_on"]:
            raise RuleBroken("Review date must be after the date agreed", "review_on")
        check_review_date(fields["review_on"], fields["decided_on"],
                          confirmed=confirm_distant_review)
        fields.setdefault("without_family_reason", "")
        contradictions.check_shared_decision(
            young_person_took_part=fields["young_person_took_part"],
            parent_carer_took_part=fields["parent_carer_took_part"],
            options_preferred=fields.get("options_preferred"), made_explicit=fields["made_explicit"],
            without_family_reason=fields["without_family_reason"])
        Grouping(fields["grouping"])  # an unknown code is a programming error, not user input
        if current:
            current.is_current = False
            current.save(update_fields=["is_current"])
        decision = GroupingDecision.objects.create(
            episode=episode, recorded_by=request.user, is_current=True, **fields
        )
        decision.practitioners.set(practitioners)
        _bump(episode)
        audit.record(request, AuditEvent.Action.CREATE, obj=decision,
                     young_person=episode.young_person, detail=f"grouping {decision.grouping}")
    return decision


def add_goal(request, episode: Episode, **fields) -> Goal:
    with transaction.atomic():
        episode = locked(episode)
        require_open(episode)
        _not_before_referral(episode, fields["agreed_on"], "agreed_on", "Date agreed")
        if fields["expected_by"] <= fields["agreed_on"]:
            raise RuleBroken("Likely to be reached by must be after the date agreed", "expected_by")
        number = (episode.goals.order_by("-number").values_list("number", flat=True).first() or 0)
        goal = Goal.objects.create(
            episode=episode, number=number + 1, recorded_by=request.user, **fields
        )
        _bump(episode)
        audit.record(request, AuditEvent.Action.CREATE, obj=goal, young_person=episode.young_person)
    return goal


def rate_goal(request, goal: Goal, *, rated_on: date, rating: int, rated_by: str) -> GoalRating:
    if not 0 <= rating <= 10:
        raise RuleBroken("Rating must be a whole number from 0 to 10", "rating")
    with transaction.atomic():
        episode = locked(goal.episode)
        require_open(episode)
        if goal.is_entered_in_error:
            raise RuleBroken("This goal was marked as entered in error, so it cannot be rated.")
        if rated_on < goal.agreed_on:
            raise RuleBroken(
                f"Date rated must be on or after the goal was agreed ({goal.agreed_on:%-d %B %Y})",
                "rated_on",
            )
        result = GoalRating.objects.create(
            goal=goal, rated_on=rated_on, rating=rating, rated_by=rated_by, recorded_by=request.user
        )
        _bump(episode)
        audit.record(request, AuditEvent.Action.CREATE, obj=result,
                     young_person=episode.young_person, detail=f"goal {goal.number}")
    return result


def record_contact(request, episode: Episode, **fields) -> Contact:
    with transaction.atomic():
        episode = locked(episode)
        require_open(episode)
        _not_before_referral(episode, fields["date"], "date", "Date of contact")
        contact = Contact.objects.create(episode=episode, **fields)
        _bump(episode)
        audit.record(request, AuditEvent.Action.CREATE, obj=contact,
                     young_person=episode.young_person)
    return contact


def record_ending(request, episode: Episode, *, version: int, **fields) -> Ending:
    with transaction.atomic():
        episode = locked(episode)
        if episode.version != version:
            raise RuleBroken(STALE)
        require_open(episode)
        ended_on = fields["ended_on"]
        if ended_on < episode.referral_received_on:
            raise RuleBroken(
                "Date ended must be on or after the episode began "
                f"({episode.referral_received_on:%-d %B %Y})",
                "ended_on",
            )
        last_contact = episode.contacts.valid().order_by("-date").values_list("date", flat=True).first()
        if last_contact and ended_on < last_contact:
            raise RuleBroken(
                f"Date ended must be on or after the last contact ({last_contact:%-d %B %Y})",
                "ended_on",
            )
        contradictions.check_ended_after_key_dates(
            ended_on, {name: getattr(episode, name) for name in KEY_DATES})
        contradictions.check_ending_goals(
            reason=fields["reason"], goals_met=fields["goals_met"],
            goals=episode.goals.valid().count(),
            rated_goals=episode.goals.valid().filter(
                ratings__entered_in_error_at__isnull=True, ratings__isnull=False
            ).distinct().count())
        ending = Ending.objects.create(episode=episode, recorded_by=request.user, **fields)
        # The grouping in force at the end stays as the last decision; it is no longer current.
        episode.grouping_decisions.filter(is_current=True).update(is_current=False)
        # An inter-agency referral this episode answered is complete: access ends with it.
        AgencyReferral.objects.filter(episode=episode, status=AgencyReferral.Status.ACCEPTED
                                      ).update(status=AgencyReferral.Status.COMPLETED)
        _bump(episode)
        audit.record(request, AuditEvent.Action.CREATE, obj=ending,
                     young_person=episode.young_person, detail=f"ending {ending.reason}")
    return ending


KEY_DATES = ("triaged_on", "accepted_on", "declined_on", "assessed_on", "first_help_on")
KEY_DATE_NAMES = {
    "triaged_on": "Triage date", "accepted_on": "Date accepted", "declined_on": "Date declined",
    "assessed_on": "Assessment date", "first_help_on": "First help date",
}


def update_key_dates(request, episode: Episode, *, version: int, **fields) -> Episode:
    from thrive.history import services as history  # history builds on care

    with transaction.atomic():
        episode = locked(episode)
        if episode.version != version:
            raise RuleBroken(STALE)
        require_open(episode)
        for name in KEY_DATES:
            _not_before_referral(episode, fields.get(name), name, KEY_DATE_NAMES[name])
        if fields.get("accepted_on") and fields.get("declined_on"):
            raise RuleBroken("A referral is either accepted or declined, not both", "declined_on")
        if fields.get("declined_on") and not fields.get("declined_reason", "").strip():
            raise RuleBroken("Enter why the referral was declined", "declined_reason")
        if fields.get("first_help_on") and not fields.get("accepted_on"):
            raise RuleBroken("Record the date accepted before the first help date", "accepted_on")
        contradictions.check_key_date_order(fields)
        before = history.snapshot(episode, fields)
        for name, value in fields.items():
            setattr(episode, name, value)
        episode.version += 1
        episode.save()
        changed = history.record_changes(
            request, episode, before, fields, young_person=episode.young_person,
            object_label=f"Key dates: {episode.team.name}, referral of "
                         f"{episode.referral_received_on:%-d %B %Y}",
            labels={**KEY_DATE_NAMES, "declined_reason": "Why declined"})
        audit.record(request, AuditEvent.Action.CHANGE, obj=episode,
                     young_person=episode.young_person,
                     detail="key dates: " + history.changed_fields(changed))
    return episode


def write_closing_letter(request, episode: Episode, *, written_on: date, addressed_to: str,
                         text: str) -> ClosingLetter:
    """A closing letter on an ended episode, by its lead practitioner within the window."""
    with transaction.atomic():
        episode = locked(episode)
        if not Ending.objects.filter(episode=episode).exists():
            raise RuleBroken("A closing letter is written after the ending is recorded.")
        require_open_or_late_addition(request.user, episode)
        if written_on < episode.ending.ended_on:
            raise RuleBroken(f"Date of the letter must be on or after the ending "
                             f"({episode.ending.ended_on:%-d %B %Y})", "written_on")
        if written_on > timezone.localdate():
            raise RuleBroken("Date of the letter must be today or in the past", "written_on")
        if not addressed_to.strip():
            raise RuleBroken("Enter who the letter is to", "addressed_to")
        if not text.strip():
            raise RuleBroken("Enter the letter", "text")
        letter = ClosingLetter.objects.create(episode=episode, written_on=written_on,
                                              addressed_to=addressed_to.strip(), text=text.strip(),
                                              written_by=request.user)
        audit.record(request, AuditEvent.Action.CREATE, obj=letter,
                     young_person=episode.young_person, detail="closing letter")
    return letter


def grouping_label(code: str) -> str:
    return LABELS[Grouping(code)]


_CREATOR = object()  # open_referral's default lead: whoever records the referral


def open_referral(request, young_person, *, lead_practitioner=_CREATOR, **fields) -> Episode:
    """A new episode at the user's own agency and team, led by a practitioner of that team, or
    left unallocated (lead_practitioner=None) on the team's waiting list."""
    user = request.user
    lead = user if lead_practitioner is _CREATOR else lead_practitioner
    with transaction.atomic():
        if fields["referral_received_on"] < young_person.date_of_birth:
            raise RuleBroken("Date referral received must be after the date of birth",
                             "referral_received_on")
        if lead is not None and lead.pk != user.pk and not (
                is_allocatable(lead, user.agency_id) and lead.team_id == user.team_id):
            raise RuleBroken("Choose an active practitioner of your team, or leave the referral "
                             "on the team's waiting list", "lead_practitioner")
        fields.setdefault("age_reason", "")
        contradictions.check_age_in_range(
            user.agency, young_person.age_on(fields["referral_received_on"]), fields["age_reason"])
        episode = Episode.objects.create(
            young_person=young_person, agency_id=user.agency_id, team_id=user.team_id,
            lead_practitioner=lead, **fields,
        )
        audit.record(request, AuditEvent.Action.CREATE, obj=episode, young_person=young_person,
                     detail="lead: " + (lead.username if lead else "waiting list"))
        if lead is not None and lead.pk != user.pk:
            Allocation.objects.create(episode=episode, to_user=lead, allocated_by=user,
                                      reason="Allocated when the referral was recorded")
    return episode


# --- Allocation of the lead practitioner ------------------------------------------------------

def is_allocatable(user: User, agency_id: int) -> bool:
    """Who may lead an episode: an active practitioner or team manager of the episode's agency."""
    return user.is_active and user.role in CLINICAL_ROLES and user.agency_id == agency_id


def allocatable_staff(agency_id: int, *, exclude=None):
    staff = User.objects.filter(agency_id=agency_id, is_active=True,
                                role__in=list(CLINICAL_ROLES)).select_related("team")
    if exclude is not None:
        staff = staff.exclude(pk=exclude.pk)
    return staff.order_by("team__name", "last_name", "first_name", "pk")


def may_allocate(user, episode: Episode) -> bool:
    """Allocation is the team manager's: an active team manager of the episode's agency."""
    return (user.is_authenticated and user.is_active and user.role == Role.TEAM_MANAGER
            and user.agency_id == episode.agency_id)


def _name(user: User | None) -> str:
    return user.username if user else "waiting list"


def move_lead(request, episode: Episode, to_user: User | None, reason: str) -> Allocation:
    """Change the lead of a locked, open episode and keep the history (no permission check: the
    callers check). Shared by allocation and the handover before deactivating someone."""
    from_user = episode.lead_practitioner
    allocation = Allocation.objects.create(episode=episode, from_user=from_user, to_user=to_user,
                                           reason=reason, allocated_by=request.user)
    episode.lead_practitioner = to_user
    episode.version += 1
    episode.save(update_fields=["lead_practitioner", "version"])
    audit.record(request, AuditEvent.Action.CHANGE, obj=episode,
                 young_person=episode.young_person,
                 detail=f"lead practitioner: {_name(from_user)} > {_name(to_user)}")
    return allocation


def allocate(request, episode: Episode, *, to_user: User | None, reason: str,
             version: int) -> Allocation:
    """Allocate or reallocate the lead practitioner (to_user=None: back to the team's waiting
    list). Team managers of the episode's agency only; the new lead must be able to lead."""
    reason = reason.strip()
    if not may_allocate(request.user, episode):
        raise RuleBroken("Only a team manager of this agency can allocate a lead practitioner.")
    if not reason:
        raise RuleBroken("Enter why you are allocating this episode", "reason")
    with transaction.atomic():
        episode = Episode.objects.select_for_update(of=("self",)).select_related(
            "lead_practitioner", "young_person").get(pk=episode.pk)
        if episode.version != version:
            raise RuleBroken(STALE)
        require_open(episode)
        if to_user is not None:
            to_user = User.objects.filter(pk=to_user.pk).first()
            if to_user is None or not is_allocatable(to_user, episode.agency_id):
                raise RuleBroken("Choose an active practitioner or team manager of this agency",
                                 "to_user")
        if (to_user.pk if to_user else None) == episode.lead_practitioner_id:
            raise RuleBroken("This episode is already "
                             + (f"led by {to_user.display_name}" if to_user
                                else "on the team's waiting list"), "to_user")
        return move_lead(request, episode, to_user, reason)
