from django.urls import path

from . import merge_views, views

app_name = "people"
urlpatterns = [
    path("find/", views.find, name="find"),
    path("new/", views.register, name="register"),
    path("new/possible-match/", views.possible_match, name="possible-match"),
    path("duplicates/", merge_views.duplicates, name="duplicates"),
    path("duplicates/merge/", merge_views.merge_records, name="merge"),
    path("<uuid:person_id>/", views.record, name="record"),
    path("<uuid:person_id>/details/", views.edit_details, name="edit-details"),
    path("<uuid:person_id>/parents-carers/new/", views.new_parent_carer, name="new-parent-carer"),
    path("<uuid:person_id>/parents-carers/<int:carer_id>/", views.edit_parent_carer,
         name="edit-parent-carer"),
    path("<uuid:person_id>/referrals/new/", views.new_referral, name="new-referral"),
]
