"""One notion of "today": the date in the service's own time zone (settings.TIME_ZONE,
Europe/London), never the server's clock. On a UTC server during British Summer Time the two
differ between 00:00 and 01:00, which would move "must be today or earlier" checks and reviews due.

Also the rule every review date obeys: more than a year ahead needs an explicit confirmation.
"""

from datetime import date, timedelta

from django.utils import timezone

from .rules import RuleBroken

# A review further ahead than this is usually a typo in the year; it needs a confirmation.
REVIEW_CONFIRM_AFTER = timedelta(days=366)


def today() -> date:
    return timezone.localdate()


def check_review_date(review_on: date, since: date, *, confirmed: bool, field: str = "review_on",
                      what: str = "Review date") -> None:
    """Refuse a review more than a year after `since` unless the user confirmed it on purpose."""
    if review_on > since + REVIEW_CONFIRM_AFTER and not confirmed:
        raise RuleBroken(
            f"{what} is more than a year after {since:%-d %B %Y}. Check the year, or confirm "
            "that the review really is more than a year away",
            field,
        )
