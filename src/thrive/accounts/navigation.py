"""Where each role starts and what its header offers, in one place.

Both are worked out from the role gates in `permissions.py` (never from role names): a header
link is shown only to those whose gate lets them open the page, and `home_url` sends a user from
`/` (and the THRIVE logo) to the first page that is theirs; `/` never answers 403. The
"Self-assessment" header link is added by `config.jinja2.with_self_assessment`, because panel
members of a round see it too, whatever their role.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from . import permissions


def _agency_staff_admin(user) -> bool:
    return permissions.can_manage_staff(user) and not permissions.is_system_admin(user)


@dataclass(frozen=True)
class Link:
    url_name: str
    text: str
    nav: str                        # the page's active_nav, to mark the current item
    shown: Callable[[object], bool]  # the role gate of the page it opens


HEADER_LINKS = (
    Link("care:caseload", "My caseload", "caseload", permissions.works_with_records),
    Link("care:waiting-list", "Waiting list", "waiting-list", permissions.can_manage_team),
    Link("people:find", "Find a young person", "find", permissions.works_with_records),
    Link("people:register", "Add a young person", "register", permissions.works_with_records),
    Link("sharing:referrals", "Referrals", "referrals", permissions.works_with_records),
    Link("sharing:break-glass", "Emergency access", "break-glass", permissions.works_with_records),
    Link("analytics:dashboard", "Analytics", "analytics", permissions.can_use_analytics),
    Link("sharing:alerts", "Access alerts", "alerts", permissions.is_privacy_officer),
    Link("accounts:staff", "Agencies and staff", "staff", permissions.is_system_admin),
    Link("accounts:staff", "Your agency's staff", "staff", _agency_staff_admin),
    Link("measures:wording", "Questionnaire wording", "wording", permissions.can_load_measure_wording),
    Link("people:duplicates", "Duplicate records", "duplicates", permissions.is_system_admin),
    Link("community:home", "Community THRIVE", "community", permissions.can_facilitate_community),
    Link("directory:manage", "Directory listings", "directory", permissions.can_edit_directory),
)

# The first of these a user's gates allow is where `/` takes them.
HOMES = (
    (permissions.works_with_records, "care:caseload"),
    (permissions.can_use_analytics, "analytics:dashboard"),
    (permissions.is_privacy_officer, "sharing:alerts"),
    (permissions.can_manage_staff, "accounts:staff"),
    (permissions.can_facilitate_community, "community:home"),
    (permissions.can_edit_directory, "directory:manage"),
    # Last, so analysts and system administrators keep their own pages.
    (permissions.can_lead_self_assessment, "assessment:index"),
)


def header_links(user) -> list[Link]:
    return [link for link in HEADER_LINKS if link.shown(user)]


def header_navigation(user, active_nav=None) -> dict:
    """The NHS.UK header's navigation parameter: {"items": [...]} (empty: no menu)."""
    return {"items": [{"href": reverse(link.url_name), "text": link.text,
                       "current": bool(active_nav) and active_nav == link.nav}
                      for link in header_links(user)]}


def home_url(user) -> str | None:
    """Where `/` sends this user, or None to show the home page itself."""
    for gate, url_name in HOMES:
        if gate(user):
            return reverse(url_name)
    return None
