"""Finding services: free text, age, need, kind of support, when open, and distance.

Structured criteria filter in SQL (both SQLite and PostgreSQL). Text matches each word (or a
known synonym) against the service's name, its taxonomy terms and organisation, and the rest of
its text; matching candidates are then ranked in Python, name matches first, so the order is
one a person would agree with. Distance: a bounding box on location coordinates in SQL, then
the great-circle distance in Python. Sensitive locations are never used to place a service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from thrive.core.rules import RuleBroken

from . import schedules, taxonomy
from .importer import DAYS
from .models import Schedule, Service, ServiceAtLocation, ServiceAttribute, TaxonomyTerm
from .postcodes import KM_PER_MILE, bounding_box, haversine_km, locate, normalise_postcode

STOPWORDS = {"a", "an", "the", "and", "or", "for", "of", "to", "in", "on", "with", "my", "me",
             "i", "im", "is", "at", "near", "about", "who", "people", "young", "person"}
# Words that describe nearly every service: they rank but never exclude.
SOFT_WORDS = {"help", "support", "service", "services", "advice", "child", "children"}
SYNONYMS = {
    "counseling": ("counsel",), "counselling": ("counsel",), "counsellor": ("counsel",),
    "therapy": ("therap", "counsel"), "talking": ("talk", "counsel"),
    "grief": ("grief", "bereave"), "bereavement": ("bereave", "grief"),
    "bereaved": ("bereave", "grief"),
    "anxiety": ("anxi", "worr"), "anxious": ("anxi", "worr"), "worry": ("worr", "anxi"),
    "worried": ("worr", "anxi"), "worries": ("worr", "anxi"),
    "depression": ("depress", "low mood"), "depressed": ("depress", "low mood"),
    "sad": ("sad", "low mood"), "selfharm": ("self-harm", "self harm"),
    "lgbt": ("lgbt",), "lgbtq": ("lgbt",), "gay": ("lgbt", "gay"), "trans": ("trans", "lgbt"),
    "autism": ("autis", "neurodiver"), "autistic": ("autis", "neurodiver"),
    "adhd": ("adhd", "neurodiver"), "parent": ("parent", "famil", "carer"),
    "parents": ("parent", "famil", "carer"), "family": ("famil", "parent"),
    "crisis": ("crisis", "urgent"), "online": ("online", "digital", "app", "web"),
    "app": ("app", "digital", "online"), "sleep": ("sleep",), "eating": ("eating",),
    "bullying": ("bull",), "bullied": ("bull",), "exam": ("exam",), "exams": ("exam",),
    "carer": ("carer",), "carers": ("carer",),
}
DAY_NAMES = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
             "friday": "FR", "saturday": "SA", "sunday": "SU"}
DAY_LABELS = {code: name.title() for name, code in DAY_NAMES.items()}
DISTANCE_CHOICES = (1, 2, 5, 10, 25)


def stem(word: str) -> str:
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Word:
    text: str
    alternatives: tuple[str, ...]
    soft: bool


def words(text: str) -> list[Word]:
    raw = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", (text or "").lower().replace("self harm",
                                                                              "selfharm"))
    out = []
    for token in dict.fromkeys(raw):
        if token in STOPWORDS:
            continue
        alternatives = SYNONYMS.get(token) or (stem(token),)
        out.append(Word(token, tuple(dict.fromkeys(alternatives)), token in SOFT_WORDS))
    if out and all(w.soft for w in out):
        out = [Word(w.text, w.alternatives, False) for w in out]
    return out


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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _term_pk(code: str) -> int | None:
    return TaxonomyTerm.objects.filter(oruk_id=taxonomy.term_id(code)).values_list(
        "pk", flat=True).first()


def _schedules_starting(qs, days: list[date]):
    """Schedules of the services in `qs` that could start a session on one of `days`: the
    weekday matches (or the schedule names days of the month instead), and the day is within
    its valid dates. The schedule engine then decides each one exactly."""
    could = Q(byday="")
    for day in days:
        could |= Q(byday__contains=DAYS[day.weekday()])
    valid = Q()
    for day in days:
        valid |= (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
            Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    return Schedule.objects.filter(could, valid, service__in=qs.values("pk")).filter(
        Q(service_at_location__isnull=True) |
        Q(service_at_location__location__is_sensitive=False))


def open_at_ids(qs, moment: datetime) -> set[int]:
    """The services in `qs` open at `moment`, each judged in its own time zone (the schedule's
    own offset if it gives one, else the directory's zone): overnight sessions, nth weekday of
    the month, valid dates and bank holidays included."""
    local = timezone.localtime(moment)
    rows = _schedules_starting(qs, [local.date(), local.date() - timedelta(days=1)])
    zone = settings.TIME_ZONE
    return {sid for sid, data in rows.values_list("service_id", "data")
            if schedules.is_open([data], moment, zone)}


def open_on_ids(qs, day: date) -> set[int]:
    """The services in `qs` with a session starting on the date `day`."""
    zone = settings.TIME_ZONE
    return {sid for sid, data in _schedules_starting(qs, [day]).values_list("service_id", "data")
            if schedules.opens_on([data], day, zone)}


def next_date_for(day_code: str, today: date) -> date:
    """The coming date (today included) that falls on a weekday code."""
    return today + timedelta(days=(DAYS.index(day_code) - today.weekday()) % 7)


def text_q(found: list[Word]) -> Q:
    q = Q()
    for word in found:
        if word.soft:
            continue
        any_of = Q()
        for alt in word.alternatives:
            any_of |= (Q(search_name__contains=alt) | Q(search_terms__contains=alt) |
                       Q(search_body__contains=alt))
        q &= any_of
    return q


def score(found: list[Word], name: str, terms: str, body: str) -> float:
    total = 0.0
    for word in found:
        best = 0.0
        for alt in word.alternatives:
            if re.search(r"(?<![a-z0-9])" + re.escape(alt), name):
                best = max(best, 10.0)
            elif alt in name:
                best = max(best, 6.0)
            if alt in terms:
                best = max(best, 4.0)
            if alt in body:
                best = max(best, 1.0 + 0.2 * min(body.count(alt), 5))
        total += best * (0.3 if word.soft else 1.0)
    phrase = " ".join(w.text for w in found)
    if len(found) > 1 and phrase in name:
        total += 8.0
    return total


def filtered(criteria: Criteria, *, now: datetime | None = None):
    """Active services meeting every structured criterion and containing every text word."""
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
        qs = qs.filter(pk__in=open_at_ids(qs, now))
    elif criteria.day:
        qs = qs.filter(pk__in=open_on_ids(qs, next_date_for(criteria.day, now.date())))
    found = words(criteria.text)
    if found:
        qs = qs.filter(text_q(found))
    return qs, found


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
    if radius_km is not None:
        lat_lo, lat_hi, lon_lo, lon_hi = bounding_box(*origin, radius_km)
        has_places = set(placed.values_list("service_id", flat=True).distinct())
        placed = placed.filter(location__latitude__range=(lat_lo, lat_hi),
                               location__longitude__range=(lon_lo, lon_hi))
    else:
        has_places = None
    best: dict[int, float] = {}
    for sid, lat, lon in placed.values_list("service_id", "location__latitude",
                                            "location__longitude"):
        d = haversine_km(origin[0], origin[1], lat, lon)
        if (radius_km is None or d <= radius_km) and (sid not in best or d < best[sid]):
            best[sid] = d
    if has_places is None:
        has_places = set(best)
    out: dict[int, float | None] = {}
    for sid in service_ids:
        if sid in best:
            out[sid] = best[sid]
        elif sid not in has_places:
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
    qs, found = filtered(criteria, now=now)
    if found:
        rows = list(qs.values_list("id", "name", "search_name", "search_terms", "search_body"))
        scores = {r[0]: score(found, r[2], r[3], r[4]) for r in rows}
    else:
        rows = list(qs.values_list("id", "name"))
        scores = {r[0]: 0.0 for r in rows}
    names = {r[0]: r[1].lower() for r in rows}
    distances: dict[int, float | None] = {}
    if origin is not None:
        radius = criteria.within_miles * KM_PER_MILE if criteria.within_miles else None
        distances = nearest(list(names), origin, radius, services_qs=qs)
        names = {sid: n for sid, n in names.items() if sid in distances}
    inf = float("inf")

    def order(sid):
        d = distances.get(sid)
        return (-scores[sid], inf if d is None else d, names[sid], sid)

    ranked = sorted(names, key=order)
    page = max(1, page)
    chosen = ranked[(page - 1) * per_page: page * per_page]
    services = display_queryset().in_bulk(chosen)
    hits = [Hit(services[sid], scores[sid], distances.get(sid)) for sid in chosen]
    return Results(hits, len(ranked), page, per_page, origin, criteria)
