from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.core.backups import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup made by `thrive backup` into the configured (fresh) database and put "
            "its files back. Checks every file's checksum first.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--replace", action="store_true",
                            help="Overwrite a database that already has tables.")

    def handle(self, *args, directory, replace, **options):
        try:
            manifest = restore(directory, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['created_at']} into the "
                          f"{manifest['database']} database. Run `thrive verify_audit_chain` next.")
