"""thrive load_demo [--seed 2026] [--young-people 2000] [--if-empty | --flush-first]"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from thrive.analytics.population import DEMO_FILE as DEMO_POPULATION
from thrive.assessment.demo import add_self_assessment
from thrive.community.demo import add_community_thrive
from thrive.core import dates, progress
from thrive.demo import signins, writer
from thrive.demo.closing_letters import add_closing_letters
from thrive.demo.consented_sharing import add_consented_sharing
from thrive.demo.corrections import add_corrections
from thrive.demo.duplicates import add_possible_duplicate
from thrive.demo.generator import DEFAULT_SEED, DEFAULT_YOUNG_PEOPLE, generate
from thrive.demo.risk_reviews import add_risk_reviews
from thrive.demo.shared_work import add_shared_work
from thrive.demo.waiting_list import add_waiting_lists


class Command(BaseCommand):
    help = "Load the synthetic Northvale locality: staff, young people and four years of history."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Same seed (on the same day), same demo. Default %(default)s.")
        parser.add_argument("--young-people", type=int, default=DEFAULT_YOUNG_PEOPLE,
                            help="How many young people. Default %(default)s.")
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument("--if-empty", action="store_true",
                              help="Do nothing (successfully) if there are young people already.")
        existing.add_argument("--flush-first", action="store_true",
                              help="Delete the young people, their records and the demo staff "
                                   "first.")

    def handle(self, *args, seed, young_people, if_empty, flush_first, **options):
        if young_people < 1:
            raise CommandError("--young-people must be at least 1")
        if writer.has_young_people():
            if if_empty:
                self.stdout.write("There are young people in the database already: skipping the "
                                  "demo load.")
                return
            if not flush_first:
                raise CommandError(
                    "There are young people in the database already. Use --flush-first to "
                    "replace them with the demo, or --if-empty to skip quietly."
                )
        if flush_first:
            self.stdout.write("Deleting existing young people, their records and demo staff...")
            try:
                writer.flush()
            except writer.NotDemoData as problem:
                raise CommandError(str(problem)) from None

        started = time.perf_counter()
        self.stdout.write(f"Generating Northvale: {young_people:,} young people, seed {seed}.")
        demo = generate(seed, young_people, today=dates.today())

        with progress.shown(self.stderr), \
                progress.stage("young people", total=young_people, unit="people") as bar:
            so_far = 0

            def advance(done: int, total: int) -> None:
                nonlocal so_far
                bar.update(done - so_far)
                so_far = done

            counts = writer.write(demo, progress=advance)
        counts.update(add_risk_reviews(dates.today()))
        counts.update(add_shared_work(seed, dates.today()))
        counts.update(add_possible_duplicate(dates.today()))
        counts.update(add_waiting_lists(seed, dates.today()))
        counts.update(add_closing_letters(dates.today()))
        counts.update(add_consented_sharing(seed, dates.today()))
        counts.update(add_corrections(dates.today()))
        counts.update(add_community_thrive(seed, dates.today()))
        counts.update(add_self_assessment(seed, dates.today()))
        call_command("load_population", str(DEMO_POPULATION), stdout=self.stdout)
        seconds = time.perf_counter() - started
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Loaded {total:,} rows in {seconds:.1f}s."))
        for table, n in counts.items():
            self.stdout.write(f"  {table:<32} {n:>10,}")
        self.stdout.write("\nDemo sign-ins:\n")
        self.stdout.write(signins.table(signins.rows()))
