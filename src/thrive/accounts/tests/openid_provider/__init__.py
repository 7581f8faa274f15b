"""A real OpenID provider for the single sign-on tests: panva's `oidc-provider` from npm
(package.json, installed by `npm ci` in scripts/setup), run by server.mjs on a free loopback port.
`start` launches it and waits for its `listening` line; `stop` ends it. Its standard input is a
pipe from the test run: if the run dies without stopping it, the pipe closes and it exits."""

import json
import os
import re
import select
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from thrive.accounts.sso_settings import Provider

SERVER = Path(__file__).with_name("server.mjs")
CLIENT_ID = "thrive-platform"
CLIENT_SECRET = "test-client-secret-" + "x" * 24
PROVIDER_NAME = "test"
PROVIDER_LABEL = "your organisation (test)"

# The people the provider knows. Subjects are opaque and stable; e-mail addresses are not
# trusted for matching, so two of them deliberately share one.
ACCOUNTS = {
    "alice.adams": {"password": "alice-at-the-provider", "claims": {
        "sub": "248289761001", "email": "alice.adams@nhs.example", "email_verified": True,
        "given_name": "Alice", "family_name": "Adams"}},
    "alice.other": {"password": "other-at-the-provider", "claims": {
        "sub": "248289761999", "email": "alice.adams@nhs.example", "email_verified": True,
        "given_name": "Alice", "family_name": "Other"}},
    "dan.departed": {"password": "dan-at-the-provider", "claims": {
        "sub": "248289761002", "email": "dan@nhs.example", "email_verified": True,
        "given_name": "Dan", "family_name": "Departed"}},
    "sam.stranger": {"password": "sam-at-the-provider", "claims": {
        "sub": "248289761003", "email": "sam@council.example", "email_verified": True,
        "given_name": "Sam", "family_name": "Stranger"}},
}


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    log: Path

    def provider(self, **overrides) -> Provider:
        """The platform's settings for this provider."""
        fields = dict(name=PROVIDER_NAME, label=PROVIDER_LABEL, issuer=self.issuer,
                      client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        fields.update(overrides)
        return Provider(**fields)

    def configure(self, settings, **overrides) -> Provider:
        provider = self.provider(**overrides)
        settings.THRIVE_OIDC_PROVIDERS = {provider.name: provider}
        return provider


def start(workdir: Path, base_urls: list[str]) -> RunningProvider:
    """Start the provider with one client whose redirect URIs are the platform's at each base
    URL (the test client's http://testserver, a live server's http://127.0.0.1:port)."""
    callback = f"/account/sign-in/sso/{PROVIDER_NAME}/callback/"
    client = {
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "redirect_uris": [base + callback for base in base_urls],
        "post_logout_redirect_uris": [base + "/account/sign-in/" for base in base_urls],
    }
    config = {
        # The same platform registered twice: with the default client authentication at the
        # token endpoint, and with the secret in the form body (as some providers require).
        "clients": [client, {**client, "client_id": CLIENT_ID + "-post",
                             "token_endpoint_auth_method": "client_secret_post"}],
        "accounts": ACCOUNTS,
    }
    config_file = workdir / "provider.json"
    config_file.write_text(json.dumps(config))
    log = workdir / "provider.log"
    node = os.environ.get("THRIVE_NODE", "node")
    with open(log, "w") as errors:
        process = subprocess.Popen(
            [node, str(SERVER), str(config_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errors, start_new_session=True, text=True)
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            break
    match = re.match(r"listening (http://127\.0\.0\.1:\d+)$", line.strip())
    if match is None:
        stop(process)
        raise RuntimeError(f"The OpenID provider did not start (is `npm ci` done?):\n"
                           f"{log.read_text()[-3000:]}")
    return RunningProvider(issuer=match.group(1), process=process, log=log)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream:
            stream.close()


# --- Driving the provider over HTTP, as a browser would ---------------------------------------

def sign_in_at_provider(authorize_url: str, username: str, password: str,
                        session: requests.Session | None = None,
                        stop_at: str = "http://testserver") -> str:
    """Follow the platform's redirect to the provider, fill in its sign-in form, and follow the
    provider's redirects until one leads back to the platform; return that URL."""
    session = session or requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        if response.status_code in (302, 303):
            location = requests.compat.urljoin(response.url, response.headers["Location"])
            if location.startswith(stop_at):
                return location
            response = session.get(location, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, response.text[-2000:]
        action = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert action, f"no sign-in form at the provider: {response.text[-2000:]}"
        response = session.post(requests.compat.urljoin(response.url, action.group(1)),
                                data={"username": username, "password": password},
                                allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back to the platform")
