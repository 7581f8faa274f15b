"""Lockout by the username and address pair; temporary passwords must be changed first; the
password validators hold wherever a password is set."""

import os
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from thrive.accounts import services
from thrive.accounts.models import Role, User
from thrive.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
OFFICE = "10.1.1.1"    # one hospital's NAT address
ELSEWHERE = "10.9.9.9"


def _sign_in(client, username, password, ip):
    return client.post(SIGN_IN, {"username": username, "password": password},
                       REMOTE_ADDR=ip)


# --- Lockout ---------------------------------------------------------------------------------

def test_five_wrong_passwords_lock_that_user_from_that_address_only(practitioner, colleague):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(SIGN_IN, {"username": "pat.practitioner", "password": "wrong"},
                      REMOTE_ADDR=OFFICE)
    # The same user from the same address is locked, even with the right password...
    locked = _sign_in(Client(), "pat.practitioner", PASSWORD, OFFICE)
    assert locked.status_code == 429
    assert "from this network is paused" in locked.content.decode()
    # ...but a colleague behind the same NAT address signs in,
    assert _sign_in(Client(), "cal.colleague", PASSWORD, OFFICE).status_code == 302
    # and so does the user from somewhere else.
    assert _sign_in(Client(), "pat.practitioner", PASSWORD, ELSEWHERE).status_code == 302


def test_the_lockout_setting_is_the_pair():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


# --- Temporary passwords ---------------------------------------------------------------------

@pytest.fixture
def admin(camhs_team):
    return make_user("ada.admin", camhs_team, Role.AGENCY_ADMIN)


def _reset_by_admin(admin, member) -> str:
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("accounts:staff-reset-password", args=[member.pk]),
                           {"version": services.version_of(member)})
    page = response.content.decode()
    return page.split("<code data-temporary-password>")[1].split("</code>")[0]


def test_a_reset_password_must_be_changed_before_anything_else(admin, practitioner):
    temporary = _reset_by_admin(admin, practitioner)
    practitioner.refresh_from_db()
    assert practitioner.must_change_password

    client = Client()
    response = client.post(SIGN_IN, {"username": "pat.practitioner", "password": temporary})
    assert response.status_code == 302
    # Every other page, and the JSON API, sends them to change it.
    for url in (reverse("care:caseload"), reverse("people:find"), reverse("care:home"),
                reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("accounts:password"), url
    page = client.get(reverse("accounts:password")).content.decode()
    assert "You signed in with a temporary password" in page

    # A weak new password is refused and the flag stays.
    weak = client.post(reverse("accounts:password"), {
        "old_password": temporary, "new_password1": "aaaaaaaaaaaa",
        "new_password2": "aaaaaaaaaaaa"})
    assert "repeats the same few characters" in weak.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.must_change_password

    changed = client.post(reverse("accounts:password"), {
        "old_password": temporary, "new_password1": "plum-orchard-lantern-42",
        "new_password2": "plum-orchard-lantern-42"}, follow=True)
    assert changed.redirect_chain[-1][0] == reverse("care:caseload")
    practitioner.refresh_from_db()
    assert not practitioner.must_change_password
    assert client.get(reverse("people:find")).status_code == 200


def test_signing_out_works_with_a_temporary_password(admin, practitioner):
    temporary = _reset_by_admin(admin, practitioner)
    client = Client()
    client.post(SIGN_IN, {"username": "pat.practitioner", "password": temporary})
    client.post(reverse("accounts:sign-out"))
    assert client.get(reverse("accounts:password")).status_code == 302
    assert client.get(reverse("accounts:password")).url.startswith(SIGN_IN)


def test_a_new_account_starts_with_a_temporary_password_to_change(admin, camhs, camhs_team):
    client = Client()
    client.force_login(admin)
    client.post(reverse("accounts:staff-add", args=[camhs.pk]), {
        "username": "new.starter", "first_name": "New", "last_name": "Starter", "email": "",
        "role": "practitioner", "team": str(camhs_team.pk), "job_title": "",
        "is_safeguarding_lead": "no"})
    assert User.objects.get(username="new.starter").must_change_password


def test_an_api_request_with_a_temporary_password_is_refused(practitioner, episode, client):
    User.objects.filter(pk=practitioner.pk).update(must_change_password=True)
    client.force_login(practitioner)
    response = client.get(f"/api/v1/young-people/{episode.young_person.public_id}")
    assert response.status_code == 403
    assert "Finish signing in" in response.json()["detail"]


# --- Validators everywhere -------------------------------------------------------------------

@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "abababababab", "abcabcabcabc",
                                      "short-pass", "password1234", "123456789012"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["plum-orchard-lantern-42", PASSWORD, "thrive-demo-2026"])
def test_passphrases_pass(password):
    validate_password(password)


def test_a_password_like_the_username_is_refused():
    with pytest.raises(ValidationError):
        validate_password("pat.practitioner1", User(username="pat.practitioner"))


def test_accounts_cannot_be_created_with_a_weak_password(db):
    with pytest.raises(ValidationError):
        User.objects.create_user(username="weak.one", password="aaaaaaaaaaaa")
    assert not User.objects.filter(username="weak.one").exists()


def test_createsuperuser_without_prompts_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_PASSWORD", "aaaaaaaaaaaa")
    with pytest.raises(CommandError, match="repeats the same few characters"):
        call_command("createsuperuser", "--noinput", username="root.admin", email="",
                     stdout=StringIO(), stderr=StringIO())
    assert not User.objects.filter(username="root.admin").exists()
    monkeypatch.setitem(os.environ, "DJANGO_SUPERUSER_PASSWORD", "plum-orchard-lantern-42")
    call_command("createsuperuser", "--noinput", username="root.admin", email="",
                 stdout=StringIO(), stderr=StringIO())
    assert User.objects.get(username="root.admin").check_password("plum-orchard-lantern-42")


def test_temporary_passwords_pass_the_validators(practitioner):
    for _ in range(50):
        validate_password(services.temporary_password(practitioner), practitioner)
