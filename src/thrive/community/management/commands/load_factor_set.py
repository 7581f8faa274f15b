"""thrive load_factor_set [FILE.json]: load a Community THRIVE factor set (default pi-2013)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.community import services
from thrive.core.rules import RuleBroken


class Command(BaseCommand):
    help = ("Load a Community THRIVE factor set from a JSON file (default: the shipped pi-2013). "
            "A set already used by an assessment cannot change: give a changed set a new "
            "version.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The factor set's JSON file")

    def handle(self, *args, file=None, **options):
        path = Path(file) if file else None
        if path is not None and not path.is_file():
            raise CommandError(f"No file at {path}")
        try:
            factor_set = services.load_factor_set(path)
        except RuleBroken as broken:
            raise CommandError(broken.message) from None
        except (KeyError, ValueError) as problem:
            raise CommandError(f"Not a factor set file: {problem}") from None
        self.stdout.write(f"Loaded {factor_set}: {factor_set.factors.count()} factors in "
                          f"{factor_set.clusters.count()} clusters.")
