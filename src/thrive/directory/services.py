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

from .importer import (
    ImportRejected,
    ImportResult,
    import_feed,
    import_services,
    read_file,
    read_source,
)
from .models import Service, Signpost, awaiting_follow_up_q
from .postcodes import load_postcodes

__all__ = ["ImportRejected", "ImportResult", "import_feed", "import_services", "read_source", "load_demo",
           "signpost", "record_outcome", "overdue_follow_ups", "MAX_FOLLOW_UP_DAYS"]

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


def signpost(request, episode: Episode, service: Service, *, reason: str,
             follow_up_on: date | None, today: date | None = None) -> Signpost:
    """Record that a young person was signposted to a service. The caller has checked, through
    the access policy, that the user may add to this episode."""
    today = today or dates.today()
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken("Enter why you signposted them to this service", "reason")
    _check_follow_up(follow_up_on, today)
    with transaction.atomic():
        episode = locked(episode)
        if not episode.is_open:
            raise RuleBroken("This episode has ended, so nothing can be added to it")
        if service.status != Service.Status.ACTIVE:
            raise RuleBroken(f"{service.name} is not taking people at the moment "
                             f"({service.get_status_display().lower()})", "service")
        made = Signpost.objects.create(
            episode=episode, service=service, reason=reason, signposted_on=today,
            follow_up_on=follow_up_on, created_by=request.user,
        )
        audit.record(request, AuditEvent.Action.CREATE, obj=made,
                     young_person=episode.young_person, detail=f"signposted to {service.name}")
    return made


def record_outcome(request, item: Signpost, *, version: int, outcome: str,
                   recorded_on: date | None, note: str = "", next_follow_up_on: date | None = None,
                   today: date | None = None) -> Signpost:
    """What happened at follow-up. 'Still waiting' needs a new follow-up date."""
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
    with transaction.atomic():
        locked(item.episode)
        current = Signpost.objects.select_for_update().get(pk=item.pk)
        if current.version != version:
            raise RuleBroken(STALE)
        if current.is_entered_in_error:
            raise RuleBroken("This signpost was marked as entered in error, so it has no "
                             "follow-up.")
        current.outcome = outcome
        current.outcome_recorded_on = recorded_on
        current.outcome_note = (note or "").strip()
        if outcome == Signpost.Outcome.STILL_WAITING:
            current.follow_up_on = next_follow_up_on
        current.version += 1
        current.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=current,
                     young_person=item.episode.young_person, detail=f"signpost outcome {outcome}")
    return current


def signposts_for(episode: Episode):
    return episode.signposts.select_related("service", "service__organization",
                                            "entered_in_error_by")


def overdue_follow_ups(episode_ids, *, today: date | None = None) -> dict[int, int]:
    """For the caseload: {episode pk: number of signposts whose follow-up date has passed with
    no settled outcome}. One query; episodes with none are absent."""
    today = today or dates.today()
    rows = (Signpost.objects.valid().filter(awaiting_follow_up_q(), episode_id__in=list(episode_ids),
                                    follow_up_on__lt=today)
            .values("episode_id").annotate(n=Count("id")).order_by())
    return {row["episode_id"]: row["n"] for row in rows}
