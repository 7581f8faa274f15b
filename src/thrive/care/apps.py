from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "thrive.care"
    label = "care"
