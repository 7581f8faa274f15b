"""While a tablet is handed to a young person or parent, the session can reach only the
completion page and the hand-back page: every other URL returns there."""

from django.shortcuts import redirect

HANDOVER = "measures_handover"
ALLOWED_PREFIXES = ("/measures/tablet/", "/static/")


class HandOverMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if (session is not None and HANDOVER in session
                and request.user.is_authenticated
                and not request.path.startswith(ALLOWED_PREFIXES)):
            return redirect("measures:tablet")
        return self.get_response(request)


FHIR_PREFIX = "/measures/fhir/"


class FhirSignInMiddleware:
    """A signed-out FHIR call gets an OperationOutcome (401), not an HTML sign-in redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith(FHIR_PREFIX) and not (user and user.is_authenticated):
            from .fhir import operation_outcome

            response = operation_outcome(401, "login", "Sign in to use the FHIR API")
            response["WWW-Authenticate"] = 'Session realm="THRIVE"'
            return response
        return self.get_response(request)
