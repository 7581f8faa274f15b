"""The access policy: the one place that decides which records a user may read or change.

A user sees a young person only through a legitimate relationship:
- their agency holds an open episode (a referral awaiting decision, or accepted and not ended) —
  an accepted inter-agency referral opens such an episode, and completing it ends it;
- read only: their agency held an episode that ended or was declined, and the record is still
  within the retention period (settings.THRIVE_RECORD_RETENTION_YEARS after the last such episode,
  or until THRIVE_RECORD_RETENTION_UNTIL_AGE, whichever is later). Its lead practitioner may still
  add a closing letter, a late questionnaire or a correction for a short window after the ending;
- they are an active member of the young person's care team, on a basis that still holds
  (a consent still valid, a safeguarding override, or their own agency working with them);
- their agency is named on the young person's current Risk Support plan with consent or a
  safeguarding basis: this opens the plan pages only, never the rest of the record;
- or, in an emergency, an unexpired break-glass grant (read-only, alerted, audited).
Queries are scoped here, at the data layer; no view fetches a record and then hides it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.care.models import Episode, open_episodes_q
from thrive.core import dates
from thrive.people.models import YoungPerson
from thrive.risk.models import PlanAgency, RiskSupportPlan

from .models import BreakGlassGrant, CareTeamMember, Consent, RecordNote, Sensitivity

# Actions the authorisation matrix test enumerates.
ACTIONS = ("view", "search_hit", "edit", "export", "refer", "see_sensitive")


def _works_with_records(user) -> bool:
    return user.is_authenticated and user.works_with_records and user.agency_id is not None


def _agency_open_episode(user):
    return Episode.objects.filter(open_episodes_q(), agency_id=user.agency_id,
                                  young_person=OuterRef("pk"))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _agency_past_episode(user):
    """Ended or declined episodes at the user's agency that still give a read-only relationship:
    the last one ended within the retention period, or the young person is younger than the age
    records are kept until. Both cut-offs are dates computed once, so this stays one query."""
    today = timezone.localdate()
    ended_since = _years_before(today, settings.THRIVE_RECORD_RETENTION_YEARS)
    born_after = _years_before(today, settings.THRIVE_RECORD_RETENTION_UNTIL_AGE)
    return Episode.objects.filter(
        ~open_episodes_q(), agency_id=user.agency_id, young_person=OuterRef("pk"),
    ).filter(Q(ending__ended_on__gte=ended_since) | Q(declined_on__gte=ended_since)
             | Q(young_person__date_of_birth__gt=born_after))


def _active_grant(user):
    return BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now(),
                                          young_person=OuterRef("pk"))


def related_young_people(user) -> QuerySet:
    """Young people the user has a standing relationship with (not break-glass)."""
    if not _works_with_records(user):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(
        Exists(_agency_open_episode(user)) | Exists(_care_team_membership_with_basis(user)))


def visible_young_people(user) -> QuerySet:
    """Young people this user may open: a relationship (standing, or read-only after an ending or
    a decline), or an unexpired break-glass grant."""
    if not _works_with_records(user):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(
        Exists(_agency_open_episode(user)) | Exists(_care_team_membership_with_basis(user))
        | Exists(_agency_past_episode(user)) | Exists(_active_grant(user)))


# How the user is related to a young person they may open (see with_relationship).
STANDING, ENDED, DECLINED, BREAK_GLASS = "standing", "ended", "declined", "break_glass"


def with_relationship(user, people: QuerySet) -> QuerySet:
    """Annotate `relationship` (STANDING, ENDED, DECLINED or BREAK_GLASS) on young people the user
    may open: part of the same query, so a list of any length costs nothing more. ENDED or
    DECLINED is the state of the agency's most recent past episode."""
    last_past = _agency_past_episode(user).annotate(
        closed_on=Coalesce("ending__ended_on", "declined_on")).order_by("-closed_on", "-pk")
    past_kind = Subquery(last_past.annotate(kind=Case(
        When(declined_on__isnull=False, then=Value(DECLINED)), default=Value(ENDED))
    ).values("kind")[:1])
    return people.annotate(relationship=Case(
        When(Exists(_agency_open_episode(user)) | Exists(_care_team_membership_with_basis(user)),
             then=Value(STANDING)),
        When(Exists(_agency_past_episode(user)), then=past_kind),
        default=Value(BREAK_GLASS)))


