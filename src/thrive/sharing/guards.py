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
        raise PermissionDenied("Break-glass access is read-only.")
    if request.method == "GET":
        audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person,
                     detail=request.resolver_match.url_name)
    return person
