"""thrive demo_signins: the demo users to sign in as, and their password."""

from django.core.management.base import BaseCommand, CommandError

from thrive.demo import signins


class Command(BaseCommand):
    help = "Show the demo sign-ins (username, role, agency, password)."

    def handle(self, *args, **options):
        found = signins.rows()
        if not found:
            raise CommandError("No demo users in this database. Run: thrive load_demo")
        self.stdout.write(signins.table(found))
