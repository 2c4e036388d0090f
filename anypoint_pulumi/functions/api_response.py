"""``get_api_response``: read any Anypoint API with the token, as a data source.

An authenticated ``GET`` (or ``HEAD``, or a ``POST`` to a query endpoint such as Exchange's
GraphQL search) to a path of the token's control plane, through ``AccessManagementClient.request``:
the ids no provider exposes (API Manager instances, Exchange assets, Runtime Manager deployments)
become ``Output`` values to pass to resources. The path never leaves the control plane (URLs and
``..`` are refused), the token is masked wherever the answer echoes it, and only idempotent
methods are retried. Like every data function it runs on every preview and update (unknown,
and no request, while the token is): ``PUT``, ``PATCH`` and ``DELETE`` are refused here -- change
things with a resource. The result is not secret unless ``secret=True``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from typing_extensions import Unpack

from ..core import functions as core
from ..core.results import ApiResponse, AwaitableApiResponse
from .invoke import Connection, DataFunction

__all__ = ["get_api_response", "get_api_response_output"]

API_RESPONSE = DataFunction(core.API_RESPONSE, AwaitableApiResponse)


def get_api_response(
    *,
    path: str,
    method: str = "GET",
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    organization_id: str | None = None,
    environment_id: str | None = None,
    secret: bool = False,
    opts: pulumi.InvokeOptions | None = None,
    **connection: Unpack[Connection],
) -> AwaitableApiResponse:
    """Call an Anypoint API now (plain values; ``await`` works too) and return the
    :class:`ApiResponse` (``status``, ``headers``, ``body``: the parsed JSON or text).

    ``path`` is a path on the token's control plane (``/apimanager/api/v1/organizations/…``);
    ``params`` the query; ``organization_id``/``environment_id`` send ``X-ANYPNT-ORG-ID``/
    ``X-ANYPNT-ENV-ID``; ``method`` ``GET`` (default), ``HEAD`` or ``POST`` (with ``json``).
    The token and connection arguments are those of :func:`~anypoint_pulumi.get_profile`
    (``token=``, ``access_token=``, or ``ANYPOINT_ACCESS_TOKEN``).
    """
    return API_RESPONSE.plain(locals())


def get_api_response_output(
    *,
    path: pulumi.Input[str],
    method: pulumi.Input[str] = "GET",
    json: pulumi.Input[Any] = None,
    params: pulumi.Input[Mapping[str, Any]] | None = None,
    organization_id: pulumi.Input[str] | None = None,
    environment_id: pulumi.Input[str] | None = None,
    secret: bool = False,
    opts: pulumi.InvokeOutputOptions | None = None,
    **connection: Unpack[Connection],
) -> pulumi.Output[ApiResponse]:
    """An Anypoint API's answer as an ``Output`` (``response.body`` lifts: ``.body["total"]``).

    Unknown while the token is (no request then); not secret unless ``secret=True`` (the token
    is masked in it either way). Arguments as :func:`get_api_response`.
    """
    return API_RESPONSE.output(locals())
