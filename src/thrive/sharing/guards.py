"""View-level guards shared by every app whose pages change a young person's record."""

from django.core.exceptions import PermissionDenied

from thrive.core import audit
from thrive.core.models import AuditEvent

from . import policy


def person_for_change(request, person_id):
    """Only a standing relationship may change the record (break-glass is read-only). The form
    page itself shows who it is about, so opening it is audited as a view."""
    person = policy.young_person_or_404(request.user, person_id)
    if not policy.can_edit_record(request.user, person):
        raise PermissionDenied("This record is read only for you (break-glass, or an ended episode).")
    if request.method == "GET":
        audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person,
                     detail=request.resolver_match.url_name)
    return person


def episode_for_change(request, episode_id, *, audit_get: bool = True):
    """An episode the user may add to: their own agency's, still open. With `audit_get`, opening
    the form page (which shows whose episode it is) is audited as one view."""
    episode = policy.episode_or_404(request.user, episode_id)
    if not policy.can_edit_episode(request.user, episode):
        raise PermissionDenied("This episode is closed or belongs to another agency.")
    if audit_get and request.method == "GET":
        audit.record(request, AuditEvent.Action.VIEW, obj=episode,
                     young_person=episode.young_person, detail=request.resolver_match.url_name)
    return episode


def episode_for_late_addition(request, episode_id, *, audit_get: bool = True):
    """An episode the user may add a questionnaire or letter to: an open one of their agency, or
    an ended one they led, within the window after the ending (policy.can_add_after_ending)."""
    episode = policy.episode_or_404(request.user, episode_id)
    if not (policy.can_edit_episode(request.user, episode)
            or policy.can_add_after_ending(request.user, episode)):
        raise PermissionDenied("This episode is closed or belongs to another agency.")
    if audit_get and request.method == "GET":
        audit.record(request, AuditEvent.Action.VIEW, obj=episode,
                     young_person=episode.young_person, detail=request.resolver_match.url_name)
    return episode
