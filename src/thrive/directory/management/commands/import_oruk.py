from django.core.management.base import BaseCommand, CommandError

from thrive.directory import services


class Command(BaseCommand):
    help = ("Import an Open Referral UK directory from a JSON file (a service, a list, or a page "
            "with 'contents') or from a feed URL (paging through /services). All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="a JSON file, or the feed's base URL")

    def handle(self, *args, source, **options):
        try:
            records = services.read_source(source)
            result = services.import_services(records)
        except services.ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(rejected.problems)} problem(s) found; nothing was "
                               "imported.") from None
        for warning in result.warnings:
            self.stderr.write(f"  warning: {warning}")
        self.stdout.write(f"{len(records)} services read: {result.created} added, "
                          f"{result.updated} updated, {result.unchanged} unchanged.")
