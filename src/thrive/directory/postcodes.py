"""Postcodes: normalising them, finding their centroid, and loading the table of centroids."""

from __future__ import annotations

import csv
import math
import re

from django.db import transaction

from .models import Postcode

# Outward code, then inward code (digit and two letters). Loose enough for synthetic areas.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344


def normalise_postcode(value: str) -> str:
    """'nv12ab' -> 'NV1 2AB'; '' if it is not shaped like a postcode."""
    compact = "".join((value or "").upper().split())
    match = POSTCODE.match(compact[:-3] + " " + compact[-3:]) if len(compact) >= 5 else None
    return f"{match[1]} {match[2]}" if match else ""


def locate(postcode: str) -> tuple[float, float] | None:
    found = Postcode.objects.filter(postcode=normalise_postcode(postcode)).values_list(
        "latitude", "longitude").first()
    return tuple(found) if found else None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min lat, max lat, min lon, max lon) enclosing a circle of `km` around the point."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


class PostcodeFileError(ValueError):
    pass


# The ONS Postcode Directory gives a postcode with no grid reference ("no location": often a
# PO box or a new street) latitude 99.999999 and longitude 0.
NO_LOCATION_LATITUDE = 99.999999


def _no_location(lat_text: str, lon_text: str) -> bool:
    if not lat_text.strip() and not lon_text.strip():
        return True
    try:
        return abs(float(lat_text) - NO_LOCATION_LATITUDE) < 1e-6
    except ValueError:
        return False


def load_postcodes(path, *, replace: bool = False) -> int:
    """Load a CSV with columns postcode, latitude, longitude (ONS-style `pcds`, `lat`, `long`
    also accepted). Every row is checked first; a bad row stops the load with its line number.
    Rows the ONS marks as having no location are skipped (see `load_postcodes_counted`)."""
    return load_postcodes_counted(path, replace=replace)[0]


def load_postcodes_counted(path, *, replace: bool = False) -> tuple[int, int]:
    """(postcodes loaded, "no location" rows skipped)."""
    rows = []
    skipped = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {c.lower(): c for c in reader.fieldnames or []}
        pick = [next((columns[c] for c in names if c in columns), None) for names in
                (("postcode", "pcds", "pcd"), ("latitude", "lat"), ("longitude", "long", "lon"))]
        if None in pick:
            raise PostcodeFileError("the file needs columns postcode, latitude and longitude")
        for line, row in enumerate(reader, start=2):
            if _no_location(row[pick[1]] or "", row[pick[2]] or ""):
                skipped += 1
                continue
            code = normalise_postcode(row[pick[0]])
            try:
                lat, lon = float(row[pick[1]]), float(row[pick[2]])
            except ValueError:
                raise PostcodeFileError(f"line {line}: latitude and longitude must be numbers") from None
            if not code:
                raise PostcodeFileError(f"line {line}: '{row[pick[0]]}' is not a postcode")
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise PostcodeFileError(f"line {line}: coordinates out of range")
            rows.append(Postcode(postcode=code, latitude=lat, longitude=lon))
    with transaction.atomic():
        if replace:
            Postcode.objects.all().delete()
        Postcode.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                     unique_fields=["postcode"],
                                     update_fields=["latitude", "longitude"])
    return len(rows), skipped
