"""The JSON API (OpenAPI at /api/v1/docs): session sign-in, CSRF on changes."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import SessionAuth

from thrive.people.api import router as people_router

api = NinjaAPI(title="THRIVE platform API", version="1", auth=SessionAuth(), urls_namespace="api")
api.add_router("/", people_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)
