"""thrive refresh_assessment_evidence: extract the platform's records for the self-assessment's
live evidence (what the moderation page's "Recompute evidence" button does), e.g. from cron."""

from django.core.management.base import BaseCommand

from thrive.assessment import sources


class Command(BaseCommand):
    help = "Extract the platform's records for the THRIVE self-assessment's live evidence."

    def handle(self, *args, **options):
        manifest = sources.refresh_platform()
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Extracted {rows:,} rows to {sources.extract_dir('platform')} "
                "for the self-assessment evidence."
            )
        )
