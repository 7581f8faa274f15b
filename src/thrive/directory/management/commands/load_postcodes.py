from django.core.management.base import BaseCommand, CommandError

from thrive.directory.postcodes import PostcodeFileError, load_postcodes_counted


class Command(BaseCommand):
    help = "Load postcode centroids from a CSV (postcode, latitude, longitude). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--replace", action="store_true", help="remove the old table first")

    def handle(self, *args, file, replace, **options):
        try:
            count, skipped = load_postcodes_counted(file, replace=replace)
        except (PostcodeFileError, OSError) as exc:
            raise CommandError(f"{exc}; nothing was loaded.") from None
        self.stdout.write(f"{count} postcodes loaded; {skipped} skipped as having no location.")
