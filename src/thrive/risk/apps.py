from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "thrive.risk"
    label = "risk"
    verbose_name = "Risk Support plans"
