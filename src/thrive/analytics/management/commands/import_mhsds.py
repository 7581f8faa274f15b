from django.core.management.base import BaseCommand, CommandError

from thrive.analytics.locations import aggregates_dir, imported_extract_dir
from thrive.analytics.mhsds_import import ImportRejected, import_mhsds
from thrive.analytics.refreshing import RefreshBusy, refresh
from thrive.core import progress


class Command(BaseCommand):
    help = ("Validate an MHSDS-style CSV extract (MHS001, MHS101, MHS201, MHS204, MHS606 and optional "
            "THRIVEGrouping.csv) and write it as a canonical Parquet extract. Every problem is reported "
            "with file, line and column; if there is any, nothing is written. Without --out, the extract "
            "replaces the one the analytics page shows, and its figures are computed at once.")

    def add_arguments(self, parser):
        parser.add_argument("source_dir", help="directory holding the CSV files")
        parser.add_argument("--out", help="write the Parquet extract here instead (the page is not changed)")

    def handle(self, *args, **options):
        with progress.shown(self.stderr):  # a live bar on a terminal, plain lines in logs
            return self._handle(**options)

    def _handle(self, *, source_dir, out=None, **options):
        for_page = out is None
        out = imported_extract_dir() if for_page else out
        try:
            result = import_mhsds(source_dir, out)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(rejected.problems)} problem(s) found; nothing was written.") from None
        rows = ", ".join(f"{n} {name}" for name, n in result.manifest["rows"].items())
        self.stdout.write(f"Extract written to {out}: {rows}.")
        for line in result.summary_lines():
            self.stdout.write(line)
        if for_page:
            try:
                refresh(aggregates_dir("mhsds"), out)
            except RefreshBusy as busy:
                raise CommandError(f"{busy} Then run: thrive refresh_analytics --source mhsds") from busy
            self.stdout.write("Its figures are on the analytics page: /analytics/?source=mhsds")
