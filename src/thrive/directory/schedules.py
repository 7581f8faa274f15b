"""When a service is open: Open Referral schedules read as RFC 5545 recurrence rules with
python-dateutil's `rrule`, and said in words. Plain Python, no Django.

A schedule is a rule for the days a session starts (weekly on some days, every other week, the
first Monday of the month, the 2nd of each month...), the time it opens and closes (closing at or
before opening means it runs past midnight: Friday 18:00 to 02:00 is open at 01:00 on Saturday),
the dates it is valid between, and whether it closes on bank holidays. Times are the service's
local times: "open now" turns the moment into the service's time zone first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from dateutil.rrule import DAILY, MO, MONTHLY, WEEKLY, YEARLY, rrule, weekday

DEFAULT_ZONE = "Europe/London"
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
            -2: "second to last"}
# A schedule that says it does not run on public holidays (in its description or notes).
_CLOSED_ON_HOLIDAYS = re.compile(
    r"(closed|not (?:open|available|running|run)|no sessions?)\b[^.]{0,60}\b(public|bank) "
    r"holidays?", re.IGNORECASE)
EXTRA_HOLIDAYS = Path(__file__).resolve().parent / "data" / "extra_bank_holidays.txt"


# -- Bank holidays (England and Wales), by rule, plus the one-off days in a reviewed file ------


def _substitute(day: date, taken: set[date]) -> date:
    while day.weekday() >= 5 or day in taken:
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in a year: the regular ones by rule (with weekday
    substitutes), and any one-off days listed in data/extra_bank_holidays.txt."""
    days: set[date] = set()
    days.add(_substitute(date(year, 1, 1), days))
    good_friday = easter(year) - timedelta(days=2)
    days |= {good_friday, good_friday + timedelta(days=3)}
    days.add(rrule(MONTHLY, count=1, byweekday=MO(1), dtstart=datetime(year, 5, 1))[0].date())
    days.add(rrule(MONTHLY, count=1, byweekday=MO(-1), dtstart=datetime(year, 5, 1))[0].date())
    days.add(rrule(MONTHLY, count=1, byweekday=MO(-1), dtstart=datetime(year, 8, 1))[0].date())
    christmas = _substitute(date(year, 12, 25), days)
    days.add(christmas)
    days.add(_substitute(date(year, 12, 26), days))
    return frozenset(days | {d for d in _extra_holidays() if d.year == year})


@lru_cache(maxsize=1)
def _extra_holidays() -> frozenset[date]:
    if not EXTRA_HOLIDAYS.exists():
        return frozenset()
    found = set()
    for line in EXTRA_HOLIDAYS.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            found.add(date.fromisoformat(text[:10]))
    return frozenset(found)


def is_bank_holiday(day: date) -> bool:
    return day in bank_holidays(day.year)


# -- Reading a schedule ---------------------------------------------------------------------


def _time(value) -> time | None:
    if not value:
        return None
    match = re.fullmatch(r"(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
                         str(value))
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour == 24:
        return time(0, 0)
    return time(hour, minute)


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _int_list(value) -> tuple[int, ...]:
    if value in (None, ""):
        return ()
    parts = value if isinstance(value, list) else str(value).split(",")
    out = []
    for part in parts:
        try:
            out.append(int(str(part).strip()))
        except ValueError:
            continue
    return tuple(out)


def _weekdays(value) -> tuple[tuple[int, int | None], ...]:
    """'MO,1TU,-1FR' -> ((0, None), (1, 1), (4, -1))."""
    out = []
    for part in str(value or "").upper().split(","):
        match = re.fullmatch(r"\s*([+-]?\d{1,2})?\s*(MO|TU|WE|TH|FR|SA|SU)\s*", part)
        if match:
            out.append((DAY_CODES.index(match[2]), int(match[1]) if match[1] else None))
    return tuple(dict.fromkeys(out))


