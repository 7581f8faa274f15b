"""Handing over a practitioner's responsibilities before their account is deactivated: the open
episodes they lead, their care-team memberships (keyworker or not) and the current Risk Support
plans that name them keyworker. Everything moves in one transaction, or nothing does.

The administrator doing this does not work with records, so what they are shown identifies no
young person: the team, dates and roles, never a name (the access policy is not bypassed).
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import User
from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken
from thrive.risk.models import RiskSupportPlan
from thrive.sharing.models import CareTeamMember

from . import services
from .models import Episode, open_episodes_q


@dataclass
class Responsibilities:
    lead_episodes: list
    memberships: list
    plans: list

    @property
    def keyworker_count(self) -> int:
        return sum(m.is_keyworker for m in self.memberships) + len(self.plans)

    @property
    def total(self) -> int:
        return len(self.lead_episodes) + len(self.memberships) + len(self.plans)

    @property
    def token(self) -> str:
        """What the page showed: a handover form opened before something changed is refused."""
        ids = ([f"e{e.pk}" for e in self.lead_episodes] + [f"m{m.pk}" for m in self.memberships]
               + [f"p{p.pk}" for p in self.plans])
        return hashlib.sha256("|".join(ids).encode()).hexdigest()[:32]

    def summary(self) -> str:
        parts = []
        if self.lead_episodes:
            n = len(self.lead_episodes)
            parts.append(f"leads {n} open episode{'s' if n != 1 else ''}")
        if self.memberships:
            n = len(self.memberships)
            parts.append(f"is on {n} care team{'s' if n != 1 else ''}")
        if self.plans:
            n = len(self.plans)
            parts.append(f"is keyworker on {n} Risk Support plan{'s' if n != 1 else ''}")
        return ", ".join(parts)


def responsibilities(user: User, *, for_update: bool = False) -> Responsibilities:
    episodes = Episode.objects.filter(open_episodes_q(), lead_practitioner=user)
    memberships = CareTeamMember.objects.filter(user=user, removed_at__isnull=True)
    plans = RiskSupportPlan.objects.filter(keyworker=user, status=RiskSupportPlan.Status.CURRENT)
    if for_update:
        episodes, memberships, plans = (q.select_for_update(of=("self",))
                                        for q in (episodes, memberships, plans))
    return Responsibilities(
        list(episodes.select_related("team", "young_person", "lead_practitioner")
             .order_by("referral_received_on", "pk")),
        list(memberships.order_by("added_at", "pk")),
        list(plans.order_by("agreed_on", "pk")),
    )


def refuse_if_responsible(user: User) -> None:
    """Deactivating someone who still carries young people would strand them."""
    held = responsibilities(user)
    if held.total:
        raise RuleBroken(f"{user.display_name} still {held.summary()}. Hand these over to "
                         "another practitioner first (Hand over their caseload).")


def hand_over(request, target: User, *, to_user: User | None, leads_to_waiting_list: bool,
              reason: str, token: str) -> Responsibilities:
    """Move everything `target` carries to `to_user` in one step. Open episodes they lead may go
    to their team's waiting list instead; care-team and keyworker roles always need a person."""
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter why the caseload is moving", "reason")
    with transaction.atomic():
        held = responsibilities(target, for_update=True)
        if not held.total:
            raise RuleBroken(f"{target.display_name} has nothing to hand over.")
        if held.token != token:
            raise RuleBroken(STALE)
        needs_person = held.memberships or held.plans or (held.lead_episodes
                                                          and not leads_to_waiting_list)
        if to_user is not None and (to_user.pk == target.pk
                                    or not services.is_allocatable(to_user, target.agency_id)):
            raise RuleBroken("Choose another active practitioner or team manager of the same "
                             "agency", "to_user")
        if needs_person and to_user is None:
            raise RuleBroken("Choose who takes over", "to_user")
        for episode in held.lead_episodes:
            services.move_lead(request, episode, None if leads_to_waiting_list else to_user,
                               reason)
        now = timezone.now()
        for membership in held.memberships:
            _move_membership(request, membership, to_user, now)
        for plan in held.plans:
            plan.keyworker, plan.updated_by = to_user, request.user
            plan.version += 1
            plan.save(update_fields=["keyworker", "updated_by", "version", "updated_at"])
            audit.record(request, AuditEvent.Action.CHANGE, obj=plan,
                         young_person=plan.young_person,
                         detail=f"keyworker: {target.username} > {to_user.username}")
        audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                     detail=f"staff: caseload handed over to "
                            f"{to_user.username if to_user else 'waiting list'} "
                            f"({held.summary()}; lead episodes to "
                            f"{'waiting list' if leads_to_waiting_list else 'them'})")
    return held


def _move_membership(request, membership: CareTeamMember, to_user: User, now) -> None:
    """The leaver leaves the care team; their successor joins it in the same role (or, already a
    member, takes over as keyworker if the leaver was)."""
    membership.removed_at = now
    membership.save(update_fields=["removed_at"])
    existing = CareTeamMember.objects.filter(young_person_id=membership.young_person_id,
                                             user=to_user, removed_at__isnull=True).first()
    if existing is None:
        existing = CareTeamMember.objects.create(
            young_person_id=membership.young_person_id, user=to_user, role=membership.role,
            is_keyworker=membership.is_keyworker, added_by=request.user)
    elif membership.is_keyworker and not existing.is_keyworker:
        existing.is_keyworker = True
        existing.save(update_fields=["is_keyworker"])
    audit.record(request, AuditEvent.Action.CHANGE, obj=existing,
                 young_person=membership.young_person,
                 detail=f"care team: {membership.user.username} > {to_user.username}"
                        + (" (keyworker)" if membership.is_keyworker else ""))
