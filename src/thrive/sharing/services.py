"""Sharing operations: care teams, consent, referrals between agencies, break-glass, notes and
the privacy officer's alerts. Each is one transaction and writes the audit log."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thrive.accounts.models import CLINICAL_ROLES, Agency, Team, User
from thrive.care import contradictions
from thrive.care.models import Episode, ReferralReason, ReferralSource
from thrive.core import audit, dates
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken
from thrive.people import nhs_number
from thrive.people.models import YoungPerson

from . import policy
from .models import (
    AccessAlert,
    AgencyReferral,
    BreakGlassGrant,
    CareTeamMember,
    Consent,
    Notification,
    RecordNote,
)

BREAK_GLASS_HOURS = 4
UNUSUAL_WINDOW = timedelta(minutes=10)
UNUSUAL_RECORD_COUNT = 20

# Where a referral from another agency comes from, in the episode's own coding.
SOURCE_FOR_AGENCY_KIND = {
    Agency.Kind.NHS: ReferralSource.OTHER_MENTAL_HEALTH,
    Agency.Kind.SCHOOL: ReferralSource.SCHOOL,
    Agency.Kind.COUNCIL: ReferralSource.SOCIAL_CARE,
    Agency.Kind.CHARITY: ReferralSource.VOLUNTARY_SECTOR,
    Agency.Kind.YOUTH_JUSTICE: ReferralSource.YOUTH_JUSTICE,
}


def care_team_candidates(user, person: YoungPerson, query: str = ""):
    """Whom the picker offers: practitioners and managers of the user's own agency, of agencies
    working with the young person, and of agencies a care-coordination consent covers today —
    and, for someone who may override consent, everyone (marked as needing the override).
    `query` narrows by name or agency."""
    covered = _covered_agencies(person) | {user.agency_id}
    people = User.objects.filter(is_active=True, role__in=list(CLINICAL_ROLES),
                                 agency__isnull=False)
    if not policy.can_override_consent(user):
        people = people.filter(agency_id__in=covered)
    for word in query.split()[:5]:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                               | Q(agency__name__icontains=word))
    return people.select_related("agency").order_by("agency__name", "last_name", "first_name"), covered


def _covered_agencies(person: YoungPerson) -> set[int]:
    consented = set(Consent.objects.filter(
        policy.consent_valid_q(dates.today()), young_person=person,
        purpose=Consent.Purpose.CARE_COORDINATION).values_list("with_agency_id", flat=True))
    return policy.agencies_working_with(person) | consented


def current_keyworker(person: YoungPerson) -> CareTeamMember | None:
    return person.care_team.filter(removed_at__isnull=True, is_keyworker=True).select_related(
        "user").first()


def add_care_team_member(request, person: YoungPerson, *, member: User, role: str,
                         is_keyworker: bool, override_reason: str = "",
                         keyworker_change_confirmed: bool = False) -> CareTeamMember:
    """Add someone to the care team. Someone from an agency not working with the young person
    needs a care-coordination consent covering their agency, or a safeguarding override (with a
    reason) by a team manager or safeguarding lead. This holds for every adder, including
    members who were themselves added across agencies. Cross-agency additions alert the privacy
    officer; a keyworker change must be confirmed and tells both people."""
    adder = request.user
    if not member.works_with_records or member.agency_id is None:
        raise RuleBroken("Only practitioners and team managers can join a care team", "member")
    override_reason = " ".join(override_reason.split())
    with transaction.atomic():
        YoungPerson.objects.select_for_update().get(pk=person.pk)
        if person.care_team.filter(user=member, removed_at__isnull=True).exists():
            raise RuleBroken(f"{member.display_name} is already on the care team", "member")
        consent = None
        cross_agency = member.agency_id not in policy.agencies_working_with(person)
        if cross_agency:
            consent = policy.covering_consents(
                person, member.agency_id, Consent.Purpose.CARE_COORDINATION).first()
            if consent is None:
                _check_override(adder, member, override_reason)
            else:
                override_reason = ""  # consent covers it: no override needed or recorded
        else:
            override_reason = ""
        previous = current_keyworker(person) if is_keyworker else None
        if previous is not None and not keyworker_change_confirmed:
            raise RuleBroken(f"{previous.user.display_name} is the keyworker now. Confirm that "
                             f"{member.display_name} replaces them", "is_keyworker")
        if previous is not None:
            CareTeamMember.objects.filter(pk=previous.pk).update(is_keyworker=False)
        membership = CareTeamMember.objects.create(
            young_person=person, user=member, role=role, is_keyworker=is_keyworker,
            added_by=adder, consent=consent, override_reason=override_reason)
        audit.record(request, AuditEvent.Action.CREATE, obj=membership, young_person=person,
                     detail=f"care team: user {member.pk}", reason=override_reason)
        if cross_agency:
            _alert_cross_agency_member(adder, person, membership)
        if previous is not None:
            _tell_keyworker_change(person, previous.user, member)
        elif is_keyworker and member.pk != adder.pk:
            _notify(member, person, f"You are now the keyworker for {person.full_name}")
    return membership


def _check_override(adder: User, member: User, override_reason: str) -> None:
    agency = member.agency.name
    if not override_reason:
        raise RuleBroken(
            f"There is no current consent to share with {agency} for working together on care. "
            "Record that consent first, or, if there is a safeguarding reason to share without "
            "it, a team manager or safeguarding lead can give that reason.", "override_reason")
    if not policy.can_override_consent(adder):
        raise RuleBroken("Only a team manager or safeguarding lead can add someone from "
                         f"{agency} without consent", "override_reason")
    if len(override_reason) < 15:
        raise RuleBroken("Give the safeguarding reason in a sentence", "override_reason")


def _alert_cross_agency_member(adder: User, person: YoungPerson,
                               membership: CareTeamMember) -> None:
    member = membership.user
    if membership.override_reason:
        kind = AccessAlert.Kind.CARE_TEAM_OVERRIDE
        detail = (f"{adder.display_name} added {member.display_name} ({member.agency.name}) "
                  f"without consent. Reason: {membership.override_reason}")
    else:
        kind = AccessAlert.Kind.CARE_TEAM_CONSENT
        detail = (f"{adder.display_name} added {member.display_name} ({member.agency.name}) "
                  f"with consent given on {membership.consent.given_on:%-d %B %Y}")
    AccessAlert.objects.create(kind=kind, user=adder, young_person=person,
                               raised_at=timezone.now(), detail=detail)


def _notify(user: User, person: YoungPerson, text: str) -> None:
    Notification.objects.create(user=user, young_person=person, text=text[:300])


def _tell_keyworker_change(person: YoungPerson, old: User, new: User) -> None:
    _notify(old, person, f"{new.display_name} is now the keyworker for {person.full_name} "
                         "instead of you")
    _notify(new, person, f"You are now the keyworker for {person.full_name}, "
                         f"taking over from {old.display_name}")


def remove_care_team_member(request, membership: CareTeamMember) -> None:
    if not policy.may_remove_care_team_member(request.user, membership):
        raise RuleBroken("Only the keyworker, a team manager or the person themself can remove "
                         "someone from the care team")
    with transaction.atomic():
        CareTeamMember.objects.filter(pk=membership.pk, removed_at__isnull=True).update(
            removed_at=timezone.now(), removed_by=request.user, is_keyworker=False)
        audit.record(request, AuditEvent.Action.CHANGE, obj=membership,
                     young_person=membership.young_person, detail="removed from care team")
        if membership.user_id != request.user.pk:
            _notify(membership.user, membership.young_person,
                    f"{request.user.display_name} removed you from the care team of "
                    f"{membership.young_person.full_name}")


def home_messages(user: User, today: date | None = None) -> dict:
    """What the caseload page shows above the caseload: unread notifications, and the current
    Risk Support plans that name the user's agency (with their review state). Two queries."""
    from thrive.risk import rules as risk_rules

    today = today or dates.today()
    plans = list(policy.plans_naming_agency(user).select_related("young_person", "keyworker")
                 .order_by("review_on")[:50])
    return {
        "notifications": list(Notification.objects.filter(user=user, read_at__isnull=True)
                              .select_related("young_person")[:20]),
        "named_plans": [(plan, risk_rules.review_state(plan.review_on, today)) for plan in plans],
    }


