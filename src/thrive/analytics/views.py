"""Analytics pages: placeholder until the dashboards land."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from thrive.accounts.models import Role

ALLOWED_ROLES = {Role.ANALYST, Role.TEAM_MANAGER}


def _check(request):
    if getattr(request.user, "role", None) not in ALLOWED_ROLES:
        raise PermissionDenied


def dashboard(request):
    _check(request)
    return HttpResponse("Analytics: run `thrive refresh_analytics` first.")


def download(request, chart):
    _check(request)
    raise PermissionDenied
