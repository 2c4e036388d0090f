"""The login spec and the one login dispatch.

A :class:`LoginSpec` is everything one login needs, typed: the credentials (whose type selects
the flow), and the connection settings (where, with which TLS trust and time budget). Every
entry point builds one (the token resource, the data functions, the provider plugin, the
``anypoint-token`` command) and hands it to :func:`log_in`, the only place that turns credentials
into a client call::

    spec = LoginSpec(ClientCredentials(client_id, client_secret),
                     ConnectionSettings.resolve(region="eu"))
    token = log_in(spec)

Credentials never show in a ``repr``. Nothing here knows Pulumi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from .errors import AnypointError
from .models import AccessToken, GrantType
from .settings import ConnectionSettings

if TYPE_CHECKING:
    from .client import AccessManagementClient

__all__ = [
    "ClientCredentials",
    "Credentials",
    "JwtBearer",
    "LoginSpec",
    "PasswordGrant",
    "Saml",
    "UserLogin",
    "log_in",
]


@dataclass(frozen=True)
class ClientCredentials:
    """A connected app acting on its own behalf (OAuth2 client credentials; recommended)."""

    grant_type: ClassVar[GrantType] = GrantType.CLIENT_CREDENTIALS
    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class PasswordGrant:
    """A connected app acting on behalf of a user (OAuth2 password grant; MFA-safe)."""

    grant_type: ClassVar[GrantType] = GrantType.PASSWORD
    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class UserLogin:
    """The legacy username/password login (a platform session; fails for MFA users)."""

    grant_type: ClassVar[GrantType] = GrantType.LOGIN
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class JwtBearer:
    """A connected app acting for a federated (SSO) user through a signed JWT assertion."""

    grant_type: ClassVar[GrantType] = GrantType.JWT_BEARER
    client_id: str
    private_key: str = field(repr=False)
    identity_provider_id: str
    username: str


@dataclass(frozen=True)
class Saml:
    """A base64 SAML response of an IdP-initiated login (single use), optionally for the
    organization-specific endpoint (``org_domain`` with ``provider_id``)."""

    grant_type: ClassVar[GrantType] = GrantType.SAML
    saml_response: str = field(repr=False)
    org_domain: str | None = None
    provider_id: str | None = None


Credentials = ClientCredentials | PasswordGrant | UserLogin | JwtBearer | Saml
"""The credentials of one flow: their type is the flow."""


@dataclass(frozen=True)
class LoginSpec:
    """One login: the credentials (which select the flow) and where and how to connect."""

    credentials: Credentials
    settings: ConnectionSettings

    @property
    def grant_type(self) -> GrantType:
        """The flow these credentials select."""
        return self.credentials.grant_type

    def client(self) -> AccessManagementClient:
        """A client with these settings (the process's pool for them)."""
        from .client import AccessManagementClient

        return AccessManagementClient(settings=self.settings)


def _dispatch(client: AccessManagementClient, credentials: Credentials) -> AccessToken:
    match credentials:
        case ClientCredentials(client_id, client_secret):
            return client.client_credentials(client_id, client_secret)
        case PasswordGrant(client_id, client_secret, username, password):
            return client.password_grant(client_id, client_secret, username, password)
        case UserLogin(username, password):
            return client.login(username, password)
        case JwtBearer(client_id, private_key, identity_provider_id, username):
            return client.jwt_bearer(client_id, private_key, identity_provider_id, username)
        case Saml(saml_response, org_domain, provider_id):
            return client.saml_login(saml_response, org_domain=org_domain,
                                     provider_id=provider_id)
    raise TypeError(f"not credentials: {type(credentials).__name__}")


def log_in(spec: LoginSpec, client: AccessManagementClient | None = None) -> AccessToken:
    """Log in with the flow ``spec`` selects, within its time budget; an error says which flow
    failed (``client-credentials login failed: …``). ``client`` reuses one already made."""
    try:
        return _dispatch(client or spec.client(), spec.credentials)
    except AnypointError as exc:
        failure = exc.with_context(f"{spec.grant_type.label} failed")
    raise failure
