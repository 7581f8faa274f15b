"""Working days in England and Wales: Monday to Friday, not a bank holiday (data file beside
this module). No Django here."""

from datetime import date, timedelta
from functools import cache
from pathlib import Path

HOLIDAYS_FILE = Path(__file__).parent / "data" / "bank_holidays_england_wales.txt"


@cache
def bank_holidays() -> frozenset[date]:
    lines = HOLIDAYS_FILE.read_text().splitlines()
    return frozenset(date.fromisoformat(s.strip()) for s in lines if s.strip() and not s.startswith("#"))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def add_working_days(day: date, n: int) -> date:
    """The date ``n`` working days after ``day`` (the day itself not counted): a referral sent on
    ``day`` and answered by this date was answered within ``n`` working days."""
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day
