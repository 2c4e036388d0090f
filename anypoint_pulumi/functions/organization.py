"""``get_organization`` and ``get_business_groups``: an organization, and its business groups.

``get_organization`` reads ``/accounts/api/organizations/{id}`` (any token that may see the
organization). ``get_business_groups`` reads the business-group tree from
``/accounts/api/organizations/{id}/hierarchy``, which Anypoint refuses to client-credentials
tokens: the error then says so and what token to use instead. The organization defaults to the
token's own (one ``/accounts/api/me`` request). Results are not secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from ..access.errors import PermissionDeniedError, TokenRejectedError
from ..access.models import BusinessGroup
from .invoke import Call, DataFunction
from .results import (
    AwaitableBusinessGroupTree,
    AwaitableOrganization,
    BusinessGroupTree,
    Organization,
)

if TYPE_CHECKING:
    from ..token.resource import AnypointToken

__all__ = [
    "AwaitableBusinessGroupTree",
    "AwaitableOrganization",
    "BusinessGroup",
    "BusinessGroupTree",
    "Organization",
    "get_business_groups",
    "get_business_groups_output",
    "get_organization",
    "get_organization_output",
]

HIERARCHY_REFUSED_HINT = (
    "Anypoint does not let client-credentials tokens (a connected app acting on its own behalf) "
    "read the business-group hierarchy. Use a user token: an AnypointToken with username and "
    "password plus the client_id and client_secret of a connected app that acts on behalf of a "
    "user (MFA-safe), or a login/SAML token. get_organization works with this token and lists "
    "the organization's sub_organization_ids"
)


def _read_organization(call: Call) -> Organization:
    return call.client.organization(call.token, call.organization_id())


def _read_tree(call: Call) -> BusinessGroupTree:
    return BusinessGroupTree(_hierarchy(call, call.organization_id()))


def _hierarchy(call: Call, organization_id: str) -> BusinessGroup:
    """``/hierarchy``, telling a refused client token from a rejected or powerless one."""
    try:
        return call.client.hierarchy(call.token, organization_id)
    except TokenRejectedError as exc:
        if exc.status != 401 or call.kind == "user":
            raise
        refused = exc
    confirmed = call.kind == "client"
    if not isinstance(refused, PermissionDeniedError):
        # A bare 401: a rejected token, or a client token refused without saying so.
        me = call.client.me(call.token)  # raises TokenRejectedError when the token is rejected
        if me.user is not None or me.client is None:
            raise refused
        confirmed = True
    kind = ("this client-credentials token" if confirmed
            else "this token (a client-credentials token?)")
    raise PermissionDeniedError(
        f"Anypoint refused to read the business-group hierarchy of organization "
        f"{organization_id!r} with {kind}",
        host=refused.host, endpoint=refused.endpoint, status=refused.status,
        hint=HIERARCHY_REFUSED_HINT,
    )


ORGANIZATION = DataFunction("get_organization", _read_organization, AwaitableOrganization,
                            shown=("organization_id",),
                            env_organization=True)
BUSINESS_GROUPS = DataFunction("get_business_groups", _read_tree, AwaitableBusinessGroupTree,
                               shown=("organization_id",),
                               env_organization=True)


def get_organization(
    *,
    organization_id: str | None = None,
    access_token: str | None = None,
    token: AnypointToken | None = None,
    region: str | None = None,
    base_url: str | None = None,
    timeout_seconds: float | None = None,
    ca_bundle: str | None = None,
    verify_tls: bool | None = None,
    opts: pulumi.InvokeOptions | None = None,
) -> AwaitableOrganization:
    """Read an organization now (default: the token's own; plain values, ``await`` works too).

    The token and connection arguments are those of :func:`~anypoint_pulumi.get_profile`.
    """
    return ORGANIZATION.plain(locals())


def get_organization_output(
    *,
    organization_id: pulumi.Input[str] | None = None,
    access_token: pulumi.Input[str] | None = None,
    token: AnypointToken | None = None,
    region: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
    timeout_seconds: pulumi.Input[float] | None = None,
    ca_bundle: pulumi.Input[str] | None = None,
    verify_tls: pulumi.Input[bool] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
) -> pulumi.Output[Organization]:
    """An organization as an ``Output`` (arguments as :func:`get_organization`, as
    ``pulumi.Input``). Unknown while the token is; not secret."""
    return ORGANIZATION.output(locals())


def get_business_groups(
    *,
    organization_id: str | None = None,
    access_token: str | None = None,
    token: AnypointToken | None = None,
    region: str | None = None,
    base_url: str | None = None,
    grant_type: str | None = None,
    timeout_seconds: float | None = None,
    ca_bundle: str | None = None,
    verify_tls: bool | None = None,
    opts: pulumi.InvokeOptions | None = None,
) -> AwaitableBusinessGroupTree:
    """Read the business-group tree below an organization now (default: the token's own).

    Needs a user token: Anypoint refuses client-credentials tokens here, and the
    :class:`~anypoint_pulumi.PermissionDeniedError` says so. ``grant_type`` (taken from
    ``token=``) sharpens that error. Other arguments as :func:`get_organization`.
    """
    return BUSINESS_GROUPS.plain(locals())


def get_business_groups_output(
    *,
    organization_id: pulumi.Input[str] | None = None,
    access_token: pulumi.Input[str] | None = None,
    token: AnypointToken | None = None,
    region: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
    grant_type: pulumi.Input[str] | None = None,
    timeout_seconds: pulumi.Input[float] | None = None,
    ca_bundle: pulumi.Input[str] | None = None,
    verify_tls: pulumi.Input[bool] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
) -> pulumi.Output[BusinessGroupTree]:
    """The business-group tree as an ``Output`` (arguments as :func:`get_business_groups`, as
    ``pulumi.Input``). Unknown while the token is; not secret."""
    return BUSINESS_GROUPS.output(locals())
