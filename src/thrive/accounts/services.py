"""Managing staff accounts, agencies and teams. Each operation is one transaction, checks who may
do it, writes the audit log (never a password), and either does everything or nothing.

An agency administrator manages their own agency's staff; a system administrator manages every
agency's staff and adds agencies and teams. Accounts are never deleted (the audit log refers to
them): they are deactivated.
"""

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from thrive.core import audit
from thrive.core.models import AuditEvent
from thrive.core.rules import STALE, RuleBroken

from . import permissions
from .models import CLINICAL_ROLES, Agency, Role, Team, User

# Roles only a system administrator may give, and whose accounts only they may change: the
# locality-wide ones (an analyst sees every agency's figures; a privacy officer every agency's
# access alerts), which no single agency's administrator may hand out.
SYSTEM_ONLY_ROLES = {Role.SYSTEM_ADMIN, Role.PRIVACY_OFFICER, Role.ANALYST, Role.FACILITATOR,
                     Role.SITE_LEAD}
SYSTEM_ONLY_ROLES |= {Role.DIRECTORY_EDITOR}  # given by a system administrator


# --- Who may do what -------------------------------------------------------------------------

is_system_admin = permissions.is_system_admin
is_staff_admin = permissions.can_manage_staff


def require_staff_admin(user) -> None:
    if not is_staff_admin(user):
        raise PermissionDenied("Managing staff is for agency administrators and system "
                               "administrators.")


def require_system_admin(user) -> None:
    if not is_system_admin(user):
        raise PermissionDenied("Adding agencies and teams is for system administrators.")


def agencies_for(actor):
    """The agencies whose staff `actor` manages."""
    if is_system_admin(actor):
        return Agency.objects.all()
    if is_staff_admin(actor):
        return Agency.objects.filter(pk=actor.agency_id)
    return Agency.objects.none()


def agency_or_404(actor, agency_id) -> Agency:
    agency = agencies_for(actor).filter(pk=agency_id).first()
    if agency is None:
        raise Http404("No such agency")
    return agency


def staff_or_404(actor, user_id) -> User:
    """A member of staff in an agency `actor` manages; anyone else is not found."""
    members = User.objects.select_related("agency", "team")
    if not is_system_admin(actor):
        members = members.filter(agency_id=actor.agency_id, agency__isnull=False)
    member = members.filter(pk=user_id).first()
    if member is None:
        raise Http404("No such member of staff")
    return member


def grantable_roles(actor) -> list[Role]:
    if is_system_admin(actor):
        return list(Role)
    return [role for role in Role if role not in SYSTEM_ONLY_ROLES]


def may_manage(actor, target: User) -> bool:
    """Change, deactivate or reset the password of `target`.

    An agency administrator may not touch system administrators' or privacy officers' accounts:
    resetting their password would hand over powers the agency administrator does not have.
    """
    if is_system_admin(actor):
        return True
    return (is_staff_admin(actor) and target.agency_id == actor.agency_id
            and target.role not in SYSTEM_ONLY_ROLES)


def require_may_manage(actor, target: User) -> None:
    if not may_manage(actor, target):
        raise PermissionDenied("Only a system administrator can change this account.")


# --- Helpers ---------------------------------------------------------------------------------

