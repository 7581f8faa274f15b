from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "thrive.sharing"
    label = "sharing"

    def ready(self):
        # The audit log records on what basis each access was made; only sharing knows.
        from thrive.core import audit

        from .policy import access_basis

        audit.set_basis_resolver(access_basis)
