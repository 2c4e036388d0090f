"""The access layer: Anypoint Access Management over HTTP, knowing nothing of Pulumi.

- :mod:`.settings`: where and how to connect, one validated :class:`ConnectionSettings` value;
- :mod:`.login`: :class:`LoginSpec` (credentials that select the flow, and settings) and
  :func:`log_in`, the one login dispatch;
- :mod:`.errors` and :mod:`.redaction`: the exception classes, and the scrubbing of secrets;
- :mod:`.models`: typed tokens and answers; :mod:`.endpoints`: the paths; :mod:`.limits`: every
  bound on what is sent and believed;
- :mod:`.transport`: sending, with deadlines, bounds and retries (loads ``requests``);
- :mod:`.client`: :class:`AccessManagementClient`, every login flow and read, and what
  Anypoint's answers mean (loads ``requests``).

``from anypoint_pulumi.access import AccessManagementClient, LoginSpec, log_in`` loads no Pulumi;
the client and ``requests`` load on first use.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    AnypointError,
    BadCredentialsError,
    ConfigurationError,
    MfaRequiredError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TokenRejectedError,
    TransportError,
    UnexpectedResponseError,
)
from .login import (
    ClientCredentials,
    Credentials,
    JwtBearer,
    LoginSpec,
    PasswordGrant,
    Saml,
    UserLogin,
    log_in,
)
from .models import AccessToken, GrantType
from .settings import CONTROL_PLANES, ConnectionSettings, RetryPolicy

if TYPE_CHECKING:
    from .client import AccessManagementClient


def __getattr__(name: str) -> Any:
    """Load the HTTP client (and ``requests``) on first use."""
    if name == "AccessManagementClient":
        from .client import AccessManagementClient

        return AccessManagementClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONTROL_PLANES",
    "AccessManagementClient",
    "AccessToken",
    "AnypointError",
    "BadCredentialsError",
    "ClientCredentials",
    "ConfigurationError",
    "ConnectionSettings",
    "Credentials",
    "GrantType",
    "JwtBearer",
    "LoginSpec",
    "MfaRequiredError",
    "NotFoundError",
    "PasswordGrant",
    "PermissionDeniedError",
    "RateLimitedError",
    "RetryPolicy",
    "Saml",
    "ServerError",
    "TokenRejectedError",
    "TransportError",
    "UnexpectedResponseError",
    "UserLogin",
    "log_in",
]
