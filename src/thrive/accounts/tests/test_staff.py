"""Staff management: who may manage whom, the rules on what they may set, temporary passwords,
stale forms, and the audit trail."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from thrive.accounts import services
from thrive.accounts.models import Agency, Role, Team, User
from thrive.conftest import PASSWORD, make_user
from thrive.core.audit import verify_chain
from thrive.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(camhs_team):
    return make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)


@pytest.fixture
def sysadmin(db):
    return make_user("sam.sysadmin", None, Role.SYSTEM_ADMIN)


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def as_sysadmin(client, sysadmin):
    client.force_login(sysadmin)
    return client


def _add_data(team, **overrides):
    data = {"username": "new.starter", "first_name": "New", "last_name": "Starter",
            "email": "new.starter@example.org", "role": "practitioner",
            "team": str(team.pk) if team else "", "job_title": "CAMHS practitioner",
            "is_safeguarding_lead": "no"}
    data.update(overrides)
    return data


def _shown_password(response) -> str:
    match = re.search(r"<code data-temporary-password>([^<]+)</code>", response.content.decode())
    assert match, "temporary password not shown"
    return match.group(1)


def _version(member):
    member.refresh_from_db()
    return services.version_of(member)


def _can_sign_in(username, password) -> bool:
    response = Client().post(reverse("accounts:sign-in"),
                             {"username": username, "password": password})
    return response.status_code == 302


def _staff_events():
    return AuditEvent.objects.filter(detail__startswith="staff:")


# --- Who may get in ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.TEAM_MANAGER, Role.ANALYST,
                                  Role.PRIVACY_OFFICER])
def test_only_administrators_reach_staff_pages(client, camhs, camhs_team, practitioner, role):
    client.force_login(make_user(f"x.{role.value}", camhs_team, role))
    urls = [
        reverse("accounts:staff"), reverse("accounts:agency-staff", args=[camhs.pk]),
        reverse("accounts:staff-add", args=[camhs.pk]),
        reverse("accounts:staff-member", args=[practitioner.pk]),
        reverse("accounts:staff-change", args=[practitioner.pk]),
        reverse("accounts:staff-active", args=[practitioner.pk]),
        reverse("accounts:staff-reset-password", args=[practitioner.pk]),
        reverse("accounts:agency-add"), reverse("accounts:team-add", args=[camhs.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert User.objects.count() == 2


def test_signed_out_people_are_sent_to_sign_in(client, camhs):
    response = client.get(reverse("accounts:staff"))
    assert response.status_code == 302 and "/account/sign-in/" in response.url


def test_agency_admin_starts_at_their_agency_list_and_sees_the_columns(
        as_admin, camhs, practitioner, outsider):
    practitioner.job_title = "Senior practitioner"
    practitioner.is_safeguarding_lead = True
    practitioner.save()
    response = as_admin.get(reverse("accounts:staff"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:agency-staff", args=[camhs.pk])
    page = response.content.decode()
    for text in ("Pat Tester", "pat.practitioner", "Practitioner", "Getting Help team",
                 "Senior practitioner", "Yes"):
        assert text in page
    assert "olu.outsider" not in page  # another agency's staff
    assert AuditEvent.objects.filter(action="view", detail__startswith="staff: list").exists()


def test_agency_admin_cannot_see_or_change_another_agencys_staff(as_admin, school, outsider):
    urls = [
        reverse("accounts:agency-staff", args=[school.pk]),
        reverse("accounts:staff-add", args=[school.pk]),
        reverse("accounts:staff-member", args=[outsider.pk]),
        reverse("accounts:staff-change", args=[outsider.pk]),
        reverse("accounts:staff-active", args=[outsider.pk]),
        reverse("accounts:staff-reset-password", args=[outsider.pk]),
    ]
    for url in urls:
        assert as_admin.get(url).status_code == 404, url
    old_password = outsider.password
    for url in urls[1:]:
        assert as_admin.post(url, {"version": services.version_of(outsider),
                                   **_add_data(None, role="agency_admin")}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.role == Role.PRACTITIONER
    assert outsider.password == old_password
    assert not User.objects.filter(username="new.starter").exists()
    assert not _staff_events().exclude(action="view").exists()


def test_agency_admin_cannot_manage_system_admins_or_privacy_officers_in_their_agency(
        as_admin, camhs_team):
    officer = make_user("pia.privacy", camhs_team, Role.PRIVACY_OFFICER)
    page = as_admin.get(reverse("accounts:staff-member", args=[officer.pk])).content.decode()
    assert "Only a system administrator can change this account" in page
    for name in ("accounts:staff-change", "accounts:staff-active",
                 "accounts:staff-reset-password"):
        assert as_admin.get(reverse(name, args=[officer.pk])).status_code == 403
        assert as_admin.post(reverse(name, args=[officer.pk]),
                             {"version": services.version_of(officer)}).status_code == 403
    officer.refresh_from_db()
    assert officer.is_active and _can_sign_in("pia.privacy", PASSWORD)


def test_the_system_admin_sees_every_agency(as_sysadmin, camhs, school, outsider):
    page = as_sysadmin.get(reverse("accounts:staff")).content.decode()
    assert "Test CAMHS" in page and "Test MHST" in page
    page = as_sysadmin.get(reverse("accounts:agency-staff", args=[school.pk])).content.decode()
    assert "olu.outsider" in page


# --- Adding staff ----------------------------------------------------------------------------

def test_adding_staff_shows_a_working_temporary_password_once(as_admin, client, camhs,
                                                               camhs_team):
    response = as_admin.post(reverse("accounts:staff-add", args=[camhs.pk]),
                             _add_data(camhs_team, is_safeguarding_lead="yes"))
    assert response.status_code == 200
    password = _shown_password(response)
    assert len(password) >= 16
    assert "Share the password securely" in response.content.decode()
    assert response["Cache-Control"] == "no-store"

    user = User.objects.get(username="new.starter")
    assert (user.agency, user.team, user.role) == (camhs, camhs_team, Role.PRACTITIONER)
    assert user.is_safeguarding_lead and user.job_title == "CAMHS practitioner"
    assert user.email == "new.starter@example.org"
    # Stored hashed, never in plain text, never in the audit log.
    assert user.password.startswith("argon2$") and password not in user.password
    assert user.check_password(password)
    event = AuditEvent.objects.get(action="create", object_type="User", object_id=str(user.pk))
    assert event.user.username == "ada.admin" and event.detail.startswith("staff: added")
    for entry in AuditEvent.objects.all():
        assert password not in entry.canonical()
    assert verify_chain().intact

    # The password is in no URL, and the member page does not show it again.
    page = as_admin.get(reverse("accounts:staff-member", args=[user.pk])).content.decode()
    assert password not in page

    # It works for signing in, and leads straight to choosing their own password.
    client.logout()
    signed_in = client.post(reverse("accounts:sign-in"),
                            {"username": "new.starter", "password": password}, follow=True)
    assert signed_in.redirect_chain[-1][0] == reverse("accounts:password")


def test_a_duplicate_username_is_refused(as_admin, camhs, camhs_team, practitioner):
    before = AuditEvent.objects.count()
    response = as_admin.post(reverse("accounts:staff-add", args=[camhs.pk]),
                             _add_data(camhs_team, username="PAT.practitioner"))
    page = response.content.decode()
    assert "There is a problem" in page and "already taken" in page
    assert User.objects.filter(username__iexact="pat.practitioner").count() == 1
    assert AuditEvent.objects.count() == before


def test_a_team_from_another_agency_is_refused(as_admin, camhs, school_team):
    response = as_admin.post(reverse("accounts:staff-add", args=[camhs.pk]),
                             _add_data(school_team))
    page = response.content.decode()
    assert "There is a problem" in page and "Select a team from Test CAMHS" in page
    assert not User.objects.filter(username="new.starter").exists()


@pytest.mark.parametrize("role", ["system_admin", "privacy_officer", "analyst"])
def test_an_agency_admin_cannot_create_locality_wide_roles(as_admin, camhs,
                                                                        camhs_team, role):
    form_page = as_admin.get(reverse("accounts:staff-add", args=[camhs.pk])).content.decode()
    assert f'value="{role}"' not in form_page
    response = as_admin.post(reverse("accounts:staff-add", args=[camhs.pk]),
                             _add_data(camhs_team, role=role))
    page = response.content.decode()
    assert "There is a problem" in page and "Select a role you are allowed to give" in page
    assert not User.objects.filter(username="new.starter").exists()


def test_the_rules_hold_in_the_service_not_only_the_form(rf, admin, camhs, camhs_team,
                                                         school_team):
    from thrive.core.rules import RuleBroken
    request = rf.post("/")
    request.user = admin
    with pytest.raises(RuleBroken) as broken:
        services.add_staff(request, camhs, username="x.y", first_name="X", last_name="Y",
                           role=Role.SYSTEM_ADMIN, team=camhs_team)
    assert broken.value.field == "role"
    with pytest.raises(RuleBroken) as broken:
        services.add_staff(request, camhs, username="x.y", first_name="X", last_name="Y",
                           role=Role.PRACTITIONER, team=school_team)
    assert broken.value.field == "team"
    with pytest.raises(RuleBroken) as broken:
        services.add_staff(request, camhs, username="x.y", first_name="X", last_name="Y",
                           role=Role.PRACTITIONER, team=None)
    assert broken.value.field == "team"
    assert not User.objects.filter(username="x.y").exists()


def test_a_practitioner_needs_a_team_but_an_analyst_does_not(as_sysadmin, camhs):
    response = as_sysadmin.post(reverse("accounts:staff-add", args=[camhs.pk]), _add_data(None))
    assert "Select a team: a practitioner works in a team" in response.content.decode()
    response = as_sysadmin.post(reverse("accounts:staff-add", args=[camhs.pk]),
                             _add_data(None, role="analyst"))
    assert _shown_password(response)
    assert User.objects.get(username="new.starter").team is None


def test_empty_add_form_says_what_to_fill_in(as_admin, camhs):
    page = as_admin.post(reverse("accounts:staff-add", args=[camhs.pk]), {}).content.decode()
    for message in ("Enter username", "Enter first name", "Enter last name", "Select role",
                    "Select yes or no: Are they a named safeguarding lead?"):
        assert message in page


def test_the_system_admin_may_create_a_privacy_officer_in_any_agency(as_sysadmin, school):
    response = as_sysadmin.post(reverse("accounts:staff-add", args=[school.pk]),
                                _add_data(None, role="privacy_officer"))
    assert _shown_password(response)
    assert User.objects.get(username="new.starter").agency == school


# --- Changing staff --------------------------------------------------------------------------

def test_changing_role_team_title_and_safeguarding_is_saved_and_audited(as_admin, camhs,
                                                                        practitioner):
    other_team = Team.objects.create(agency=camhs, name="Getting More Help team")
    response = as_admin.post(reverse("accounts:staff-change", args=[practitioner.pk]), {
        "version": _version(practitioner), "role": "team_manager", "team": other_team.pk,
        "job_title": "Team lead", "is_safeguarding_lead": "yes",
    })
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.role == Role.TEAM_MANAGER and practitioner.team == other_team
    assert practitioner.job_title == "Team lead" and practitioner.is_safeguarding_lead
    event = AuditEvent.objects.get(action="change", object_id=str(practitioner.pk))
    assert "role practitioner>team_manager" in event.detail
    assert "safeguarding lead yes" in event.detail


def test_a_stale_change_form_is_refused(as_admin, practitioner):
    stale = _version(practitioner)
    practitioner.job_title = "Changed by someone else"
    practitioner.save()
    response = as_admin.post(reverse("accounts:staff-change", args=[practitioner.pk]), {
        "version": stale, "role": "team_manager", "team": practitioner.team_id,
        "job_title": "", "is_safeguarding_lead": "no",
    })
    assert "Someone else changed this record" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.role == Role.PRACTITIONER
    assert practitioner.job_title == "Changed by someone else"


def test_changing_to_a_team_of_another_agency_or_a_forbidden_role_is_refused(
        as_admin, practitioner, school_team):
    url = reverse("accounts:staff-change", args=[practitioner.pk])
    base = {"version": _version(practitioner), "role": "practitioner",
            "team": practitioner.team_id, "job_title": "", "is_safeguarding_lead": "no"}
    page = as_admin.post(url, {**base, "team": school_team.pk}).content.decode()
    assert "Select a team from Test CAMHS" in page
    page = as_admin.post(url, {**base, "role": "system_admin"}).content.decode()
    assert "Select a role you are allowed to give" in page
    practitioner.refresh_from_db()
    assert practitioner.team.agency.name == "Test CAMHS"
    assert practitioner.role == Role.PRACTITIONER
    assert not AuditEvent.objects.filter(action="change").exists()


def test_an_admin_cannot_change_their_own_role(as_admin, admin):
    response = as_admin.post(reverse("accounts:staff-change", args=[admin.pk]), {
        "version": _version(admin), "role": "practitioner", "team": admin.team_id,
        "job_title": "", "is_safeguarding_lead": "no",
    })
    assert "You cannot change your own role" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.AGENCY_ADMIN


# --- Deactivating and passwords --------------------------------------------------------------

def test_deactivating_stops_sign_in_and_reactivating_restores_it(as_admin, client,
                                                                   practitioner):
    url = reverse("accounts:staff-active", args=[practitioner.pk])
    assert "Deactivate this account" in as_admin.get(url).content.decode()
    assert as_admin.post(url, {"version": _version(practitioner)}).status_code == 302
    practitioner.refresh_from_db()
    assert not practitioner.is_active
    assert User.objects.filter(pk=practitioner.pk).exists()  # never deleted
    assert not _can_sign_in("pat.practitioner", PASSWORD)
    assert AuditEvent.objects.filter(detail="staff: deactivated",
                                     object_id=str(practitioner.pk)).exists()
    # The list still shows them, as not active.
    assert "No (deactivated)" in as_admin.get(
        reverse("accounts:agency-staff", args=[practitioner.agency_id])).content.decode()

    assert "Reactivate this account" in as_admin.get(url).content.decode()
    assert as_admin.post(url, {"version": _version(practitioner)}).status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.is_active
    assert _can_sign_in("pat.practitioner", PASSWORD)
    assert AuditEvent.objects.filter(detail="staff: reactivated").exists()


def test_deactivating_ends_an_open_session(as_admin, practitioner):
    theirs = Client()
    theirs.force_login(practitioner)
    assert theirs.get(reverse("care:caseload")).status_code == 200
    as_admin.post(reverse("accounts:staff-active", args=[practitioner.pk]),
                  {"version": _version(practitioner)})
    assert theirs.get(reverse("care:caseload")).status_code == 302


def test_a_stale_deactivate_does_not_undo_a_reactivation(as_admin, practitioner):
    stale = _version(practitioner)
    User.objects.filter(pk=practitioner.pk).update(is_active=False)
    response = as_admin.post(reverse("accounts:staff-active", args=[practitioner.pk]),
                             {"version": stale})
    assert "Someone else changed this record" in response.content.decode()
    practitioner.refresh_from_db()
    assert not practitioner.is_active


def test_an_admin_cannot_deactivate_themselves(as_admin, admin):
    response = as_admin.post(reverse("accounts:staff-active", args=[admin.pk]),
                             {"version": _version(admin)})
    assert "You cannot deactivate your own account" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_resetting_a_password_shows_a_new_one_once(as_admin, client, practitioner):
    response = as_admin.post(reverse("accounts:staff-reset-password", args=[practitioner.pk]),
                             {"version": _version(practitioner)})
    password = _shown_password(response)
    practitioner.refresh_from_db()
    assert practitioner.check_password(password) and not practitioner.check_password(PASSWORD)
    assert password not in practitioner.password
    assert AuditEvent.objects.filter(detail="staff: temporary password reset").exists()
    for entry in AuditEvent.objects.all():
        assert password not in entry.canonical()
    client.logout()
    response = client.post(reverse("accounts:sign-in"),
                           {"username": "pat.practitioner", "password": password})
    assert response.status_code == 302


def test_a_stale_reset_is_refused(as_admin, practitioner):
    stale = _version(practitioner)
    practitioner.set_password("someone-else-reset-this")
    practitioner.save()
    response = as_admin.post(reverse("accounts:staff-reset-password", args=[practitioner.pk]),
                             {"version": stale})
    assert "Someone else changed this record" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.check_password("someone-else-reset-this")


def test_changing_your_own_password_applies_the_validators(client, practitioner):
    client.force_login(practitioner)
    url = reverse("accounts:password")
    page = client.post(url, {"old_password": PASSWORD, "new_password1": "short",
                             "new_password2": "short"}).content.decode()
    assert "There is a problem" in page and "too short" in page
    page = client.post(url, {"old_password": "wrong", "new_password1": "a-much-longer-phrase-9",
                             "new_password2": "a-much-longer-phrase-9"}).content.decode()
    assert "Your current password is not correct" in page
    response = client.post(url, {"old_password": PASSWORD,
                                 "new_password1": "a-much-longer-phrase-9",
                                 "new_password2": "a-much-longer-phrase-9"})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.check_password("a-much-longer-phrase-9")
    event = AuditEvent.objects.get(detail="staff: own password changed")
    assert "a-much-longer-phrase-9" not in event.canonical()
    # Still signed in after the change.
    assert client.get(reverse("care:caseload")).status_code == 200


def test_admins_start_at_staff_and_everyone_has_their_password_in_the_header(client, admin,
                                                                               camhs_team):
    client.force_login(admin)
    response = client.get(reverse("care:home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:staff")
    page = response.content.decode()
    assert reverse("accounts:staff") in page and reverse("accounts:password") in page
    client.force_login(make_user("ana.analyst", camhs_team, Role.ANALYST))
    page = client.get(reverse("care:home"), follow=True).content.decode()
    assert reverse("accounts:staff") not in page and reverse("accounts:password") in page


# --- Agencies and teams ----------------------------------------------------------------------

def test_the_system_admin_adds_an_agency_and_a_team(as_sysadmin):
    response = as_sysadmin.post(reverse("accounts:agency-add"),
                                {"name": "Northvale Council", "kind": "council",
                                 "ods_code": "ab123"})
    agency = Agency.objects.get(name="Northvale Council")
    assert response.url == reverse("accounts:agency-staff", args=[agency.pk])
    assert agency.ods_code == "AB123" and agency.kind == "council"
    response = as_sysadmin.post(reverse("accounts:team-add", args=[agency.pk]),
                                {"name": "Early Help"})
    assert agency.teams.get().name == "Early Help"
    assert AuditEvent.objects.filter(action="create", object_type="Agency").exists()
    assert AuditEvent.objects.filter(action="create", object_type="Team").exists()


def test_duplicate_agencies_and_teams_are_refused(as_sysadmin, camhs, camhs_team):
    page = as_sysadmin.post(reverse("accounts:agency-add"),
                            {"name": "test camhs", "kind": "nhs"}).content.decode()
    assert "There is a problem" in page and "already exists" in page
    page = as_sysadmin.post(reverse("accounts:team-add", args=[camhs.pk]),
                            {"name": "Getting help TEAM"}).content.decode()
    assert "There is a problem" in page and "already has a team" in page
    assert Agency.objects.count() == 1 and Team.objects.count() == 1


def test_an_agency_admin_cannot_add_agencies_or_teams(as_admin, camhs):
    assert as_admin.post(reverse("accounts:agency-add"),
                         {"name": "Rogue", "kind": "nhs"}).status_code == 403
    assert as_admin.post(reverse("accounts:team-add", args=[camhs.pk]),
                         {"name": "Rogue team"}).status_code == 403
    assert not Agency.objects.filter(name="Rogue").exists()
    assert not Team.objects.filter(name="Rogue team").exists()
