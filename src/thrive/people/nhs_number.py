"""NHS number checks (Modulus 11). Pure Python: used by forms, imports and the demo generator."""

import re

_SEPARATORS = re.compile(r"[\s-]")


def normalise(value: str) -> str:
    """Strip the spaces and dashes people type ("943 476 5919" → "9434765919")."""
    return _SEPARATORS.sub("", value or "")


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None where no valid number exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def problem(value: str) -> str | None:
    """Why this is not a valid NHS number, in words a practitioner can act on; None if valid."""
    number = normalise(value)
    if not number.isdigit() or len(number) != 10:
        return "NHS number must be 10 digits"
    if check_digit(number[:9]) != int(number[9]):
        return "Enter a valid NHS number: check the digits, this one does not pass the NHS check"
    return None


def is_valid(value: str) -> bool:
    return problem(value) is None


def formatted(value: str) -> str:
    """3 3 4 spacing, as printed on NHS letters."""
    n = normalise(value)
    return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n
