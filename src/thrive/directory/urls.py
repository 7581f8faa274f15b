"""Directory pages. `search/` and `services/` are public (see core.middleware.PUBLIC_PREFIXES);
everything else needs a signed-in user with access to the episode."""

from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("services/<uuid:service_id>/", views.service_page, name="service"),
    path("episodes/<uuid:episode_id>/signposts/", views.episode_signposts,
         name="episode-signposts"),
    path("episodes/<uuid:episode_id>/find/", views.episode_find, name="episode-find"),
    path("episodes/<uuid:episode_id>/signpost/<uuid:service_id>/", views.new_signpost,
         name="signpost"),
    path("signposts/<uuid:signpost_id>/outcome/", views.signpost_outcome, name="outcome"),
    path("services/<uuid:service_id>/report/", views.report_problem, name="report-problem"),
    path("manage/", views.manage_list, name="manage"),
    path("manage/add/", views.manage_add, name="manage-add"),
    path("manage/<uuid:service_id>/", views.manage_service, name="manage-service"),
    path("manage/<uuid:service_id>/places/add/", views.manage_place, name="manage-place-add"),
    path("manage/<uuid:service_id>/places/<uuid:sal_id>/", views.manage_place,
         name="manage-place"),
    path("manage/<uuid:service_id>/places/<uuid:sal_id>/remove/", views.remove_place,
         name="manage-place-remove"),
    path("manage/<uuid:service_id>/invite/", views.invite_provider, name="manage-invite"),
    path("manage/suggestions/<int:suggestion_id>/", views.manage_suggestion,
         name="manage-suggestion"),
    # Public: a provider's one-time link (see core.middleware.PUBLIC_PREFIXES).
    path("suggest/<str:token>/", views.provider_suggest, name="suggest"),
    path("manage/<uuid:service_id>/<slug:action>/", views.manage_action, name="manage-action"),
]
