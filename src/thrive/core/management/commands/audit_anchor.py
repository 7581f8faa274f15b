from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from thrive.core import audit

ANCHOR_DIR_VAR = "THRIVE_AUDIT_ANCHOR_DIR"


class Command(BaseCommand):
    help = ("Write a signed anchor of the audit log's head (entry count, last id, last hash, time, "
            "key id) as a new file, for the operator to ship somewhere the database's writers "
            "cannot reach. `thrive verify_audit_chain --anchor` checks the log against it.")

    def add_arguments(self, parser):
        parser.add_argument("--to", metavar="DIR",
                            help=f"Directory for the anchor file (default ${ANCHOR_DIR_VAR}, "
                                 "or var/audit-anchors).")

    def handle(self, *args, to=None, **options):
        directory = Path(to or settings.THRIVE_AUDIT_ANCHOR_DIR)
        path = audit.write_anchor(directory)
        self.stdout.write(f"Audit anchor written: {path}")
