"""Risk Support plan rules as plain Python (no Django), shared by pages, caseloads and analytics.

THRIVE (framework §1, §6): a young person in Getting Risk Support needs a documented
multi-agency plan agreed with the family. "Multi-agency" here means at least two agencies.
"""

from datetime import date, timedelta

GETTING_RISK_SUPPORT = "getting_risk_support"
MIN_AGENCIES = 2
REVIEW_DUE_WITHIN = timedelta(days=14)

NO_PLAN = "Getting Risk Support, but there is no current Risk Support plan"
TOO_FEW_AGENCIES = (
    "Getting Risk Support, but the Risk Support plan names {count}: a multi-agency plan needs "
    "at least two agencies"
)


def plan_gap(current_grouping: str | None, plan_agency_count: int | None) -> str | None:
    """A plain-words gap when the current grouping is Getting Risk Support and there is no
    current plan (`plan_agency_count` None) or the plan names fewer than two agencies."""
    if current_grouping != GETTING_RISK_SUPPORT:
        return None
    if plan_agency_count is None:
        return NO_PLAN
    if plan_agency_count < MIN_AGENCIES:
        return TOO_FEW_AGENCIES.format(
            count="only one agency" if plan_agency_count == 1 else "no agencies")
    return None


def review_state(review_on: date | None, today: date) -> str:
    """"overdue" after the review date, "due" within 14 days of it, otherwise ""."""
    if review_on is None:
        return ""
    if review_on < today:
        return "overdue"
    if review_on <= today + REVIEW_DUE_WITHIN:
        return "due"
    return ""


def responses_from_text(text: str) -> list[str]:
    """One response per line, in order; blank lines and list numbers people type are dropped."""
    responses = []
    for line in (text or "").splitlines():
        line = line.strip()
        head, _, rest = line.partition(" ")
        if rest and head.rstrip(".)").isdigit() and head[-1:] in ".)":
            line = rest.strip()
        if line:
            responses.append(line)
    return responses


def responses_to_text(responses: list[str]) -> str:
    return "\n".join(responses or [])