def version_of(user: User) -> str:
    """A token for the account as a form saw it: any change to what the forms show changes it,
    so a form opened before someone else's change is refused rather than undoing it."""
    state = "|".join(str(v) for v in (
        user.role, user.team_id, user.job_title, user.is_safeguarding_lead, user.is_active,
        user.agency_id, user.password,
    ))
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def temporary_password(user: User | None = None) -> str:
    """16 random characters that the password validators accept (a random draw could, very
    rarely, resemble the username or repeat itself)."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def _locked(user: User) -> User:
    return (User.objects.select_for_update(of=("self",)).select_related("agency", "team")
            .get(pk=user.pk))


def _check_role(actor, role) -> Role:
    try:
        role = Role(role)
    except ValueError:
        raise RuleBroken("Select a role", "role") from None
    if role not in grantable_roles(actor):
        raise RuleBroken(f"You cannot give someone the role {role.label.lower()}. Ask a system "
                         "administrator.", "role")
    return role


def _check_team(agency: Agency | None, team: Team | None, role: Role) -> None:
    if team is not None and (agency is None or team.agency_id != agency.pk):
        raise RuleBroken(f"Select a team from {agency.name if agency else 'this agency'}", "team")
    if team is None and role in CLINICAL_ROLES:
        raise RuleBroken(f"Select a team: a {role.label.lower()} works in a team", "team")


def _duplicate_username(username: str) -> RuleBroken:
    return RuleBroken(f"The username {username} is already taken. Choose another.", "username")


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


# --- Staff -----------------------------------------------------------------------------------

def add_staff(request, agency: Agency, *, username: str, first_name: str, last_name: str,
              email: str = "", role, team: Team | None = None, job_title: str = "",
              is_safeguarding_lead: bool = False) -> tuple[User, str]:
    """Create an account with a temporary password. Returns the user and the password, which is
    shown once and never stored in plain text or written to the audit log."""
    actor = request.user
    agency_or_404(actor, agency.pk)
    role = _check_role(actor, role)
    _check_team(agency, team, role)
    username = username.strip()
    password = temporary_password()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise _duplicate_username(username)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username, password=password, first_name=first_name.strip(),
                    last_name=last_name.strip(), email=email.strip(), role=role, agency=agency,
                    team=team, job_title=job_title.strip(),
                    is_safeguarding_lead=is_safeguarding_lead, must_change_password=True,
                )
        except IntegrityError:
            raise _duplicate_username(username) from None
        audit.record(request, AuditEvent.Action.CREATE, obj=user,
                     detail=f"staff: added, agency {agency.pk}, role {role.value}, team "
                            f"{team.pk if team else '-'}, safeguarding lead "
                            f"{_yes_no(is_safeguarding_lead)}")
    return user, password


def change_staff(request, target: User, *, version: str, role, team: Team | None,
                 job_title: str = "", is_safeguarding_lead: bool) -> User:
    actor = request.user
    with transaction.atomic():
        target = _locked(target)
        if version_of(target) != version:
            raise RuleBroken(STALE)
        require_may_manage(actor, target)
        role = _check_role(actor, role)
        if target.pk == actor.pk and role != target.role:
            raise RuleBroken("You cannot change your own role. Ask another administrator.",
                             "role")
        _check_team(target.agency, team, role)
        changes = []
        if role != target.role:
            changes.append(f"role {target.role}>{role.value}")
        if (team.pk if team else None) != target.team_id:
            changes.append(f"team {target.team_id or '-'}>{team.pk if team else '-'}")
        if job_title.strip() != target.job_title:
            changes.append("job title")
        if is_safeguarding_lead != target.is_safeguarding_lead:
            changes.append(f"safeguarding lead {_yes_no(is_safeguarding_lead)}")
        if changes:
            from thrive.history import services as history  # history builds on accounts

            before = history.snapshot(target, ("role", "team", "job_title", "is_safeguarding_lead"))
            target.role, target.team = role, team
            target.job_title = job_title.strip()
            target.is_safeguarding_lead = is_safeguarding_lead
            target.save(update_fields=["role", "team", "job_title", "is_safeguarding_lead"])
            history.record_changes(
                request, target, before, history.snapshot(target, before),
                object_label="Staff details", staff_member=target,
                labels={"is_safeguarding_lead": "Safeguarding lead"})
            audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                         detail="staff: " + ", ".join(changes))
    return target


def set_active(request, target: User, *, version: str, active: bool) -> User:
    """Deactivate (they can no longer sign in; open sessions end) or reactivate an account."""
    actor = request.user
    with transaction.atomic():
        target = _locked(target)
        if version_of(target) != version:
            raise RuleBroken(STALE)
        require_may_manage(actor, target)
        if target.pk == actor.pk and not active:
            raise RuleBroken("You cannot deactivate your own account. Ask another "
                             "administrator.")
        if target.is_active and not active:
            from thrive.care.handover import refuse_if_responsible  # care builds on accounts

            refuse_if_responsible(target)
        if target.is_active != active:
            from thrive.history import services as history  # history builds on accounts

            history.record_changes(request, target, {"is_active": target.is_active},
                                   {"is_active": active}, object_label="Staff details",
                                   staff_member=target, labels={"is_active": "Account active"})
            target.is_active = active
            target.save(update_fields=["is_active"])
            audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                         detail="staff: " + ("reactivated" if active else "deactivated"))
    return target


def reset_password(request, target: User, *, version: str) -> str:
    """Give `target` a new temporary password (returned, to be shown once). Their open sessions
    end, because a session is tied to the password it was signed in with."""
    actor = request.user
    with transaction.atomic():
        target = _locked(target)
        if version_of(target) != version:
            raise RuleBroken(STALE)
        require_may_manage(actor, target)
        if target.pk == actor.pk:
            raise RuleBroken("Change your own password with 'Change your password' instead.")
        password = temporary_password(target)
        target.set_password(password)
        target.must_change_password = True
        target.save(update_fields=["password", "must_change_password"])
        audit.record(request, AuditEvent.Action.CHANGE, obj=target,
                     detail="staff: temporary password reset")
    return password


def hand_over_caseload(request, target: User, *, version: str, to_user: User | None,
                       leads_to_waiting_list: bool, reason: str, token: str):
    """Before deactivating someone: move their open episodes, care-team and keyworker roles to
    another practitioner (or their lead episodes to the waiting list), in one transaction."""
    from thrive.care.handover import hand_over  # care builds on accounts

    with transaction.atomic():
        target = _locked(target)
        if version_of(target) != version:
            raise RuleBroken(STALE)
        require_may_manage(request.user, target)
        return hand_over(request, target, to_user=to_user,
                         leads_to_waiting_list=leads_to_waiting_list, reason=reason, token=token)


def reset_two_factor(request, target: User, *, version: str) -> bool:
    """Remove someone's authenticator app and recovery codes (they lost their phone): they sign in
    with their password next time, and set it up again if their role needs it."""
    from . import two_factor

    actor = request.user
    with transaction.atomic():
        target = _locked(target)
        if version_of(target) != version:
            raise RuleBroken(STALE)
        require_may_manage(actor, target)
        if target.pk == actor.pk:
            raise RuleBroken("Turn off or set up your own two-step sign-in from your account "
                             "page instead.")
        if not two_factor.is_on(target):
            raise RuleBroken(f"{target.display_name} does not use two-step sign-in.")
        two_factor.reset(request, target)
    return True


# --- Agencies and teams ----------------------------------------------------------------------

def _check_age_range(min_age: int | None, max_age: int | None) -> None:
    if min_age is not None and max_age is not None and min_age > max_age:
        raise RuleBroken(f"Oldest age seen must be the same as or more than the youngest "
                         f"({min_age})", "max_age")


def add_agency(request, *, name: str, kind, ods_code: str = "", min_age: int | None = None,
               max_age: int | None = None) -> Agency:
    require_system_admin(request.user)
    _check_age_range(min_age, max_age)
    name, ods_code = name.strip(), ods_code.strip().upper()
    if kind not in Agency.Kind.values:
        raise RuleBroken("Select the kind of agency", "kind")
    with transaction.atomic():
        if Agency.objects.filter(name__iexact=name).exists():
            raise RuleBroken(f"An agency called {name} already exists", "name")
        if ods_code and Agency.objects.filter(ods_code__iexact=ods_code).exists():
            raise RuleBroken(f"An agency with ODS code {ods_code} already exists", "ods_code")
        try:
            with transaction.atomic():
                agency = Agency.objects.create(name=name, kind=kind, ods_code=ods_code,
                                               min_age=min_age, max_age=max_age)
        except IntegrityError:
            raise RuleBroken(f"An agency called {name} already exists", "name") from None
        audit.record(request, AuditEvent.Action.CREATE, obj=agency,
                     detail=f"staff: agency added, kind {kind}")
    return agency


def set_age_range(request, agency: Agency, *, min_age: int | None,
                  max_age: int | None) -> Agency:
    """The ages an agency serves; a referral outside them then needs a reason."""
    require_system_admin(request.user)
    _check_age_range(min_age, max_age)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        before = agency.age_range_text
        agency.min_age, agency.max_age = min_age, max_age
        agency.save(update_fields=["min_age", "max_age"])
        audit.record(request, AuditEvent.Action.CHANGE, obj=agency,
                     detail=f"staff: age range {before} > {agency.age_range_text}")
    return agency


def add_team(request, agency: Agency, *, name: str) -> Team:
    require_system_admin(request.user)
    name = name.strip()
    with transaction.atomic():
        if agency.teams.filter(name__iexact=name).exists():
            raise RuleBroken(f"{agency.name} already has a team called {name}", "name")
        try:
            with transaction.atomic():
                team = Team.objects.create(agency=agency, name=name)
        except IntegrityError:
            raise RuleBroken(f"{agency.name} already has a team called {name}", "name") from None
        audit.record(request, AuditEvent.Action.CREATE, obj=team,
                     detail=f"staff: team added to agency {agency.pk}")
    return team
