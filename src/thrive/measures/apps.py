from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "thrive.measures"
    label = "measures"
    verbose_name = "Outcome measures"
