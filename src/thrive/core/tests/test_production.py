"""Production mode (decision 0023): settings that refuse to start unsafe, the client's address
behind trusted proxies, /health, and logs without personal data."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

import thrive
from thrive.core import audit
from thrive.core.logs import JsonFormatter
from thrive.core.middleware import TrustedProxyMiddleware
from thrive.core.proxies import client_address

SRC = str(Path(thrive.__file__).resolve().parents[1])


def load_production_settings(**env) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter, as gunicorn or the CLI would."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": SRC,
            "DJANGO_SETTINGS_MODULE": "thrive.config.settings.production"}
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.ALLOWED_HOSTS, 'thrive.demo' in settings.INSTALLED_APPS, "
            "settings.SECURE_SSL_REDIRECT, getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**base, **env}, timeout=60)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = load_production_settings(THRIVE_ALLOWED_HOSTS="thrive.example.nhs.uk")
    assert result.returncode != 0
    assert "Set THRIVE_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts_or_with_debug_on():
    no_hosts = load_production_settings(THRIVE_SECRET_KEY="k" * 50)
    assert no_hosts.returncode != 0 and "Set THRIVE_ALLOWED_HOSTS" in no_hosts.stderr
    debug = load_production_settings(THRIVE_SECRET_KEY="k" * 50, THRIVE_ALLOWED_HOSTS="a.example",
                                     THRIVE_DEBUG="1")
    assert debug.returncode != 0 and "DEBUG is never on" in debug.stderr
    plain_http = load_production_settings(THRIVE_SECRET_KEY="k" * 50, THRIVE_ALLOWED_HOSTS="a.example",
                                          THRIVE_HTTPS="off")
    assert plain_http.returncode != 0 and "loopback" in plain_http.stderr


def test_production_settings_with_their_environment_have_no_demo_and_trust_the_proxy_for_https():
    result = load_production_settings(THRIVE_SECRET_KEY="k" * 50, THRIVE_ALLOWED_HOSTS="a.example",
                                      THRIVE_TRUSTED_PROXIES="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "['a.example']", "False", "True",
                                     "('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_the_cli_defaults_to_production_settings():
    thrive_cmd = Path(sys.executable).with_name("thrive")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": SRC}
    result = subprocess.run([str(thrive_cmd), "check"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.returncode != 0
    assert "Set THRIVE_SECRET_KEY" in result.stderr


# -- The client's address behind proxies ------------------------------------------------------


def test_the_client_is_the_address_the_outermost_trusted_proxy_saw():
    # client 203.0.113.9 -> load balancer (appends 203.0.113.9) -> nginx (appends the LB's 10.0.0.2)
    assert client_address("10.0.0.3", "203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"
    # Whatever the client wrote itself, further left, is ignored.
    assert client_address("10.0.0.3", "1.2.3.4, 203.0.113.9, 10.0.0.2", 2) == "203.0.113.9"
    assert client_address("10.0.0.2", "1.2.3.4, 203.0.113.9", 1) == "203.0.113.9"


def test_without_trusted_proxies_or_a_usable_header_the_connection_address_stands():
    assert client_address("198.51.100.7", "1.2.3.4", 0) == "198.51.100.7"
    assert client_address("10.0.0.2", None, 1) == "10.0.0.2"
    assert client_address("10.0.0.2", "203.0.113.9", 2) == "10.0.0.2"  # too few hops
    assert client_address("10.0.0.2", "not-an-address", 1) == "10.0.0.2"


@pytest.mark.parametrize(("trusted", "expected"), [(0, "10.0.0.2"), (1, "203.0.113.9")])
def test_the_audit_log_sees_the_client_behind_a_trusted_proxy(trusted, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    with override_settings(THRIVE_TRUSTED_PROXIES=trusted):
        middleware = TrustedProxyMiddleware(lambda r: HttpResponse(audit.client_ip(r)))
    assert middleware(request).content.decode() == expected


# -- /health ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_answers_without_sign_in_with_the_database_and_migrations(client, tmp_path, settings):
    settings.THRIVE_ANALYTICS_DIR = tmp_path
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "reachable", "migrations": "applied",
                    "analytics": {"refreshed_at": None, "age_seconds": None}}
    assert response["Cache-Control"] == "no-store"


def _figures_refreshed(directory: Path, hours_ago: float) -> None:
    (directory / "aggregates").mkdir(parents=True)
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    (directory / "aggregates" / "meta.json").write_text(json.dumps({"refreshed_at": at.isoformat()}))


@pytest.mark.django_db
def test_health_reports_the_age_of_the_dashboards_figures(client, tmp_path, settings, monkeypatch):
    settings.THRIVE_ANALYTICS_DIR = tmp_path
    _figures_refreshed(tmp_path, hours_ago=3)
    body = client.get("/health").json()
    assert 3 * 3600 - 60 <= body["analytics"]["age_seconds"] <= 3 * 3600 + 60
    monkeypatch.setenv("THRIVE_HEALTH_MAX_ANALYTICS_AGE_HOURS", "2")
    stale = client.get("/health")
    assert stale.status_code == 503 and stale.json()["status"] == "fail"
    monkeypatch.setenv("THRIVE_HEALTH_MAX_ANALYTICS_AGE_HOURS", "4")
    assert client.get("/health").status_code == 200


@pytest.mark.django_db
def test_health_fails_when_a_migration_is_not_applied(client, tmp_path, settings, monkeypatch):
    settings.THRIVE_ANALYTICS_DIR = tmp_path
    from thrive.core import health

    monkeypatch.setattr(health, "migrations_check", lambda: (False, "1 not applied"))
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["migrations"] == "1 not applied"


# -- Logs -------------------------------------------------------------------------------------


def test_json_logs_keep_where_an_error_happened_but_not_what_it_said():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("thrive.test.production")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("NHS number 9434765919 for Jo Bloggs is wrong")
        except ValueError:
            logger.exception("Internal Server Error: /young-people/")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["level"] == "ERROR" and line["message"] == "Internal Server Error: /young-people/"
    assert line["exception"] == "ValueError"
    assert any("test_production.py" in frame for frame in line["frames"])
    assert "9434765919" not in stream.getvalue() and "Bloggs" not in stream.getvalue()
