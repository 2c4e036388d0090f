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

from . import errors, login
from .errors import *  # noqa: F403  (the error classes: errors.__all__)
from .login import *  # noqa: F403  (the login spec and log_in: login.__all__)
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


__all__ = ["CONTROL_PLANES", "AccessManagementClient", "AccessToken", "ConnectionSettings",
           "GrantType", "RetryPolicy"]
__all__ += errors.__all__
__all__ += login.__all__
