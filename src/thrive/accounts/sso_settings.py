"""Single sign-on providers from the environment (decision 0024). Plain Python, no Django, so the
settings can build them and a test can check the parsing alone.

THRIVE_OIDC_PROVIDERS names the providers (e.g. `cis2,council`); for each NAME:

    THRIVE_OIDC_<NAME>_ISSUER         the issuer URL; its /.well-known/openid-configuration is read
    THRIVE_OIDC_<NAME>_CLIENT_ID      the client registered with the provider
    THRIVE_OIDC_<NAME>_CLIENT_SECRET
    THRIVE_OIDC_<NAME>_LABEL          the button: "Sign in with <label>" (default: the name)
    THRIVE_OIDC_<NAME>_SCOPES         default "openid email profile"
    THRIVE_OIDC_<NAME>_CLAIM_FIRST_NAME / _CLAIM_LAST_NAME / _CLAIM_EMAIL
                                      claims copied to the account at each sign-in
                                      (default given_name, family_name, email; "-" for none)
    THRIVE_OIDC_<NAME>_ACR_VALUES     asked for, and required in the ID token's acr (optional,
                                      e.g. NHS CIS2's "AAL3_ANY")
    THRIVE_OIDC_<NAME>_TOKEN_AUTH     how the client proves itself at the token endpoint:
                                      client_secret_basic (default) or client_secret_post

Accounts are matched only by the issuer and the ID token's `sub`, never by a claim copied here.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

NAME = re.compile(r"^[a-z][a-z0-9]{0,19}$")
DEFAULT_SCOPES = ("openid", "email", "profile")
DEFAULT_CLAIMS = {"first_name": "given_name", "last_name": "family_name", "email": "email"}
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class SingleSignOnMisconfigured(ValueError):
    """A provider's settings are missing or wrong; the message names the variable."""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    # Account field -> claim name, copied at each sign-in where the claim has a value.
    claims: tuple[tuple[str, str], ...] = tuple(DEFAULT_CLAIMS.items())
    acr_values: tuple[str, ...] = ()
    token_auth: str = TOKEN_AUTH_METHODS[0]

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def providers_from_environment(environ: Mapping[str, str]) -> dict[str, Provider]:
    names = [n.strip() for n in environ.get("THRIVE_OIDC_PROVIDERS", "").split(",") if n.strip()]
    providers = {}
    for name in names:
        if not NAME.match(name):
            raise SingleSignOnMisconfigured(
                f"THRIVE_OIDC_PROVIDERS: {name!r} is not a provider name (lower-case letters and "
                "digits, starting with a letter, at most 20)")
        if name in providers:
            raise SingleSignOnMisconfigured(f"THRIVE_OIDC_PROVIDERS names {name} twice")
        providers[name] = _provider(name, environ)
    return providers


def _provider(name: str, environ: Mapping[str, str]) -> Provider:
    prefix = f"THRIVE_OIDC_{name.upper()}_"

    def get(key, default=None):
        value = environ.get(prefix + key, "").strip()
        if value:
            return value
        if default is None:
            raise SingleSignOnMisconfigured(f"Set {prefix}{key} for the single sign-on provider "
                                            f"{name}")
        return default

    issuer = get("ISSUER")
    parts = urlsplit(issuer)
    if parts.scheme not in {"https", "http"} or not parts.hostname or parts.query or parts.fragment:
        raise SingleSignOnMisconfigured(f"{prefix}ISSUER must be the provider's https:// issuer URL")
    scopes = tuple(get("SCOPES", " ".join(DEFAULT_SCOPES)).split())
    if "openid" not in scopes:
        raise SingleSignOnMisconfigured(f"{prefix}SCOPES must include openid")
    claims = []
    for field, default in DEFAULT_CLAIMS.items():
        claim = get(f"CLAIM_{field.upper()}", default)
        if claim != "-":
            claims.append((field, claim))
    token_auth = get("TOKEN_AUTH", TOKEN_AUTH_METHODS[0])
    if token_auth not in TOKEN_AUTH_METHODS:
        raise SingleSignOnMisconfigured(f"{prefix}TOKEN_AUTH must be one of "
                                        + ", ".join(TOKEN_AUTH_METHODS))
    return Provider(
        name=name, label=get("LABEL", name), token_auth=token_auth, issuer=issuer, client_id=get("CLIENT_ID"),
        client_secret=get("CLIENT_SECRET"), scopes=scopes, claims=tuple(claims),
        acr_values=tuple(get("ACR_VALUES", "-").split()) if get("ACR_VALUES", "-") != "-" else (),
    )


def insecure_issuers(providers: Mapping[str, Provider]) -> list[str]:
    """Providers whose issuer is plain HTTP (allowed only on loopback in production)."""
    return [p.name for p in providers.values() if urlsplit(p.issuer).scheme != "https"]
