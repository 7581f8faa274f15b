"""Importing a directory published as Open Referral UK: validate everything, then write it all
in one transaction, or write nothing.

Accepts a fully nested service, a list of them, or a page of them (`{"contents": [...]}`), from a
file or from a feed URL (paging through `/services`, then fetching each `/services/{id}`).
Re-importing the same records changes nothing: each record carries a hash of what was received,
and an unchanged hash is skipped.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, time
from urllib.parse import quote, urlencode, urljoin
from urllib.request import HTTPRedirectHandler, Request, build_opener

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import links, oruk_schema, schedules, taxonomy
from .models import (
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from .postcodes import normalise_postcode

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NESTED = ("schedules", "service_at_locations", "attributes", "organization")
MAX_FEED_PAGES = 1000
# A feed answer bigger than this is refused rather than read into memory (a full service record
# is a few kilobytes; a page of 100, well under a megabyte).
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# A service id from a feed becomes one path segment under {base}/services/: nothing that could
# climb out of it or add a query.
SAFE_ID = re.compile(r"[A-Za-z0-9._~:-]{1,250}")
# The longest text any field may hold, and the fields kept in columns with a tighter limit: a
# record over a limit is refused with its field named (on SQLite and PostgreSQL alike).
MAX_TEXT = 20_000
NAME_LIMIT = Service._meta.get_field("name").max_length
SUMMARY_PARTS = ("schedules", "service_at_locations", "attributes")


@dataclass(frozen=True)
class Problem:
    record: str
    field: str
    message: str

    def __str__(self):
        return f"{self.record}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """The import was refused; `problems` says which record and field, and nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was imported")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    warnings: list[Problem] = field(default_factory=list)
    # (service name, what happened to it: created, updated, unchanged, restored, retired)
    report: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated


