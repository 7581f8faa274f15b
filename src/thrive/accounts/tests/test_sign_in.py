from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from thrive.conftest import PASSWORD
from thrive.core.models import AuditEvent

SIGN_IN = "/account/sign-in/"


def test_passwords_are_stored_as_argon2_hashes(practitioner):
    assert practitioner.password.startswith("argon2$")
    assert PASSWORD not in practitioner.password


def test_signing_in_takes_a_practitioner_to_their_caseload_and_is_audited(client, practitioner):
    response = client.post(SIGN_IN, {"username": "pat.practitioner", "password": PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("care:caseload")
    assert "My caseload" in response.content.decode()
    assert AuditEvent.objects.filter(action="sign_in", user=practitioner).count() == 1


def test_a_wrong_password_gets_a_clear_error_and_is_audited_without_the_password(
        client, practitioner):
    response = client.post(SIGN_IN, {"username": "pat.practitioner", "password": "guess"})
    assert "Enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action="sign_in_failed")
    assert event.username == "pat.practitioner" and "guess" not in event.canonical()


def test_repeated_failures_lock_the_username_even_with_the_right_password(client, practitioner):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGN_IN, {"username": "pat.practitioner", "password": "wrong"})
    response = client.post(SIGN_IN, {"username": "pat.practitioner", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert client.get(reverse("care:caseload")).status_code == 302  # still signed out


def test_pages_need_signing_in_and_the_return_address_holds_no_query(client):
    response = client.get(reverse("people:find") + "?q=Khan")
    assert response.status_code == 302
    assert response.url == SIGN_IN + "?next=" + reverse("people:find")


def test_a_session_ends_after_inactivity(client, practitioner):
    client.post(SIGN_IN, {"username": "pat.practitioner", "password": PASSWORD})
    assert client.get(reverse("care:caseload")).status_code == 200
    session = Session.objects.get()
    # Each request pushes the expiry forward by the idle limit...
    assert session.expire_date > timezone.now() + timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 60)
    # ...so a session idle past it is gone.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("care:caseload")).status_code == 302


def test_signing_out_is_a_post_and_ends_the_session(client, practitioner):
    client.post(SIGN_IN, {"username": "pat.practitioner", "password": PASSWORD})
    assert client.get(reverse("accounts:sign-out")).status_code == 405
    client.post(reverse("accounts:sign-out"))
    assert client.get(reverse("care:caseload")).status_code == 302
    assert AuditEvent.objects.filter(action="sign_out").count() == 1


def test_personal_pages_are_not_cached_by_browsers(signed_in):
    response = signed_in.get(reverse("care:caseload"))
    assert response["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_role_without_records_lands_on_its_own_work(client, camhs_team):
    from thrive.accounts.models import Role
    from thrive.conftest import make_user

    make_user("ana.analyst", camhs_team, Role.ANALYST)
    response = client.post(SIGN_IN, {"username": "ana.analyst", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("analytics:dashboard")
    assert "<title>Analytics – THRIVE</title>" in response.content.decode()
