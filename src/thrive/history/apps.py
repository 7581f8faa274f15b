from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "thrive.history"
    label = "history"
    verbose_name = "Corrections and version history"
