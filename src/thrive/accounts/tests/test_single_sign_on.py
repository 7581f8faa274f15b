"""Single sign-on against a real OpenID provider (panva's oidc-provider, started on loopback by
the `openid_provider_for_client` fixture): the Django test client plays the platform's side of
the browser and `requests` the provider's side, so every hop is real HTTP at the provider and a
real request to the platform (decision 0024)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from thrive.accounts import sso
from thrive.accounts.models import Role, SingleSignOnIdentity, SingleSignOnLinkCode, User
from thrive.accounts.tests.openid_provider import ACCOUNTS, sign_in_at_provider
from thrive.conftest import PASSWORD, make_user
from thrive.core.models import AuditEvent

ALICE = ACCOUNTS["alice.adams"]


@pytest.fixture
def provider(openid_provider_for_client, settings):
    return openid_provider_for_client.configure(settings)


@pytest.fixture
def admin(camhs):
    return User.objects.create_user(username="ada.admin", password=PASSWORD,
                                    role=Role.AGENCY_ADMIN, agency=camhs)


def start(client, next_path=""):
    url = reverse("accounts:sso-start", args=["test"]) + (f"?next={next_path}" if next_path else "")
    response = client.get(url)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def come_back(client, url):
    """Follow the provider's redirect back into the platform (the test client's side)."""
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def sso_sign_in(client, username, session=None):
    return come_back(client, sign_in_at_provider(start(client), username,
                                                 ACCOUNTS[username]["password"], session))


def link_code_for(client, admin, member) -> str:
    from thrive.accounts import services

    client.force_login(admin)
    response = client.post(reverse("accounts:staff-sso-link-code", args=[member.pk]),
                           {"version": services.version_of(member)})
    assert response.status_code == 200
    code = re.search(r"<code data-link-code>([A-Z0-9-]+)</code>", response.content.decode()).group(1)
    client.logout()
    return code


def signed_in_as(client):
    """Who the platform takes this browser to be, if anyone (the account page needs a sign-in)."""
    response = client.get(reverse("accounts:account"))
    return response.wsgi_request.user if response.status_code == 200 else None


# --- Sign in and first-time link ----------------------------------------------------------------

def test_a_first_sign_in_links_with_the_administrators_code_then_the_subject_alone_signs_in(
        client, provider, camhs_team, admin):
    alice = make_user("alice.local", camhs_team, email="old.address@nhs.example",
                      must_change_password=True)
    code = link_code_for(client, admin, alice)

    response = sso_sign_in(client, "alice.adams")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sso-link")
    assert signed_in_as(client) is None  # not until the code links the account
    page = client.get(response["Location"])
    assert b"Link your account" in page.content

    response = client.post(reverse("accounts:sso-link"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert signed_in_as(client) == alice
    identity = SingleSignOnIdentity.objects.get(user=alice)
    assert (identity.issuer, identity.subject) == (provider.issuer, ALICE["claims"]["sub"])
    assert not SingleSignOnLinkCode.objects.filter(user=alice).exists()  # used once
    alice.refresh_from_db()
    # Claims are copied to the account; role and agency stay as the administrator set them.
    assert (alice.first_name, alice.last_name, alice.email) == (
        "Alice", "Adams", "alice.adams@nhs.example")
    assert (alice.role, alice.agency_id) == (Role.PRACTITIONER, camhs_team.agency_id)
    # A temporary password is for password sign-in: a single sign-on goes straight in.
    assert client.get(reverse("care:caseload")).status_code == 200

    client.logout()
    response = sso_sign_in(client, "alice.adams")
    assert response.status_code == 302 and response["Location"] == reverse("care:home")
    assert signed_in_as(client) == alice
    sign_ins = AuditEvent.objects.filter(user=alice, action=AuditEvent.Action.SIGN_IN)
    assert [e.detail for e in sign_ins] == ["single sign-on (test)"] * 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, user=alice,
                                     detail="staff: single sign-on linked (test)").exists()


def test_the_same_email_from_another_subject_signs_no_one_in(client, provider, camhs_team):
    alice = make_user("alice.local", camhs_team, email="alice.adams@nhs.example")
    SingleSignOnIdentity.objects.create(user=alice, provider="test", issuer=provider.issuer,
                                        subject=ALICE["claims"]["sub"],
                                        linked_at=timezone.now())

    response = sso_sign_in(client, "alice.other")  # same verified e-mail, different subject

    assert response["Location"] == reverse("accounts:sso-link")
    assert signed_in_as(client) is None


def test_the_next_page_is_kept_through_the_provider(client, provider, camhs_team):
    alice = make_user("alice.local", camhs_team)
    SingleSignOnIdentity.objects.create(user=alice, provider="test", issuer=provider.issuer,
                                        subject=ALICE["claims"]["sub"], linked_at=timezone.now())
    location = sign_in_at_provider(start(client, "/care/caseload/"), "alice.adams",
                                   ALICE["password"])
    assert come_back(client, location)["Location"] == "/care/caseload/"


# --- Refused ----------------------------------------------------------------------------------

def test_a_deactivated_account_is_refused(client, provider, camhs_team):
    dan = make_user("dan.local", camhs_team, is_active=False)
    SingleSignOnIdentity.objects.create(user=dan, provider="test", issuer=provider.issuer,
                                        subject=ACCOUNTS["dan.departed"]["claims"]["sub"],
                                        linked_at=timezone.now())

    response = sso_sign_in(client, "dan.departed")

    assert response.status_code == 403
    assert "This account is not active" in response.content.decode()
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(user=dan, action=AuditEvent.Action.SIGN_IN_FAILED).exists()


def test_a_deactivated_account_cannot_use_a_link_code(client, provider, camhs_team, admin):
    dan = make_user("dan.local", camhs_team)
    code = link_code_for(client, admin, dan)
    dan.is_active = False
    dan.save()

    sso_sign_in(client, "dan.departed")
    response = client.post(reverse("accounts:sso-link"), {"code": code})

    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not SingleSignOnIdentity.objects.exists()


def test_someone_with_no_account_is_refused_and_wrong_codes_end_the_attempt(
        client, provider, camhs_team):
    response = sso_sign_in(client, "sam.stranger")
    page = client.get(response["Location"])
    assert "until your agency administrator has set up your account" in page.content.decode()

    for _ in range(sso.LINK_ATTEMPTS - 1):
        response = client.post(reverse("accounts:sso-link"), {"code": "AAAA-BBBB-CCCC-DDDD"})
        assert response.status_code == 200
        assert "Enter the link code your agency administrator gave you" in response.content.decode()
    response = client.post(reverse("accounts:sso-link"), {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 403
    assert "Too many wrong link codes" in response.content.decode()
    assert client.get(reverse("accounts:sso-link"))["Location"] == reverse("accounts:sign-in")
    assert signed_in_as(client) is None
    assert not SingleSignOnIdentity.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED,
                                     username="sso:test").count() == sso.LINK_ATTEMPTS


def test_an_expired_link_code_does_not_link(client, provider, camhs_team, admin):
    alice = make_user("alice.local", camhs_team)
    code = link_code_for(client, admin, alice)
    SingleSignOnLinkCode.objects.filter(user=alice).update(
        expires_at=timezone.now() - timedelta(minutes=1))

    sso_sign_in(client, "alice.adams")
    response = client.post(reverse("accounts:sso-link"), {"code": code})

    assert "It may have expired" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_forged_or_replayed_answer_is_refused_without_an_error(client, provider, camhs_team):
    location = sign_in_at_provider(start(client), "alice.adams", ALICE["password"])
    tampered = location.replace("state=", "state=forged")
    assert come_back(client, tampered).status_code == 403
    assert come_back(client, location)["Location"] == reverse("accounts:sso-link")
    # Once used, the same answer cannot be replayed.
    assert come_back(client, location).status_code == 403
    assert signed_in_as(client) is None


@pytest.mark.parametrize("query", ["", "?code=abc", "?state=", "?code=abc&state=abc",
                                   "?code=%00&state=%ff"])
def test_a_callback_with_missing_or_junk_parameters_is_refused_without_an_error(
        client, provider, db, query):
    start(client)  # a real sign-in under way in this session
    response = client.get(reverse("accounts:sso-callback", args=["test"]) + query)
    assert response.status_code in (400, 403)
    assert signed_in_as(client) is None


def test_a_made_up_code_with_the_right_state_is_refused_by_the_provider(client, provider, db):
    location = sign_in_at_provider(start(client), "alice.adams", ALICE["password"])
    forged = re.sub(r"code=[^&]+", "code=made-up-code", location)
    response = come_back(client, forged)
    assert response.status_code == 403
    assert "did not complete" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_refused_sign_in_at_the_provider_comes_back_as_a_clear_page(client, provider, db):
    response = client.get(reverse("accounts:sso-callback", args=["test"]) +
                          "?error=access_denied&state=anything")
    assert response.status_code == 403
    assert "did not complete" in response.content.decode()


def test_an_unreachable_provider_is_a_clear_page_not_an_error(client, settings, db):
    from thrive.accounts.sso_settings import Provider

    settings.THRIVE_OIDC_PROVIDERS = {"down": Provider(
        name="down", label="NHS CIS2", issuer="http://127.0.0.1:9", client_id="x",
        client_secret="y")}
    response = client.get(reverse("accounts:sso-start", args=["down"]))
    assert response.status_code == 403
    assert "NHS CIS2 cannot be reached just now" in response.content.decode()


def test_a_provider_whose_discovery_names_another_issuer_is_refused(
        client, openid_provider_for_client, settings, camhs_team):
    # Configured as localhost, the provider calls itself 127.0.0.1: a misconfiguration (or a
    # different provider) must not sign anyone in.
    alice = make_user("alice.local", camhs_team)
    running = openid_provider_for_client
    SingleSignOnIdentity.objects.create(user=alice, provider="test", issuer=running.issuer,
                                        subject=ALICE["claims"]["sub"], linked_at=timezone.now())
    running.configure(settings, issuer=running.issuer.replace("127.0.0.1", "localhost"))
    response = sso_sign_in(client, "alice.adams")
    assert response.status_code == 403
    assert "its issuer differs" in response.content.decode()
    assert signed_in_as(client) is None


def test_an_unknown_provider_is_not_found(client, provider):
    assert client.get(reverse("accounts:sso-start", args=["nope"])).status_code == 404


# --- Signing out ------------------------------------------------------------------------------

def test_signing_out_ends_the_session_here_and_at_the_provider(client, provider, camhs_team):
    alice = make_user("alice.local", camhs_team)
    SingleSignOnIdentity.objects.create(user=alice, provider="test", issuer=provider.issuer,
                                        subject=ALICE["claims"]["sub"], linked_at=timezone.now())
    at_provider = requests.Session()
    sso_sign_in(client, "alice.adams", at_provider)
    assert signed_in_as(client) == alice

    response = client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(provider.issuer + "/session/end")
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(user=alice, action=AuditEvent.Action.SIGN_OUT).exists()

    # The provider asks to confirm, then sends the browser back to the sign-in page.
    confirm = at_provider.get(end_session, timeout=10)
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', confirm.text))
    action = re.search(r'action="([^"]+)"', confirm.text).group(1)
    done = at_provider.post(requests.compat.urljoin(confirm.url, action),
                            data={**form, "logout": "yes"}, allow_redirects=False, timeout=10)
    assert done.headers["Location"].startswith("http://testserver/account/sign-in/")
    # Signed out there too: the next single sign-on asks for the password again.
    again = at_provider.get(start(client), allow_redirects=True, timeout=10)
    assert "Organisation password" in again.text


def test_a_password_session_signs_out_here_only(client, practitioner, provider):
    client.force_login(practitioner)
    assert client.post(reverse("accounts:sign-out"))["Location"] == reverse("accounts:sign-in")


# --- Passwords off for an agency ----------------------------------------------------------------

def test_an_agency_with_passwords_off_refuses_the_password_form_even_with_the_right_password(
        client, provider, practitioner):
    practitioner.agency.passwords_allowed = False
    practitioner.agency.save()

    response = client.post(reverse("accounts:sign-in"),
                           {"username": practitioner.username, "password": PASSWORD})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Staff of Test CAMHS sign in with single sign-on, not a password" in text
    assert signed_in_as(client) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED,
                                     username=practitioner.username).exists()
    # A wrong password still says only that: nothing about the agency to a stranger.
    response = client.post(reverse("accounts:sign-in"),
                           {"username": practitioner.username, "password": "wrong-" + PASSWORD})
    assert "single sign-on" not in response.content.decode().split("<h1>")[0]
    assert "Enter a correct username and password" in response.content.decode()


def test_an_agency_with_passwords_off_still_signs_in_by_single_sign_on(
        client, provider, camhs_team):
    camhs_team.agency.passwords_allowed = False
    camhs_team.agency.save()
    alice = make_user("alice.local", camhs_team)
    SingleSignOnIdentity.objects.create(user=alice, provider="test", issuer=provider.issuer,
                                        subject=ALICE["claims"]["sub"], linked_at=timezone.now())
    sso_sign_in(client, "alice.adams")
    assert signed_in_as(client) == alice
    page = client.get(reverse("accounts:account")).content.decode()
    assert "staff sign in with single sign-on only" in page
    assert "Change your password" not in page


def test_a_system_administrator_turns_passwords_off_only_when_single_sign_on_is_set_up(
        client, camhs, settings):
    root = User.objects.create_user(username="sys.admin", password=PASSWORD,
                                    role=Role.SYSTEM_ADMIN)
    client.force_login(root)
    url = reverse("accounts:agency-passwords", args=[camhs.pk])
    settings.THRIVE_OIDC_PROVIDERS = {}
    response = client.post(url, {"allowed": "no"})
    assert "Set up single sign-on before turning passwords off" in response.content.decode()
    camhs.refresh_from_db()
    assert camhs.passwords_allowed

    from thrive.accounts.sso_settings import Provider

    settings.THRIVE_OIDC_PROVIDERS = {"cis2": Provider(
        name="cis2", label="NHS CIS2", issuer="https://cis2.example", client_id="x",
        client_secret="y")}
    assert client.post(url, {"allowed": "no"}).status_code == 302
    camhs.refresh_from_db()
    assert not camhs.passwords_allowed
    assert AuditEvent.objects.filter(detail="staff: password sign-in off").exists()


def test_an_agency_administrator_cannot_change_password_sign_in(client, admin, provider):
    client.force_login(admin)
    response = client.post(reverse("accounts:agency-passwords", args=[admin.agency_id]),
                           {"allowed": "no"})
    assert response.status_code == 403


# --- The sign-in page and the administrator's pages ------------------------------------------

def test_the_sign_in_button_appears_only_when_single_sign_on_is_set_up(client, settings, db):
    settings.THRIVE_OIDC_PROVIDERS = {}
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert "/account/sign-in/sso/" not in page and "organisation's account" not in page
    from thrive.accounts.sso_settings import Provider

    settings.THRIVE_OIDC_PROVIDERS = {"cis2": Provider(
        name="cis2", label="NHS CIS2", issuer="https://cis2.example", client_id="x",
        client_secret="y")}
    assert "Sign in with NHS CIS2" in client.get(reverse("accounts:sign-in")).content.decode()


def test_a_new_link_code_replaces_the_old_and_unlinking_removes_the_link(
        client, provider, camhs_team, admin):
    alice = make_user("alice.local", camhs_team)
    first = link_code_for(client, admin, alice)
    second = link_code_for(client, admin, alice)
    sso_sign_in(client, "alice.adams")
    assert "It may have expired" in client.post(reverse("accounts:sso-link"),
                                                {"code": first}).content.decode()
    client.post(reverse("accounts:sso-link"), {"code": second})
    assert signed_in_as(client) == alice
    client.logout()

    from thrive.accounts import services

    client.force_login(admin)
    page = client.get(reverse("accounts:staff-member", args=[alice.pk])).content.decode()
    assert "Linked to your organisation (test)" in page
    client.post(reverse("accounts:staff-sso-unlink", args=[alice.pk]),
                {"version": services.version_of(alice)})
    assert not SingleSignOnIdentity.objects.filter(user=alice).exists()
    client.logout()
    assert sso_sign_in(client, "alice.adams")["Location"] == reverse("accounts:sso-link")


def test_an_agency_administrator_cannot_give_a_code_for_another_agencys_staff(
        client, provider, admin, outsider):
    from thrive.accounts import services

    client.force_login(admin)
    response = client.post(reverse("accounts:staff-sso-link-code", args=[outsider.pk]),
                           {"version": services.version_of(outsider)})
    assert response.status_code == 404
    assert not SingleSignOnLinkCode.objects.exists()
