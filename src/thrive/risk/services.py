"""Domain operations on Risk Support plans. Each change is one transaction that locks what it
changes, checks the rules and the version the user started from, writes the audit log, and
either does everything or nothing."""

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import CLINICAL_ROLES, User
from thrive.care.models import Episode, GroupingDecision, open_episodes_q
from thrive.core import audit, dates
from thrive.core.dates import check_review_date
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken
from thrive.people.models import YoungPerson

from . import rules
from .models import (
    CrisisStep,
    DistributionEntry,
    ExternalParticipant,
    PlanAgency,
    PlanRisk,
    RiskSupportPlan,
)

CURRENT = RiskSupportPlan.Status.CURRENT


# -- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSummary:
    """What a caseload row needs to know about a young person's current plan."""

    public_id: UUID
    agency_count: int
    review_on: date

    def review_state(self, today: date | None = None) -> str:
        return rules.review_state(self.review_on, today or dates.today())


def current_plans_for(young_person_ids) -> dict[int, PlanSummary]:
    """Current plans of these young people (ids, or a queryset of ids), keyed by young person
    id, in ONE query whatever the number of people. People without a current plan are absent."""
    rows = (
        RiskSupportPlan.objects.filter(young_person_id__in=young_person_ids, status=CURRENT)
        .annotate(agency_count=Count("agencies"))
        .values_list("young_person_id", "public_id", "agency_count", "review_on")
    )
    return {pid: PlanSummary(public_id, count, review_on)
            for pid, public_id, count, review_on in rows}


def current_groupings(person: YoungPerson) -> set[str]:
    """The current needs-based groupings agreed in the young person's open episodes, at any
    agency: the plan is multi-agency, so the gap is judged across agencies."""
    return set(
        GroupingDecision.objects.filter(
            open_episodes_q("episode__"), episode__young_person=person, is_current=True
        ).values_list("grouping", flat=True)
    )


def plan_gap_for(person: YoungPerson, summary: PlanSummary | None) -> str | None:
    groupings = current_groupings(person)
    grouping = rules.GETTING_RISK_SUPPORT if rules.GETTING_RISK_SUPPORT in groupings else None
    return rules.plan_gap(grouping, summary.agency_count if summary else None)


@dataclass(frozen=True)
class Banner:
    """The risk flag for the top of a young person's record.

    kind: "plan" (a current plan is in force) or "gap" (Getting Risk Support without one).
    gap: the plain-words gap, if any (a plan naming fewer than two agencies is a plan AND a gap).
    review_state: "overdue", "due" or "" for the current plan's review.
    """

    kind: str
    heading: str
    gap: str | None
    review_on: date | None
    review_state: str
    keyworker: str
    url: str
    link_text: str


def risk_banner(person: YoungPerson, today: date | None = None) -> Banner | None:
    """The flag to show on the record, or None when there is no plan and no gap. Two queries."""
    today = today or dates.today()
    plan = (
        RiskSupportPlan.objects.filter(young_person=person, status=CURRENT)
        .select_related("keyworker").annotate(agency_count=Count("agencies")).first()
    )
    summary = PlanSummary(plan.public_id, plan.agency_count, plan.review_on) if plan else None
    gap = plan_gap_for(person, summary)
    if plan is None and gap is None:
        return None
    if plan is None:
        return Banner(
            kind="gap", heading="No Risk Support plan", gap=gap, review_on=None, review_state="",
            keyworker="", url=reverse("risk:new", args=[person.public_id]),
            link_text="Write a Risk Support plan",
        )
    return Banner(
        kind="plan", heading="Risk Support plan in place", gap=gap, review_on=plan.review_on,
        review_state=rules.review_state(plan.review_on, today),
        keyworker=plan.keyworker.display_name,
        url=reverse("risk:plan", args=[person.public_id, plan.public_id]),
        link_text="View the Risk Support plan",
    )


def plans_of(person: YoungPerson):
    """Every plan of this young person, newest first. Only ever reached through a young person
    the access policy returned."""
    return person.risk_support_plans.select_related("keyworker").annotate(
        agency_count=Count("agencies")
    ).order_by("-created_at", "-id")


