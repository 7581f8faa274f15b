"""Role gates live in one module (`accounts.permissions`); views and API routes ask it."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from thrive.accounts import permissions
from thrive.accounts.models import Role
from thrive.conftest import make_user

SRC = Path(__file__).resolve().parents[2]
# Every module that answers a request: pages, the JSON API and FHIR.
ROUTE_MODULES = sorted([*SRC.glob("*/views.py"), *SRC.glob("*/*_views.py"), *SRC.glob("*/api.py"),
                        SRC / "measures" / "fhir.py"])
ROLE_COMPARISON = re.compile(
    r"\bRole\.[A-Z_]+"                                    # Role.TEAM_MANAGER
    r"|\.role\s*(?:==|!=|\bin\b|\bnot\s+in\b)"            # user.role == ..., user.role in ...
    r"|\brole__in\s*=(?!\s*permissions\.)"                # role__in=[...] in a query
    r"|getattr\([^)]*[\"']role[\"']"                      # getattr(user, "role", None)
    r"|[\"'](?:team_manager|agency_admin|analyst|privacy_officer|system_admin)[\"']"
    r"|(?<!permissions)\.works_with_records\b"            # the model property, not the gate
)


def test_the_route_modules_are_found():
    names = {f"{p.parent.name}/{p.name}" for p in ROUTE_MODULES}
    assert {"care/views.py", "people/views.py", "people/api.py", "sharing/views.py",
            "analytics/views.py", "accounts/staff_views.py", "measures/fhir.py"} <= names


@pytest.mark.parametrize("module", ROUTE_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_view_or_api_route_compares_roles_itself(module):
    found = [f"{module.parent.name}/{module.name}:{n}: {line.strip()}"
             for n, line in enumerate(module.read_text().splitlines(), 1)
             if ROLE_COMPARISON.search(line)]
    assert not found, "Ask thrive.accounts.permissions instead:\n" + "\n".join(found)


GATES = {
    "works_with_records": {Role.PRACTITIONER, Role.TEAM_MANAGER},
    "can_manage_team": {Role.TEAM_MANAGER},
    "can_use_analytics": {Role.ANALYST, Role.TEAM_MANAGER},
    "can_refresh_analytics": {Role.ANALYST},
    "is_privacy_officer": {Role.PRIVACY_OFFICER},
    "is_system_admin": {Role.SYSTEM_ADMIN},
    "can_manage_staff": {Role.SYSTEM_ADMIN, Role.AGENCY_ADMIN},
    "can_override_consent": {Role.TEAM_MANAGER},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_gate_opens_for_exactly_its_roles(camhs_team, role):
    user = make_user("r.role", camhs_team, role)
    assert {gate for gate in GATES if getattr(permissions, gate)(user)} == {
        gate for gate, roles in GATES.items() if role in roles}


def test_a_deactivated_account_or_anonymous_visitor_passes_no_gate(camhs_team):
    gone = make_user("d.deactivated", camhs_team, Role.TEAM_MANAGER, is_active=False)
    for user in (gone, AnonymousUser()):
        assert not any(getattr(permissions, gate)(user) for gate in GATES)


def test_a_practitioner_named_safeguarding_lead_may_override_consent(camhs_team):
    lead = make_user("s.lead", camhs_team, Role.PRACTITIONER, is_safeguarding_lead=True)
    assert permissions.can_override_consent(lead)
