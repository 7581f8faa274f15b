"""The resident population by area and age band, for rates per 10,000 young people.

Loaded from a CSV in the layout of the ONS mid-year population estimates (the MYE2 "persons"
table: one row per area with `Code`, `Name`, optionally `Geography` and `All ages`, then one column
per single year of age `0`, `1`, ... `89`, `90+`). The single years are added up into the age
bands the dashboards use (metrics.REFERRAL_DIMENSIONS_SQL). The file is checked whole and
refused with every problem listed, so a table is either loaded as it is or not at all. Pure: no
Django.
"""

import csv
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# The dashboards' age bands at referral, as inclusive single years of age.
AGE_BANDS = (("0-4", 0, 4), ("5-10", 5, 10), ("11-15", 11, 15), ("16-17", 16, 17), ("18-25", 18, 25))
ONS_AREA_CODE = re.compile(r"^[EWSN]\d{8}$")
REQUIRED_AGES = [str(age) for age in range(0, 26)]
FILE_NAME = "population.json"
# A small synthetic table for the demo locality (Northvale and Southmoor), loaded by load_demo.
DEMO_FILE = Path(__file__).with_name("demo_population.csv")


class PopulationRejected(Exception):
    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the population table")
        self.problems = problems


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    bands: dict[str, int]  # age band -> residents


def _number(text: str) -> int | None:
    text = (text or "").strip().replace(",", "")
    return int(text) if text.isdigit() else None


def parse(path: str | os.PathLike) -> list[Area]:
    """The areas in an ONS mid-year estimate CSV, or PopulationRejected listing every problem."""
    problems: list[str] = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as error:
        raise PopulationRejected([f"The file cannot be read as a UTF-8 CSV file: {error}"]) from None
    if not rows:
        raise PopulationRejected(["The file is empty: it needs a heading row and a row per area"])
    headings = [h.strip() for h in rows[0]]
    missing = [h for h in ["Code", "Name", *REQUIRED_AGES] if h not in headings]
    if missing:
        raise PopulationRejected([f"The heading row has no column {', '.join(missing)}: the ONS mid-year "
                                  f"estimate layout has Code, Name and one column per single year of "
                                  f"age (0, 1, ... 90+)"])
    at = {h: i for i, h in enumerate(headings)}
    ages = [h for h in headings if h.isdigit() or h == "90+"]
    areas, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(headings):
            problems.append(f"Line {line}: {len(row)} values, but the heading row has {len(headings)}")
            continue
        code, name = row[at["Code"]].strip(), row[at["Name"]].strip()
        if not ONS_AREA_CODE.match(code):
            problems.append(f"Line {line}: {code!r} is not an ONS area code (a letter and 8 digits, "
                            f"like E06000001)")
        elif code in seen:
            problems.append(f"Line {line}: area {code} appears twice")
        seen.add(code)
        if not name:
            problems.append(f"Line {line}: the area has no name")
        counts = {}
        for age in ages:
            value = _number(row[at[age]])
            if value is None:
                problems.append(f"Line {line}: the population aged {age} ({row[at[age]]!r}) is not a "
                                f"whole number of people")
            counts[age] = value or 0
        if "All ages" in at and "90+" in at and all(str(a) in at for a in range(90)):
            total = _number(row[at["All ages"]])
            if total is not None and total != sum(counts.values()):
                problems.append(f"Line {line}: All ages is {total:,} but the single years add up to "
                                f"{sum(counts.values()):,}")
        areas.append(Area(code, name, {band: sum(counts[str(a)] for a in range(lo, hi + 1))
                                       for band, lo, hi in AGE_BANDS}))
    if not areas and not problems:
        problems.append("The file has a heading row but no areas")
    if problems:
        raise PopulationRejected(problems)
    return areas


def save(areas: list[Area], folder: str | os.PathLike, source_name: str) -> Path:
    """Write the table beside the figures (all at once: a reader sees the old table or the new)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    body = {"loaded_at": datetime.now(UTC).isoformat(timespec="seconds"), "file_name": source_name,
            "areas": [{"code": a.code, "name": a.name, "bands": a.bands} for a in areas]}
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".population-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(body, f, indent=1)
    target = folder / FILE_NAME
    os.replace(tmp, target)
    return target


@dataclass(frozen=True)
class Population:
    areas: list[Area]
    loaded_at: str
    file_name: str

    def by_band(self, band: str) -> int:
        return sum(a.bands.get(band, 0) for a in self.areas)

    def by_area(self, code: str, band: str | None = None) -> int | None:
        for a in self.areas:
            if a.code == code:
                return a.bands.get(band, 0) if band else sum(a.bands.values())
        return None

    def name_of(self, code: str) -> str | None:
        return next((a.name for a in self.areas if a.code == code), None)

    def code_for_name(self, name: str) -> str | None:
        wanted = (name or "").strip().casefold()
        return next((a.code for a in self.areas if a.name.casefold() == wanted), None) if wanted else None


def load(folder: str | os.PathLike) -> Population | None:
    path = Path(folder) / FILE_NAME
    if not path.exists():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    return Population([Area(a["code"], a["name"], a["bands"]) for a in body["areas"]],
                      body["loaded_at"], body["file_name"])
