"""Waiting lists and allocation on top of the generated history: each team's newest referrals
not yet helped wait unallocated (with an urgency), and a few open episodes were
reallocated between colleagues, with the reason in their allocation history. Deterministic for
a seed."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from thrive.accounts.models import Role, Team, User
from thrive.care.models import Allocation, Episode, Urgency, open_episodes_q

WAITING_PER_TEAM = 5
REALLOCATED_PER_TEAM = 2
URGENCY_WEIGHTS = [(Urgency.ROUTINE, 6), (Urgency.URGENT, 3), (Urgency.EMERGENCY, 1)]
REASONS = ["Caseload balancing across the team", "Needs a practitioner with eating disorder "
           "experience", "Previous practitioner on long-term leave", "Family asked for a change "
           "of practitioner", "Closer to the young person's school"]


def _when(rng, today: date, days_back: int) -> datetime:
    day = today - timedelta(days=rng.randint(1, max(days_back, 1)))
    return timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16), rng.choice([0, 30]))))


@transaction.atomic
def add_waiting_lists(seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-waiting-list")
    urgencies, weights = zip(*URGENCY_WEIGHTS, strict=True)
    waiting = reallocated = 0
    for team in Team.objects.order_by("pk"):
        manager = User.objects.filter(team=team, role=Role.TEAM_MANAGER).order_by("pk").first()
        staff = list(User.objects.filter(team=team, role=Role.PRACTITIONER, is_active=True)
                     .order_by("pk"))
        if manager is None or len(staff) < 2:
            continue
        team_open = Episode.objects.filter(open_episodes_q(), team=team)
        # The newest referrals not yet helped go back to the waiting list, unallocated; every
        # practitioner keeps at least one episode of their own.
        # One grouped count, not one query per member (a million-person demo has thousands).
        counted = dict(team_open.filter(lead_practitioner__isnull=False).values("lead_practitioner")
                       .annotate(n=Count("id")).values_list("lead_practitioner", "n"))
        leads = {u.pk: counted.get(u.pk, 0) for u in staff + [manager]}
        newest = []
        for episode in (team_open.filter(first_help_on__isnull=True,
                                         lead_practitioner__isnull=False)
                        .order_by("-referral_received_on", "-pk")):
            if len(newest) == WAITING_PER_TEAM:
                break
            if leads.get(episode.lead_practitioner_id, 0) > 1:
                leads[episode.lead_practitioner_id] -= 1
                newest.append(episode)
        for episode in newest:
            Episode.objects.filter(pk=episode.pk).update(
                lead_practitioner=None, urgency=rng.choices(urgencies, weights)[0])
        waiting += len(newest)
        # A few accepted episodes changed hands; the history says why.
        moved = list(team_open.filter(accepted_on__isnull=False, lead_practitioner__in=staff)
                     .order_by("pk")[:REALLOCATED_PER_TEAM])  # moves keep everyone's count > 0
        for episode in moved:
            to_user = next(u for u in staff if u.pk != episode.lead_practitioner_id)
            Allocation.objects.create(
                episode=episode, from_user_id=episode.lead_practitioner_id, to_user=to_user,
                reason=rng.choice(REASONS), allocated_by=manager,
                allocated_at=_when(rng, today, (today - episode.accepted_on).days))
            Episode.objects.filter(pk=episode.pk).update(lead_practitioner=to_user,
                                                        version=episode.version + 1)
        reallocated += len(moved)
    return {"referrals on waiting lists": waiting, "reallocations": reallocated}
