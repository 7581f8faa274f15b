from django.urls import path

from . import account_views, sso_views, staff_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    # Under sign-in/ so that it is reachable before signing in (core.middleware.PUBLIC_PREFIXES).
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    # Single sign-on (decision 0024).
    path("sign-in/link/", sso_views.sso_link, name="sso-link"),
    path("sign-in/sso/<slug:name>/", sso_views.sso_start, name="sso-start"),
    path("sign-in/sso/<slug:name>/callback/", sso_views.sso_callback, name="sso-callback"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("password/", staff_views.ChangeOwnPasswordView.as_view(), name="password"),
    path("", account_views.account, name="account"),
    path("two-step/set-up/", account_views.two_factor_setup, name="two-factor-setup"),
    path("two-step/recovery-codes/", account_views.recovery_codes_new, name="recovery-codes"),
    path("two-step/turn-off/", account_views.two_factor_off, name="two-factor-off"),
    # Staff management: agency administrators (their agency) and system administrators (all).
    path("staff/", staff_views.staff, name="staff"),
    path("staff/<int:user_id>/", staff_views.staff_member, name="staff-member"),
    path("staff/<int:user_id>/change/", staff_views.staff_change, name="staff-change"),
    path("staff/<int:user_id>/active/", staff_views.staff_active, name="staff-active"),
    path("staff/<int:user_id>/handover/", staff_views.staff_handover, name="staff-handover"),
    path("staff/<int:user_id>/reset-password/", staff_views.staff_reset_password,
         name="staff-reset-password"),
    path("staff/<int:user_id>/single-sign-on/link-code/", staff_views.staff_sso_link_code,
         name="staff-sso-link-code"),
    path("staff/<int:user_id>/single-sign-on/unlink/", staff_views.staff_sso_unlink,
         name="staff-sso-unlink"),
    path("staff/<int:user_id>/reset-two-step/", staff_views.staff_reset_two_factor,
         name="staff-reset-two-factor"),
    path("agencies/new/", staff_views.agency_add, name="agency-add"),
    path("agencies/<int:agency_id>/staff/", staff_views.agency_staff, name="agency-staff"),
    path("agencies/<int:agency_id>/staff/new/", staff_views.staff_add, name="staff-add"),
    path("agencies/<int:agency_id>/teams/new/", staff_views.team_add, name="team-add"),
    path("agencies/<int:agency_id>/passwords/", staff_views.agency_passwords,
         name="agency-passwords"),
    path("agencies/<int:agency_id>/age-range/", staff_views.agency_age_range,
         name="agency-age-range"),
]
