"""A service's own licensed item text, loaded from JSON: no item wording ships with the engine.

File format: {"phq9": {"1": "text of item 1", ...}, ...} (measure id -> item number -> text).
"""

import json
from collections.abc import Mapping
from pathlib import Path

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue
from .errors import InvalidConfiguration, UnknownItem


def load_item_text(path: str | Path, *, catalogue: Catalogue | None = None) -> dict[str, dict[int, str]]:
    return parse_item_text(Path(path).read_text(encoding="utf-8"), catalogue=catalogue)


def parse_item_text(text: str, *, catalogue: Catalogue | None = None) -> dict[str, dict[int, str]]:
    """Checks every measure id and item number against the catalogue (raises UnknownMeasure /
    UnknownItem), so a typo cannot silently label the wrong item."""
    catalogue = catalogue or get_catalogue()
    data = json.loads(text)
    if not isinstance(data, Mapping):
        raise InvalidConfiguration("item text file must be an object: measure id -> items")
    out: dict[str, dict[int, str]] = {}
    for measure_id, items in data.items():
        measure = catalogue.measure(measure_id)
        if not isinstance(items, Mapping):
            raise InvalidConfiguration(f"{measure_id}: expected item number -> text")
        out[measure_id] = {}
        for key, value in items.items():
            try:
                number = int(key)
            except ValueError:
                raise UnknownItem(f"{measure.name}: {key!r} is not an item number") from None
            measure.item(number)
            if not isinstance(value, str) or not value.strip():
                raise InvalidConfiguration(f"{measure_id} item {number}: text must be a string")
            out[measure_id][number] = value
    return out
