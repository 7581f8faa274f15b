from django.core.management.base import BaseCommand

from thrive.directory import services


class Command(BaseCommand):
    help = "Load the synthetic Northvale community directory and postcode table (safe to repeat)."

    def handle(self, *args, **options):
        result, postcodes = services.load_demo()
        self.stdout.write(
            f"Directory: {result.created} services added, {result.updated} updated, "
            f"{result.unchanged} unchanged; {postcodes} postcodes loaded."
        )
