"""A practitioner's caseload grouped by current needs-based grouping, and finding a young person.

Both are a fixed number of queries however large the caseload: annotations, not loops of lookups.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery

from thrive.accounts import permissions
from thrive.core import dates
from thrive.directory import services as directory_services
from thrive.people import nhs_number
from thrive.risk import rules as risk_rules
from thrive.risk import services as risk_services
from thrive.sharing import policy

from .groupings import LABELS, Grouping
from .models import Episode, GroupingDecision, open_episodes_q

REVIEW_DUE_WITHIN = timedelta(days=14)
NO_GROUPING = "none_yet"


@dataclass
class CaseloadRow:
    episode: Episode
    grouping: str | None
    review_on: date | None
    today: date
    plan: object = None  # risk.services.PlanSummary of the young person's current plan
    signposts_overdue: int = 0

    @property
    def plan_gap(self) -> str | None:
        return risk_rules.plan_gap(self.grouping, self.plan.agency_count if self.plan else None)

    @property
    def plan_review_state(self) -> str:
        return self.plan.review_state(self.today) if self.plan else ""

    @property
    def review_state(self) -> str:
        if self.review_on is None:
            return ""
        if self.review_on < self.today:
            return "overdue"
        if self.review_on <= self.today + REVIEW_DUE_WITHIN:
            return "due"
        return ""

    @property
    def waiting_since(self) -> date | None:
        """Waiting for help: from referral until first help is given."""
        return None if self.episode.first_help_on else self.episode.referral_received_on


@dataclass
class CaseloadGroup:
    code: str
    label: str
    rows: list[CaseloadRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(r.review_state == "overdue" for r in self.rows)

    @property
    def due(self) -> int:
        return sum(r.review_state == "due" for r in self.rows)


def caseload_episodes(user) -> QuerySet:
    """Open episodes the user carries: their own, or their whole team's for a team manager."""
    episodes = policy.visible_episodes(user).filter(open_episodes_q())
    if permissions.can_manage_team(user):
        episodes = episodes.filter(team_id=user.team_id)
    else:
        episodes = episodes.filter(lead_practitioner=user)
    current = GroupingDecision.objects.filter(episode=OuterRef("pk"), is_current=True)
    return episodes.select_related("young_person", "team", "lead_practitioner").annotate(
        current_grouping=Subquery(current.values("grouping")[:1]),
        current_review_on=Subquery(current.values("review_on")[:1]),
    ).order_by("young_person__family_name", "young_person__given_name", "pk")


def caseload_groups(user, *, grouping: str | None = None, review: str | None = None,
                    today: date | None = None) -> list[CaseloadGroup]:
    today = today or dates.today()
    order = [g.value for g in Grouping] + [NO_GROUPING]
    groups = {code: CaseloadGroup(code, LABELS.get(code, "No grouping agreed yet"))
              for code in order}
    episodes = list(caseload_episodes(user))
    # Two more queries, whatever the caseload size: plans and overdue signposting follow-ups.
    plans = risk_services.current_plans_for({e.young_person_id for e in episodes})
    overdue = directory_services.overdue_follow_ups([e.pk for e in episodes], today=today)
    for episode in episodes:
        row = CaseloadRow(episode, episode.current_grouping, episode.current_review_on, today,
                          plans.get(episode.young_person_id), overdue.get(episode.pk, 0))
        if review and row.review_state != review:
            continue
        groups[row.grouping or NO_GROUPING].rows.append(row)
    if grouping:
        return [groups[grouping]] if grouping in groups else []
    return [groups[code] for code in order]


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")


def _as_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_kind(text: str) -> str:
    if re.fullmatch(r"[\d\s-]{10,13}", text) and len(nhs_number.normalise(text)) == 10:
        return "nhs_number"
    if _as_date(text):
        return "date_of_birth"
    return "name"


def find_young_people(user, text: str, limit: int = 50) -> QuerySet:
    """Search only among the records the user may open, so results never reveal others."""
    text = " ".join(text.split())
    people = policy.visible_young_people(user)
    kind = search_kind(text)
    if kind == "nhs_number":
        people = people.filter(nhs_number=nhs_number.normalise(text))
    elif kind == "date_of_birth":
        people = people.filter(date_of_birth=_as_date(text))
    else:
        for word in text.split():
            people = people.filter(
                Q(given_name__icontains=word) | Q(family_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
    return people.order_by("family_name", "given_name", "pk")[:limit]