def content_hash(obj) -> str:
    return hashlib.sha256(
        json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


# -- Reading ----------------------------------------------------------------------------------


def services_in(payload) -> list:
    """The services in a payload: one service, a list, or a page with `contents`."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("contents"), list):
        return payload["contents"]
    if isinstance(payload, dict) and "id" in payload:
        return [payload]
    raise ImportRejected([Problem("payload", "(document)",
                                  "expected a service, a list of services or a page with "
                                  "'contents'")])


def read_file(path) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            return services_in(json.load(handle))
    except json.JSONDecodeError as exc:
        raise ImportRejected([Problem(str(path), f"line {exc.lineno}", f"not JSON: {exc.msg}")]) from None
    except OSError as exc:
        raise ImportRejected([Problem(str(path), "(file)", exc.strerror or str(exc))]) from None


class _StayUnderBase(HTTPRedirectHandler):
    """Follow a redirect only to another address under the feed's base."""

    def __init__(self, base: str):
        self.base = base

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.startswith(self.base):
            raise ImportRejected([Problem(req.full_url, "(redirect)",
                                          f"the feed redirected to {newurl[:200]}, which is not "
                                          f"under {self.base}; nothing was imported")])
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def feed_opener(base: str):
    """An opener for one feed: http(s) only, redirects only under the feed's base."""
    return build_opener(_StayUnderBase(base)).open


def _get_json(url: str, opener):
    request = Request(url, headers={"Accept": "application/json",
                                    "User-Agent": "THRIVE-directory-import"})
    try:
        with opener(request, timeout=30) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise ImportRejected([Problem(url, "(response)",
                                          f"larger than {MAX_RESPONSE_BYTES:,} bytes; not read")])
        return json.loads(body.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportRejected([Problem(url, "(response)", f"not JSON: {exc.msg}")]) from None
    except UnicodeDecodeError:
        raise ImportRejected([Problem(url, "(response)", "not UTF-8 text")]) from None
    except OSError as exc:
        raise ImportRejected([Problem(url, "(request)", str(exc))]) from None


def _refuse(where: str, field_name: str, message: str):
    raise ImportRejected([Problem(where, field_name, message + "; nothing was imported")])


def feed_base(base_url: str) -> str:
    base = (base_url or "").strip().rstrip("/") + "/"
    if not links.is_safe_url(base):
        _refuse(base_url, "(feed)", "a feed must be an http:// or https:// address")
    return base


def read_feed(base_url: str, *, per_page: int = 100, opener=None) -> list:
    """Page through `{base}/services` until the feed's own paging says it is done, then fetch
    each fully nested `{base}/services/{id}`. A feed whose paging cannot be trusted (no
    `last_page` or `total_pages`, a page that repeats services, a count that does not add up,
    more pages than MAX_FEED_PAGES) is refused whole."""
    base = feed_base(base_url)
    opener = opener or feed_opener(base)
    ids: list[str] = []
    seen: set[str] = set()
    expected_total = None
    page = 1
    while True:
        if page > MAX_FEED_PAGES:
            _refuse(f"{base}services", "(paging)",
                    f"the feed has more than {MAX_FEED_PAGES:,} pages; an import stops there "
                    "rather than leave services out without saying so")
        where = f"{base}services page {page}"
        listing = _get_json(urljoin(base, "services") + "?" +
                            urlencode({"page": page, "per_page": per_page}), opener)
        contents = listing.get("contents") if isinstance(listing, dict) else None
        if not isinstance(contents, list):
            _refuse(where, "contents", "the page has no list of services")
        last_page, total_pages = listing.get("last_page"), listing.get("total_pages")
        if not isinstance(last_page, bool) and not (isinstance(total_pages, int)
                                                    and not isinstance(total_pages, bool)):
            _refuse(where, "last_page",
                    "the page does not say whether it is the last (no last_page or "
                    "total_pages), so there is no knowing the whole feed was read")
        number = listing.get("page_number")
        if isinstance(number, int) and number != page:
            _refuse(where, "page_number", f"page {page} was asked for but page {number} came")
        total_items = listing.get("total_items")
        if isinstance(total_items, int) and not isinstance(total_items, bool):
            if expected_total is not None and total_items != expected_total:
                _refuse(where, "total_items",
                        f"the feed's count changed from {expected_total} to {total_items} while "
                        "it was being read")
            expected_total = total_items
        for index, summary in enumerate(contents):
            sid = summary.get("id") if isinstance(summary, dict) else None
            if not isinstance(sid, str) or not SAFE_ID.fullmatch(sid) or sid in (".", ".."):
                _refuse(where, f"contents[{index}].id",
                        f"{sid!r} is not a service id this import will fetch (letters, digits "
                        "and - . _ ~ : only)")
            if sid.lower() in seen:
                _refuse(where, f"contents[{index}].id",
                        f"service {sid} was already listed on an earlier page: the feed's pages "
                        "moved while it was being read")
            seen.add(sid.lower())
            ids.append(sid)
        done = last_page is True if isinstance(last_page, bool) else page >= total_pages
        if isinstance(total_pages, int) and isinstance(last_page, bool) and (
                last_page != (page >= total_pages)):
            _refuse(where, "last_page", f"last_page is {str(last_page).lower()} but the feed "
                                        f"says it has {total_pages} page(s)")
        if done:
            break
        if not contents:
            _refuse(where, "contents", "an empty page that is not the last page")
        page += 1
    if expected_total is not None and expected_total != len(ids):
        _refuse(f"{base}services", "total_items",
                f"the feed says it has {expected_total} services but its pages list {len(ids)}")
    return [_get_json(urljoin(base, f"services/{quote(sid, safe='')}"), opener) for sid in ids]


def read_source(source: str) -> list:
    if re.match(r"^https?://", source, re.IGNORECASE):
        return read_feed(source)
    return read_file(source)


# -- Checking ---------------------------------------------------------------------------------


def _time(value) -> time | None:
    if value in (None, ""):
        return None
    match = re.fullmatch(r"(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?", value)
    if not match:
        raise ValueError(f"'{value}' is not a time of day (HH:MM or HH:MM:SS)")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 24 or minute > 59 or second > 59 or (hour == 24 and (minute or second)):
        raise ValueError(f"'{value}' is not a time of day (HH:MM or HH:MM:SS)")
    return time(23, 59, 59) if hour == 24 else time(hour, minute, second)


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _days(value) -> str:
    if not value:
        return ""
    days = [d.strip().upper() for d in value.split(",") if d.strip()]
    # RFC 5545 allows an ordinal, e.g. "1MO" (first Monday); the weekday is what search needs.
    weekdays = [re.sub(r"^[+-]?\d+", "", d) for d in days]
    bad = [d for d in weekdays if d not in DAYS]
    if bad:
        raise ValueError(f"'{value}' has days that are not MO, TU, WE, TH, FR, SA or SU")
    return ",".join(dict.fromkeys(weekdays))


def _label(index: int, total: int, record) -> str:
    if isinstance(record, dict):
        name = record.get("name")
        return f"service {index + 1} of {total}" + (f" '{name}'" if name else "") + (
            f" (id {record.get('id')})" if record.get("id") else "")
    return f"service {index + 1} of {total}"


def _too_long(value, limit: int) -> str:
    return f"is {len(value):,} characters long; the most it can be is {limit:,}"


def _length_problems(record: dict) -> list[tuple[str, str]]:
    """Text longer than the column (or MAX_TEXT) that keeps it, by where it is in the record."""
    found = []
    limited = [("name", record.get("name"), NAME_LIMIT)]
    org = record.get("organization") or {}
    limited.append(("organization.name", org.get("name"), 300))
    for n, sal in enumerate(record.get("service_at_locations") or []):
        location = (sal or {}).get("location") or {}
        where = f"service_at_locations[{n}].location"
        limited += [(f"{where}.name", location.get("name"), 300),
                    (f"{where}.location_type", location.get("location_type"), 20)]
    for n, attr in enumerate(record.get("attributes") or []):
        term = (attr or {}).get("taxonomy_term") or {}
        where = f"attributes[{n}]"
        limited += [(f"{where}.link_type", attr.get("link_type"), 100),
                    (f"{where}.taxonomy_term.name", term.get("name"), 300),
                    (f"{where}.taxonomy_term.term", term.get("term") or term.get("code"), 200),
                    (f"{where}.taxonomy_term.taxonomy", term.get("taxonomy"), 200)]
    for where, value, limit in limited:
        if isinstance(value, str) and len(value) > limit:
            found.append((where, _too_long(value, limit)))
    named = {where for where, _ in found}

    def walk(obj, path):
        if isinstance(obj, dict):
            for key, value in obj.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(obj, list):
            for index, value in enumerate(obj):
                walk(value, f"{path}[{index}]")
        elif isinstance(obj, str) and len(obj) > MAX_TEXT and path not in named:
            found.append((path, _too_long(obj, MAX_TEXT)))
    walk(record, "")
    return found


def check(services: list) -> tuple[list[Problem], list[Problem]]:
    """Every problem (which stops the import) and warning (which does not), for all records."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    validator = oruk_schema.schema_validator("schema/compiled/service.json")
    seen_services: dict[str, str] = {}
    seen: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, id) -> (hash, label)
    known_terms = {str(i) for i in TaxonomyTerm.objects.values_list("oruk_id", flat=True)}
    imported_terms = set()
    for record in services:
        for attr in (record.get("attributes") or []) if isinstance(record, dict) else []:
            if isinstance(attr, dict) and isinstance(attr.get("taxonomy_term"), dict):
                imported_terms.add(str(attr["taxonomy_term"].get("id")))
    known_orgs = {str(i) for i in Organization.objects.values_list("oruk_id", flat=True)}
    sal_owners = {str(sal): str(service) for sal, service in
                  ServiceAtLocation.objects.values_list("oruk_id", "service__oruk_id")}
    in_import = {str(r.get("id")).lower() for r in services if isinstance(r, dict)}
    # A service in this import may take over nothing that another service still holds.
    sal_owners = {sal: owner for sal, owner in sal_owners.items() if owner not in in_import}

    def once(kind: str, obj: dict, label: str, where: str) -> None:
        key, digest = (kind, str(obj.get("id"))), content_hash(obj)
        if key in seen and seen[key][0] != digest:
            problems.append(Problem(label, where, f"{kind} {obj.get('id')} is given differently "
                                                  f"in {seen[key][1]}"))
        seen.setdefault(key, (digest, label))

    total = len(services)
    for index, record in enumerate(services):
        label = _label(index, total, record)
        if not isinstance(record, dict):
            problems.append(Problem(label, "(record)", "is not a JSON object"))
            continue
        schema_errors = oruk_schema.errors(validator, record)
        problems += [Problem(label, where, message) for where, message in schema_errors]
        problems += [Problem(label, where, f"{value[:80]!r} is not a web address we can link to "
                                          "(it must start http:// or https:// and name a site)")
                     for where, value in links.unsafe_links(record)]
        if schema_errors:
            continue
        problems += [Problem(label, where, message) for where, message in _length_problems(record)]
        sid = record["id"].lower()
        if sid in seen_services:
            problems.append(Problem(label, "id", f"the same service is also {seen_services[sid]}"))
        seen_services[sid] = label
        low, high = record.get("minimum_age"), record.get("maximum_age")
        if low is not None and high is not None and low > high:
            problems.append(Problem(label, "maximum_age",
                                    f"maximum age {high} is below minimum age {low}"))
        org = record.get("organization")
        if org is not None:
            if record.get("organization_id") and record["organization_id"] != org["id"]:
                problems.append(Problem(label, "organization_id",
                                        "does not match organization.id"))
            once("organization", {k: v for k, v in org.items() if k != "services"}, label,
                 "organization")
        elif record.get("organization_id") and record["organization_id"] not in known_orgs:
            problems.append(Problem(label, "organization_id",
                                    f"no organisation {record['organization_id']} in the "
                                    "directory or this import"))
        sal_ids = set()
        for n, sal in enumerate(record.get("service_at_locations") or []):
            sal_ids.add(sal["id"])
            owner = sal_owners.setdefault(sal["id"].lower(), sid)
            if owner != sid:
                problems.append(Problem(label, f"service_at_locations[{n}].id",
                                        f"{sal['id']} already belongs to service {owner}"))
            location = sal.get("location")
            if location is None:
                problems.append(Problem(label, f"service_at_locations[{n}].location",
                                        "a service at a location needs its location"))
                continue
            once("location", location, label, f"service_at_locations[{n}].location")
            lat, lon = location.get("latitude"), location.get("longitude")
            if (lat is not None and not -90 <= lat <= 90) or (
                    lon is not None and not -180 <= lon <= 180):
                warnings.append(Problem(label, f"service_at_locations[{n}].location",
                                        f"coordinates ({lat}, {lon}) are not on Earth; the "
                                        "location is kept but not placed on the map"))
        for n, schedule in enumerate(record.get("schedules") or []):
            where = f"schedules[{n}]"
            for name, parse in (("opens_at", _time), ("closes_at", _time), ("byday", _days),
                                ("valid_from", _date), ("valid_to", _date)):
                try:
                    parse(schedule.get(name))
                except ValueError as exc:
                    problems.append(Problem(label, f"{where}.{name}", str(exc)))
            link = schedule.get("service_at_location_id")
            if link and link not in sal_ids:
                problems.append(Problem(label, f"{where}.service_at_location_id",
                                        "names no service_at_location of this service"))
        for n, attr in enumerate(record.get("attributes") or []):
            term = attr.get("taxonomy_term")
            term_ref = (term or {}).get("id") or attr.get("taxonomy_term_id")
            if term is None and str(term_ref) not in known_terms | imported_terms:
                problems.append(Problem(label, f"attributes[{n}].taxonomy_term_id",
                                        "names no taxonomy term in the directory or this import"
                                        if term_ref else "needs a taxonomy_term or its id"))
            elif term is not None and attr.get("taxonomy_term_id") not in (None, term["id"]):
                problems.append(Problem(label, f"attributes[{n}].taxonomy_term_id",
                                        "does not match taxonomy_term.id"))
            if term is not None:
                once("taxonomy_term", term, label, f"attributes[{n}].taxonomy_term")
    return problems, warnings


# -- Writing ----------------------------------------------------------------------------------


def ensure_thrive_taxonomy() -> Taxonomy:
    tax, _ = Taxonomy.objects.update_or_create(
        oruk_id=taxonomy.TAXONOMY_ID,
        defaults={"name": taxonomy.TAXONOMY["name"], "data": taxonomy.TAXONOMY},
    )
    for term in taxonomy.terms():
        TaxonomyTerm.objects.update_or_create(
            oruk_id=term["id"],
            defaults={"taxonomy": tax, "name": term["name"], "code": term["term"], "data": term},
        )
    return tax


class _Writer:
    def __init__(self):
        self.warnings: list[Problem] = []
        self.orgs: dict[str, Organization] = {}
        self.locations: dict[str, Location] = {}
        self.terms: dict[str, TaxonomyTerm] = {}
        self.taxonomies: dict[str, Taxonomy] = {}

    def organization(self, data: dict) -> Organization:
        data = {k: v for k, v in data.items() if k != "services"}
        key = data["id"].lower()
        if key not in self.orgs:
            digest = content_hash(data)
            org = Organization.objects.filter(oruk_id=key).first()
            if org is None:
                org = Organization.objects.create(oruk_id=key, name=data["name"], data=data,
                                                  content_hash=digest)
            elif org.content_hash != digest:
                org.name, org.data, org.content_hash = data["name"], data, digest
                org.save()
            self.orgs[key] = org
        return self.orgs[key]

    def location(self, data: dict) -> Location:
        key = data["id"].lower()
        if key not in self.locations:
            digest = content_hash(data)
            fields = self._location_fields(data)
            loc = Location.objects.filter(oruk_id=key).first()
            if loc is None:
                loc = Location.objects.create(oruk_id=key, content_hash=digest, data=data,
                                              **fields)
            elif loc.content_hash != digest:
                for name, value in fields.items():
                    setattr(loc, name, value)
                loc.data, loc.content_hash = data, digest
                loc.save()
            self.locations[key] = loc
        return self.locations[key]

    @staticmethod
    def _location_fields(data: dict) -> dict:
        lat, lon = data.get("latitude"), data.get("longitude")
        placed = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
        addresses = data.get("addresses") or []
        sensitive = any(
            (a.get("taxonomy_term") or {}).get("id") == taxonomy.term_id(taxonomy.SENSITIVE_LOCATION)
            or a.get("taxonomy_term_id") == taxonomy.term_id(taxonomy.SENSITIVE_LOCATION)
            for a in data.get("attributes") or []
        )
        return {
            "name": data.get("name") or "", "location_type": data["location_type"],
            "latitude": lat if placed else None, "longitude": lon if placed else None,
            "postcode": normalise_postcode(addresses[0].get("postal_code", "")) if addresses else "",
            "is_sensitive": sensitive,
        }

    def term(self, data: dict | None, term_id: str | None) -> TaxonomyTerm:
        key = (data["id"] if data else term_id).lower()
        if key in self.terms:
            return self.terms[key]
        term = TaxonomyTerm.objects.filter(oruk_id=key).first()
        if data is not None:
            tax = self._taxonomy(data)
            fields = {"name": data["name"], "code": data.get("term") or data.get("code") or "",
                      "data": data, "taxonomy": tax}
            if term is None:
                term = TaxonomyTerm.objects.create(oruk_id=key, **fields)
            elif term.data != data and term.taxonomy_id != self._thrive_id():
                for name, value in fields.items():
                    setattr(term, name, value)
                term.save()
        self.terms[key] = term
        return term

    def _thrive_id(self):
        if "thrive" not in self.taxonomies:
            self.taxonomies["thrive"] = Taxonomy.objects.get(oruk_id=taxonomy.TAXONOMY_ID)
        return self.taxonomies["thrive"].pk

    def _taxonomy(self, term: dict) -> Taxonomy | None:
        tax_id = term.get("taxonomy_id")
        if not tax_id:
            return None
        key = tax_id.lower()
        if key not in self.taxonomies:
            name = term.get("taxonomy") or "Imported taxonomy"
            self.taxonomies[key], _ = Taxonomy.objects.get_or_create(
                oruk_id=key, defaults={"name": name, "data": {
                    "id": key, "name": name,
                    "description": f"{name} (known from the terms imported with services)"}},
            )
        return self.taxonomies[key]

    def service(self, record: dict, now, source: str = "") -> str:
        digest = content_hash(record)
        key = record["id"].lower()
        service = Service.objects.filter(oruk_id=key).first()
        if service is not None and self._summary_over_full(record, service):
            self.warnings.append(Problem(
                f"service '{record['name']}' (id {record['id']})", "(record)",
                "is a summary (no schedules, locations or attributes) of a service held in full; "
                "the full record was kept"))
            return "unchanged"
        if service is not None and service.content_hash == digest:
            if service.retired_at is None and (not source or service.source == source):
                return "unchanged"
            restored = service.retired_at is not None
            service.retired_at = None
            service.source = source or service.source
            service.save(update_fields=["retired_at", "source"])
            return "restored" if restored else "unchanged"
        org = None
        if record.get("organization"):
            org = self.organization(record["organization"])
        elif record.get("organization_id"):
            org = Organization.objects.get(oruk_id=record["organization_id"])
        data = {k: v for k, v in record.items() if k not in NESTED}
        fields = {
            "organization": org, "name": record["name"], "status": record["status"],
            "minimum_age": record.get("minimum_age"), "maximum_age": record.get("maximum_age"),
            "last_modified": parse_datetime(record["last_modified"])
            if record.get("last_modified") else None,
            "data": data, "content_hash": digest, "imported_at": now,
            "source": source or (service.source if service is not None else ""),
            "retired_at": None,
        }
        outcome = "restored" if service is not None and service.retired_at else "updated"
        if service is None:
            service = Service.objects.create(oruk_id=key, **fields)
            outcome = "created"
        else:
            for name, value in fields.items():
                setattr(service, name, value)
            service.save()
            service.attributes.all().delete()
            service.schedules.all().delete()
            service.service_at_locations.all().delete()
        sals = {}
        for n, sal in enumerate(record.get("service_at_locations") or []):
            sals[sal["id"]] = ServiceAtLocation.objects.create(
                oruk_id=sal["id"], service=service, location=self.location(sal["location"]),
                position=n, data={k: v for k, v in sal.items() if k not in ("location", "service")},
            )
        Schedule.objects.bulk_create([
            Schedule(oruk_id=s["id"], service=service,
                     service_at_location=sals.get(s.get("service_at_location_id")),
                     byday=_days(s.get("byday")), opens_at=_time(s.get("opens_at")),
                     closes_at=_time(s.get("closes_at")), valid_from=_date(s.get("valid_from")),
                     valid_to=_date(s.get("valid_to")), position=n, data=s,
                     rule=schedules.rule_key(s))
            for n, s in enumerate(record.get("schedules") or [])
        ])
        terms = []
        attributes = []
        for n, attr in enumerate(record.get("attributes") or []):
            term = self.term(attr.get("taxonomy_term"), attr.get("taxonomy_term_id"))
            terms.append(term)
            attributes.append(ServiceAttribute(
                oruk_id=attr["id"], service=service, term=term, link_type=attr.get("link_type", ""),
                position=n, data={k: v for k, v in attr.items() if k != "taxonomy_term"},
            ))
        ServiceAttribute.objects.bulk_create(attributes)
        self._index(service, record, org, terms)
        return outcome

    @staticmethod
    def _summary_over_full(record: dict, service: Service) -> bool:
        """A listing's summary must not wipe the schedules, places and attributes of a record
        that came in full."""
        missing = [part for part in SUMMARY_PARTS if part not in record]
        if not missing:
            return False
        return (service.schedules.exists() or service.service_at_locations.exists()
                or service.attributes.exists())

    @staticmethod
    def _index(service: Service, record: dict, org, terms) -> None:
        body = [record.get("description") or "", record.get("fees") or "",
                record.get("accreditations") or ""]
        for part in ("service_areas", "cost_options", "contacts"):
            for item in record.get(part) or []:
                body += [str(v) for k, v in item.items() if isinstance(v, str) and k != "id"
                         and not k.endswith("_id")]
        for sal in record.get("service_at_locations") or []:
            location = sal.get("location") or {}
            if not _Writer._location_fields(location)["is_sensitive"]:
                body += [location.get("name") or "", location.get("description") or ""]
                body += [a.get("city") or "" for a in location.get("addresses") or []]
        service.search_name = record["name"].lower()
        service.search_terms = " | ".join([t.name.lower() for t in terms] +
                                          ([org.name.lower()] if org else []))
        service.search_body = " ".join(b for b in body if b).lower()
        service.save(update_fields=["search_name", "search_terms", "search_body"])


def import_services(services: list, *, source: str = "") -> ImportResult:
    """Check every record; if all are sound, write them all in one transaction.

    `source` is the base URL of a feed that was read whole: the feed owns the services it lists,
    and any service it owned before but no longer lists is retired (kept, unpublished, and
    restored if the feed lists it again)."""
    problems, warnings = check(services)
    if problems:
        raise ImportRejected(problems)
    result = ImportResult(warnings=warnings)
    now = timezone.now()
    with transaction.atomic():
        ensure_thrive_taxonomy()
        writer = _Writer()
        for record in services:
            outcome = writer.service(record, now, source)
            counted = "updated" if outcome == "restored" else outcome
            setattr(result, counted, getattr(result, counted) + 1)
            result.report.append((record["name"], outcome))
        result.warnings += writer.warnings
        if source:
            listed = [r["id"].lower() for r in services]
            gone = Service.objects.filter(source=source, retired_at__isnull=True).exclude(
                oruk_id__in=listed)
            for name in gone.order_by("name").values_list("name", flat=True):
                result.report.append((name, "retired"))
            result.retired = gone.update(retired_at=now)
    if result.created + result.updated >= ANALYZE_AFTER:
        refresh_statistics()
    return result


# After a large import PostgreSQL's planner still believes the old row counts until autovacuum
# gets round to it (a minute or more): with a just-loaded directory it guessed one listed service
# and ran "open now" as 5,000 index probes (about 110 ms instead of 15 ms at 5,000 services).
ANALYZE_AFTER = 200
DIRECTORY_TABLES = ("directory_service", "directory_schedule", "directory_serviceatlocation",
                    "directory_location", "directory_serviceattribute")


def refresh_statistics() -> None:
    """Bring the planner's statistics up to date for the directory's tables (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(DIRECTORY_TABLES))


def import_feed(base_url: str, *, per_page: int = 100, opener=None) -> ImportResult:
    """Read a whole feed and import it as the owner of the services it lists."""
    base = feed_base(base_url)
    return import_services(read_feed(base, per_page=per_page, opener=opener), source=base)


def new_id() -> str:
    return str(uuid.uuid4())
