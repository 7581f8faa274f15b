from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "thrive.assessment"
    label = "assessment"
    verbose_name = "THRIVE implementation self-assessment"
