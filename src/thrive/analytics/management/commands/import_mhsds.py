from django.core.management.base import BaseCommand, CommandError

from thrive.analytics.mhsds_import import ImportRejected, import_mhsds


class Command(BaseCommand):
    help = ("Validate an MHSDS-style CSV extract (MHS001, MHS101, MHS201, MHS204, MHS606 and optional "
            "THRIVEGrouping.csv) and write it as a canonical Parquet extract. Every problem is reported "
            "with file, line and column; if there is any, nothing is written.")

    def add_arguments(self, parser):
        parser.add_argument("source_dir", help="directory holding the CSV files")
        parser.add_argument("--out", required=True, help="directory to write the Parquet extract to")

    def handle(self, *args, source_dir, out, **options):
        try:
            result = import_mhsds(source_dir, out)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(rejected.problems)} problem(s) found; nothing was written.") from None
        rows = ", ".join(f"{n} {name}" for name, n in result.manifest["rows"].items())
        self.stdout.write(f"Extract written to {out}: {rows}.")
        if result.skipped_groupings:
            self.stdout.write(f"{result.skipped_groupings} THRIVEGrouping row(s) with NO_INTERVENTION "
                              "(not a needs-based grouping) were not imported.")