def relationship(user, person: YoungPerson) -> str:
    """STANDING, ENDED, DECLINED or BREAK_GLASS for a young person the user may open."""
    return with_relationship(user, visible_young_people(user)).filter(
        pk=person.pk).values_list("relationship", flat=True).first() or BREAK_GLASS


def searchable_young_people(user) -> QuerySet:
    """Search never reveals a record the user may not open."""
    return visible_young_people(user)


def visible_episodes(user) -> QuerySet:
    """Episodes this user may open: their own agency's for anyone they may see, and every
    agency's episodes for young people whose care team they are on or have broken glass for."""
    if not _works_with_records(user):
        return Episode.objects.none()
    shared = YoungPerson.objects.filter(
        Exists(_care_team_membership_with_basis(user)) | Exists(_active_grant(user)))
    return Episode.objects.filter(
        Q(agency_id=user.agency_id, young_person__in=visible_young_people(user))
        | Q(young_person__in=shared))


def young_person_or_404(user, public_id) -> YoungPerson:
    """The same 404 for 'does not exist' and 'not yours', so nothing leaks by probing."""
    try:
        return visible_young_people(user).get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def episode_or_404(user, public_id) -> Episode:
    try:
        return visible_episodes(user).select_related(
            "young_person", "team", "agency", "lead_practitioner", "ending"
        ).get(public_id=public_id)
    except (Episode.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def has_relationship(user, person: YoungPerson) -> bool:
    return related_young_people(user).filter(pk=person.pk).exists()


def can_edit_episode(user, episode: Episode) -> bool:
    """Open episodes of the user's own agency can be added to; ended or declined ones cannot."""
    return (_works_with_records(user) and episode.agency_id == user.agency_id
            and episode.is_open)


def can_add_after_ending(user, episode: Episode, today: date | None = None) -> bool:
    """The lead practitioner of an ended episode may still add a closing letter, a late
    questionnaire or a correction, for THRIVE_POST_ENDING_WINDOW_DAYS after the ending. Declined
    referrals and everyone else stay read-only."""
    ending = getattr(episode, "ending", None)
    return (_works_with_records(user) and episode.agency_id == user.agency_id
            and episode.lead_practitioner_id == user.pk and ending is not None
            and not episode.declined_on
            and (today or timezone.localdate()) <= post_ending_window_closes(episode))


def post_ending_window_closes(episode: Episode) -> date | None:
    """The last day late additions may be made to an ended episode (None if it has not ended)."""
    ending = getattr(episode, "ending", None)
    if ending is None:
        return None
    return ending.ended_on + timedelta(days=settings.THRIVE_POST_ENDING_WINDOW_DAYS)


def can_edit_record(user, person: YoungPerson) -> bool:
    """May this user add to the shared record (plans, notes, care team)? Break-glass may not."""
    return _works_with_records(user) and has_relationship(user, person)


def can_export(user, person: YoungPerson) -> bool:
    return can_edit_record(user, person)


def can_refer(user, person: YoungPerson) -> bool:
    return can_edit_record(user, person)


def can_override_consent(user) -> bool:
    return user.role == Role.TEAM_MANAGER or user.is_safeguarding_lead


# -- Consent as the basis for care teams and Risk Support plans ------------------------------


def consent_valid_q(today: date, prefix: str = "") -> Q:
    """Consents valid on `today`: given, not expired, not withdrawn (by that day)."""
    return (Q(**{f"{prefix}given_on__lte": today, f"{prefix}expires_on__gte": today})
            & (Q(**{f"{prefix}withdrawn_on__isnull": True})
               | Q(**{f"{prefix}withdrawn_on__gt": today})))


def covering_consents(person: YoungPerson, agency_id: int, purpose: str,
                      today: date | None = None) -> QuerySet:
    """The young person's consents that cover sharing with this agency for this purpose today."""
    return Consent.objects.filter(consent_valid_q(today or dates.today()), young_person=person,
                                  with_agency_id=agency_id, purpose=purpose)


def agencies_working_with(person: YoungPerson) -> set[int]:
    """Agencies holding an open episode for the young person: their own staff join the care
    team without further consent. Anyone else needs consent or a safeguarding override."""
    return set(Episode.objects.filter(open_episodes_q(), young_person=person)
               .values_list("agency_id", flat=True))


def _care_team_membership_with_basis(user):
    """Care-team membership counts only while its basis holds: a safeguarding override (until
    removed), a care-coordination consent still valid today for the member's agency, or — for
    members added without either — their own agency holding an open episode. A member whose
    consent is withdrawn or expires loses access the same day; the row stays, marked."""
    own_agency_working = Exists(Episode.objects.filter(
        open_episodes_q(), agency_id=user.agency_id, young_person=OuterRef("young_person")))
    by_consent = (Q(consent__isnull=False, consent__with_agency_id=user.agency_id)
                  & consent_valid_q(dates.today(), "consent__"))
    return CareTeamMember.objects.filter(
        user=user, removed_at__isnull=True, young_person=OuterRef("pk")).filter(
        ~Q(override_reason="") | by_consent
        | (Q(consent__isnull=True, override_reason="") & own_agency_working))


def _plan_basis_q(agency_id, today: date) -> Q:
    """A named agency may see a plan with its own risk-support consent, or on the plan's
    recorded safeguarding basis."""
    consent = Consent.objects.filter(
        consent_valid_q(today), young_person=OuterRef("plan__young_person"),
        with_agency_id=agency_id, purpose=Consent.Purpose.RISK_SUPPORT)
    return ~Q(plan__safeguarding_basis="") | Exists(consent)


def _named_on_plan(user):
    """Named on a Risk Support plan: the user's agency is named on the young person's current
    plan, with a basis (consent or safeguarding)."""
    return PlanAgency.objects.filter(
        _plan_basis_q(user.agency_id, dates.today()), agency_id=user.agency_id,
        plan__status=RiskSupportPlan.Status.CURRENT, plan__young_person=OuterRef("pk"))


def plan_readable_young_people(user) -> QuerySet:
    """Young people whose Risk Support plan pages this user may open: anyone whose record they
    may open, and anyone whose current plan names their agency with a basis."""
    if not _works_with_records(user):
        return YoungPerson.objects.none()
    return YoungPerson.objects.filter(
        Exists(_agency_open_episode(user)) | Exists(_care_team_membership_with_basis(user))
        | Exists(_agency_past_episode(user)) | Exists(_active_grant(user))
        | Exists(_named_on_plan(user)))


def plan_reader_young_person_or_404(user, public_id) -> YoungPerson:
    try:
        return plan_readable_young_people(user).get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def visible_plans(user, person: YoungPerson) -> QuerySet:
    """The plans of this young person the user may open: all of them with access to the record;
    only the current plan naming their agency (with a basis) otherwise."""
    plans = RiskSupportPlan.objects.filter(young_person=person)
    if visible_young_people(user).filter(pk=person.pk).exists():
        return plans
    named = PlanAgency.objects.filter(_plan_basis_q(user.agency_id, dates.today()),
                                      agency_id=user.agency_id, plan=OuterRef("pk"))
    return plans.filter(Exists(named), status=RiskSupportPlan.Status.CURRENT)


def plans_naming_agency(user) -> QuerySet:
    """Current plans that name the user's agency and that it may see (for review reminders)."""
    if not _works_with_records(user):
        return RiskSupportPlan.objects.none()
    named = PlanAgency.objects.filter(_plan_basis_q(user.agency_id, dates.today()),
                                      agency_id=user.agency_id, plan=OuterRef("pk"))
    return RiskSupportPlan.objects.filter(Exists(named), status=RiskSupportPlan.Status.CURRENT)


def may_remove_anyone_from_care_team(user, person: YoungPerson) -> bool:
    """The keyworker, or a team manager of an agency involved (working with the young person or
    with a member on the care team), may remove any member."""
    if person.care_team.filter(user=user, removed_at__isnull=True, is_keyworker=True).exists():
        return True
    if user.role != Role.TEAM_MANAGER or user.agency_id is None:
        return False
    member_agencies = set(person.care_team.filter(removed_at__isnull=True)
                          .values_list("user__agency_id", flat=True))
    return user.agency_id in agencies_working_with(person) | member_agencies


def may_remove_care_team_member(user, membership: CareTeamMember) -> bool:
    """Only the keyworker, a team manager of an agency involved, or the member themself."""
    return (membership.user_id == user.pk
            or may_remove_anyone_from_care_team(user, membership.young_person))


@dataclass(frozen=True)
class NotesView:
    shown: list
    withheld: dict  # sensitivity label → count


def may_see_note(user, note: RecordNote) -> bool:
    if not note.sensitivity or note.author_id == user.pk:
        return True
    if note.sensitivity == Sensitivity.SAFEGUARDING:
        return user.role == Role.TEAM_MANAGER or user.is_safeguarding_lead
    if note.sensitivity == Sensitivity.SEXUAL_HEALTH:
        return note.agency_id == user.agency_id
    return False


def notes_for(user, person: YoungPerson) -> NotesView:
    shown, withheld = [], {}
    for note in person.notes.select_related("author", "agency", "entered_in_error_by"):
        if may_see_note(user, note):
            shown.append(note)
        else:
            label = note.get_sensitivity_display()
            withheld[label] = withheld.get(label, 0) + 1
    return NotesView(shown, withheld)


def access_history_subject_or_404(user, public_id) -> YoungPerson:
    """Whose access history this user may read: the privacy officer anyone's (the log only,
    not the record); others only for records they have a relationship with."""
    if user.is_authenticated and user.role == Role.PRIVACY_OFFICER:
        people = YoungPerson.objects.all()
    else:
        people = related_young_people(user)
    try:
        return people.get(public_id=public_id)
    except (YoungPerson.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such record") from None


def visible_referrals(user) -> QuerySet:
    """Inter-agency referrals a user may open: those sent by or to their agency."""
    from .models import AgencyReferral

    if not _works_with_records(user):
        return AgencyReferral.objects.none()
    return AgencyReferral.objects.filter(
        Q(to_agency_id=user.agency_id) | Q(from_agency_id=user.agency_id))


def access_basis(user, person_pk) -> str:
    """On what basis this user reaches this young person's record, for the audit log: their
    agency's relationship, a consent, a safeguarding override, break-glass, the privacy officer's
    role (access history only) or none. One query."""
    from thrive.accounts import permissions
    from thrive.core.models import AuditEvent

    basis = AuditEvent.Basis
    if user is None or not user.is_authenticated:
        return ""
    if permissions.is_privacy_officer(user):
        return basis.ROLE
    if not _works_with_records(user):
        return basis.NONE
    today = dates.today()
    team = _care_team_membership_with_basis(user)
    plan = _named_on_plan(user)
    row = YoungPerson.objects.filter(pk=person_pk).annotate(
        own=Exists(_agency_open_episode(user)),
        team_override=Exists(team.filter(~Q(override_reason=""))),
        team_consent=Exists(team.filter(consent__isnull=False, consent__with_agency_id=user.agency_id)
                            .filter(consent_valid_q(today, "consent__"))),
        team=Exists(team),
        past=Exists(_agency_past_episode(user)),
        plan_consent=Exists(plan.filter(plan__safeguarding_basis="")),
        plan=Exists(plan),
        grant=Exists(_active_grant(user)),
    ).values("own", "team_override", "team_consent", "team", "past", "plan_consent", "plan",
             "grant").first()
    if row is None:
        return basis.NONE
    for flag, answer in (("own", basis.RELATIONSHIP), ("team_override", basis.OVERRIDE),
                         ("team_consent", basis.CONSENT), ("team", basis.RELATIONSHIP),
                         ("past", basis.RELATIONSHIP), ("plan_consent", basis.CONSENT),
                         ("plan", basis.OVERRIDE), ("grant", basis.BREAK_GLASS)):
        if row[flag]:
            return answer
    return basis.NONE
