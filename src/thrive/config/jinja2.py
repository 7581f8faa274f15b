"""The Jinja2 environment: our templates first, then the NHS.UK frontend macros."""

from datetime import date, datetime

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from thrive.core import dates


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def nice_date(value) -> str:
    """NHS style: 3 March 2026. Empty for no date."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def environment(**options) -> Environment:
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    options["undefined"] = ChainableUndefined
    env = Environment(**options)
    env.globals.update(
        {"url": url, "static": static, "today": dates.today, "settings_debug": settings.DEBUG}
    )
    env.filters["nice_date"] = nice_date
    env.globals["with_self_assessment"] = with_self_assessment
    env.globals["header_navigation"] = header_navigation
    env.filters["month_words"] = month_words
    return env


def with_self_assessment(navigation, user, active_nav=None):
    """The header's navigation with "Self-assessment" added for those who lead rounds or have a
    round to score (thrive.assessment.access)."""
    from jinja2 import Undefined

    from thrive.assessment.access import shows_self_assessment

    if not shows_self_assessment(user):
        return navigation
    items = [] if isinstance(navigation, Undefined) or not navigation else list(navigation["items"])
    items.append({"href": reverse("assessment:index"), "text": "Self-assessment",
                  "current": active_nav == "assessment"})
    return {"items": items}


def header_navigation(user, active_nav=None):
    """The header's menu for this user's role (thrive.accounts.navigation)."""
    from thrive.accounts.navigation import header_navigation as navigation

    return navigation(user, active_nav)


def month_words(value):
    """A month as words: 2024-03 (or a date) -> March 2024; anything else unchanged."""
    if isinstance(value, date):
        return f"{value:%B %Y}"
    if isinstance(value, str) and len(value) == 7 and value[4] == "-" and value.replace("-", "").isdigit():
        return f"{date(int(value[:4]), int(value[5:]), 1):%B %Y}"
    return value
