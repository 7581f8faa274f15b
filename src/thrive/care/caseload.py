"""A practitioner's caseload grouped by current needs-based grouping, and finding a young person.

Both are a fixed number of queries however large the caseload: annotations, not loops of lookups.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from thrive.accounts import permissions
from thrive.core import dates
from thrive.directory import services as directory_services
from thrive.people import nhs_number
from thrive.risk import rules as risk_rules
from thrive.risk import services as risk_services
from thrive.risk.models import RiskSupportPlan
from thrive.sharing import policy
from thrive.sharing.models import CareTeamMember

from .groupings import LABELS, Grouping
from .models import Allocation, Episode, GroupingDecision, open_episodes_q

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
    roles: list[str] = field(default_factory=list)  # the user's own roles for this young person
    newly_allocated: bool = False
    risk_alerts: int = 0  # questionnaire risk items not yet acknowledged (measures)
    measures_due: list = field(default_factory=list)  # measures.schedule.Due, the agency's schedule

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


NEWLY_ALLOCATED_WITHIN = timedelta(days=14)


def caseload_episodes(user) -> QuerySet:
    """Open episodes the user carries: those they lead (their whole team's for a team manager),
    and those of young people whose care team they are on or whose current Risk Support plan
    names them keyworker, as long as the access policy gives them a relationship."""
    episodes = policy.visible_episodes(user).filter(open_episodes_q())
    memberships = CareTeamMember.objects.filter(user=user, removed_at__isnull=True)
    keyworker_plans = RiskSupportPlan.objects.filter(keyworker=user,
                                                     status=RiskSupportPlan.Status.CURRENT)
    led = Q(team_id=user.team_id) if permissions.can_manage_team(user) else Q(lead_practitioner=user)
    by_role = Q(young_person__in=policy.related_young_people(user)) & (
        Q(young_person__in=memberships.values("young_person"))
        | Q(young_person__in=keyworker_plans.values("young_person")))
    episodes = episodes.filter(led | by_role)
    current = GroupingDecision.objects.filter(episode=OuterRef("pk"), is_current=True)
    mine = memberships.filter(young_person=OuterRef("young_person_id"))
    return episodes.select_related("young_person", "team", "lead_practitioner").annotate(
        current_grouping=Subquery(current.values("grouping")[:1]),
        current_review_on=Subquery(current.values("review_on")[:1]),
        my_care_team_role=Subquery(mine.values("role")[:1]),
        my_care_team_keyworker=Subquery(mine.values("is_keyworker")[:1]),
        my_plan_keyworker=Exists(keyworker_plans.filter(young_person=OuterRef("young_person_id"))),
        allocated_to_me_at=Subquery(Allocation.objects.filter(episode=OuterRef("pk"), to_user=user)
                                    .order_by("-allocated_at").values("allocated_at")[:1]),
    ).order_by("young_person__family_name", "young_person__given_name", "pk")


def my_roles(user, episode) -> list[str]:
    roles = []
    if episode.lead_practitioner_id == user.pk:
        roles.append("Lead practitioner")
    if episode.my_care_team_keyworker or episode.my_plan_keyworker:
        roles.append("Keyworker")
    if episode.my_care_team_role:
        roles.append(f"Care team: {episode.my_care_team_role}")
    return roles


def _one_row_per_role(user, episodes: list) -> list:
    """A young person appears once for their care-team or keyworker roles: the episodes the
    user carries (or their team's) stay; otherwise one open episode, their own agency's first."""
    carried = {e.young_person_id for e in episodes if _carried(user, e)}
    kept, seen = [], set()
    for episode in sorted(episodes, key=lambda e: (e.agency_id != user.agency_id,
                                                   e.referral_received_on, e.pk)):
        if _carried(user, episode):
            kept.append(episode)
        elif episode.young_person_id not in carried and episode.young_person_id not in seen:
            seen.add(episode.young_person_id)
            kept.append(episode)
    order = {e.pk: n for n, e in enumerate(episodes)}
    return sorted(kept, key=lambda e: order[e.pk])


def _carried(user, episode) -> bool:
    if permissions.can_manage_team(user):
        return episode.team_id == user.team_id and episode.agency_id == user.agency_id
    return episode.lead_practitioner_id == user.pk
def recently_ended(user, today: date | None = None) -> list[Episode]:
    """Ended episodes the user led that are still in the window for late additions
    (policy.can_add_after_ending): one query, whatever their number."""
    from django.conf import settings

    today = today or timezone.localdate()
    since = today - timedelta(days=settings.THRIVE_POST_ENDING_WINDOW_DAYS)
    return list(policy.visible_episodes(user).filter(
        lead_practitioner=user, agency_id=user.agency_id, declined_on__isnull=True,
        ending__ended_on__gte=since).select_related("young_person", "team", "ending")
        .order_by("-ending__ended_on", "pk"))


def caseload_groups(user, *, grouping: str | None = None, review: str | None = None,
                    today: date | None = None,
                    follow_ups_overdue: bool = False) -> list[CaseloadGroup]:
    today = today or dates.today()
    order = [g.value for g in Grouping] + [NO_GROUPING]
    groups = {code: CaseloadGroup(code, LABELS.get(code, "No grouping agreed yet"))
              for code in order}
    episodes = _one_row_per_role(user, list(caseload_episodes(user)))
    # Two more queries, whatever the caseload size: plans and overdue signposting follow-ups.
    plans = risk_services.current_plans_for({e.young_person_id for e in episodes})
    overdue = directory_services.overdue_follow_ups([e.pk for e in episodes], today=today)
    recent = timezone.now() - NEWLY_ALLOCATED_WITHIN
    from thrive.measures import services as measures_services

    risk_alerts = measures_services.unreviewed_risk_counts(e.pk for e in episodes)
    measures_due = measures_services.measures_due_for(episodes, today)
    for episode in episodes:
        row = CaseloadRow(episode, episode.current_grouping, episode.current_review_on, today,
                          plans.get(episode.young_person_id), overdue.get(episode.pk, 0),
                          roles=my_roles(user, episode),
                          newly_allocated=bool(episode.lead_practitioner_id == user.pk
                                               and episode.allocated_to_me_at
                                               and episode.allocated_to_me_at >= recent))
        row.risk_alerts = risk_alerts.get(episode.pk, 0)
        row.measures_due = measures_due.get(episode.pk, [])
        if review and row.review_state != review:
            continue
        if follow_ups_overdue and not row.signposts_overdue:
            continue
        groups[row.grouping or NO_GROUPING].rows.append(row)
    if grouping:
        return [groups[grouping]] if grouping in groups else []
    return [groups[code] for code in order]


_DATE_WORDS = ("%d %B %Y", "%d %b %Y")  # 15 May 2010, 15 Sep 2010
# 15/05/2010, 15 5 2010, 15.05.2010, 15-5-2010
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[\s./-]+(\d{1,2})[\s./-]+(\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")  # 2010-05-15
BAD_DATE = "Enter a real date of birth, for example 15/05/2010"


def _date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) if the text is written as a date, whether or not it is a real one."""
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        return int(m[3]), int(m[2]), int(m[1])
    if m := _YEAR_MONTH_DAY.fullmatch(text):
        return int(m[1]), int(m[2]), int(m[3])
    return None


def _as_date(text: str) -> date | None:
    for fmt in _DATE_WORDS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    parts = _date_parts(text)
    try:
        return date(*parts) if parts else None
    except ValueError:
        return None


def search_problem(text: str) -> str:
    """A clear error for a search written as a date that is not a real one (15/13/2010)."""
    text = " ".join(text.split())
    return BAD_DATE if _date_parts(text) and not _as_date(text) else ""


def search_kind(text: str) -> str:
    if re.fullmatch(r"[\d\s-]{10,13}", text) and len(nhs_number.normalise(text)) == 10:
        return "nhs_number"
    if _as_date(" ".join(text.split())):
        return "date_of_birth"
    return "name"


def find_young_people(user, text: str, limit: int = 50) -> QuerySet:
    """Search only among the records the user may open, so results never reveal others. Each
    result carries `relationship` (policy.with_relationship): an ended or declined one is marked.
    Names match in any order, with or without a comma ("Hughes, Sienna")."""
    text = " ".join(text.split())
    people = policy.with_relationship(user, policy.visible_young_people(user))
    kind = search_kind(text)
    if kind == "nhs_number":
        people = people.filter(nhs_number=nhs_number.normalise(text))
    elif kind == "date_of_birth":
        people = people.filter(date_of_birth=_as_date(text))
    else:
        for word in text.replace(",", " ").split():
            people = people.filter(
                Q(given_name__icontains=word) | Q(family_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
    return people.order_by("family_name", "given_name", "pk")[:limit]
