"""Single sign-on providers from environment variables (accounts/sso_settings.py), and what the
platform does with a provider's strength of sign-in and the platform's own second step."""

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role, SingleSignOnIdentity
from thrive.accounts.sso_settings import (
    SingleSignOnMisconfigured,
    insecure_issuers,
    providers_from_environment,
)
from thrive.accounts.tests.openid_provider import ACCOUNTS
from thrive.accounts.tests.test_single_sign_on import signed_in_as, sso_sign_in
from thrive.conftest import make_user
from thrive.core.tests.test_production import load_production_settings

CIS2 = {
    "THRIVE_OIDC_PROVIDERS": "cis2, council",
    "THRIVE_OIDC_CIS2_ISSUER": "https://am.nhsidentity.example/realms/Healthcare",
    "THRIVE_OIDC_CIS2_CLIENT_ID": "thrive-northvale",
    "THRIVE_OIDC_CIS2_CLIENT_SECRET": "s3cret",
    "THRIVE_OIDC_CIS2_LABEL": "NHS Care Identity",
    "THRIVE_OIDC_CIS2_SCOPES": "openid profile email nationalrbacaccess",
    "THRIVE_OIDC_CIS2_ACR_VALUES": "AAL3_ANY",
    "THRIVE_OIDC_COUNCIL_ISSUER": "https://login.council.example/tenant/v2.0",
    "THRIVE_OIDC_COUNCIL_CLIENT_ID": "thrive",
    "THRIVE_OIDC_COUNCIL_CLIENT_SECRET": "other",
    "THRIVE_OIDC_COUNCIL_CLAIM_EMAIL": "upn",
    "THRIVE_OIDC_COUNCIL_CLAIM_LAST_NAME": "-",
    "THRIVE_OIDC_COUNCIL_TOKEN_AUTH": "client_secret_post",
}


def test_providers_are_read_from_the_environment_with_their_claim_mapping():
    providers = providers_from_environment(CIS2)
    assert list(providers) == ["cis2", "council"]
    cis2, council = providers["cis2"], providers["council"]
    assert cis2.label == "NHS Care Identity" and cis2.acr_values == ("AAL3_ANY",)
    assert cis2.scopes == ("openid", "profile", "email", "nationalrbacaccess")
    assert cis2.metadata_url == ("https://am.nhsidentity.example/realms/Healthcare/"
                                 ".well-known/openid-configuration")
    assert dict(cis2.claims) == {"first_name": "given_name", "last_name": "family_name",
                                 "email": "email"}
    assert council.label == "council" and council.scopes == ("openid", "email", "profile")
    assert dict(council.claims) == {"first_name": "given_name", "email": "upn"}
    assert (cis2.token_auth, council.token_auth) == ("client_secret_basic", "client_secret_post")
    assert providers_from_environment({}) == {}


@pytest.mark.parametrize("change, message", [
    ({"THRIVE_OIDC_CIS2_CLIENT_SECRET": ""}, "Set THRIVE_OIDC_CIS2_CLIENT_SECRET"),
    ({"THRIVE_OIDC_CIS2_ISSUER": "am.nhsidentity.example"}, "THRIVE_OIDC_CIS2_ISSUER must be"),
    ({"THRIVE_OIDC_CIS2_SCOPES": "profile email"}, "THRIVE_OIDC_CIS2_SCOPES must include openid"),
    ({"THRIVE_OIDC_PROVIDERS": "NHS CIS2"}, "is not a provider name"),
    ({"THRIVE_OIDC_PROVIDERS": "cis2,cis2"}, "names cis2 twice"),
    ({"THRIVE_OIDC_CIS2_TOKEN_AUTH": "private_key_jwt"}, "TOKEN_AUTH must be one of"),
])
def test_a_missing_or_wrong_setting_is_named(change, message):
    with pytest.raises(SingleSignOnMisconfigured, match=message):
        providers_from_environment({**CIS2, **change})


def test_production_refuses_a_plain_http_issuer_but_starts_with_https_ones():
    base = {"THRIVE_SECRET_KEY": "k" * 50, "THRIVE_ALLOWED_HOSTS": "a.example"}
    assert insecure_issuers(providers_from_environment(CIS2)) == []
    plain = load_production_settings(**base, **{
        **CIS2, "THRIVE_OIDC_CIS2_ISSUER": "http://am.nhsidentity.example"})
    assert plain.returncode != 0 and "must be https:// URLs: cis2" in plain.stderr
    missing = load_production_settings(**base, **{**CIS2, "THRIVE_OIDC_CIS2_CLIENT_ID": ""})
    assert missing.returncode != 0 and "Set THRIVE_OIDC_CIS2_CLIENT_ID" in missing.stderr
    assert load_production_settings(**base, **CIS2).returncode == 0


# --- Strength of sign-in ------------------------------------------------------------------------

@pytest.fixture
def alice(openid_provider_for_client, camhs_team):
    user = make_user("alice.local", camhs_team, role=Role.TEAM_MANAGER)
    SingleSignOnIdentity.objects.create(
        user=user, provider="test", issuer=openid_provider_for_client.issuer,
        subject=ACCOUNTS["alice.adams"]["claims"]["sub"], linked_at=timezone.now())
    return user


def test_a_required_strength_of_sign_in_the_provider_did_not_give_is_refused(
        client, openid_provider_for_client, settings, alice):
    openid_provider_for_client.configure(settings, acr_values=("AAL3_ANY",))
    response = sso_sign_in(client, "alice.adams")
    assert response.status_code == 403
    assert "needs a stronger sign-in" in response.content.decode()
    assert signed_in_as(client) is None


def test_single_sign_on_is_not_asked_for_the_platforms_own_second_step(
        client, openid_provider_for_client, settings, alice):
    # Team managers must use two-step sign-in with a password; the provider's sign-in stands in.
    settings.THRIVE_2FA_REQUIRED_ROLES = frozenset({Role.TEAM_MANAGER})
    openid_provider_for_client.configure(settings)
    sso_sign_in(client, "alice.adams")
    assert client.get(reverse("care:caseload")).status_code == 200


def test_the_client_secret_can_go_in_the_form_body_at_the_token_endpoint(
        client, openid_provider_for_client, settings, alice, monkeypatch):
    import requests

    from thrive.accounts.tests.openid_provider import CLIENT_ID, CLIENT_SECRET

    token_requests = []
    send = requests.Session.send

    def spy(session, prepared, **kwargs):
        if prepared.url.endswith("/token"):
            token_requests.append(prepared)
        return send(session, prepared, **kwargs)

    monkeypatch.setattr(requests.Session, "send", spy)
    openid_provider_for_client.configure(settings, client_id=CLIENT_ID + "-post",
                                         token_auth="client_secret_post")
    sso_sign_in(client, "alice.adams")

    assert signed_in_as(client) == alice
    [token_request] = token_requests
    assert "Authorization" not in token_request.headers
    assert f"client_secret={CLIENT_SECRET}" in token_request.body
