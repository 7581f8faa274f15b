"""Finding services: free text, age, need, kind of support, when open, and distance.

Structured criteria filter in SQL (both SQLite and PostgreSQL). Text matches each word (or a
known synonym) against the service's name, its taxonomy terms and organisation, and the rest of
its text; matching candidates are then ranked in Python, name matches first, so the order is
one a person would agree with. Distance: a bounding box on location coordinates in SQL, then
the great-circle distance in Python. Sensitive locations are never used to place a service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q
from django.utils import timezone

from thrive.core.rules import RuleBroken

from . import query, schedules, taxonomy, text_index
from .importer import DAYS
from .models import Schedule, Service, ServiceAtLocation, ServiceAttribute, TaxonomyTerm
from .postcodes import KM_PER_MILE, bounding_box, haversine_km, locate, normalise_postcode

SYNONYM_WEIGHT = 0.75
DAY_NAMES = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
             "friday": "FR", "saturday": "SA", "sunday": "SU"}
DAY_LABELS = {code: name.title() for name, code in DAY_NAMES.items()}
DISTANCE_CHOICES = (1, 2, 5, 10, 25)


@dataclass
class Criteria:
    text: str = ""
    age: int | None = None
    need: str = ""
    kind: str = ""
    open_now: bool = False
    day: str = ""  # MO..SU
    postcode: str = ""
    within_miles: float | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.age is not None or self.need or self.kind or
                    self.open_now or self.day or self.postcode)


@dataclass
class Hit:
    service: Service
    score: float
    distance_km: float | None

    @property
    def distance_miles(self) -> float | None:
        return None if self.distance_km is None else self.distance_km / KM_PER_MILE


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    origin: tuple[float, float] | None = None
    criteria: Criteria = field(default_factory=Criteria)
    parsed: query.Query | None = None
    # "Did you mean": the query with words that matched nothing put right ("" if none).
    suggestion: str = ""
    unmatched: list[str] = field(default_factory=list)

    @property
    def risk(self) -> bool:
        """The words suggest someone may not be safe: urgent help is shown first."""
        return bool(self.parsed and self.parsed.risk)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _term_pk(code: str) -> int | None:
    return TaxonomyTerm.objects.filter(oruk_id=taxonomy.term_id(code)).values_list(
        "pk", flat=True).first()


def _open_schedules(judge):
    """Schedules whose rule `judge` finds open. Each distinct rule (read from the rule index
    alone) is judged once, in Python, by the schedule engine; the rest is one SQL query.
    Sessions at a sensitive location (a refuge) never count: there are few, so their ids are
    left out directly rather than joining every schedule to its location."""
    zone = settings.TIME_ZONE
    rules = Schedule.objects.order_by().values_list("rule", flat=True).distinct()
    open_rules = [r for r in rules if (rule := schedules.opening_for_rule(r, zone)) is not None
                  and judge(rule)]
    sensitive = list(ServiceAtLocation.objects.filter(location__is_sensitive=True)
                     .values_list("pk", flat=True))
    return Schedule.objects.filter(rule__in=open_rules).exclude(
        service_at_location_id__in=sensitive)


def open_at_q(moment: datetime) -> Q:
    """Services open at `moment`, each schedule judged in its own time zone (its own offset if
    it gives one, else the directory's zone): overnight sessions, nth weekday of the month,
    valid dates and bank holidays included."""
    found = _open_schedules(lambda rule: rule.is_open_at(moment))
    return Q(pk__in=found.values("service_id"))


def open_on_q(day: date) -> Q:
    """Services with a session starting on the date `day`."""
    found = _open_schedules(lambda rule: rule.starts_on(day))
    return Q(pk__in=found.values("service_id"))


def next_date_for(day_code: str, today: date) -> date:
    """The coming date (today included) that falls on a weekday code."""
    return today + timedelta(days=(DAYS.index(day_code) - today.weekday()) % 7)


@dataclass
class TextMatch:
    scores: dict[int, float]
    names: dict[int, str]
    unmatched: list[query.Group]


def text_scores(qs, parsed: query.Query) -> TextMatch:
    """Services in `qs` matching any group of the query, scored, with their names. Each group a
    service matches adds 1 (less for a soft word like "support"), plus how well it matches: the
    words as typed in the name (1), a synonym in the name (0.75), else the database's weighted
    rank relative to the best (at most 0.5). So a service matching more of what was asked comes
    first; among those, matches in the name; then (coarse steps) by distance and name."""
    per_group = []
    unmatched = []
    ids: set[int] = set()
    for group in parsed.groups:
        found, typed_in_name, synonym_in_name = text_index.group_ranks(group.alternatives)
        if not found:
            unmatched.append(group)
            continue
        per_group.append((group, found, typed_in_name, synonym_in_name))
        # A soft word ("group", "support") ranks what the other words find, but brings in
        # nothing on its own when there are other words.
        if not group.soft or all(g.soft for g in parsed.groups):
            ids.update(found)
    names = dict(qs.filter(pk__in=list(ids)).values_list("id", "name")) if ids else {}
    scores: dict[int, float] = {}
    for group, found, typed_in_name, synonym_in_name in per_group:
        allowed = [sid for sid in found if sid in names]
        if not allowed:
            unmatched.append(group)
            continue
        best = max(found[sid] for sid in allowed)
        for sid in allowed:
            if sid in typed_in_name:
                how_well = 1.0
            elif sid in synonym_in_name:
                how_well = SYNONYM_WEIGHT
            else:
                how_well = round(found[sid] / best * 2) / 4
            scores[sid] = scores.get(sid, 0.0) + group.weight * (1.0 + how_well)
    return TextMatch(scores, names, unmatched)


_VOCABULARY_CACHE: dict[tuple, frozenset[str]] = {}


def directory_words() -> frozenset[str]:
    """Every word in the listed services' text, with the reviewed search words (for "did you
    mean"). Kept until the directory changes."""
    listed = Service.objects.filter(retired_at__isnull=True)
    key = tuple(listed.aggregate(n=Count("id"), latest=Max("imported_at"),
                                 top=Max("id")).values())
    if key not in _VOCABULARY_CACHE:
        words = set(query.vocabulary().known_words)
        for row in listed.values_list("search_name", "search_terms", "search_body"):
            for text in row:
                words.update(w for w in query.tokens(text) if len(w) >= 4)
        _VOCABULARY_CACHE.clear()
        _VOCABULARY_CACHE[key] = frozenset(words)
    return _VOCABULARY_CACHE[key]


def did_you_mean(parsed: query.Query, missing: list[query.Group]) -> str:
    """The query with each word that matched nothing replaced by the closest known word."""
    if not missing:
        return ""
    known = directory_words()
    replacements = {}
    for group in missing:
        if " " in group.text:
            continue
        better = query.suggest(group.text, set(known))
        if better and better != group.text:
            replacements[group.text] = better
    if not replacements:
        return ""
    words = query.tokens(parsed.corrected or parsed.text)
    return " ".join(replacements.get(w, w) for w in words)


def filtered(criteria: Criteria, *, now: datetime | None = None):
    """Listed, active services meeting every structured criterion; and the text, read."""
    qs = Service.objects.filter(status=Service.Status.ACTIVE, retired_at__isnull=True)
    if criteria.age is not None:
        qs = qs.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=criteria.age),
                       Q(maximum_age__isnull=True) | Q(maximum_age__gte=criteria.age))
    for code in (criteria.need, criteria.kind):
        if code:
            qs = qs.filter(Exists(ServiceAttribute.objects.filter(
                service=OuterRef("pk"), term_id=_term_pk(code))))
    now = timezone.localtime(now or timezone.now())
    if criteria.open_now:
        qs = qs.filter(open_at_q(now))
    elif criteria.day:
        qs = qs.filter(open_on_q(next_date_for(criteria.day, now.date())))
    return qs, query.parse(criteria.text)


