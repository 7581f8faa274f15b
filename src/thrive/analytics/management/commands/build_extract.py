from django.core.management.base import BaseCommand

from thrive.analytics.platform_extract import build_platform_extract
from thrive.core import progress


class Command(BaseCommand):
    help = ("Write the platform's own records as a canonical Parquet extract "
            "(the same schema as import_mhsds).")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory to write the Parquet extract to")

    def handle(self, *args, **options):
        with progress.shown(self.stderr):  # a live bar on a terminal, plain lines in logs
            return self._handle(**options)

    def _handle(self, *, out, **options):
        manifest = build_platform_extract(out)
        rows = ", ".join(f"{n} {name}" for name, n in manifest["rows"].items())
        self.stdout.write(f"Extract written to {out}: {rows}.")
