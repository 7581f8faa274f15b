from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thrive.accounts"
    label = "accounts"

    def ready(self):
        from . import signals  # noqa: F401  (sign-in auditing)
