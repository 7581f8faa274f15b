from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.core.backups import BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database (SQLite online backup or pg_dump) and the files that matter "
            "(analytics, audit anchors) into a new directory DIR.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        try:
            manifest = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up the {manifest['database']} database and "
                          f"{len(manifest['files'])} files into {directory}.")
