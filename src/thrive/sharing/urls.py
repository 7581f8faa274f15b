from django.urls import path

from . import history_views, views

app_name = "sharing"
urlpatterns = [
    path("people/<uuid:person_id>/care-team/", views.care_team, name="care-team"),
    path("people/<uuid:person_id>/care-team/<int:member_id>/remove/", views.remove_member,
         name="remove-member"),
    path("people/<uuid:person_id>/consent/new/", views.new_consent, name="new-consent"),
    path("people/<uuid:person_id>/consent/<int:consent_id>/withdraw/", views.withdraw_consent,
         name="withdraw-consent"),
    path("people/<uuid:person_id>/refer/", views.refer, name="refer"),
    path("people/<uuid:person_id>/notes/new/", views.new_note, name="new-note"),
    path("people/<uuid:person_id>/access-history/", history_views.access_history,
         name="access-history"),
    path("people/<uuid:person_id>/access-history/access-history.csv",
         history_views.access_history_csv, name="access-history-csv"),
    path("privacy/access-log/", history_views.access_log, name="access-log"),
    path("privacy/access-log/access-log.csv", history_views.access_log_csv,
         name="access-log-csv"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral"),
    path("referrals/<uuid:referral_id>/accept/", views.accept, name="accept"),
    path("referrals/<uuid:referral_id>/decline/", views.decline, name="decline"),
    path("referrals/<uuid:referral_id>/withdraw/", views.withdraw, name="withdraw"),
    path("notifications/<int:notification_id>/dismiss/", views.dismiss_notification,
         name="dismiss-notification"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("privacy/alerts/", views.alerts, name="alerts"),
    path("privacy/alerts/<int:alert_id>/", views.alert_detail, name="alert"),
]
