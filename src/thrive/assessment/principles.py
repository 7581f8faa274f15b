"""The principle sets shipped with the platform, as versioned data files (no Django).

Each file in principle_sets/ is one version: its key, a title and the 18 principles (id, level,
statement, descriptors for scores 1-4). A shipped file is never edited once released: a change
is a new file with a new key. In the database, a set used by a round is never altered either
(services.update_descriptors refuses).
"""

import json
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).parent / "principle_sets"
DEFAULT_KEY = "thrive-principles-v1"
LEVEL_NAMES = {
    "macro": "Macro – strategy and commissioning",
    "meso": "Meso – services",
    "micro": "Micro – practice",
}
IDS = (
    "M1",
    "M2",
    "M3",
    "M4",
    "M5",
    "M6",
    "S1",
    "S2",
    "S3",
    "S4",
    "I1",
    "I2",
    "I3",
    "I4",
    "I5",
    "I6",
    "I7",
    "I8",
)


def validate(data: dict) -> dict:
    """Refuse a set that is not exactly the 18 principles, each with descriptors for 1-4."""
    ids = tuple(p["id"] for p in data["principles"])
    if ids != IDS:
        raise ValueError(f"A principle set lists the 18 principles in order, not {ids}")
    for p in data["principles"]:
        if p["level"] not in LEVEL_NAMES:
            raise ValueError(f"{p['id']}: unknown level {p['level']!r}")
        if sorted(p["descriptors"]) != ["1", "2", "3", "4"] or not all(
            str(d).strip() for d in p["descriptors"].values()
        ):
            raise ValueError(f"{p['id']}: descriptors for scores 1, 2, 3 and 4 are needed")
    return data


@cache
def shipped(key: str = DEFAULT_KEY) -> dict:
    path = DIRECTORY / f"{key}.json"
    data = validate(json.loads(path.read_text()))
    if data["key"] != key:
        raise ValueError(f"{path.name} holds {data['key']!r}")
    return data


def available_keys() -> list[str]:
    return sorted(p.stem for p in DIRECTORY.glob("*.json"))
