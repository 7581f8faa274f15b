from django.urls import path

from . import fhir, views

app_name = "measures"
urlpatterns = [
    path("episodes/<uuid:episode_id>/", views.episode_measures, name="episode"),
    path("episodes/<uuid:episode_id>/new/", views.new_completion, name="new"),
    path("episodes/<uuid:episode_id>/record/", views.record_completion, name="record"),
    path("episodes/<uuid:episode_id>/hand-over/", views.start_hand_over, name="hand-over"),
    path("young-people/<uuid:person_id>/", views.record_measures, name="record-charts"),
    path("completions/<uuid:completion_id>/", views.completion_detail, name="completion"),
    path("completions/<uuid:completion_id>/risk/", views.acknowledge_risk, name="acknowledge-risk"),
    path("schedule/", views.schedule, name="schedule"),
    path("wording/", views.agency_wording, name="wording"),
    path("wording/<int:version>.json", views.agency_wording_download, name="wording-download"),
    path("episodes/<uuid:episode_id>/remote-link/", views.send_remote_link, name="remote-link"),
    path("remote/<str:token>/", views.remote, name="remote"),
    path("tablet/", views.tablet, name="tablet"),
    path("tablet/hand-back/", views.hand_back, name="hand-back"),
    path("fhir/Questionnaire", fhir.questionnaire_list, name="fhir-questionnaires"),
    path("fhir/Questionnaire/<str:measure_id>", fhir.questionnaire, name="fhir-questionnaire"),
    path("fhir/QuestionnaireResponse/<str:completion_id>", fhir.questionnaire_response,
         name="fhir-questionnaire-response"),
    path("fhir/Observation", fhir.observation_search, name="fhir-observations"),
    path("fhir/Observation/<str:observation_id>", fhir.observation, name="fhir-observation"),
    path("fhir/metadata", fhir.capability_statement, name="fhir-metadata"),
]
