"""Multi-agency work on top of the generated history: Risk Support plans and care teams for most
young people in Getting Risk Support (a few left without, so the gap shows), consents, and
referrals from the schools' teams waiting in CAMHS's inbox. Deterministic for a seed."""

import random
from datetime import date, timedelta

from django.db import transaction

from thrive.accounts.models import Agency, User
from thrive.care.models import GroupingDecision, open_episodes_q
from thrive.risk.models import CrisisStep, PlanAgency, PlanRisk, RiskSupportPlan
from thrive.sharing.models import AgencyReferral, CareTeamMember, Consent

RISKS = [
    ("to_self", "Cuts arms when overwhelmed, more often after arguments at home"),
    ("to_self", "Has talked about ending their life when feeling trapped"),
    ("from_others", "Contact with older young people who exploit them"),
    ("to_others", "Has hit out at a younger sibling when very distressed"),
]
HELPS = ["Time with the family dog", "Music and walking with a trusted adult",
         "A quiet space at school with a named adult", "Texting a friend before things escalate"]
ROLES = {
    Agency.Kind.NHS: "Clinical lead for risk and crisis planning",
    Agency.Kind.COUNCIL: "Family support and safeguarding liaison",
    Agency.Kind.SCHOOL: "Daily check-in and safe space in school",
    Agency.Kind.CHARITY: "Weekly youth work and evening drop-in",
}


def _plan(rng, episode, partner, today, since):
    """since: when Getting Risk Support was agreed; the plan follows it (never before the
    referral), and its review comes after it was agreed."""
    lead = episode.lead_practitioner
    since = max(since, episode.referral_received_on)
    agreed_on = min(today, since + timedelta(days=rng.randint(0, 21)))
    plan = RiskSupportPlan.objects.create(
        young_person=episode.young_person, keyworker=lead,
        what_helps=rng.choice(HELPS), preventive_actions="Weekly check-in with the keyworker; "
        "safety plan reviewed at each contact",
        informal_network="Grandparent nearby; best friend's family", agreed_with_young_person=True,
        agreed_with_family="Parent or carer", agreed_on=agreed_on,
        review_on=max(agreed_on + timedelta(days=14), today + timedelta(days=rng.randint(-10, 40))),
        created_by=lead, updated_by=lead)
    for order, agency in enumerate((episode.agency, partner), start=1):
        PlanAgency.objects.create(plan=plan, order=order, agency=agency, role=ROLES[agency.kind])
    for order, (kind, text) in enumerate(rng.sample(RISKS, 2), start=1):
        PlanRisk.objects.create(plan=plan, order=order, kind=kind, description=text)
    CrisisStep.objects.create(
        plan=plan, order=1, trigger="says they feel unsafe or cannot keep themselves safe",
        responses=["Stay with them", "Remove anything they could hurt themselves with",
                   "Call the CAMHS crisis line"],
        contact_who="CAMHS crisis team", contact_how="0300 555 0199, any time")
    return plan


@transaction.atomic
def add_shared_work(seed: int, today: date) -> dict[str, int]:
    rng = random.Random(f"{seed}-shared-work")
    # The plan's second agency: the council's early help, or a charity when the episode is the
    # council's own (an agency is named once on a plan).
    partners = [a for a in (Agency.objects.filter(kind=Agency.Kind.COUNCIL).first(),
                            Agency.objects.filter(kind=Agency.Kind.CHARITY).order_by("pk").first())
                if a is not None]
    workers = {a.pk: User.objects.filter(agency=a, role="practitioner").order_by("pk").first()
               for a in partners}
    planned = set()  # one current plan and one keyworker per young person
    counts = {"risk plans": 0, "care team members": 0, "consents": 0, "referrals waiting": 0}
    risk = (GroupingDecision.objects.filter(open_episodes_q("episode__"), is_current=True,
                                            grouping="getting_risk_support")
            .select_related("episode__young_person", "episode__agency",
                            "episode__lead_practitioner").order_by("pk"))
    for i, decision in enumerate(risk):
        episode = decision.episode
        partner = next((a for a in partners if a.pk != episode.agency_id), None)
        if i % 5 == 4 or partner is None or episode.young_person_id in planned:
            continue  # left without a plan: the gap shows on caseloads and records
        planned.add(episode.young_person_id)
        _plan(rng, episode, partner, today, decision.decided_on)
        counts["risk plans"] += 1
        partner_role = "Early help family worker" if partner.kind == Agency.Kind.COUNCIL else "Youth worker"
        for user, role, key in ((episode.lead_practitioner, "Lead practitioner", True),
                                (workers[partner.pk], partner_role, False)):
            if user is not None:
                CareTeamMember.objects.create(young_person=episode.young_person, user=user,
                                              role=role, is_keyworker=key, added_by=user)
                counts["care team members"] += 1
    camhs = Agency.objects.filter(kind=Agency.Kind.NHS, name__icontains="CAMHS").first()
    mhst = (GroupingDecision.objects.filter(
        open_episodes_q("episode__"), is_current=True, grouping="getting_help",
        episode__agency__name__icontains="MHST").select_related(
        "episode__young_person", "episode__agency", "episode__lead_practitioner").order_by("pk"))
    for decision in list(mhst)[:6]:
        episode = decision.episode
        sender = episode.lead_practitioner
        consent = Consent.objects.create(
            young_person=episode.young_person, given_by="parent_carer",
            given_by_name="Parent or carer", with_agency=camhs, purpose="referral",
            given_on=today - timedelta(days=3), expires_on=today + timedelta(days=180),
            recorded_by=sender)
        AgencyReferral.objects.create(
            young_person=episode.young_person, from_agency=episode.agency, to_agency=camhs,
            sent_by=sender, consent=consent,
            reason="Low mood and worry not shifting after six sessions in school; the young "
                   "person would like to see someone at CAMHS")
        counts["consents"] += 1
        counts["referrals waiting"] += 1
    return counts
