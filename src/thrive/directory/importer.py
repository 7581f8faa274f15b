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
from urllib.request import Request, urlopen

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import links, oruk_schema, taxonomy
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
    warnings: list[Problem] = field(default_factory=list)

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
    except OSError as exc:
        raise ImportRejected([Problem(url, "(request)", str(exc))]) from None


def read_feed(base_url: str, *, per_page: int = 100, opener=urlopen) -> list:
    """Page through `{base}/services`, then fetch each fully nested `{base}/services/{id}`."""
    base = base_url.rstrip("/") + "/"
    ids: list[str] = []
    page = 1
    while page <= MAX_FEED_PAGES:
        listing = _get_json(urljoin(base, "services") + "?" +
                            urlencode({"page": page, "per_page": per_page}), opener)
        contents = listing.get("contents") if isinstance(listing, dict) else None
        if not isinstance(contents, list):
            raise ImportRejected([Problem(f"{base}services page {page}", "contents",
                                          "the page has no list of services")])
        for index, summary in enumerate(contents):
            sid = summary.get("id") if isinstance(summary, dict) else None
            if not isinstance(sid, str) or not SAFE_ID.fullmatch(sid) or sid in (".", ".."):
                raise ImportRejected([Problem(
                    f"{base}services page {page}", f"contents[{index}].id",
                    f"{sid!r} is not a service id this import will fetch (letters, digits and "
                    f"- . _ ~ : only); nothing was imported")])
            ids.append(sid)
        if not contents or listing.get("last_page", True) or page >= listing.get("total_pages", 1):
            break
        page += 1
    return [_get_json(urljoin(base, f"services/{quote(sid, safe='')}"), opener) for sid in ids]


def read_source(source: str) -> list:
    if re.match(r"^https?://", source):
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

    def service(self, record: dict, now) -> str:
        digest = content_hash(record)
        key = record["id"].lower()
        service = Service.objects.filter(oruk_id=key).first()
        if service is not None and service.content_hash == digest:
            return "unchanged"
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
        }
        outcome = "updated"
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
                     valid_to=_date(s.get("valid_to")), position=n, data=s)
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


def import_services(services: list) -> ImportResult:
    """Check every record; if all are sound, write them all in one transaction."""
    problems, warnings = check(services)
    if problems:
        raise ImportRejected(problems)
    result = ImportResult(warnings=warnings)
    now = timezone.now()
    with transaction.atomic():
        ensure_thrive_taxonomy()
        writer = _Writer()
        for record in services:
            outcome = writer.service(record, now)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def new_id() -> str:
    return str(uuid.uuid4())
