from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "thrive.analytics"
    label = "analytics"
    verbose_name = "Analytics"
