import re

from django.core.management.base import BaseCommand, CommandError

from thrive.directory import services


class Command(BaseCommand):
    help = ("Import an Open Referral UK directory from a JSON file (a service, a list, or a page "
            "with 'contents') or from a feed URL (paging through /services). All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="a JSON file, or the feed's base URL")

    def handle(self, *args, source, **options):
        try:
            if re.match(r"^https?://", source, re.IGNORECASE):
                result = services.import_feed(source)
            else:
                result = services.import_services(services.read_source(source))
        except services.ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(rejected.problems)} problem(s) found; nothing was "
                               "imported.") from None
        for warning in result.warnings:
            self.stderr.write(f"  warning: {warning}")
        if options.get("verbosity", 1) > 1:
            for name, outcome in result.report:
                self.stdout.write(f"  {outcome}: {name}")
        read = result.created + result.updated + result.unchanged
        self.stdout.write(f"{read} services read: {result.created} added, "
                          f"{result.updated} updated, {result.unchanged} unchanged, "
                          f"{result.retired} retired.")
