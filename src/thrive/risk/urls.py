from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("young-people/<uuid:person_id>/", views.plans, name="plans"),
    path("young-people/<uuid:person_id>/new/", views.new_plan, name="new"),
    path("young-people/<uuid:person_id>/plans/<uuid:plan_id>/", views.plan_detail, name="plan"),
    path("young-people/<uuid:person_id>/plans/<uuid:plan_id>/change/", views.edit_plan,
         name="edit"),
    path("young-people/<uuid:person_id>/plans/<uuid:plan_id>/end/", views.end_plan, name="end"),
    path("young-people/<uuid:person_id>/plans/<uuid:plan_id>/pdf/", views.plan_pdf, name="pdf"),
]
