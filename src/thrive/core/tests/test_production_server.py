"""The production server as an operator starts it (decision 0023): `scripts/serve` with
production settings (DEBUG off, gunicorn, WhiteNoise) on loopback, a small synthetic locality in
a temporary SQLite file, and a browser that signs in, opens the caseload and a record, with axe
checking every page."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

import thrive
from thrive.browser_tests.support import assert_accessible

SRC = Path(thrive.__file__).resolve().parents[1]
ROOT = SRC.parent
VENV = Path(sys.executable).parents[1]
DEMO_PASSWORD = "thrive-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _thrive(env: dict, *args: str) -> None:
    result = subprocess.run([str(VENV / "bin" / "thrive"), *args], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture
def production_server(tmp_path):
    port = _free_port()
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(SRC),
            "HOME": str(tmp_path), "THRIVE_HOME": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'thrive.sqlite3'}",
            "THRIVE_ANALYTICS_DIR": str(tmp_path / "analytics")}
    # The locality is made with the test settings (the demo app is not installed in production).
    demo = {**base, "DJANGO_SETTINGS_MODULE": "thrive.config.settings.test"}
    _thrive(demo, "migrate", "--verbosity", "0")
    _thrive(demo, "load_demo", "--seed", "2026", "--young-people", "40")
    production = {**base, "THRIVE_SECRET_KEY": "smoke-test-" + "x" * 40,
                  "THRIVE_ALLOWED_HOSTS": "127.0.0.1", "THRIVE_HTTPS": "off",
                  "THRIVE_STATIC_ROOT": str(tmp_path / "static"), "THRIVE_STATIC_COMPRESS": "off",
                  "THRIVE_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
                  "THRIVE_SKIP_SETUP": "1", "THRIVE_VENV": str(VENV)}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen([str(ROOT / "scripts" / "serve")], env=production, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("The server did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
            time.sleep(0.5)
        yield url, tmp_path / "server.log"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.mark.browser
def test_the_production_server_signs_in_shows_a_caseload_and_a_record(browser, production_server):
    url, log = production_server
    context = browser.new_context(base_url=url, locale="en-GB", timezone_id="Europe/London",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/")
        expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
        # The page's stylesheet comes from the application itself (WhiteNoise), with DEBUG off.
        stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
        assert context.request.get(stylesheet).ok
        assert_accessible(page)
        page.get_by_label("Username").fill("camhs.practitioner")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"caseload$"))
        assert_accessible(page)
        page.locator("table a[href^='/episodes/'], table a").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        record = page.locator("a[href^='/young-people/']").filter(
            has_text=re.compile(r"record", re.I)).first
        if record.count():
            record.click()
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert_accessible(page)
        # An unknown page is the product's own 404, not Django's debug page.
        missing = page.goto("/no-such-page/")
        assert missing.status == 404 and "Traceback" not in page.content()
        assert errors == []
    finally:
        context.close()
    # The access log is JSON, one request a line, with paths and no query strings.
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    assert any('"path": "/account/sign-in/"' in line for line in lines), lines[:5]
