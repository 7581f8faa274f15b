from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "thrive.sharing"
    label = "sharing"
