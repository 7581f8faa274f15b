from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.analytics.locations import SOURCES, aggregates_dir, imported_extract_dir
from thrive.analytics.refreshing import RefreshBusy, refresh
from thrive.core import progress


class Command(BaseCommand):
    help = ("Recompute the dashboard aggregates the /analytics/ page reads: by default from the platform's "
            "own records; --source mhsds from the MHSDS-style extract last imported with "
            "`thrive import-mhsds DIR`; or from any canonical extract (--extract DIR --out DIR). Run it "
            "from cron to refresh on a schedule.")

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=sorted(SOURCES), default="platform",
                            help="which of the page's sources to recompute (default: platform)")
        parser.add_argument("--extract", help="a canonical Parquet extract (import_mhsds / build_extract)")
        parser.add_argument("--out", help="where to write the aggregates (default: the page's directory)")

    def handle(self, *args, **options):
        with progress.shown(self.stderr):  # a live bar on a terminal, plain lines in logs
            return self._handle(**options)

    def _handle(self, *, source="platform", extract=None, out=None, **options):
        if source == "mhsds" and extract is None:
            extract = imported_extract_dir()
            if not (extract / "manifest.json").exists():
                raise CommandError("No MHSDS-style extract has been imported yet: "
                                   "run thrive import-mhsds DIR.")
        out = Path(out) if out else aggregates_dir(source)
        try:
            meta = refresh(out, extract)
        except RefreshBusy as busy:
            raise CommandError(str(busy)) from busy
        rows = ", ".join(f"{n} {name}" for name, n in meta["rows"].items())
        self.stdout.write(f"Aggregates written to {out}: {rows} rows.")
