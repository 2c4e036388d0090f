"""``get_profile``: who a token belongs to, a user or a connected app acting on its own behalf.

User tokens (login, SAML, a connected app acting for a user) are read from
``/accounts/api/profile``. That endpoint answers 401 "no user attached" to client-credentials
tokens, so for those the profile comes from ``/accounts/api/me`` instead: exactly one request when
the token's kind is known (an ``AnypointToken`` knows its grant type; else pass ``grant_type=``),
at most two otherwise. The result never holds a credential and is not secret.
"""

from __future__ import annotations

import pulumi
from typing_extensions import Unpack

from ..core import functions as core
from ..core.results import AwaitableProfile, Profile
from .invoke import Connection, DataFunction

__all__ = ["get_profile", "get_profile_output"]


PROFILE = DataFunction(core.PROFILE, AwaitableProfile)


def get_profile(
    *,
    grant_type: str | None = None,
    opts: pulumi.InvokeOptions | None = None,
    **connection: Unpack[Connection],
) -> AwaitableProfile:
    """Read the profile of a token now (plain values; ``await`` works too).

    Give the token as ``access_token=`` (with ``region=`` or ``base_url=``; else config and
    environment, as for ``AnypointToken``; default ``us``) or as ``token=`` an ``AnypointToken``
    (its control plane and connection settings are used). ``grant_type`` (``client_credentials``,
    ``password``, ``login``, ``saml``; taken from ``token=``) saves a request for client tokens.
    ``timeout_seconds`` (default 30), ``ca_bundle`` and ``verify_tls`` tune the connection.
    ``opts`` is accepted as in Pulumi's generated SDKs (there is no provider plugin to choose).
    """
    return PROFILE.plain(locals())


def get_profile_output(
    *,
    grant_type: pulumi.Input[str] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
    **connection: Unpack[Connection],
) -> pulumi.Output[Profile]:
    """The profile of a token as an ``Output`` (``pulumi.Input`` values, e.g. ``token=token``).

    Unknown while the token is (in preview, a token created or renewed in this run); not secret,
    though the token is. Same arguments as :func:`get_profile`; ``opts.depends_on`` makes the read
    wait for those resources.
    """
    return PROFILE.output(locals())
