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