def plan_or_404(person: YoungPerson, public_id) -> RiskSupportPlan:
    """One plan of this young person with everything it holds: a fixed number of queries
    (six) however many agencies, risks, crisis steps and recipients it has."""
    try:
        return person.risk_support_plans.select_related(
            "keyworker", "keyworker__agency", "created_by", "updated_by"
        ).prefetch_related(
            Prefetch("agencies", queryset=PlanAgency.objects.select_related("agency")),
            "risks", "crisis_steps", "distribution", "external_participants",
        ).get(public_id=public_id)
    except (RiskSupportPlan.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such plan") from None


def current_plan(person: YoungPerson) -> RiskSupportPlan | None:
    return person.risk_support_plans.filter(status=CURRENT).first()


def keyworker_choices(person: YoungPerson, user, also=None):
    """Who can be keyworker: practitioners and team managers at the user's agency or at any
    agency holding an open episode for the young person (and the current keyworker)."""
    agencies = Episode.objects.filter(open_episodes_q(), young_person=person).values("agency_id")
    condition = Q(agency_id=user.agency_id) | Q(agency_id__in=agencies)
    if also is not None:
        condition |= Q(pk=also)
    return User.objects.filter(condition, is_active=True, role__in=list(CLINICAL_ROLES)).select_related(
        "agency").order_by("last_name", "first_name", "pk")


# -- Changing ---------------------------------------------------------------------------------


@dataclass
class PlanContent:
    """Everything the plan form collects, already cleaned. Rows are in the order shown."""

    keyworker: User
    what_helps: str
    preventive_actions: str
    informal_network: str
    agreed_with_young_person: bool
    agreed_with_family: str
    agreed_on: date
    review_on: date
    agencies: list[tuple] = field(default_factory=list)  # (Agency, role)
    risks: list[tuple] = field(default_factory=list)  # (kind, description)
    crisis_steps: list[tuple] = field(default_factory=list)  # (trigger, [responses], who, how)
    distribution: list[tuple] = field(default_factory=list)  # (recipient, how_sent)
    confirm_distant_review: bool = False  # the user confirmed a review more than a year away
    # (name, organisation_kind, organisation, role, phone, email, how_sent)
    external: list[tuple] = field(default_factory=list)
    safeguarding_basis: str = ""

    SCALARS = ("keyworker", "what_helps", "preventive_actions", "informal_network",
               "agreed_with_young_person", "agreed_with_family", "agreed_on", "review_on")


def _check(content: PlanContent, today: date) -> None:
    """The rules every saved plan meets. Field names point at the form the user sees."""
    if content.agreed_on > today:
        raise RuleBroken("Date agreed must be today or in the past", "agreed_on")
    if content.review_on <= today:
        raise RuleBroken("Review date must be in the future", "review_on")
    check_review_date(content.review_on, content.agreed_on,
                      confirmed=content.confirm_distant_review)
    if not content.agencies:
        raise RuleBroken("Add at least one agency and its role", "agencies-0-agency")
    seen = set()
    for i, (agency, _role) in enumerate(content.agencies):
        if agency.pk in seen:
            raise RuleBroken(f"{agency.name} is listed more than once; list each agency once",
                             f"agencies-{i}-agency")
        seen.add(agency.pk)
    if not content.risks:
        raise RuleBroken("Add at least one risk", "risks-0-description")
    for kind, _description in content.risks:
        PlanRisk.Kind(kind)  # an unknown kind is a programming error, not user input
    if not content.crisis_steps:
        raise RuleBroken("Add at least one crisis step: what might happen and what to do",
                         "crisis-0-trigger")
    for i, (_trigger, responses, _who, _how) in enumerate(content.crisis_steps):
        if not responses:
            raise RuleBroken(f"Crisis step {i + 1}: enter at least one response",
                             f"crisis-{i}-responses")
    for i, (_recipient, how_sent) in enumerate(content.distribution):
        if how_sent == DistributionEntry.HowSent.PLATFORM:
            raise RuleBroken(f"Recipient {i + 1}: agencies on this platform get the plan by being "
                             "named under Agencies; choose how else it was sent",
                             f"distribution-{i}-how_sent")
    for i, row in enumerate(content.external):
        if not (row[4] or row[5]):
            raise RuleBroken(f"Participant {i + 1}: enter a phone number or email address",
                             f"external-{i}-phone")


def _write_rows(plan: RiskSupportPlan, content: PlanContent) -> None:
    """Replace the plan's rows with the ones in `content` (a plan is edited as a whole)."""
    for model in (PlanAgency, PlanRisk, CrisisStep, DistributionEntry, ExternalParticipant):
        model.objects.filter(plan=plan).delete()
    PlanAgency.objects.bulk_create(
        PlanAgency(plan=plan, order=i, agency=agency, role=role)
        for i, (agency, role) in enumerate(content.agencies, 1))
    PlanRisk.objects.bulk_create(
        PlanRisk(plan=plan, order=i, kind=kind, description=description)
        for i, (kind, description) in enumerate(content.risks, 1))
    CrisisStep.objects.bulk_create(
        CrisisStep(plan=plan, order=i, trigger=trigger, responses=list(responses),
                   contact_who=who, contact_how=how)
        for i, (trigger, responses, who, how) in enumerate(content.crisis_steps, 1))
    DistributionEntry.objects.bulk_create(
        DistributionEntry(plan=plan, order=i, recipient=recipient, how_sent=how_sent)
        for i, (recipient, how_sent) in enumerate(content.distribution, 1))
    ExternalParticipant.objects.bulk_create(
        ExternalParticipant(plan=plan, order=i, name=name, organisation_kind=kind,
                            organisation=organisation, role=role, phone=phone, email=email,
                            how_sent=how_sent)
        for i, (name, kind, organisation, role, phone, email, how_sent)
        in enumerate(content.external, 1))


def _set_safeguarding_basis(request, plan: RiskSupportPlan, basis: str) -> None:
    """Record (or clear) the safeguarding basis for sharing the plan with the agencies it names
    without their consent. Giving or changing one needs a team manager or safeguarding lead and
    alerts the privacy officer; leaving it as it was needs neither."""
    from thrive.sharing import policy
    from thrive.sharing.models import AccessAlert

    basis = " ".join(basis.split())
    if basis == plan.safeguarding_basis:
        return
    if basis:
        if not policy.can_override_consent(request.user):
            raise RuleBroken("Only a team manager or safeguarding lead can share the plan "
                             "without consent", "safeguarding_basis")
        if len(basis) < 15:
            raise RuleBroken("Give the safeguarding reason in a sentence", "safeguarding_basis")
        AccessAlert.objects.create(
            kind=AccessAlert.Kind.PLAN_SAFEGUARDING, user=request.user,
            young_person=plan.young_person, raised_at=timezone.now(),
            detail=f"Risk Support plan shared with the agencies it names without consent. "
                   f"Reason: {basis}")
    plan.safeguarding_basis = basis
    plan.safeguarding_basis_by = request.user if basis else None


def create_plan(request, person: YoungPerson, content: PlanContent,
                today: date | None = None) -> RiskSupportPlan:
    """Write the young person's plan. Refused if one is already current: two people writing a
    first plan at once queue on the young person's row and the second is told."""
    today = today or dates.today()
    with transaction.atomic():
        YoungPerson.objects.select_for_update().filter(pk=person.pk).first()
        if RiskSupportPlan.objects.filter(young_person=person, status=CURRENT).exists():
            raise RuleBroken(
                "Someone else saved a Risk Support plan for this young person after you opened "
                "this page. Nothing you entered has been saved; your entries are still below. "
                "Open the current plan and change it instead."
            )
        _check(content, today)
        plan = RiskSupportPlan(
            young_person=person, created_by=request.user, updated_by=request.user,
            **{name: getattr(content, name) for name in PlanContent.SCALARS},
        )
        _set_safeguarding_basis(request, plan, content.safeguarding_basis)
        plan.save()
        _write_rows(plan, content)
        audit.record(request, AuditEvent.Action.CREATE, obj=plan, young_person=person,
                     detail="risk support plan")
    return plan


def _locked(plan: RiskSupportPlan, version: int) -> RiskSupportPlan:
    locked = RiskSupportPlan.objects.select_for_update().get(pk=plan.pk)
    if locked.version != version:
        raise RuleBroken(STALE)
    if not locked.is_current:
        raise RuleBroken(f"This plan is {locked.get_status_display().lower()}, so it can no "
                         "longer be changed.")
    return locked


def update_plan(request, plan: RiskSupportPlan, *, version: int, content: PlanContent,
                today: date | None = None) -> RiskSupportPlan:
    """Save a changed plan, as a whole, only if nobody saved it since `version` was read."""
    from thrive.history import services as history  # history builds on risk

    today = today or dates.today()
    with transaction.atomic():
        plan = _locked(plan, version)
        _check(content, today)
        before = history.plan_snapshot(plan)
        for name in PlanContent.SCALARS:
            setattr(plan, name, getattr(content, name))
        _set_safeguarding_basis(request, plan, content.safeguarding_basis)
        plan.version += 1
        plan.updated_by = request.user
        plan.save()
        _write_rows(plan, content)
        changed = history.record_changes(
            request, plan, before, history.plan_snapshot(plan), young_person=plan.young_person,
            object_label="Risk Support plan", labels=history.PLAN_LABELS)
        audit.record(request, AuditEvent.Action.CHANGE, obj=plan, young_person=plan.young_person,
                     detail=f"risk support plan version {plan.version}: "
                            + history.changed_fields(changed))
    return plan


def end_plan(request, plan: RiskSupportPlan, *, version: int, ended_on: date,
             end_reason: str) -> RiskSupportPlan:
    with transaction.atomic():
        plan = _locked(plan, version)
        if ended_on < plan.agreed_on:
            raise RuleBroken(f"Date ended must be on or after the plan was agreed "
                             f"({plan.agreed_on:%-d %B %Y})", "ended_on")
        from thrive.history import services as history  # history builds on risk

        before = history.snapshot(plan, ("status", "ended_on", "end_reason"))
        plan.status = RiskSupportPlan.Status.ENDED
        plan.ended_on, plan.end_reason = ended_on, end_reason
        history.record_changes(request, plan, before, history.snapshot(plan, before),
                               young_person=plan.young_person, object_label="Risk Support plan",
                               labels=history.PLAN_LABELS)
        plan.version += 1
        plan.updated_by = request.user
        plan.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=plan, young_person=plan.young_person,
                     detail="risk support plan ended")
    return plan


