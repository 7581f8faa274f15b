"""Consent behind the multi-agency work the shared-work step creates: each plan's partner agency
gets the family's consent for working together on care and for the Risk Support plan (so it sees
the plan and the care team member keeps access), one plan is shared on a safeguarding basis
instead, plans name people from organisations not on the platform, and one young person has a
care-team member added under a safeguarding override — with the privacy officer's alerts.
Run after `add_shared_work`. Deterministic for a seed."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Agency, Role, User
from thrive.care.models import Episode, open_episodes_q
from thrive.risk.models import DistributionEntry, ExternalParticipant, RiskSupportPlan
from thrive.sharing.models import AccessAlert, CareTeamMember, Consent

EXTERNAL = [
    ("DC Priya Shah", "police", "Northvale police, missing-from-home team",
     "Missing-from-home response and return interviews", "101", "", "secure_email"),
    ("Dr Tom Reid", "gp", "Riverside Surgery", "Medication review and physical health",
     "01632 960 123", "", "post"),
    ("Jo Okafor", "childrens_social_care", "Northvale children's social care",
     "Allocated social worker", "01632 960 456", "", "phone"),
]
OVERRIDE_REASON = ("Disclosure of harm at home this week; the family refuses consent and the "
                   "youth worker is the adult the young person trusts")


def _consent(person, agency, purpose, recorder, today):
    return Consent.objects.create(
        young_person=person, given_by="parent_carer", given_by_name="Parent or carer",
        with_agency=agency, purpose=purpose, given_on=today - timedelta(days=7),
        expires_on=today + timedelta(days=365), recorded_by=recorder)


def _alert(kind, user, person, detail):
    AccessAlert.objects.create(kind=kind, user=user, young_person=person,
                               raised_at=timezone.now(), detail=detail)


@transaction.atomic
def add_consented_sharing(seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-consented-sharing")
    counts = {"sharing consents": 0, "external participants": 0, "override members": 0}
    plans = list(RiskSupportPlan.objects.filter(status="current").select_related(
        "young_person", "keyworker").prefetch_related("agencies__agency").order_by("pk"))
    for i, plan in enumerate(plans):
        person, keyworker = plan.young_person, plan.keyworker
        working = set(Episode.objects.filter(open_episodes_q(), young_person=person)
                      .values_list("agency_id", flat=True))
        partners = [a.agency for a in plan.agencies.all() if a.agency_id not in working]
        for partner in partners:
            coordination = _consent(person, partner, Consent.Purpose.CARE_COORDINATION,
                                    keyworker, today)
            counts["sharing consents"] += 1
            # The partner's worker the shared-work step put on the care team joined on this.
            for member in CareTeamMember.objects.filter(
                    young_person=person, user__agency=partner, removed_at__isnull=True,
                    consent__isnull=True, override_reason="").select_related("user"):
                member.consent = coordination
                member.save(update_fields=["consent"])
                _alert(AccessAlert.Kind.CARE_TEAM_CONSENT, keyworker, person,
                       f"{keyworker.display_name} added {member.user.display_name} "
                       f"({partner.name}) with consent given on "
                       f"{coordination.given_on:%-d %B %Y}")
            if i == 0:  # this plan is shared on a safeguarding basis rather than consent
                plan.safeguarding_basis = ("Risk of exploitation outside the home; the partner "
                                           "agencies must see the plan now")
                plan.safeguarding_basis_by = keyworker
                plan.save(update_fields=["safeguarding_basis", "safeguarding_basis_by"])
                _alert(AccessAlert.Kind.PLAN_SAFEGUARDING, keyworker, person,
                       f"Risk Support plan shared without consent. Reason: "
                       f"{plan.safeguarding_basis}")
            else:
                _consent(person, partner, Consent.Purpose.RISK_SUPPORT, keyworker, today)
                counts["sharing consents"] += 1
        name, kind, org, role, phone, email, how = EXTERNAL[rng.randrange(len(EXTERNAL))]
        ExternalParticipant.objects.create(plan=plan, order=1, name=name, organisation_kind=kind,
                                           organisation=org, role=role, phone=phone, email=email,
                                           how_sent=how)
        DistributionEntry.objects.get_or_create(
            plan=plan, order=1, defaults={"recipient": "Parent or carer", "how_sent": "printed"})
        counts["external participants"] += 1
    counts["override members"] = _override_member(today)
    return counts


def _override_member(today: date) -> int:
    """A CAMHS manager adds a charity youth worker without consent, giving the reason."""
    camhs = Agency.objects.filter(kind=Agency.Kind.NHS, name__icontains="CAMHS").first()
    charity = Agency.objects.filter(kind=Agency.Kind.CHARITY).order_by("pk").first()
    if camhs is None or charity is None:
        return 0
    manager = User.objects.filter(agency=camhs, role=Role.TEAM_MANAGER).order_by("pk").first()
    worker = User.objects.filter(agency=charity, role=Role.PRACTITIONER).order_by("pk").first()
    episode = (Episode.objects.filter(open_episodes_q(), agency=camhs)
               .exclude(young_person__care_team__user=worker)
               .exclude(young_person__episodes__agency=charity)
               .select_related("young_person").order_by("pk").first())
    if manager is None or worker is None or episode is None:
        return 0
    person = episode.young_person
    CareTeamMember.objects.create(young_person=person, user=worker, role="Youth worker",
                                  added_by=manager, override_reason=OVERRIDE_REASON)
    _alert(AccessAlert.Kind.CARE_TEAM_OVERRIDE, manager, person,
           f"{manager.display_name} added {worker.display_name} ({charity.name}) without "
           f"consent. Reason: {OVERRIDE_REASON}")
    return 1
