"""Small-number suppression for any figure shown outside a care team (docs/specs/DESIGN.md): counts 1-4
are shown as "*", every other count is rounded to the nearest 5 (half up: 2.5 -> 5). Zero
stays 0. Pure functions, no Django."""

from decimal import ROUND_HALF_UP, Decimal

SUPPRESSED = "*"


def suppress(count: int | None) -> int | str | None:
    """A count ready to show: None stays None, 1-4 -> "*", else the nearest multiple of 5."""
    if count is None:
        return None
    if count < 0:
        raise ValueError("a count cannot be negative")
    if 1 <= count <= 4:
        return SUPPRESSED
    return int((Decimal(count) / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 5


def suppressed_percent(numerator: int, denominator: int) -> str | None:
    """A percentage from the suppressed figures, so it cannot be used to undo the suppression:
    "*" when either count is suppressed, None when there is nothing to divide."""
    num, den = suppress(numerator), suppress(denominator)
    if SUPPRESSED in (num, den):
        return SUPPRESSED
    if not den:
        return None
    value = (Decimal(100) * num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}"
