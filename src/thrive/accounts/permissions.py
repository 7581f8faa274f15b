"""Role gates, in one place. Every view and API route asks these named questions instead of
comparing role names, so what a role may do is decided here and can be read in one screen.

Which *records* a user may read or change is a different question, answered only by the access
policy (`thrive.sharing.policy`) from relationships; these gates decide which kinds of work a role
does at all.
"""

from .models import CLINICAL_ROLES, Role

# For queries: the role codes of people who work with records (pickers of colleagues).
CLINICAL_ROLE_CODES = sorted(role.value for role in CLINICAL_ROLES)


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _role(user) -> str | None:
    return getattr(user, "role", None) if _active(user) else None


def works_with_records(user) -> bool:
    """Practitioners and team managers: caseloads, records, referrals, break-glass."""
    return _role(user) in CLINICAL_ROLES


def can_manage_team(user) -> bool:
    """Team managers see and run their team's caseload."""
    return _role(user) == Role.TEAM_MANAGER


def can_use_analytics(user) -> bool:
    """The analytics pages show suppressed aggregates: analysts and team managers."""
    return _role(user) in (Role.ANALYST, Role.TEAM_MANAGER)


def can_refresh_analytics(user) -> bool:
    """Recomputing the figures reads every record on the platform: analysts only."""
    return _role(user) == Role.ANALYST


def is_privacy_officer(user) -> bool:
    return _role(user) == Role.PRIVACY_OFFICER


def is_system_admin(user) -> bool:
    return _role(user) == Role.SYSTEM_ADMIN


def can_manage_staff(user) -> bool:
    """System administrators manage every agency's staff; agency administrators their own's."""
    return is_system_admin(user) or (_role(user) == Role.AGENCY_ADMIN
                                     and user.agency_id is not None)


def can_override_consent(user) -> bool:
    """Team managers and named safeguarding leads may share without consent, with a reason."""
    return works_with_records(user) and (user.role == Role.TEAM_MANAGER
                                         or bool(user.is_safeguarding_lead))


def can_facilitate_community(user) -> bool:
    """Community THRIVE facilitators set up community assessments, watch results and plan."""
    return _role(user) == Role.FACILITATOR


def can_lead_self_assessment(user) -> bool:
    """Site leads run THRIVE implementation self-assessment rounds; system administrators and
    analysts may too (the issue lets either a new role or a permission of theirs do it)."""
    return _role(user) in (Role.SITE_LEAD, Role.SYSTEM_ADMIN, Role.ANALYST)


def can_set_measure_schedule(user) -> bool:
    """An agency's measures schedule is set by its administrator or a team manager."""
    return _role(user) in (Role.AGENCY_ADMIN, Role.TEAM_MANAGER) and user.agency_id is not None


def can_load_measure_wording(user) -> bool:
    """An agency administrator loads the agency's own licensed questionnaire wording."""
    return _role(user) == Role.AGENCY_ADMIN and user.agency_id is not None


def can_edit_directory(user) -> bool:
    """Directory editors add, edit, review and retire community services; system administrators
    may too."""
    return _role(user) in (Role.DIRECTORY_EDITOR, Role.SYSTEM_ADMIN)
