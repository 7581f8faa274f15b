"""Community THRIVE. `join/…` is public (core.middleware.PUBLIC_PREFIXES); everything else is for
facilitators."""

from django.urls import path

from . import views

app_name = "community"
A = "assessments/<uuid:assessment_id>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("communities/new/", views.new_community, name="new-community"),
    path("communities/<uuid:community_id>/assessments/new/", views.new_assessment,
         name="new-assessment"),
    path(A, views.assessment, name="assessment"),
    path(A + "open/", views.open_assessment, name="open"),
    path(A + "factors/", views.factors, name="factors"),
    path(A + "copy-evidence/<uuid:source_id>/", views.copy_evidence, name="copy-evidence"),
    path(A + "results/", views.live_results, name="results"),
    path(A + "results/live/", views.live_results_fragment, name="results-live"),
    path(A + "comments/<int:rating_id>/", views.hide_comment, name="hide-comment"),
    path(A + "paper/", views.paper_form, name="paper"),
    path(A + "overlay/", views.overlay, name="overlay"),
    path(A + "priorities/", views.priorities, name="priorities"),
    path(A + "actions/new/", views.new_action, name="new-action"),
    path(A + "actions/<int:action_id>/progress/", views.progress, name="progress"),
    path(A + "close/", views.close, name="close"),
    path(A + "repeat/", views.repeat, name="repeat"),
    path(A + "review/", views.review, name="review"),
    path(A + "export/<str:kind>.csv", views.export, name="export"),
    path(A + "report.pdf", views.report, name="report"),
    path("join/<str:token>/", views.join, name="join"),
    path("join/<str:token>/rate/<int:step>/", views.rate, name="rate"),
    path("join/<str:token>/done/", views.done, name="done"),
]
