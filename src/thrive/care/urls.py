from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/", views.caseload, name="caseload"),
    path("waiting-list/", views.waiting_list, name="waiting-list"),
    path("episodes/<uuid:episode_id>/allocate/", views.allocate, name="allocate"),
    path("episodes/<uuid:episode_id>/", views.episode_detail, name="episode"),
    path("episodes/<uuid:episode_id>/key-dates/", views.edit_key_dates, name="key-dates"),
    path("episodes/<uuid:episode_id>/grouping/", views.new_grouping_decision, name="grouping"),
    path("episodes/<uuid:episode_id>/goals/new/", views.new_goal, name="new-goal"),
    path("episodes/<uuid:episode_id>/goals/<int:number>/rating/", views.new_goal_rating,
         name="goal-rating"),
    path("episodes/<uuid:episode_id>/contacts/new/", views.new_contact, name="new-contact"),
    path("episodes/<uuid:episode_id>/ending/", views.new_ending, name="ending"),
    path("episodes/<uuid:episode_id>/closing-letter/", views.new_closing_letter,
         name="closing-letter"),
]
