from django.urls import path

from . import views

app_name = "history"
urlpatterns = [
    path("episodes/<uuid:episode_id>/<slug:kind>/<int:entry_id>/entered-in-error/",
         views.entered_in_error, name="entered-in-error"),
    path("young-people/<uuid:person_id>/notes/<int:note_id>/entered-in-error/",
         views.note_entered_in_error, name="note-entered-in-error"),
    path("young-people/<uuid:person_id>/changes/", views.record_history, name="record"),
    path("staff/<int:user_id>/changes/", views.staff_history, name="staff"),
]
