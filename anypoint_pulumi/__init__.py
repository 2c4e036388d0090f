"""anypoint-pulumi: log in to MuleSoft Anypoint Platform from Pulumi programs.

``AnypointToken`` is a resource that logs in (client credentials, a connected app acting for a
user, the JWT bearer grant, the legacy login, or SAML) and keeps a working token in a secret
output; ``get_access_token`` logs in on every run instead, keeping nothing in state. The data
functions say who the token belongs to and where it may act, and ``get_api_response`` reads any
other Anypoint API with it. ``AccessManagementClient`` is the plain HTTP
client underneath, usable without Pulumi. The emulator (``anypoint_pulumi.emulator``) and the
testing helpers (``anypoint_pulumi.testing``) load only when imported.

Layout: ``access/`` (Pulumi-free: settings, transport, errors, endpoints, models, client),
``token/`` (the schema, the resource, the thin provider), ``functions/`` (results, the shared
invocation helper, the thin functions), ``testing/`` (mocks, the program runner, the provider
server harness, a counting proxy) and ``emulator/``.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .access.errors import (
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
from .access.models import ENVIRONMENT_TYPES, AccessToken, GrantType
from .access.settings import CONTROL_PLANES, ConnectionSettings, RetryPolicy
from .functions.access_token import get_access_token, get_access_token_output
from .functions.api_response import get_api_response, get_api_response_output
from .functions.environments import (
    get_environment,
    get_environment_output,
    get_environments,
    get_environments_output,
)
from .functions.organization import (
    get_business_groups,
    get_business_groups_output,
    get_organization,
    get_organization_output,
)
from .functions.profile import get_profile, get_profile_output
from .functions.results import (
    AccessTokenResult,
    ApiResponse,
    AwaitableAccessTokenResult,
    AwaitableApiResponse,
    AwaitableBusinessGroupTree,
    AwaitableEnvironment,
    AwaitableEnvironments,
    AwaitableOrganization,
    AwaitableProfile,
    BusinessGroup,
    BusinessGroupTree,
    Environment,
    Environments,
    MemberOrganization,
    Organization,
    Profile,
)
from .token.provider import TOKEN_PROVIDER
from .token.resource import AnypointToken, AnypointTokenArgs

PROVIDER = TOKEN_PROVIDER
"""The token provider under the name every stack's ``__provider`` refers to: keep it."""

if TYPE_CHECKING:
    from .access.client import AccessManagementClient


def __getattr__(name: str) -> Any:
    """Load the HTTP client on first use, so programs that only preview never import it."""
    if name == "AccessManagementClient":
        from .access.client import AccessManagementClient

        return AccessManagementClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONTROL_PLANES",
    "ENVIRONMENT_TYPES",
    "AccessManagementClient",
    "AccessToken",
    "AccessTokenResult",
    "AnypointError",
    "AnypointToken",
    "AnypointTokenArgs",
    "ApiResponse",
    "AwaitableAccessTokenResult",
    "AwaitableApiResponse",
    "AwaitableBusinessGroupTree",
    "AwaitableEnvironment",
    "AwaitableEnvironments",
    "AwaitableOrganization",
    "AwaitableProfile",
    "BadCredentialsError",
    "BusinessGroup",
    "BusinessGroupTree",
    "ConfigurationError",
    "ConnectionSettings",
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
    "RetryPolicy",
    "ServerError",
    "TokenRejectedError",
    "TransportError",
    "UnexpectedResponseError",
    "__version__",
    "get_access_token",
    "get_access_token_output",
    "get_api_response",
    "get_api_response_output",
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
