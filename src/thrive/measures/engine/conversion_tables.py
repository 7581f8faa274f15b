"""Loadable raw-to-converted score tables, e.g. the SWEMWBS raw-to-metric table.

The authors' table is not shipped; a service with a licence loads its own JSON:
{"measure": "swemwbs", "scale": "total", "name": "metric", "table": {"7": "7.00", ...}}.
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .catalogue_loader import get_catalogue
from .catalogue_model import Catalogue
from .errors import InvalidConfiguration
from .rounding import to_decimal


@dataclass(frozen=True)
class ConversionTable:
    measure_id: str
    scale_id: str
    name: str
    table: dict[int, Decimal]

    def convert(self, raw: int | Decimal | None) -> Decimal | None:
        """The converted score; None for a missing raw score. Raw must be a whole table key."""
        if raw is None:
            return None
        raw = to_decimal(raw)
        if raw != raw.to_integral_value() or int(raw) not in self.table:
            raise InvalidConfiguration(f"{self.name}: no conversion for raw score {raw}")
        return self.table[int(raw)]


def load_conversion_table(path: str | Path, *, catalogue: Catalogue | None = None) -> ConversionTable:
    return parse_conversion_table(Path(path).read_text(encoding="utf-8"), catalogue=catalogue)


def parse_conversion_table(text: str, *, catalogue: Catalogue | None = None) -> ConversionTable:
    data = json.loads(text, parse_float=Decimal)
    scale = (catalogue or get_catalogue()).measure(data["measure"]).scale(data["scale"])
    table = {int(k): to_decimal(v) for k, v in data["table"].items()}
    expected = set(range(int(scale.range_min), int(scale.range_max) + 1))
    if set(table) != expected:
        raise InvalidConfiguration(
            f"conversion table must give every raw score {min(expected)}-{max(expected)} once"
        )
    return ConversionTable(scale.measure_id, scale.id, data.get("name", "converted"), table)