def dismiss_notification(user: User, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now())


def record_consent(request, person: YoungPerson, **fields) -> Consent:
    if fields["expires_on"] < fields["given_on"]:
        raise RuleBroken("Valid until must be on or after the date consent was given",
                         "expires_on")
    with transaction.atomic():
        consent = Consent.objects.create(young_person=person, recorded_by=request.user, **fields)
        audit.record(request, AuditEvent.Action.CREATE, obj=consent, young_person=person)
    return consent


def withdraw_consent(request, consent: Consent, *, withdrawn_on: date) -> Consent:
    """Record that consent was withdrawn (from that day it no longer covers anything: care-team
    access and plan sharing based on it lapse). The change is kept in the record's history."""
    from thrive.core import dates
    from thrive.history import services as history  # history builds on sharing

    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("with_agency").get(
            pk=consent.pk)
        if consent.withdrawn_on is not None:
            raise RuleBroken(f"This consent was already withdrawn on "
                             f"{consent.withdrawn_on:%-d %B %Y}.")
        if withdrawn_on < consent.given_on:
            raise RuleBroken(f"Date withdrawn must be on or after consent was given "
                             f"({consent.given_on:%-d %B %Y})", "withdrawn_on")
        if withdrawn_on > dates.today():
            raise RuleBroken("Date withdrawn must be today or in the past", "withdrawn_on")
        before = history.snapshot(consent, ["withdrawn_on"])
        consent.withdrawn_on = withdrawn_on
        consent.save(update_fields=["withdrawn_on"])
        history.record_changes(
            request, consent, before, {"withdrawn_on": withdrawn_on},
            young_person=consent.young_person, labels={"withdrawn_on": "Withdrawn"},
            object_label=f"Consent to share with {consent.with_agency.name} for "
                         f"{consent.get_purpose_display().lower()}")
        audit.record(request, AuditEvent.Action.CHANGE, obj=consent,
                     young_person=consent.young_person, detail="consent withdrawn")
    return consent


