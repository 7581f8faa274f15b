import tempfile
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from thrive.analytics import metrics
from thrive.analytics.engine import connect
from thrive.core import progress


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = ("The national CYP outcomes metric: the per-referral CSV of the metric output contract "
            "(mhsds-extract.md) and the published percentages MHS110-MHS115.")
    # It reads files (or the records through the ORM) and serves nothing: Django's system checks
    # would import every URL and view first, which cost more than the metric at a million people.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True,
                            help="mhsds:DIR (CSV extract), extract:DIR (canonical Parquet) or platform")
        parser.add_argument("--from", dest="period_from", required=True, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--to", dest="period_to", required=True, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--out", required=True, help="the per-referral CSV to write")

    def handle(self, *args, **options):
        with progress.shown(self.stderr):  # a live bar on a terminal, plain lines in logs
            return self._handle(**options)

    def _handle(self, *, source, period_from, period_to, out, **options):
        start, end = _date(period_from), _date(period_to)
        if end < start:
            raise CommandError("--to is before --from")
        with tempfile.TemporaryDirectory(prefix="thrive-cyp-") as tmp:
            extract = self._extract(source, Path(tmp) / "extract")
            con = connect(extract)
            with progress.stage("the CYP outcomes metric", unit=""):
                table = metrics.compute_cyp_outcomes(con, start, end)
            with progress.stage("the per-referral CSV and published figures", unit=""):
                metrics.write_cyp_outcomes_csv(con, table, out)
                published = metrics.published_figures(con, table)
        self.stdout.write(f"Per-referral table written to {out}.")
        self.stdout.write(format_published(published.figures))

    def _extract(self, source: str, scratch: Path) -> Path:
        # The importers are loaded only for the source that needs them (start-up time).
        if source == "platform":
            from thrive.analytics.platform_extract import build_platform_extract
            build_platform_extract(scratch)
            return scratch
        kind, _, path = source.partition(":")
        if kind == "extract" and path:
            return Path(path)
        if kind == "mhsds" and path:
            from thrive.analytics.mhsds_import import ImportRejected, import_mhsds
            try:
                import_mhsds(path, scratch)
            except ImportRejected as rejected:
                for problem in rejected.problems:
                    self.stderr.write(f"  {problem}")
                raise CommandError(f"{len(rejected.problems)} problem(s) in the extract.") from None
            return scratch
        raise CommandError("--source must be mhsds:DIR, extract:DIR or platform")


def _pct(value) -> str:
    return "-" if value is None else f"{value}%"


def format_published(figures: dict) -> str:
    lines = [
        f"MHS110 closed referrals with two or more contacts: {figures['MHS110']}",
        f"MHS111 with an assessment (any rater): {_pct(figures['MHS111'])}",
        f"MHS112 with paired scores (any rater): {_pct(figures['MHS112'])}",
    ]
    for code in ("MHS113", "MHS114", "MHS115"):
        f = figures[code]
        lines.append(f"{code} {f['rater']}-rated, {f['paired']} paired: "
                     f"improvement {_pct(f['improvement'])}, "
                     f"deterioration {_pct(f['deterioration'])}, no change {_pct(f['no_change'])}")
    return "\n".join(lines)
