"""Scripts run only from our own files or inline with the response's nonce: no 'unsafe-inline'."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>", re.S)


def _script_src(response) -> str:
    policy = dict(part.strip().split(" ", 1) for part in
                  response["Content-Security-Policy"].split(";") if part.strip())
    return policy["script-src"]


def _inline_scripts(html: str) -> list[str]:
    """The attributes of every <script> the browser would run inline (not data, not a file)."""
    return [attrs for attrs in SCRIPT.findall(html)
            if "src=" not in attrs and "application/json" not in attrs]


@pytest.mark.parametrize("url", ["accounts:sign-in", "directory:search"])
def test_public_pages_allow_only_our_scripts_and_the_nonce(client, url):
    response = client.get(reverse(url))
    script_src = _script_src(response)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{16,})'", script_src).group(1)
    inline = _inline_scripts(response.content.decode())
    assert inline, "the NHS.UK template's js-enabled script is inline"
    for attrs in inline:
        assert f'nonce="{nonce}"' in attrs


def test_each_response_has_a_new_nonce(client):
    first = _script_src(client.get(reverse("accounts:sign-in")))
    second = _script_src(client.get(reverse("accounts:sign-in")))
    assert first != second


def test_signed_in_pages_carry_the_nonce_on_every_inline_script(signed_in, episode):
    for url in (reverse("care:caseload"), reverse("care:episode", args=[episode.public_id]),
                reverse("accounts:account")):
        response = signed_in.get(url)
        nonce = re.search(r"'nonce-([^']+)'", _script_src(response)).group(1)
        inline = _inline_scripts(response.content.decode())
        assert len(inline) >= 2, url  # js-enabled and initAll
        assert all(f'nonce="{nonce}"' in attrs for attrs in inline), url
        assert not re.search(r"\son[a-z]+=", response.content.decode()), url  # no handlers
