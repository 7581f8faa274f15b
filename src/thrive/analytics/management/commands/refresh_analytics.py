from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.analytics.refreshing import RefreshBusy, refresh
from thrive.analytics.views import aggregates_dir


class Command(BaseCommand):
    help = ("Recompute the dashboard aggregates the /analytics/ page reads, from a canonical extract "
            "(--extract DIR) or, by default, from the platform's own records. Run it from cron to "
            "refresh on a schedule.")

    def add_arguments(self, parser):
        parser.add_argument("--extract", help="a canonical Parquet extract (import_mhsds / build_extract)")
        parser.add_argument("--out", help="where to write the aggregates (default: the page's directory)")

    def handle(self, *args, extract=None, out=None, **options):
        out = Path(out) if out else aggregates_dir()
        try:
            meta = refresh(out, extract)
        except RefreshBusy as busy:
            raise CommandError(str(busy)) from busy
        rows = ", ".join(f"{n} {name}" for name, n in meta["rows"].items())
        self.stdout.write(f"Aggregates written to {out}: {rows} rows.")
