"""Directory operations: loading, and signposting a young person to a service (with its rules).

Import lives in `importer.py`, search in `search.py`, publishing in `publish.py`; this module
holds the operations other apps call.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Count

from thrive.care.models import Episode
from thrive.care.services import locked
from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken
from thrive.sharing import policy

from .importer import (
    ImportRejected,
    ImportResult,
    import_feed,
    import_services,
    read_file,
    read_source,
)
from .models import Service, Signpost, SignpostOutcome, awaiting_follow_up_q
from .postcodes import load_postcodes

__all__ = ["ImportRejected", "ImportResult", "import_feed", "import_services", "read_source", "load_demo",
           "signpost", "record_outcome", "overdue_follow_ups", "MAX_FOLLOW_UP_DAYS",
           "age_warning", "may_follow_up"]

DATA = Path(__file__).resolve().parent / "data"
MAX_FOLLOW_UP_DAYS = 183


def load_demo() -> tuple[ImportResult, int]:
    """The synthetic Northvale directory and postcode table. Safe to run again."""
    with transaction.atomic():
        postcodes = load_postcodes(DATA / "demo_postcodes.csv")
        result = import_services(read_file(DATA / "demo_directory.json"))
    return result, postcodes


# -- Signposting ------------------------------------------------------------------------------


def _check_follow_up(follow_up_on: date | None, today: date, field: str = "follow_up_on"):
    if follow_up_on is None:
        raise RuleBroken("Enter the date you agreed to follow up", field)
    if follow_up_on < today:
        raise RuleBroken("Follow-up date must be today or in the future", field)
    if follow_up_on > today + timedelta(days=MAX_FOLLOW_UP_DAYS):
        raise RuleBroken("Follow-up date must be within 6 months", field)


def age_warning(service: Service, person, on: date) -> str:
    """A warning (never a refusal) when the service's age range leaves the young person out."""
    age = person.age_on(on)
    low, high = service.minimum_age, service.maximum_age
    if low is not None and age < low:
        return (f"{service.name} is for people aged {low:g} and over; "
                f"{person.full_name} is {age}. You can still signpost them if it is right.")
    if high is not None and age > high:
        return (f"{service.name} is for people up to age {high:g}; "
                f"{person.full_name} is {age}. You can still signpost them if it is right.")
    return ""


def _check_signposted_on(signposted_on: date | None, episode: Episode, today: date):
    if signposted_on is None:
        return today
    if signposted_on > today:
        raise RuleBroken("Date signposted must be today or in the past", "signposted_on")
    if signposted_on < episode.referral_received_on:
        raise RuleBroken("Date signposted must be on or after the referral was received "
                         f"({episode.referral_received_on:%-d %B %Y})", "signposted_on")
    return signposted_on


def signpost(request, episode: Episode, service: Service, *, reason: str,
             follow_up_on: date | None, signposted_on: date | None = None,
             today: date | None = None) -> Signpost:
    """Record that a young person was signposted to a service, on `signposted_on` (today unless
    backdated). The caller has checked, through the access policy, that the user may add to this
    episode."""
    today = today or dates.today()
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken("Enter why you signposted them to this service", "reason")
    signposted_on = _check_signposted_on(signposted_on, episode, today)
    _check_follow_up(follow_up_on, today)
    with transaction.atomic():
        episode = locked(episode)
        if not episode.is_open:
            raise RuleBroken("This episode has ended, so nothing can be added to it")
        if service.status != Service.Status.ACTIVE:
            raise RuleBroken(f"{service.name} is not taking people at the moment "
                             f"({service.get_status_display().lower()})", "service")
        made = Signpost.objects.create(
            episode=episode, service=service, reason=reason, signposted_on=signposted_on,
            follow_up_on=follow_up_on, created_by=request.user,
        )
        warning = age_warning(service, episode.young_person, signposted_on)
        audit.record(request, AuditEvent.Action.CREATE, obj=made,
                     young_person=episode.young_person,
                     detail=f"signposted to {service.name}" + (" (outside its age range)"
                                                               if warning else ""))
    return made


def may_follow_up(user, episode: Episode) -> bool:
    """Follow-ups survive the ending: on an open episode anyone who may edit it, after the ending
    the lead practitioner within the post-ending window (the access policy's rule)."""
    return policy.can_edit_episode(user, episode) or policy.can_add_after_ending(user, episode)


def record_outcome(request, item: Signpost, *, version: int, outcome: str,
                   recorded_on: date | None, note: str = "", next_follow_up_on: date | None = None,
                   today: date | None = None) -> Signpost:
    """What happened at follow-up: a new SignpostOutcome row each time (the history is kept), and
    the signpost carries the latest. 'Still waiting' needs a new follow-up date."""
    today = today or dates.today()
    if outcome not in Signpost.Outcome.values:
        raise RuleBroken("Select what happened", "outcome")
    if recorded_on is None:
        raise RuleBroken("Enter the date you followed up", "recorded_on")
    if recorded_on > today:
        raise RuleBroken("Follow-up date must be today or in the past", "recorded_on")
    if recorded_on < item.signposted_on:
        raise RuleBroken("Follow-up date must be on or after the day they were signposted "
                         f"({item.signposted_on:%-d %B %Y})", "recorded_on")
    if outcome == Signpost.Outcome.STILL_WAITING:
        _check_follow_up(next_follow_up_on, today, "next_follow_up_on")
    else:
        next_follow_up_on = None
    with transaction.atomic():
        episode = locked(item.episode)
        if not may_follow_up(request.user, episode):
            raise RuleBroken("This episode has ended and its window for late additions has "
                             "closed, so no follow-up can be recorded")
        current = Signpost.objects.select_for_update().get(pk=item.pk)
        if current.version != version:
            raise RuleBroken(STALE)
        if current.is_entered_in_error:
            raise RuleBroken("This signpost was marked as entered in error, so it has no "
                             "follow-up.")
        note = (note or "").strip()
        SignpostOutcome.objects.create(signpost=current, outcome=outcome, recorded_on=recorded_on,
                                       note=note, next_follow_up_on=next_follow_up_on,
                                       created_by=request.user)
        current.outcome = outcome
        current.outcome_recorded_on = recorded_on
        current.outcome_note = note
        if outcome == Signpost.Outcome.STILL_WAITING:
            current.follow_up_on = next_follow_up_on
        current.version += 1
        current.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=current,
                     young_person=item.episode.young_person, detail=f"signpost outcome {outcome}")
    return current


def signposts_for(episode: Episode):
    return (episode.signposts.select_related("service", "service__organization",
                                             "entered_in_error_by")
            .prefetch_related("outcomes"))


def overdue_follow_ups(episode_ids, *, today: date | None = None) -> dict[int, int]:
    """For the caseload: {episode pk: number of signposts whose follow-up date has passed with
    no settled outcome}. One query; episodes with none are absent."""
    today = today or dates.today()
    rows = (Signpost.objects.valid().filter(awaiting_follow_up_q(), episode_id__in=list(episode_ids),
                                    follow_up_on__lt=today)
            .values("episode_id").annotate(n=Count("id")).order_by())
    return {row["episode_id"]: row["n"] for row in rows}
