"""thrive demo_mhsds_extract --people N --out DIR [--seed 2026] [--workers W] [--today YYYY-MM-DD]"""

import os
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from thrive.core import dates
from thrive.demo.generator import DEFAULT_SEED
from thrive.demo.mhsds_extract import write_extract


class Command(BaseCommand):
    help = ("Write a synthetic MHSDS-style CSV extract of the Northvale demo (no database needed), "
            "in the form `thrive import_mhsds DIR` reads.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="How many young people.")
        parser.add_argument("--out", required=True, help="Directory for the CSV files (made if need be; "
                                                         "files there are replaced).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Same seed and day, same bytes. Default %(default)s.")
        parser.add_argument("--workers", type=int, default=1,
                            help="Processes generating in parallel (same output whatever the number). "
                                 f"Default %(default)s; this machine has {os.cpu_count()} cores.")
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="The day the history ends (YYYY-MM-DD). Default: today.")

    def handle(self, *args, people, out, seed, workers, today, **options):
        if people < 1:
            raise CommandError("--people must be at least 1")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        today = today or dates.today()
        self.stdout.write(f"Generating {people:,} young people (seed {seed}, to {today}) "
                          f"with {workers} worker(s) into {out}...")
        started = time.perf_counter()
        counts = write_extract(out, people=people, seed=seed, today=today, workers=workers)
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Wrote the extract in {seconds:.1f}s ({people / seconds:,.0f} young people a second)."))
        for table, n in counts.items():
            self.stdout.write(f"  {table:<10} {n:>12,}")
        self.stdout.write(f"Try it: thrive import_mhsds {out} --out EXTRACT_DIR")
