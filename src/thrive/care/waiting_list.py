"""A team's waiting list: its open referrals and episodes with no lead practitioner, most urgent
first, then longest waiting. A fixed number of queries however long the list."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.sharing import policy

from .groupings import LABELS, Grouping
from .models import Episode, GroupingDecision, Urgency, open_episodes_q

URGENCY_RANK = Case(
    When(urgency=Urgency.EMERGENCY, then=Value(0)), When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)


def require_team_manager(user) -> None:
    if not (user.is_authenticated and user.role == Role.TEAM_MANAGER and user.team_id):
        raise PermissionDenied("The waiting list is for team managers.")


@dataclass
class WaitingRow:
    episode: Episode
    grouping: str | None
    today: date

    @property
    def grouping_label(self) -> str:
        return LABELS[Grouping(self.grouping)] if self.grouping else "Not agreed yet"

    @property
    def days_waiting(self) -> int:
        return (self.today - self.episode.referral_received_on).days

    @property
    def waiting_text(self) -> str:
        days = self.days_waiting
        if days < 14:
            return f"{days} day{'' if days == 1 else 's'}"
        return f"{days // 7} weeks"


def unallocated_episodes(user) -> QuerySet:
    """The manager's team's open episodes (awaiting a decision or accepted) with no lead,
    within what the access policy lets them see."""
    current = GroupingDecision.objects.filter(episode=OuterRef("pk"), is_current=True)
    return (policy.visible_episodes(user).filter(open_episodes_q(), team_id=user.team_id,
                                                 agency_id=user.agency_id,
                                                 lead_practitioner__isnull=True)
            .select_related("young_person")
            .annotate(urgency_rank=URGENCY_RANK,
                      current_grouping=Subquery(current.values("grouping")[:1]))
            .order_by("urgency_rank", "referral_received_on", "pk"))


def waiting_list(user, *, today: date | None = None) -> list[WaitingRow]:
    require_team_manager(user)
    today = today or timezone.localdate()
    return [WaitingRow(e, e.current_grouping, today) for e in unallocated_episodes(user)]