def origin_for(postcode: str) -> tuple[float, float]:
    code = normalise_postcode(postcode)
    if not code:
        raise RuleBroken("Enter a full postcode, like NV1 2AB", "postcode")
    point = locate(code)
    if point is None:
        raise RuleBroken(f"We could not find the postcode {code}. Check it and try again, or "
                         "search without a postcode", "postcode")
    return point


def nearest(service_ids, origin, radius_km: float | None,
            services_qs=None) -> dict[int, float | None]:
    """Each service's distance to its nearest published, placed location (None: no placed
    location, e.g. online only). Services with places but none within the radius are dropped."""
    scope = ({"service__in": services_qs.values("pk")} if services_qs is not None
             else {"service_id__in": service_ids})
    placed = ServiceAtLocation.objects.filter(
        **scope, location__is_sensitive=False,
        location__latitude__isnull=False)
    unplaced = None
    if radius_km is not None:
        # Services with no placed location at all (online, by phone) are kept, without a
        # distance: asked for directly, as they are few (reading every placed service's id to
        # find them cost more than the rest of a postcode search on PostgreSQL).
        in_scope = (services_qs if services_qs is not None
                    else Service.objects.filter(pk__in=service_ids))
        unplaced = set(in_scope.filter(~Exists(ServiceAtLocation.objects.filter(
            service=OuterRef("pk"), location__is_sensitive=False,
            location__latitude__isnull=False))).values_list("pk", flat=True))
        lat_lo, lat_hi, lon_lo, lon_hi = bounding_box(*origin, radius_km)
        placed = placed.filter(location__latitude__range=(lat_lo, lat_hi),
                               location__longitude__range=(lon_lo, lon_hi))
    best: dict[int, float] = {}
    for sid, lat, lon in placed.values_list("service_id", "location__latitude",
                                            "location__longitude"):
        d = haversine_km(origin[0], origin[1], lat, lon)
        if (radius_km is None or d <= radius_km) and (sid not in best or d < best[sid]):
            best[sid] = d
    out: dict[int, float | None] = {}
    for sid in service_ids:
        if sid in best:
            out[sid] = best[sid]
        elif unplaced is None or sid in unplaced:
            out[sid] = None
    return out


