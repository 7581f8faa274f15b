"""Where the analytics page's figures live, by source.

The page can show figures from two sources, each refreshed on its own: the platform's own records
(the page's button, or `thrive refresh_analytics` from cron) and the MHSDS-style extract an
analyst last imported (`thrive import-mhsds DIR`). Neither overwrites the other.
"""

from pathlib import Path

from django.conf import settings

SOURCES = {"platform": "This platform's records", "mhsds": "The imported MHSDS extract"}


def analytics_dir() -> Path:
    return Path(getattr(settings, "THRIVE_ANALYTICS_DIR", Path(settings.VAR_DIR) / "analytics"))


def aggregates_dir(source: str = "platform") -> Path:
    if source not in SOURCES:
        raise ValueError(f"Unknown source of figures: {source}")
    return analytics_dir() / ("aggregates" if source == "platform" else f"aggregates-{source}")


def imported_extract_dir() -> Path:
    """The canonical extract of the MHSDS-style CSVs last imported for the page."""
    return analytics_dir() / "extract-mhsds"
