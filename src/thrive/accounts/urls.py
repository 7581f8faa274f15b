from django.urls import path

from . import staff_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("password/", staff_views.ChangeOwnPasswordView.as_view(), name="password"),
    # Staff management: agency administrators (their agency) and system administrators (all).
    path("staff/", staff_views.staff, name="staff"),
    path("staff/<int:user_id>/", staff_views.staff_member, name="staff-member"),
    path("staff/<int:user_id>/change/", staff_views.staff_change, name="staff-change"),
    path("staff/<int:user_id>/active/", staff_views.staff_active, name="staff-active"),
    path("staff/<int:user_id>/handover/", staff_views.staff_handover, name="staff-handover"),
    path("staff/<int:user_id>/reset-password/", staff_views.staff_reset_password,
         name="staff-reset-password"),
    path("agencies/new/", staff_views.agency_add, name="agency-add"),
    path("agencies/<int:agency_id>/staff/", staff_views.agency_staff, name="agency-staff"),
    path("agencies/<int:agency_id>/staff/new/", staff_views.staff_add, name="staff-add"),
    path("agencies/<int:agency_id>/teams/new/", staff_views.team_add, name="team-add"),
    path("agencies/<int:agency_id>/age-range/", staff_views.agency_age_range,
         name="agency-age-range"),
]
