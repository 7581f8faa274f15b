"""How domain operations refuse a change: one exception type the views turn into form errors."""

from dataclasses import dataclass


@dataclass
class RuleBroken(Exception):
    """A domain rule refused the change. `field` names the form field to point the user at."""

    message: str
    field: str | None = None

    def __str__(self):
        return self.message


STALE = (
    "Someone else changed this record after you opened this page. Nothing you entered has been "
    "saved. Open the page again to see their change, then make yours."
)
