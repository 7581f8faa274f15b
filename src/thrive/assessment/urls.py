from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("compare/", views.compare, name="compare"),
    path("principles/", views.principle_sets, name="principle-sets"),
    path("seniority/", views.seniority_list, name="seniority-list"),
    path("seniority/<int:user_id>/", views.seniority, name="seniority"),
    path("principles/<int:set_id>/", views.principle_set, name="principle-set"),
    path("principles/<int:set_id>/<str:principle>/", views.edit_descriptors, name="edit-descriptors"),
    path("<uuid:round_id>/", views.round_page, name="round"),
    path("<uuid:round_id>/panel/add/", views.add_member, name="add-member"),
    path("<uuid:round_id>/score/", views.score, name="score"),
    path("<uuid:round_id>/score/<int:panel_id>/", views.score_for, name="score-for"),
    path("<uuid:round_id>/moderation/start/", views.start_moderation, name="start-moderation"),
    path("<uuid:round_id>/moderation/", views.moderation, name="moderation"),
    path("<uuid:round_id>/evidence/refresh/", views.refresh_evidence, name="refresh-evidence"),
    path("<uuid:round_id>/close/", views.close, name="close"),
    path("<uuid:round_id>/copy/", views.copy, name="copy"),
    path("<uuid:round_id>/results/", views.results, name="results"),
    path("<uuid:round_id>/results.pdf", views.results_pdf, name="results-pdf"),
    path("<uuid:round_id>/results.csv", views.results_csv, name="results-csv"),
    path("<uuid:round_id>/plan/", views.plan, name="plan"),
    path("<uuid:round_id>/plan/<uuid:action_id>/", views.action, name="action"),
]
