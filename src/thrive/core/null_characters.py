"""Refuse a request whose query string or form carries a NUL character.

No keyboard types one; it arrives only from a crafted request. SQLite would cut the search text
at it (a name search that matched every visible record) and PostgreSQL refuses it with an error
(a 500), so it is stopped before any view reads the input, with a clear 400.
"""

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

MESSAGE = ("The request contained a null character (\\0), which cannot be searched for or "
           "saved. Nothing was searched or changed.")
# Machine-facing routes answer in JSON rather than with a page.
JSON_PREFIXES = ("/api/", "/openreferral/", "/measures/fhir/")


def _carries_nul(request) -> bool:
    if "%00" in request.META.get("QUERY_STRING", ""):
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        if content_type.startswith("application/json"):
            return b"\\u0000" in request.body or b"\x00" in request.body
    return False


class RefuseNullCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _carries_nul(request):
            if request.path.startswith(JSON_PREFIXES):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return HttpResponse(render_to_string("400.html", {"message": MESSAGE}, request),
                                status=400)
        return self.get_response(request)