def valid_referral_consents(person: YoungPerson, to_agency_id: int, today: date | None = None):
    today = today or dates.today()
    return [c for c in person.consents.filter(with_agency_id=to_agency_id,
                                              purpose=Consent.Purpose.REFERRAL)
            if c.is_valid_on(today)]


def send_referral(request, person: YoungPerson, *, to_agency: Agency, reason: str,
                  is_transfer: bool = False, override_reason: str = "") -> AgencyReferral:
    user = request.user
    if not policy.can_refer(user, person):
        raise RuleBroken("You can refer only young people your agency is working with")
    if to_agency.pk == user.agency_id:
        raise RuleBroken("Choose another agency: this is your own", "to_agency")
    consents = valid_referral_consents(person, to_agency.pk)
    override_reason = override_reason.strip()
    if not consents:
        if not override_reason:
            raise RuleBroken(
                f"There is no current consent to refer to {to_agency.name}. Record consent "
                "first, or, if there is a safeguarding reason to share without it, a team "
                "manager or safeguarding lead can give that reason.", "override_reason")
        if not policy.can_override_consent(user):
            raise RuleBroken("Only a team manager or safeguarding lead can refer without "
                             "consent", "override_reason")
    with transaction.atomic():
        if AgencyReferral.objects.filter(
                young_person=person, to_agency=to_agency,
                status__in=[AgencyReferral.Status.SENT, AgencyReferral.Status.ACCEPTED]).exists():
            raise RuleBroken(f"{to_agency.name} already has a referral for this young person",
                             "to_agency")
        referral = AgencyReferral.objects.create(
            young_person=person, from_agency_id=user.agency_id, to_agency=to_agency,
            sent_by=user, reason=reason, is_transfer=is_transfer,
            consent=consents[0] if consents else None,
            consent_override_reason="" if consents else override_reason)
        audit.record(request, AuditEvent.Action.CREATE, obj=referral, young_person=person,
                     detail=f"referral to agency {to_agency.pk}",
                     reason=referral.consent_override_reason)
        if referral.consent_override_reason:
            AccessAlert.objects.create(
                kind=AccessAlert.Kind.REFERRAL_OVERRIDE, user=user, young_person=person,
                raised_at=timezone.now(),
                detail=f"Referral to {to_agency.name} without consent. Reason: "
                       f"{referral.consent_override_reason}")
    return referral


