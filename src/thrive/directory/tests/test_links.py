"""Links from feeds: only plain http(s) addresses are imported, rendered or published."""

import copy
import json

import pytest
from django.test import Client
from django.urls import reverse

from thrive.directory import links
from thrive.directory.importer import ImportRejected, import_services
from thrive.directory.models import Organization, Service

from .conftest import example

HOSTILE = [
    "javascript:alert(document.domain)",
    "javascript://example.org/%0aalert(document.domain)",
    "JaVaScRiPt://example.org/%0aalert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example.org/",
    "/relative/path",
    "https://",
    "http:///no-host",
    "https://user:pass@example.org/",
    "https://example.org/\u200bhidden",
    'https://example.org/" onclick="alert(1)',
    "https://exa mple.org/",
    "ftp://example.org/file",
]
SAFE = ["https://example.org", "http://example.com/counselling", "HTTPS://Example.org/a?b=c#d",
        "https://northvale-mind.example.org:8443/path"]

# Where each web address sits in the standard's fully nested service example.
URL_FIELDS = [
    ("url",), ("schedules", 0, "schedule_link"), ("organization", "website"),
    ("organization", "logo"), ("organization", "uri"),
    ("service_at_locations", 0, "location", "accessibility", 0, "url"),
    ("attributes", 0, "taxonomy_term", "term_uri"),
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_addresses_are_not_links(value):
    assert not links.is_safe_url(value)
    assert links.safe_url(value) == ""


@pytest.mark.parametrize("value", SAFE)
def test_plain_web_addresses_are_links(value):
    assert links.is_safe_url(value)


def _set(record, path, value):
    target = record
    for step in path[:-1]:
        target = target[step]
    assert path[-1] in target, path
    target[path[-1]] = value


@pytest.mark.django_db
@pytest.mark.parametrize("path", URL_FIELDS, ids=lambda p: ".".join(map(str, p)))
@pytest.mark.parametrize("value", ["javascript://example.org/%0aalert(document.domain)",
                                   "data:text/html,<script>alert(1)</script>",
                                   " VBScript:msgbox(1)"])
def test_an_import_refuses_a_hostile_address_in_every_url_field(path, value):
    record = copy.deepcopy(example("service_full"))
    _set(record, path, value)
    with pytest.raises(ImportRejected) as rejected:
        import_services([record])
    fields = [p.field for p in rejected.value.problems]
    assert any(f.endswith(str(path[-1])) for f in fields), fields
    assert Service.objects.count() == 0 and Organization.objects.count() == 0


@pytest.fixture
def stored_hostile(db):
    """A record that got in before links were checked: stored as it came."""
    import_services([example("service_full")])
    service = Service.objects.get()
    service.data = {**service.data, "url": "javascript://example.org/%0aalert(document.domain)"}
    service.save()
    org = service.organization
    org.data = {**org.data, "website": "data:text/html,<b onclick=alert(1)>x</b>",
                "logo": "vbscript:msgbox(1)"}
    org.save()
    return service


def test_a_stored_hostile_address_is_not_rendered_as_a_link(stored_hostile):
    response = Client().get(reverse("directory:service", args=[stored_hostile.oruk_id]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "javascript" not in text.lower() and "Website" not in text


def test_a_safe_address_is_rendered_as_a_link(db):
    import_services([example("service_full")])
    service = Service.objects.get()
    text = Client().get(reverse("directory:service", args=[service.oruk_id])).content.decode()
    assert 'href="http://example.com/counselling"' in text


def test_a_stored_hostile_address_is_never_published(stored_hostile):
    api = Client()
    for path in (f"/openreferral/services/{stored_hostile.oruk_id}", "/openreferral/services",
                 f"/openreferral/organizations/{stored_hostile.organization.oruk_id}",
                 "/openreferral/organizations", "/openreferral/service_at_locations"):
        body = json.dumps(api.get(path).json()).lower()
        assert "javascript" not in body and "data:text" not in body and "vbscript" not in body, path
