"""Rules that refuse a record contradicting itself or the episode it belongs to.

No database access here: the services gather the facts and call these inside their transaction,
so the pages, the JSON API and imports all obey the same rules, and each refusal names the field
to fix with a message a clinician can act on.
"""

from datetime import date

from thrive.core.rules import RuleBroken


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


# --- Shared decisions ------------------------------------------------------------------------

def check_shared_decision(*, young_person_took_part: bool, parent_carer_took_part: bool,
                          options_preferred, made_explicit: bool,
                          without_family_reason: str) -> None:
    """A decision says what the young person and family preferred and that the grouping was made
    explicit to them only if one of them took part. Without them, it says why (THRIVE decisions
    are agreed with the family; one made without them is the exception, and visible as one)."""
    family = young_person_took_part or parent_carer_took_part
    if family:
        if not options_preferred:
            raise RuleBroken("Select what the young person and family preferred",
                             "options_preferred")
        if without_family_reason.strip():
            raise RuleBroken(
                "Leave 'Why neither took part' empty: you said the young person or a parent "
                "or carer took part", "without_family_reason")
        return
    if options_preferred:
        raise RuleBroken(
            "Neither the young person nor a parent or carer took part, so there is no family "
            "preference to record. Untick the preferred options, or change who took part",
            "options_preferred")
    if made_explicit:
        raise RuleBroken(
            "Neither the young person nor a parent or carer took part, so the grouping cannot "
            "have been made explicit to them yet. Select no, and record a new decision once it "
            "has been discussed with them", "made_explicit")
    if not without_family_reason.strip():
        raise RuleBroken("Enter why neither the young person nor a parent or carer took part",
                         "without_family_reason")


# --- Key dates -------------------------------------------------------------------------------

# (later, earlier): the later date may not come before the earlier one.
KEY_DATE_ORDER = (
    ("assessed_on", "triaged_on"),
    ("first_help_on", "triaged_on"),
    ("first_help_on", "assessed_on"),
    ("first_help_on", "accepted_on"),
)
KEY_DATE_NAMES = {
    "referral_received_on": "Date referral received", "triaged_on": "Triage date",
    "accepted_on": "Date accepted", "declined_on": "Date declined",
    "assessed_on": "Assessment date", "first_help_on": "First help date",
}


def _lower(name: str) -> str:
    text = KEY_DATE_NAMES[name]
    return text[0].lower() + text[1:]


def check_key_date_order(dates: dict) -> None:
    """Triage, then assessment, then first help; first help once the referral is accepted."""
    for later, earlier in KEY_DATE_ORDER:
        if dates.get(later) and dates.get(earlier) and dates[later] < dates[earlier]:
            raise RuleBroken(
                f"{KEY_DATE_NAMES[later]} must be on or after the {_lower(earlier)} "
                f"({_day(dates[earlier])})", later)


def check_ended_after_key_dates(ended_on: date, dates: dict) -> None:
    for name in ("first_help_on", "assessed_on", "triaged_on", "accepted_on"):
        if dates.get(name) and ended_on < dates[name]:
            raise RuleBroken(
                f"Date ended must be on or after the {_lower(name)} ({_day(dates[name])})",
                "ended_on")


# --- Endings ---------------------------------------------------------------------------------

def check_ending_goals(*, reason: str, goals_met: str, goals: int, rated_goals: int) -> None:
    """'No goals were set' cannot stand beside recorded goals; 'goals reached' beside 'not met'."""
    if goals_met == "no_goals" and goals:
        rated = f", {rated_goals} of them rated" if rated_goals else ""
        raise RuleBroken(
            f"This episode has {goals} agreed goal{'s' if goals != 1 else ''}{rated}, so 'No goals "
            "were set' cannot be right. Select met, partly met or not met", "goals_met")
    if reason == "goals_met" and goals_met in ("not_met", "no_goals"):
        raise RuleBroken(
            "You said help is ending because the goals were reached, so select met or partly "
            "met, or choose another reason for ending", "goals_met")


# --- Age -------------------------------------------------------------------------------------

def check_age_in_range(agency, age: int, age_reason: str, field: str = "age_reason") -> None:
    """An age outside the agency's range is allowed, with a reason (a young person may stay with
    a service past its upper age, or be seen early); never silently."""
    if not agency.serves_age(age) and not age_reason.strip():
        raise RuleBroken(
            f"This young person was {age} when referred, outside {agency.name}'s age range "
            f"({agency.age_range_text}). Check the date of birth, or enter why they are being "
            "seen here", field)
