"""anypoint-pulumi: log in to MuleSoft Anypoint Platform from Pulumi programs.

``AnypointToken`` is a resource that logs in (client credentials, a connected app acting for a
user, the legacy login, or SAML) and keeps a working token in a secret output. The data functions
say who the token belongs to and where it may act. ``AccessManagementClient`` is the plain HTTP
client underneath, usable without Pulumi. The emulator (``anypoint_pulumi.emulator``) and the
testing helpers (``anypoint_pulumi.testing``) load only when imported.
"""

from ._version import __version__
from .client import AccessManagementClient, AccessToken, GrantType
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
from .regions import CONTROL_PLANES
from .token import AnypointToken, AnypointTokenArgs

__all__ = [
    "CONTROL_PLANES",
    "AccessManagementClient",
    "AccessToken",
    "AnypointError",
    "AnypointToken",
    "AnypointTokenArgs",
    "BadCredentialsError",
    "ConfigurationError",
    "GrantType",
    "MfaRequiredError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "TokenRejectedError",
    "TransportError",
    "UnexpectedResponseError",
    "__version__",
]
