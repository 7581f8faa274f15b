from django.core.management.base import BaseCommand, CommandError

from thrive.core import audit, audit_keys


class Command(BaseCommand):
    help = ("Check that no audit log entry has been changed, removed or inserted out of order "
            "(keyed hashes), and, with --anchor, that the log still holds the anchored head.")

    def add_arguments(self, parser):
        parser.add_argument("--anchor", metavar="FILE|DIR",
                            help="An anchor file written by `thrive audit_anchor`, or a directory "
                                 "of them (the newest is used).")

    def handle(self, *args, anchor=None, **options):
        try:
            head = audit.read_anchor(anchor) if anchor else None
            check = audit.verify_chain(head)
        except (audit.AnchorError, audit_keys.AuditKeyError) as error:
            raise CommandError(str(error)) from None
        if not check.intact:
            raise CommandError(f"Audit chain broken: {check.problem} "
                               f"(after checking {check.entries} entries).")
        against = f"; the anchored head of {head['at']} is in place" if head else ""
        self.stdout.write(f"Audit chain intact: {check.entries} entries checked{against}.")
