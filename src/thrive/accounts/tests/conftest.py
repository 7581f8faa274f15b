# The browser helpers (Chromium, pages that must all pass axe, the report hook they rely on).
from thrive.browser_tests.conftest import (  # noqa: F401 - fixtures and hook used by name
    browser,
    new_page,
    page,
    pytest_runtest_makereport,
)