def _decide(request, referral: AgencyReferral, version: int) -> AgencyReferral:
    locked = AgencyReferral.objects.select_for_update().get(pk=referral.pk)
    if locked.version != version:
        raise RuleBroken(STALE)
    if locked.status != AgencyReferral.Status.SENT:
        raise RuleBroken(f"This referral has already been {locked.get_status_display().lower()}")
    if request.user.agency_id != locked.to_agency_id:
        raise RuleBroken("Only the agency the referral was sent to can decide on it")
    return locked


def accept_referral(request, referral: AgencyReferral, *, team: Team, version: int,
                    referral_reason: str = ReferralReason.OTHER,
                    leave_on_waiting_list: bool = False, age_reason: str = "") -> Episode:
    """Accepting opens an episode at the receiving team: that is what gives it access. The
    person accepting leads it, or leaves it on the team's waiting list."""
    if team.agency_id != request.user.agency_id:
        raise RuleBroken("Choose one of your agency's teams", "team")
    with transaction.atomic():
        referral = _decide(request, referral, version)
        today = timezone.localdate()
        received_on = timezone.localdate(referral.sent_at)
        contradictions.check_age_in_range(
            team.agency, referral.young_person.age_on(received_on), age_reason)
        episode = Episode.objects.create(age_reason=age_reason,
            young_person=referral.young_person, agency_id=referral.to_agency_id, team=team,
            lead_practitioner=None if leave_on_waiting_list else request.user,
            referral_received_on=timezone.localdate(referral.sent_at),
            referral_source=SOURCE_FOR_AGENCY_KIND.get(referral.from_agency.kind,
                                                       ReferralSource.OTHER),
            referral_reason=referral_reason, referral_detail=referral.reason, accepted_on=today)
        referral.status = AgencyReferral.Status.ACCEPTED
        referral.decided_by, referral.decided_at = request.user, timezone.now()
        referral.receiving_team, referral.episode = team, episode
        referral.version += 1
        referral.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=referral,
                     young_person=referral.young_person, detail="referral accepted")
    return episode


def decline_referral(request, referral: AgencyReferral, *, reason: str, version: int):
    if not reason.strip():
        raise RuleBroken("Enter why the referral is declined", "reason")
    with transaction.atomic():
        referral = _decide(request, referral, version)
        referral.status = AgencyReferral.Status.DECLINED
        referral.decided_by, referral.decided_at = request.user, timezone.now()
        referral.decline_reason = reason
        referral.version += 1
        referral.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=referral,
                     young_person=referral.young_person, detail="referral declined")
    return referral


def withdraw_referral(request, referral: AgencyReferral, *, version: int):
    with transaction.atomic():
        locked = AgencyReferral.objects.select_for_update().get(pk=referral.pk)
        if locked.version != version:
            raise RuleBroken(STALE)
        if locked.from_agency_id != request.user.agency_id:
            raise RuleBroken("Only the agency that sent the referral can withdraw it")
        if locked.status != AgencyReferral.Status.SENT:
            raise RuleBroken("Only a referral still waiting for a decision can be withdrawn")
        locked.status = AgencyReferral.Status.WITHDRAWN
        locked.version += 1
        locked.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=locked,
                     young_person=locked.young_person, detail="referral withdrawn")
    return locked