def display_queryset():
    return Service.objects.select_related("organization").prefetch_related(
        Prefetch("service_at_locations", to_attr="published_sals",
                 queryset=ServiceAtLocation.objects.filter(location__is_sensitive=False)
                 .select_related("location").order_by("position")),
        Prefetch("attributes", to_attr="ordered_attributes",
                 queryset=ServiceAttribute.objects.select_related("term").order_by("position")),
        Prefetch("schedules", to_attr="ordered_schedules",
                 queryset=Schedule.objects.filter(
                     Q(service_at_location__isnull=True) |
                     Q(service_at_location__location__is_sensitive=False)).order_by("position")),
    )


def search(criteria: Criteria, *, page: int = 1, per_page: int = 10,
           now: datetime | None = None) -> Results:
    origin = origin_for(criteria.postcode) if criteria.postcode.strip() else None
    qs, parsed = filtered(criteria, now=now)
    if parsed.groups:
        matched = text_scores(qs, parsed)
        scores, names = matched.scores, matched.names
        phrase = " ".join(g.text for g in parsed.groups)
        for sid, name in names.items():
            if len(parsed.groups) > 1 and phrase in " ".join(query.tokens(name)):
                scores[sid] += 1.0
    else:
        names = dict(qs.values_list("id", "name"))
        scores = dict.fromkeys(names, 0.0)
    names = {sid: name.lower() for sid, name in names.items()}
    distances: dict[int, float | None] = {}
    if origin is not None:
        radius = criteria.within_miles * KM_PER_MILE if criteria.within_miles else None
        distances = nearest(list(names), origin, radius,
                            services_qs=None if parsed.groups else qs)
        names = {sid: n for sid, n in names.items() if sid in distances}
    inf = float("inf")

    def order(sid):
        d = distances.get(sid)
        return (-round(scores[sid], 6), inf if d is None else d, names[sid], sid)

    ranked = sorted(names, key=order)
    page = max(1, page)
    chosen = ranked[(page - 1) * per_page: page * per_page]
    services = display_queryset().in_bulk(chosen)
    hits = [Hit(services[sid], scores[sid], distances.get(sid)) for sid in chosen]
    results = Results(hits, len(ranked), page, per_page, origin, criteria, parsed=parsed)
    if parsed.groups and matched.unmatched:
        results.suggestion = did_you_mean(parsed, matched.unmatched)
        results.unmatched = [g.text for g in matched.unmatched]
    return results
