"""The access policy: the one place that decides which records a user may read or change.

A user sees a young person only through a legitimate relationship:
- their agency holds an open episode (a referral awaiting decision, or accepted and not ended) —
  an accepted inter-agency referral opens such an episode, and completing it ends it;
- they are an active member of the young person's care team;
- or, in an emergency, an unexpired break-glass grant (read-only, alerted, audited).
Queries are scoped here, at the data layer; no view fetches a record and then hides it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.care.models import Episode, open_episodes_q
from thrive.people.models import YoungPerson

from .models import BreakGlassGrant, CareTeamMember, RecordNote, Sensitivity

# Actions the authorisation matrix test enumerates.
ACTIONS = ("view", "search_hit", "edit", "export", "refer", "see_sensitive")


def _works_with_records(user) -> bool:
    return user.is_authenticated and user.works_with_records and user.agency_id is not None


def _agency_open_episode(user):
    return Episode.objects.filter(open_episodes_q(), agency_id=user.agency_id,
                                  young_person=OuterRef("pk"))


def _care_team_membership(user):
    return CareTeamMember.objects.filter(user=user, removed_at__isnull=True,
                                         young_person=OuterRef("pk"))


def _active_grant(user):
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now(),
                                          young_person=OuterRef("pk"))


def related_young_people(user) -> QuerySet:
    """Young people the user has a standing relationship with (not break-glass)."""
    if not _works_with_records(user):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(
        Exists(_agency_open_episode(user)) | Exists(_care_team_membership(user)))


def visible_young_people(user) -> QuerySet:
    """Young people this user may open: a relationship, or an unexpired break-glass grant."""
    if not _works_with_records(user):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(
        Exists(_agency_open_episode(user)) | Exists(_care_team_membership(user))
        | Exists(_active_grant(user)))


def searchable_young_people(user) -> QuerySet:
    """Search never reveals a record the user may not open."""
    return visible_young_people(user)


def visible_episodes(user) -> QuerySet:
    """Episodes this user may open: their own agency's for anyone they may see, and every
    agency's episodes for young people whose care team they are on or have broken glass for."""
    if not _works_with_records(user):
        return Episode.objects.none()
    shared = YoungPerson.objects.filter(
        Exists(_care_team_membership(user)) | Exists(_active_grant(user)))
    return Episode.objects.filter(
        Q(agency_id=user.agency_id, young_person__in=visible_young_people(user))
        | Q(young_person__in=shared))


def young_person_or_404(user, public_id) -> YoungPerson:
    """The same 404 for 'does not exist' and 'not yours', so nothing leaks by probing."""
    try:
        return visible_young_people(user).get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def episode_or_404(user, public_id) -> Episode:
    try:
        return visible_episodes(user).select_related(
            "young_person", "team", "agency", "lead_practitioner", "ending"
        ).get(public_id=public_id)
    except (Episode.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def has_relationship(user, person: YoungPerson) -> bool:
    return related_young_people(user).filter(pk=person.pk).exists()


def can_edit_episode(user, episode: Episode) -> bool:
    """Open episodes of the user's own agency can be added to; ended or declined ones cannot."""
    return (_works_with_records(user) and episode.agency_id == user.agency_id
            and episode.is_open)


def can_edit_record(user, person: YoungPerson) -> bool:
    """May this user add to the shared record (plans, notes, care team)? Break-glass may not."""
    return _works_with_records(user) and has_relationship(user, person)


def can_export(user, person: YoungPerson) -> bool:
    return can_edit_record(user, person)


def can_refer(user, person: YoungPerson) -> bool:
    return can_edit_record(user, person)


def can_override_consent(user) -> bool:
    return user.role == Role.TEAM_MANAGER or user.is_safeguarding_lead


@dataclass(frozen=True)
class NotesView:
    shown: list
    withheld: dict  # sensitivity label → count


def may_see_note(user, note: RecordNote) -> bool:
    if not note.sensitivity or note.author_id == user.pk:
        return True
    if note.sensitivity == Sensitivity.SAFEGUARDING:
        return user.role == Role.TEAM_MANAGER or user.is_safeguarding_lead
    if note.sensitivity == Sensitivity.SEXUAL_HEALTH:
        return note.agency_id == user.agency_id
    return False


def notes_for(user, person: YoungPerson) -> NotesView:
    shown, withheld = [], {}
    for note in person.notes.select_related("author", "agency"):
        if may_see_note(user, note):
            shown.append(note)
        else:
            label = note.get_sensitivity_display()
            withheld[label] = withheld.get(label, 0) + 1
    return NotesView(shown, withheld)


def access_history_subject_or_404(user, public_id) -> YoungPerson:
    """Whose access history this user may read: the privacy officer anyone's (the log only,
    not the record); others only for records they have a relationship with."""
    if user.is_authenticated and user.role == Role.PRIVACY_OFFICER:
        people = YoungPerson.objects.all()
    else:
        people = related_young_people(user)
    try:
        return people.get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def visible_referrals(user) -> QuerySet:
    """Inter-agency referrals a user may open: those sent by or to their agency."""
    from .models import AgencyReferral

    if not _works_with_records(user):
        return AgencyReferral.objects.none()
    return AgencyReferral.objects.filter(
        Q(to_agency_id=user.agency_id) | Q(from_agency_id=user.agency_id))