def zone_for(value, default: str = DEFAULT_ZONE) -> tzinfo:
    """A schedule's `timezone` (HSDS: hours from UTC, e.g. 0 or 1) or the service's default
    zone (an IANA name, e.g. Europe/London, which knows about summer time)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and -14 <= value <= 14:
        return timezone(timedelta(hours=value))
    if isinstance(value, str) and value:
        try:
            return ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            pass
    return ZoneInfo(default)


@dataclass(frozen=True)
class Opening:
    """One schedule, ready to answer "is it open?" and to be said in words."""

    freq: int
    interval: int
    weekdays: tuple[tuple[int, int | None], ...]
    monthdays: tuple[int, ...]
    opens: time | None
    closes: time | None
    valid_from: date | None
    valid_to: date | None
    dtstart: date | None
    until: date | None
    count: int | None
    closed_on_holidays: bool
    zone: tzinfo

    @property
    def all_day(self) -> bool:
        return self.opens is None or self.closes is None or self.opens == self.closes

    @property
    def overnight(self) -> bool:
        return not self.all_day and self.closes < self.opens

    def _rule(self, near: date) -> rrule:
        """The recurrence, anchored at its own start where that matters (an interval, a count),
        else just before `near` so a check never walks years of occurrences."""
        kwargs = {}
        if self.weekdays:
            kwargs["byweekday"] = [weekday(d, n) if n else weekday(d)
                                   for d, n in self.weekdays]
        if self.monthdays:
            kwargs["bymonthday"] = list(self.monthdays)
        anchor = self.dtstart or self.valid_from
        if anchor is None or (self.interval == 1 and self.count is None):
            anchor = date(near.year - 1 if near.month == 1 else near.year,
                          12 if near.month == 1 else near.month - 1, 1)
            if self.freq == YEARLY:
                anchor = date(near.year - 1, 1, 1)
        until = datetime.combine(self.until, time(23, 59)) if self.until else None
        return rrule(self.freq, interval=self.interval, dtstart=datetime.combine(anchor, time()),
                     until=until, count=self.count, wkst=MO, **kwargs)

    def starts_on(self, day: date, holidays=is_bank_holiday) -> bool:
        """Whether a session starts on `day` (a date in the service's own time zone)."""
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        if self.closed_on_holidays and holidays(day):
            return False
        return _occurs(self, day)

    def is_open_at(self, moment: datetime, holidays=is_bank_holiday) -> bool:
        """Whether open at an aware `moment`, judged in the service's time zone."""
        local = moment.astimezone(self.zone).replace(tzinfo=None)
        for day in (local.date(), local.date() - timedelta(days=1)):
            if not self.starts_on(day, holidays):
                continue
            begins = datetime.combine(day, self.opens or time())
            if self.all_day:
                ends = begins + timedelta(days=1)
            else:
                ends = datetime.combine(day + timedelta(days=1) if self.overnight else day,
                                        self.closes)
            if begins <= local < ends:
                return True
        return False


RULE_KEYS = ("byday", "bymonthday", "freq", "interval", "count", "opens_at", "closes_at",
              "valid_from", "valid_to", "dtstart", "until", "description", "notes", "timezone")


@lru_cache(maxsize=16384)
def _occurs(found: Opening, day: date) -> bool:
    start = datetime.combine(day, time())
    return found._rule(day).after(start, inc=True) == start


def opening(schedule: dict, default_zone: str = DEFAULT_ZONE) -> Opening | None:
    """An Open Referral schedule (as imported) as an Opening; None if it names no recurrence
    (no days, no frequency): such a schedule can only be shown, never answer "open now"."""
    key = tuple(str(schedule.get(k)) for k in RULE_KEYS)
    return _opening(key, default_zone)


def rule_key(schedule: dict) -> str:
    """A short text naming everything that decides when a schedule is open (kept beside each
    schedule, so a search judges each distinct rule once, however many services share it)."""
    text = " ".join(str(schedule.get(k) or "") for k in ("description", "notes"))
    values = [schedule.get(k) for k in RULE_KEYS if k not in ("description", "notes")]
    values.append("closed on bank holidays" if _CLOSED_ON_HOLIDAYS.search(text) else None)
    return json.dumps(values, separators=(",", ":"), default=str)


@lru_cache(maxsize=4096)
def opening_for_rule(rule: str, default_zone: str = DEFAULT_ZONE) -> Opening | None:
    try:
        values = json.loads(rule)
    except ValueError:
        return None
    names = [k for k in RULE_KEYS if k not in ("description", "notes")] + ["description"]
    if not isinstance(values, list) or len(values) != len(names):
        return None
    return opening(dict(zip(names, values, strict=True)), default_zone)


@lru_cache(maxsize=4096)
def _opening(key: tuple, default_zone: str) -> Opening | None:
    schedule = {k: (None if v == "None" else v) for k, v in zip(RULE_KEYS, key, strict=True)}
    for name in ("interval", "count", "timezone"):
        value = schedule[name]
        if value is not None:
            try:
                schedule[name] = float(value) if name == "timezone" else int(value)
            except ValueError:
                schedule[name] = value
    weekdays = _weekdays(schedule.get("byday"))
    monthdays = _int_list(schedule.get("bymonthday"))
    freq_name = str(schedule.get("freq") or "").upper()
    if not weekdays and not monthdays and freq_name not in ("DAILY",):
        return None
    freq = FREQS.get(freq_name)
    if freq is None:
        freq = MONTHLY if monthdays or any(n for _, n in weekdays) else WEEKLY
    if freq == WEEKLY and any(n for _, n in weekdays):
        freq = MONTHLY  # "1MO" only means "first Monday" within a month
    interval = schedule.get("interval")
    interval = interval if isinstance(interval, int) and 1 <= interval <= 52 else 1
    count = schedule.get("count")
    count = count if isinstance(count, int) and count > 0 else None
    text = " ".join(str(schedule.get(k) or "") for k in ("description", "notes"))
    return Opening(
        freq=freq, interval=interval, weekdays=weekdays, monthdays=monthdays,
        opens=_time(schedule.get("opens_at")), closes=_time(schedule.get("closes_at")),
        valid_from=_date(schedule.get("valid_from")), valid_to=_date(schedule.get("valid_to")),
        dtstart=_date(schedule.get("dtstart")), until=_date(schedule.get("until")), count=count,
        closed_on_holidays=bool(_CLOSED_ON_HOLIDAYS.search(text)),
        zone=zone_for(schedule.get("timezone"), default_zone),
    )


def is_open(schedules: list[dict], moment: datetime, default_zone: str = DEFAULT_ZONE) -> bool:
    for schedule in schedules:
        found = opening(schedule, default_zone)
        if found is not None and found.is_open_at(moment):
            return True
    return False


def opens_on(schedules: list[dict], day: date, default_zone: str = DEFAULT_ZONE) -> bool:
    for schedule in schedules:
        found = opening(schedule, default_zone)
        if found is not None and found.starts_on(day):
            return True
    return False


# -- In words -------------------------------------------------------------------------------


def time_in_words(value: time) -> str:
    """16:30 -> "4:30pm"; 18:00 -> "6pm"; 12:00 -> "midday"; 00:00 -> "midnight"."""
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{suffix}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days_in_words(days: list[int]) -> str:
    days = sorted(set(days))
    if days == list(range(7)):
        return "every day"
    if days == list(range(5)):
        return "Monday to Friday"
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
    return _and([DAY_NAMES[d] + "s" for d in days])


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _date_in_words(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def describe(schedule: dict) -> str:
    """One schedule in plain words: "Thursdays, 4:30pm to 6pm"; "Open 24 hours, every day";
    "First Monday of the month, 6pm to 8pm"; "Fridays, 6pm to 2am (overnight)"."""
    found = opening(schedule)
    if found is None:
        return str(schedule.get("description") or "").strip()
    plain = [d for d, n in found.weekdays if not n]
    ordinal = [(d, n) for d, n in found.weekdays if n]
    if ordinal:
        when = _and([f"{ORDINALS.get(n, _nth(n))} {DAY_NAMES[d]}" for d, n in ordinal])
        when = when[0].upper() + when[1:] + " of the month"
    elif found.monthdays:
        when = "The " + _and([_nth(n) if n > 0 else "last day" for n in found.monthdays]) + \
               " of the month"
    elif plain:
        when = _days_in_words(plain)
        if found.freq == MONTHLY:
            when = f"{when} (monthly)"
    else:
        when = "every day"
    if found.interval == 2 and found.freq == WEEKLY:
        when = "Every other " + when.removesuffix("s") if len(plain) == 1 else \
            f"Every 2 weeks: {when}"
    elif found.interval > 1:
        unit = {WEEKLY: "weeks", MONTHLY: "months", DAILY: "days", YEARLY: "years"}[found.freq]
        when = f"Every {found.interval} {unit}: {when}"
    if found.all_day or (found.opens == time(0) and found.closes == time(0)):
        text = f"Open 24 hours, {when}" if when == "every day" else f"{_cap(when)}, open 24 hours"
    else:
        hours = f"{time_in_words(found.opens)} to {time_in_words(found.closes)}"
        if found.overnight and found.closes != time(0):
            hours += " (overnight)"
        text = f"{_cap(when)}{', ' if ' ' in when or ':' in when else ' '}{hours}"
    notes = []
    if found.valid_from and found.valid_to:
        notes.append(f"from {_date_in_words(found.valid_from)} to "
                     f"{_date_in_words(found.valid_to)}")
    elif found.valid_from:
        notes.append(f"from {_date_in_words(found.valid_from)}")
    elif found.valid_to:
        notes.append(f"until {_date_in_words(found.valid_to)}")
    if found.closed_on_holidays:
        notes.append("closed on bank holidays")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe_all(schedules: list[dict]) -> list[str]:
    return [text for text in (describe(s) for s in schedules) if text]
