"""The Open Referral UK schemas, resolved from the copies in `data/oruk/` (never the network).

The UK profile's OpenAPI document and the HSDS schemas name each other by their published URLs
(`https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/...`). A local
`referencing` registry maps those URLs to the files shipped with this app, so validation works
offline and always against the version we copied (see `data/oruk/SOURCE`).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import links

DATA = Path(__file__).resolve().parent / "data" / "oruk"
PUBLISHED_BASE = "https://raw.githubusercontent.com/openreferral/uk-profile/main/"
OPENAPI_URI = "urn:thrive:oruk:openapi30"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    resources = []
    for path in sorted((DATA / "schema").rglob("*.json")):
        uri = PUBLISHED_BASE + path.relative_to(DATA).as_posix()
        resources.append((uri, Resource(contents=_load(path), specification=DRAFT202012)))
    resources.append(
        (OPENAPI_URI, Resource(contents=openapi(), specification=DRAFT202012))
    )
    return Registry().with_resources(resources)


@cache
def openapi() -> dict:
    return _load(DATA / "openapi30.json")


# -- Formats: checked, not just annotated ------------------------------------------------------

format_checker = FormatChecker()


@format_checker.checks("uuid", raises=ValueError)
def _is_uuid(value) -> bool:
    if not isinstance(value, str):
        return True
    return str(uuid.UUID(value)) == value.lower()


@format_checker.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value)
    return "T" in value or " " in value


@format_checker.checks("uri", raises=ValueError)
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    if links.is_safe_url(value):
        return True
    # Not a web link: only identifiers that no browser runs (never `javascript://host/...`).
    parts = urlsplit(value)
    return (parts.scheme.lower() in ("mailto", "tel", "urn") and parts.scheme.islower()
            and not parts.netloc and not links.has_unsafe_chars(value))


@format_checker.checks("email")
def _is_email(value) -> bool:
    if not isinstance(value, str):
        return True
    local, _, domain = value.partition("@")
    return bool(local) and "." in domain and " " not in value


def validator_for_ref(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref}, registry=registry(), format_checker=format_checker)


@cache
def schema_validator(relative: str) -> Draft202012Validator:
    """A validator for one of the standard's schemas, e.g. `schema/compiled/service.json`."""
    return validator_for_ref(PUBLISHED_BASE + relative)


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@cache
def response_validator(path: str) -> Draft202012Validator:
    """A validator for the 200 JSON response of a GET `path` in the UK profile's OpenAPI document
    (e.g. "/services/{id}"). Paths the profile does not list (organizations) use the compiled
    HSDS schemas directly."""
    if path == "/organizations":
        return Draft202012Validator({
            "allOf": [{"$ref": f"{OPENAPI_URI}#/components/schemas/Page"}],
            "properties": {"contents": {"type": "array", "items": {
                "$ref": PUBLISHED_BASE + "schema/compiled/organization_list.json"}}},
        }, registry=registry(), format_checker=format_checker)
    if path == "/organizations/{id}":
        return schema_validator("schema/compiled/organization.json")
    pointer = _pointer("paths", path, "get", "responses", "200", "content",
                       "application/json", "schema")
    return validator_for_ref(f"{OPENAPI_URI}#/{pointer}")


def errors(validator: Draft202012Validator, instance) -> list[tuple[str, str]]:
    """Each problem as (where in the record, what is wrong), in a stable order."""
    found = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".")
        found.append((where or "(record)", error.message))
    return found
