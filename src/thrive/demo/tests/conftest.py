import pytest


@pytest.fixture(autouse=True)
def _analytics_in_tmp(settings, tmp_path):
    """load_demo also loads the demo's population table (analytics): in tests it goes under the
    test's temporary folder, never the installation's var/."""
    settings.THRIVE_ANALYTICS_DIR = tmp_path / "analytics"
