import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.analytics.platform_extract import build_platform_extract
from thrive.analytics.pseudonymise import ENV_VAR, KeyMissing, load_key, pseudonymise_extract
from thrive.core import audit, progress
from thrive.core.models import AuditEvent


class Command(BaseCommand):
    help = ("Write a pseudonymised analytical extract (Parquet, the canonical schema): people and "
            "referrals under stable HMAC-SHA256 pseudonyms, no names, NHS numbers, dates of birth, "
            "postcodes or free text. The key comes from --key-file or $" + ENV_VAR + " and is never "
            "written to the extract; without one nothing is written. The export is audited.")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory to write the extract to")
        parser.add_argument("--key-file", help=f"file holding the secret key (default: ${ENV_VAR})")
        parser.add_argument("--extract", help="pseudonymise this canonical extract (import_mhsds / "
                                              "build_extract) instead of the platform's own records")

    def handle(self, *args, **options):
        with progress.shown(self.stderr):  # a live bar on a terminal, plain lines in logs
            return self._handle(**options)

    def _handle(self, *, out, key_file=None, extract=None, **options):
        out = Path(out).resolve()
        if key_file is not None and Path(key_file).resolve().is_relative_to(out):
            raise CommandError("The key file must be kept outside the extract directory.")
        try:
            key = load_key(key_file)
        except KeyMissing as exc:
            raise CommandError(str(exc)) from None
        with tempfile.TemporaryDirectory(prefix="thrive-pseudo-") as tmp:
            if extract is None:
                source = Path(tmp) / "extract"
                build_platform_extract(source)
            else:
                source = Path(extract)
                if not (source / "manifest.json").exists():
                    raise CommandError(f"{source} is not a canonical extract (no manifest.json)")
            manifest = pseudonymise_extract(source, out, key)
        rows = ", ".join(f"{n} {name}" for name, n in manifest["rows"].items())
        audit.record(None, AuditEvent.Action.EXPORT, username="thrive export_pseudonymised",
                     detail=f"pseudonymised analytical extract ({manifest['source']}): {rows}; to {out}")
        self.stdout.write(f"Pseudonymised extract written to {out}: {rows}.")
