from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "thrive.community"
    label = "community"
    verbose_name = "Community THRIVE"
