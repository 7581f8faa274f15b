"""thrive load_population FILE: the resident population by area and single year of age (ONS
mid-year estimate layout), for the equity dashboard's rates per 10,000 young people."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.analytics import population
from thrive.analytics.locations import analytics_dir


class Command(BaseCommand):
    help = ("Load the resident population table (CSV in the ONS mid-year estimate layout: Code, Name, "
            "then one column per single year of age) for rates per 10,000 young people.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")

    def handle(self, *args, file, **options):
        try:
            areas = population.parse(file)
        except population.PopulationRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{len(rejected.problems)} problem(s) in {Path(file).name}: nothing was "
                               f"loaded, the table in use is unchanged.") from None
        population.save(areas, analytics_dir(), Path(file).name)
        people = sum(sum(a.bands.values()) for a in areas)
        self.stdout.write(f"Population loaded: {len(areas)} area(s), {people:,} people aged 0 to 25.")
