"""anypoint-pulumi: log in to MuleSoft Anypoint Platform from Pulumi programs.

``AnypointToken`` is a resource that logs in (client credentials, a connected app acting for a
user, the legacy login, or SAML) and keeps a working token in a secret output. The data functions
say who the token belongs to and where it may act. ``AccessManagementClient`` is the plain HTTP
client underneath, usable without Pulumi. The emulator (``anypoint_pulumi.emulator``) and the
testing helpers (``anypoint_pulumi.testing``) load only when imported.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .environments import (
    ENVIRONMENT_TYPES,
    AwaitableEnvironment,
    AwaitableEnvironments,
    Environment,
    Environments,
    get_environment,
    get_environment_output,
    get_environments,
    get_environments_output,
)
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
from .grants import AccessToken, GrantType
from .organization import (
    AwaitableBusinessGroupTree,
    AwaitableOrganization,
    BusinessGroup,
    BusinessGroupTree,
    Organization,
    get_business_groups,
    get_business_groups_output,
    get_organization,
    get_organization_output,
)
from .profile import AwaitableProfile, MemberOrganization, Profile, get_profile, get_profile_output
from .provider import TOKEN_PROVIDER
from .regions import CONTROL_PLANES
from .token import AnypointToken, AnypointTokenArgs

PROVIDER = TOKEN_PROVIDER
"""The token provider under the name every stack's ``__provider`` refers to: keep it."""

if TYPE_CHECKING:
    from .client import AccessManagementClient


def __getattr__(name: str) -> Any:
    """Load the HTTP client on first use, so programs that only preview never import it."""
    if name == "AccessManagementClient":
        from .client import AccessManagementClient

        return AccessManagementClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONTROL_PLANES",
    "ENVIRONMENT_TYPES",
    "AccessManagementClient",
    "AccessToken",
    "AnypointError",
    "AnypointToken",
    "AnypointTokenArgs",
    "AwaitableBusinessGroupTree",
    "AwaitableEnvironment",
    "AwaitableEnvironments",
    "AwaitableOrganization",
    "AwaitableProfile",
    "BadCredentialsError",
    "BusinessGroup",
    "BusinessGroupTree",
    "ConfigurationError",
    "Environment",
    "Environments",
    "GrantType",
    "MemberOrganization",
    "MfaRequiredError",
    "NotFoundError",
    "Organization",
    "PermissionDeniedError",
    "Profile",
    "RateLimitedError",
    "ServerError",
    "TokenRejectedError",
    "TransportError",
    "UnexpectedResponseError",
    "__version__",
    "get_business_groups",
    "get_business_groups_output",
    "get_environment",
    "get_environment_output",
    "get_environments",
    "get_environments_output",
    "get_organization",
    "get_organization_output",
    "get_profile",
    "get_profile_output",
]
