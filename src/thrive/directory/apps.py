from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_text_index(sender, using="default", **kwargs):
    from . import text_index

    text_index.ensure(using)


class DirectoryConfig(AppConfig):
    name = "thrive.directory"
    label = "directory"
    verbose_name = "Community directory (Open Referral UK)"

    def ready(self):
        post_migrate.connect(_ensure_text_index, sender=self,
                             dispatch_uid="directory-text-index")
