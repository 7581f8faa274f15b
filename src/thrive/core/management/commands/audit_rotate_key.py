from django.core.management.base import BaseCommand

from thrive.core import audit_keys


class Command(BaseCommand):
    help = ("Start a new audit key: new entries are chained with it; the old keys stay in the key "
            "file so older entries and anchors still verify.")

    def handle(self, *args, **options):
        key_id = audit_keys.rotate()
        self.stdout.write(f"New audit key {key_id} is now current ({audit_keys.key_file()}).")
