"""The access policy: the one place that decides which records a user may read or change.

A user sees a young person only through a legitimate relationship. Today that relationship is:
the user works with records (practitioner or team manager) and their agency holds an open
episode (a referral awaiting decision, or accepted and not ended) for the young person.
Queries are scoped here, at the data layer; no view fetches a record and then hides it.
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from thrive.care.models import Episode, open_episodes_q
from thrive.people.models import YoungPerson


def _agency_open_episodes(user) -> QuerySet:
    return Episode.objects.filter(open_episodes_q(), agency_id=user.agency_id)


def visible_young_people(user) -> QuerySet:
    """Young people this user may open. Empty for roles that do not work with records."""
    if not user.is_authenticated or not user.works_with_records or user.agency_id is None:
        return YoungPerson.objects.none()
    related = _agency_open_episodes(user).filter(young_person=OuterRef("pk"))
    return YoungPerson.objects.filter(Exists(related))


def visible_episodes(user) -> QuerySet:
    """Episodes this user may open: their own agency's, for young people they may see."""
    if not user.is_authenticated or not user.works_with_records or user.agency_id is None:
        return Episode.objects.none()
    return Episode.objects.filter(
        agency_id=user.agency_id, young_person__in=visible_young_people(user)
    )


def young_person_or_404(user, public_id) -> YoungPerson:
    """The same 404 for 'does not exist' and 'not yours', so nothing leaks by probing."""
    try:
        return visible_young_people(user).get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError):
        raise Http404("No such record") from None


def episode_or_404(user, public_id) -> Episode:
    try:
        return visible_episodes(user).select_related(
            "young_person", "team", "agency", "lead_practitioner", "ending"
        ).get(public_id=public_id)
    except (Episode.DoesNotExist, ValueError):
        raise Http404("No such record") from None


def can_edit_episode(user, episode: Episode) -> bool:
    """Open episodes of the user's own agency can be added to; ended or declined ones cannot."""
    return episode.agency_id == user.agency_id and episode.is_open


def can_edit_record(user, person: YoungPerson) -> bool:
    """May this user add to the young person's shared record (plans, notes, care team)?

    Anyone with a legitimate relationship may; the person must already have been fetched
    through `young_person_or_404`, so this only refuses roles that never edit.
    """
    return user.works_with_records and visible_young_people(user).filter(pk=person.pk).exists()
