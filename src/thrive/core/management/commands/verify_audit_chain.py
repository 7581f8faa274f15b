from django.core.management.base import BaseCommand, CommandError

from thrive.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check that no audit log entry has been changed, removed or inserted out of order."

    def handle(self, *args, **options):
        check = verify_chain()
        if not check.intact:
            raise CommandError(
                f"Audit chain broken at entry {check.first_broken_id} "
                f"(after checking {check.entries} entries)."
            )
        self.stdout.write(f"Audit chain intact: {check.entries} entries checked.")
