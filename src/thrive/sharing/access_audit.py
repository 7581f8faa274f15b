"""Every access decision about a young person's record is audited, allowed or refused.

Views audit what they show. This middleware adds the entries a view cannot write itself:
- a refused request for a record route (404 for "not yours" or "does not exist", 403 for a
  read-only relationship): one REFUSED entry, linked to the young person if the record exists,
  while the response stays exactly the same, so probing still reveals nothing;
- a form POST that fails and shows the page again (with the young person's name on it): one VIEW
  entry.
It writes only when the view wrote nothing, so each request leaves exactly one trace.
"""

from django.apps import apps

from thrive.core import audit
from thrive.core.models import AuditEvent

# URL parameters that identify (part of) a young person's record, and where to find whose it is.
RECORD_PARAMETERS = {
    "person_id": ("people.YoungPerson", "YoungPerson", "pk"),
    "episode_id": ("care.Episode", "Episode", "young_person_id"),
    "referral_id": ("sharing.AgencyReferral", "AgencyReferral", "young_person_id"),
    "completion_id": ("measures.Completion", "Completion", "episode__young_person_id"),
    "signpost_id": ("directory.Signpost", "Signpost", "episode__young_person_id"),
}
# Routes that take the record from the query string (FHIR searches), as (parameter, prefix).
QUERY_PARAMETERS = {
    "measures:fhir-observations": {"patient": ("person_id", "Patient/"),
                                   "derived-from": ("completion_id", "QuestionnaireResponse/")},
}
REFUSED_STATUSES = {403, 404}
FORM_SHOWN_AGAIN = {200, 400, 409, 422}
SHOWN_AGAIN = " (form shown again with errors)"


def requested_record(kwargs) -> tuple[str, str, int | None] | None:
    """(object type, requested id, young person's pk or None) for a record route's parameters.
    The lookup ignores the access policy: it is for the audit log only, never for the user."""
    for parameter, (model_name, object_type, person_field) in RECORD_PARAMETERS.items():
        if parameter in kwargs:
            value = str(kwargs[parameter])[:64]
            model = apps.get_model(model_name)
            try:
                person_pk = model.objects.filter(public_id=value).values_list(
                    person_field, flat=True).first()
            except Exception:  # not a UUID: no such record
                person_pk = None
            return object_type, value, person_pk
    return None


class AccessDecisionAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (match is None or user is None or not user.is_authenticated
                or audit.entries_written(request)):
            return response
        status = response.status_code
        refused = status in REFUSED_STATUSES
        shown_again = request.method == "POST" and status in FORM_SHOWN_AGAIN
        if not (refused or shown_again):
            return response
        kwargs = dict(match.kwargs)
        for name, (parameter, prefix) in QUERY_PARAMETERS.get(match.view_name, {}).items():
            if request.GET.get(name):
                kwargs.setdefault(parameter, request.GET[name].removeprefix(prefix))
        target = requested_record(kwargs)
        if target is None:
            return response
        object_type, object_id, person_pk = target
        if refused:
            audit.record(request, AuditEvent.Action.VIEW, outcome=AuditEvent.Outcome.REFUSED,
                         object_type=object_type, object_id=object_id,
                         young_person_id=person_pk, detail=match.url_name or "",
                         basis=None if person_pk is not None else AuditEvent.Basis.NONE)
        else:
            audit.record(request, AuditEvent.Action.VIEW, object_type=object_type,
                         object_id=object_id, young_person_id=person_pk,
                         detail=f"{match.view_name}{SHOWN_AGAIN}")
        return response
