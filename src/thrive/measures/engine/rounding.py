"""Decimal helpers. Python's round() rounds half to even; the spec wants half up (6.5 -> 7)."""

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def to_decimal(value: int | float | str | Decimal) -> Decimal:
    """Exact Decimal for ints/strings; floats go through str() so 6.6 stays 6.6."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a score")
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def round_half_up(value: Decimal, places: Decimal = Decimal(1)) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def display(value: Decimal | None) -> Decimal | None:
    """The 2 d.p. display form; the stored value keeps full precision."""
    return None if value is None else round_half_up(value, TWO_PLACES)
