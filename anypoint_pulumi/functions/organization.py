"""``get_organization`` and ``get_business_groups``: an organization, and its business groups.

``get_organization`` reads ``/accounts/api/organizations/{id}`` (any token that may see the
organization). ``get_business_groups`` reads the business-group tree from
``/accounts/api/organizations/{id}/hierarchy``, which Anypoint refuses to client-credentials
tokens: the error then says so and what token to use instead. The organization defaults to the
token's own (one ``/accounts/api/me`` request). Results are not secret.
"""

from __future__ import annotations

import pulumi
from typing_extensions import Unpack

from ..core import functions as core
from ..core.results import (
    AwaitableBusinessGroupTree,
    AwaitableOrganization,
    BusinessGroupTree,
    Organization,
)
from .invoke import Connection, DataFunction

__all__ = ["get_business_groups", "get_business_groups_output", "get_organization",
           "get_organization_output"]

ORGANIZATION = DataFunction(core.ORGANIZATION, AwaitableOrganization)
BUSINESS_GROUPS = DataFunction(core.BUSINESS_GROUPS, AwaitableBusinessGroupTree)


def get_organization(
    *,
    organization_id: str | None = None,
    opts: pulumi.InvokeOptions | None = None,
    **connection: Unpack[Connection],
) -> AwaitableOrganization:
    """Read an organization now (default: the token's own; plain values, ``await`` works too).

    The token and connection arguments are those of :func:`~anypoint_pulumi.get_profile`.
    """
    return ORGANIZATION.plain(locals())


def get_organization_output(
    *,
    organization_id: pulumi.Input[str] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
    **connection: Unpack[Connection],
) -> pulumi.Output[Organization]:
    """An organization as an ``Output`` (arguments as :func:`get_organization`, as
    ``pulumi.Input``). Unknown while the token is; not secret."""
    return ORGANIZATION.output(locals())


def get_business_groups(
    *,
    organization_id: str | None = None,
    grant_type: str | None = None,
    opts: pulumi.InvokeOptions | None = None,
    **connection: Unpack[Connection],
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
    grant_type: pulumi.Input[str] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
    **connection: Unpack[Connection],
) -> pulumi.Output[BusinessGroupTree]:
    """The business-group tree as an ``Output`` (arguments as :func:`get_business_groups`, as
    ``pulumi.Input``). Unknown while the token is; not secret."""
    return BUSINESS_GROUPS.output(locals())