def break_glass(request, *, nhs_number_text: str, date_of_birth: date,
                reason: str) -> YoungPerson:
    """Emergency access: both identifiers must match; access lasts four hours; alerted."""
    reason = " ".join(reason.split())
    if len(reason) < 15:
        raise RuleBroken("Give the reason in a sentence: who needs help and why now", "reason")
    person = YoungPerson.objects.filter(nhs_number=nhs_number.normalise(nhs_number_text),
                                        date_of_birth=date_of_birth).first()
    if person is None:
        raise RuleBroken("No young person has this NHS number and date of birth",
                         "nhs_number")
    with transaction.atomic():
        now = timezone.now()
        grant = BreakGlassGrant.objects.create(
            user=request.user, young_person=person, reason=reason, started_at=now,
            expires_at=now + timedelta(hours=BREAK_GLASS_HOURS))
        AccessAlert.objects.create(
            kind=AccessAlert.Kind.BREAK_GLASS, user=request.user, young_person=person,
            grant=grant, raised_at=now, detail=reason)
        audit.record(request, AuditEvent.Action.BREAK_GLASS, obj=grant, young_person=person,
                     reason=reason)
    return person


def record_failed_break_glass(request, nhs_number_text: str, reason: str) -> None:
    """Audit a break-glass request that was refused (wrong identifiers, no reason, bad input)."""
    normalised = nhs_number.normalise(str(nhs_number_text))[:20]
    person = (YoungPerson.objects.filter(nhs_number=normalised).first()
              if normalised.isdigit() else None)
    audit.record(request, AuditEvent.Action.BREAK_GLASS, outcome=AuditEvent.Outcome.REFUSED,
                 young_person=person, reason=" ".join(str(reason).split())[:500],
                 detail="break-glass refused")


def note_record_viewed(request, person: YoungPerson) -> None:
    """Audit a record view, and raise an alert when one user opens many records quickly."""
    audit.record(request, AuditEvent.Action.VIEW, obj=person, young_person=person)
    since = timezone.now() - UNUSUAL_WINDOW
    opened = (AuditEvent.objects.filter(user=request.user, action=AuditEvent.Action.VIEW,
                                        outcome=AuditEvent.Outcome.ALLOWED,
                                        object_type="YoungPerson", at__gte=since)
              .values("young_person_id").distinct().count())
    if opened >= UNUSUAL_RECORD_COUNT and not AccessAlert.objects.filter(
            user=request.user, kind=AccessAlert.Kind.UNUSUAL_VOLUME, raised_at__gte=since).exists():
        AccessAlert.objects.create(
            kind=AccessAlert.Kind.UNUSUAL_VOLUME, user=request.user, raised_at=timezone.now(),
            detail=f"{opened} different records opened in {UNUSUAL_WINDOW.seconds // 60} minutes")


def close_alert(request, alert: AccessAlert, *, note: str) -> AccessAlert:
    if not note.strip():
        raise RuleBroken("Write what you found before closing the alert", "note")
    with transaction.atomic():
        locked = AccessAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.closed_at:
            raise RuleBroken("This alert was already closed")
        locked.closed_by, locked.closed_at, locked.close_note = request.user, timezone.now(), note
        locked.save()
        audit.record(request, AuditEvent.Action.CHANGE, obj=locked,
                     young_person=locked.young_person, detail="alert closed")
    return locked


def add_note(request, person: YoungPerson, *, text: str, sensitivity: str) -> RecordNote:
    with transaction.atomic():
        note = RecordNote.objects.create(young_person=person, author=request.user,
                                         agency_id=request.user.agency_id, text=text,
                                         sensitivity=sensitivity)
        audit.record(request, AuditEvent.Action.CREATE, obj=note, young_person=person,
                     detail=f"note ({sensitivity or 'not sensitive'})")
    return note
