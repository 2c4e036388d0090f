"""anypoint-pulumi: log in to MuleSoft Anypoint Platform from Pulumi programs.

``AnypointToken`` is a resource that logs in (client credentials, a connected app acting for a
user, the JWT bearer grant, the legacy login, or SAML) and keeps a working token in a secret
output; ``get_access_token`` logs in on every run instead, keeping nothing in state. The data
functions say who the token belongs to and where it may act, and ``get_api_response`` reads any
other Anypoint API with it. ``AccessManagementClient`` is the plain HTTP
client underneath, usable without Pulumi. The emulator (``anypoint_pulumi.emulator``) and the
testing helpers (``anypoint_pulumi.testing``) load only when imported.

Layout, imports going down only: ``access/`` (Pulumi-free HTTP: settings, the login spec and
its one dispatch, transport, client, errors, models); ``core/`` (Pulumi-free: the one declaration
of inputs and functions, config/environment fallback, the token's lifecycle, the functions'
reads); the front ends, each a thin adapter over the core: ``token/`` (the dynamic resource and
provider), ``functions/`` (the Python data functions) and ``cli.py`` (``anypoint-token``); then
``testing/`` (mocks, the program runner, a local engine stack) and ``emulator/``.
"""

from importlib import import_module
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
from .core import results
from .core.results import *  # noqa: F403  (what the data functions return)

if TYPE_CHECKING:
    from .access.client import AccessManagementClient
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
    from .token.provider import TokenProvider
    from .token.resource import AnypointToken, AnypointTokenArgs

    PROVIDER: TokenProvider

_LAZY = {
    "AccessManagementClient": ".access.client",
    **dict.fromkeys(("get_access_token", "get_access_token_output"), ".functions.access_token"),
    **dict.fromkeys(("get_api_response", "get_api_response_output"), ".functions.api_response"),
    **dict.fromkeys(("get_environment", "get_environment_output", "get_environments",
                     "get_environments_output"), ".functions.environments"),
    **dict.fromkeys(("get_business_groups", "get_business_groups_output", "get_organization",
                     "get_organization_output"), ".functions.organization"),
    **dict.fromkeys(("get_profile", "get_profile_output"), ".functions.profile"),
    **dict.fromkeys(("AnypointToken", "AnypointTokenArgs"), ".token.resource"),
}
"""Names loaded on first use: the Pulumi front ends load ``pulumi``, the client ``requests``, so
``import anypoint_pulumi`` (and the access layer, and ``anypoint-token``) stays free of both."""


def __getattr__(name: str) -> Any:
    """Load a public name on first use (and ``PROVIDER``, the name state refers to)."""
    if name == "PROVIDER":
        from .token.provider import TOKEN_PROVIDER

        return TOKEN_PROVIDER
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "PROVIDER"})


__all__ = [
    "CONTROL_PLANES",
    "ENVIRONMENT_TYPES",
    "AccessManagementClient",
    "AccessToken",
    "AnypointError",
    "AnypointToken",
    "AnypointTokenArgs",
    "BadCredentialsError",
    "ConfigurationError",
    "ConnectionSettings",
    "GrantType",
    "MfaRequiredError",
    "NotFoundError",
    "PermissionDeniedError",
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
__all__ += results.__all__