def platform_sharing(plan: RiskSupportPlan, today: date | None = None) -> list[tuple]:
    """For each agency the plan names: (agency, how it has the plan). On this platform a named
    agency sees the plan with its own risk-support consent, or on the plan's safeguarding basis;
    without either it cannot, and the plan says so. Two queries."""
    from thrive.sharing.models import Consent
    from thrive.sharing.policy import agencies_working_with, consent_valid_q

    today = today or dates.today()
    consents = {}
    for consent in Consent.objects.filter(
            consent_valid_q(today), young_person_id=plan.young_person_id,
            purpose=Consent.Purpose.RISK_SUPPORT).order_by("given_on"):
        consents.setdefault(consent.with_agency_id, consent)
    working = agencies_working_with(plan.young_person)
    rows = []
    for named in plan.agencies.all():
        consent = consents.get(named.agency_id)
        if named.agency_id in working:
            rows.append((named.agency, "On this platform: working with the young person", True))
            continue
        if consent:
            how = f"Shared on this platform, with consent given on {consent.given_on:%-d %B %Y}"
        elif plan.safeguarding_basis:
            how = "Shared on this platform on a safeguarding basis (no consent)"
        else:
            how = ("Not shared yet: no consent to share this plan with them. Record consent for "
                   "a Risk Support plan, or a safeguarding basis")
        rows.append((named.agency, how, bool(consent or plan.safeguarding_basis)))
    return rows


# -- Printing ---------------------------------------------------------------------------------


def _refuse_fetch(url, *args, **kwargs):
    """The print template needs nothing from outside; never fetch (no file://, no network)."""
    raise ValueError(f"Fetching {url!r} is not allowed when printing a plan")


def plan_pdf(plan: RiskSupportPlan, *, person: YoungPerson, generated_by: str,
             generated_at: datetime | None = None) -> bytes:
    """The plan as an A4 PDF to print and share."""
    from weasyprint import HTML  # imported here: loading it costs ~0.3 s, only printing needs it

    generated_at = timezone.localtime(generated_at or timezone.now())
    html = render_to_string("risk/plan_print.html", {
        "plan": plan, "person": person, "generated_by": generated_by,
        "generated_at": generated_at, "gap": plan_gap_for(person, _summary(plan)),
    })
    return HTML(string=html, base_url=None, url_fetcher=_refuse_fetch).write_pdf()


def _summary(plan: RiskSupportPlan) -> PlanSummary | None:
    if not plan.is_current:
        return None
    return PlanSummary(plan.public_id, len(plan.agencies.all()), plan.review_on)
