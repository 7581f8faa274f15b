from django.urls import include, path

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("thrive.care.urls")),
    path("account/", include("thrive.accounts.urls")),
    path("young-people/", include("thrive.people.urls")),
    path("directory/", include("thrive.directory.urls")),
    path("openreferral/", include("thrive.directory.oruk_urls")),
    path("risk/", include("thrive.risk.urls")),
    path("sharing/", include("thrive.sharing.urls")),
    path("measures/", include("thrive.measures.urls")),
    path("analytics/", include("thrive.analytics.urls")),
    path("history/", include("thrive.history.urls")),
    path("community/", include("thrive.community.urls")),
    path("self-assessment/", include("thrive.assessment.urls")),
]

# Operations: a load balancer's and a monitor's probe (core/health.py, decision 0023).
from thrive.core.health import health  # noqa: E402

urlpatterns += [path("health", health, name="health")]
