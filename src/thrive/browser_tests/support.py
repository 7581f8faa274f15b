"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server, and
axe-core checks every page a test visits against WCAG 2.2 AA.

Use the `page` fixture (or `new_page` for another viewport), sign in with `sign_in`, and call
`assert_accessible(page)` on every page the test reaches. The `page` fixture fails a passing
test that left a page unchecked, so a new step cannot quietly skip the accessibility check.

Browser tests in other packages import what they use from here; a conftest there should also
import `pytest_runtest_makereport`, which the unchecked-page guard and failure screenshots need.
"""

import itertools
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from thrive.conftest import PASSWORD

# Playwright's sync API runs an event loop in the test thread, so Django would refuse ORM calls
# from the test (SynchronousOnlyOperation) while a browser is open. Nothing here is async.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Generous waits: the suite shares a small machine with other work, and a slow page is not a
# failure. A missing element still fails, after the wait.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("THRIVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
OFF_SITE = re.compile(r"^(?!https?://(localhost|127\.0\.0\.1)[:/]|data:|about:)")


def _axe_script() -> Path:
    path = Path(settings.PROJECT_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `npm ci` in the repository root", pytrace=False)
    return path


# -- The browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One Chromium per test process. Defined once (the root conftest imports it) and session
    scoped: two live Playwright instances in one process refuse to start ("Sync API inside the
    asyncio loop"), which per-package copies did under pytest-xdist."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM}: `apt-get install chromium` (never "
                    "`playwright install`), or set THRIVE_CHROMIUM", pytrace=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test passed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class Visits:
    """Every document the page loaded, and which of them axe has checked."""

    def __init__(self):
        self.urls: list[str] = []
        self.checked: set[int] = set()
        self.errors: list[str] = []
        self.csp: list[str] = []

    def unchecked(self) -> list[str]:
        return [url for i, url in enumerate(self.urls) if i not in self.checked]


_visits: dict[int, Visits] = {}
_shots = itertools.count(1)


@pytest.fixture
def new_page(browser, live_server, request, tmp_path):
    """Open a fresh browser context and page: `new_page(viewport=PHONE, is_mobile=True)`."""
    opened = []

    def open_page(viewport=DESKTOP, **context_options):
        context = browser.new_context(
            viewport=viewport, locale="en-GB", timezone_id="Europe/London",
            base_url=live_server.url, **context_options,
        )
        context.set_default_timeout(20_000)
        context.route(OFF_SITE, lambda route: route.abort())  # hermetic: no internet
        context.add_init_script(script=_REPORT_CSP)
        page = context.new_page()
        record = _visits[id(page)] = Visits()
        page.on("domcontentloaded", lambda p: record.urls.append(p.url))
        page.on("pageerror", lambda error: record.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: _note_csp(record, page, message))
        opened.append((context, page))
        return page

    yield open_page

    call = getattr(request.node, "rep_call", None)
    problems = []
    for n, (context, page) in enumerate(opened):
        record = _visits.pop(id(page))
        if call is not None and call.failed:
            shot = tmp_path / f"failure-{n}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                print(f"Screenshot of {page.url} at failure: {shot}")
            except Exception as exc:  # the page may already be gone
                print(f"No screenshot: {exc}")
        elif call is not None and call.passed:
            problems += [f"page not checked with assert_accessible: {url}"
                         for url in record.unchecked()]
            problems += [f"JavaScript error: {error}" for error in record.errors]
            problems += [f"Content Security Policy violation: {v}" for v in record.csp]
        context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# Every page reports what the Content Security Policy blocked (an inline script or handler, a
# style attribute, a request elsewhere); Chromium also logs each to the console. A test that
# passes fails all the same if anything was blocked.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""


def _note_csp(record, page, message) -> None:
    text = message.text
    if message.type == "error" and ("CSP violation" in text or "Content Security Policy" in text):
        record.csp.append(f"{page.url}: {text}")


def csp_violations(page) -> list[str]:
    """What the Content Security Policy has blocked on this page so far."""
    return list(_visits[id(page)].csp)


@pytest.fixture
def page(new_page):
    return new_page()


# -- Accessibility --------------------------------------------------------------------------


def _describe(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'unknown impact'}): {v['help']}")
        lines.append(f"  {v['helpUrl']}")
        for node in v["nodes"][:5]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}")
            if summary:
                lines.append(f"       {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.0, 2.1 and 2.2 A and AA rules) on the page as it is now; fail with a
    readable list of violations. Call it again after the page changes (errors shown, etc.)."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol rather than added as a <script>: the page's
        # Content Security Policy rightly blocks an inline script without its nonce.
        page.evaluate(_axe_script().read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    record = _visits.get(id(page))
    if record is not None and record.urls:
        record.checked.add(len(record.urls) - 1)
    if os.environ.get("THRIVE_BROWSER_SCREENSHOTS"):  # a directory: keep a picture of each page
        folder = Path(os.environ["THRIVE_BROWSER_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{next(_shots):03}.png"
        page.screenshot(path=str(shot), full_page=True)
    if results["violations"]:
        title = page.title()
        pytest.fail(
            f"axe-core found WCAG 2.2 AA violations on {page.url} ({title!r}):\n"
            + _describe(results["violations"]),
            pytrace=False,
        )


# -- Common steps ---------------------------------------------------------------------------


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and land on the caseload; axe checks both pages."""
    page.goto(reverse("care:caseload"))
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"caseload$"))
    assert_accessible(page)
