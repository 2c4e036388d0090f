"""``get_environments`` and ``get_environment``: the environments of an organization.

Read from ``/accounts/api/organizations/{id}/environments``, every page, with Anypoint's ``name``,
``type`` and ``is_production`` filters. The organization defaults to the token's own (one
``/accounts/api/me`` request). ``get_environment`` picks one by name and fails clearly, listing the
names that exist, when there is none. Results are not secret.
"""

from __future__ import annotations

import pulumi
from typing_extensions import Unpack

from ..core import functions as core
from ..core.results import AwaitableEnvironment, AwaitableEnvironments, Environment, Environments
from .invoke import Connection, DataFunction

__all__ = ["get_environment", "get_environment_output", "get_environments",
           "get_environments_output"]

ENVIRONMENTS = DataFunction(core.ENVIRONMENTS, AwaitableEnvironments)
ENVIRONMENT = DataFunction(core.ENVIRONMENT, AwaitableEnvironment)


def get_environments(
    *,
    organization_id: str | None = None,
    name: str | None = None,
    type: str | None = None,
    is_production: bool | None = None,
    opts: pulumi.InvokeOptions | None = None,
    **connection: Unpack[Connection],
) -> AwaitableEnvironments:
    """Read the environments of an organization now (plain values; ``await`` works too).

    ``organization_id`` defaults to the token's own organization. ``name`` (exact), ``type``
    (``production``, ``sandbox``, ``design``) and ``is_production`` filter, on Anypoint's side.
    The token and connection arguments are those of :func:`~anypoint_pulumi.get_profile`.
    """
    return ENVIRONMENTS.plain(locals())


def get_environments_output(
    *,
    organization_id: pulumi.Input[str] | None = None,
    name: pulumi.Input[str] | None = None,
    type: pulumi.Input[str] | None = None,
    is_production: pulumi.Input[bool] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
    **connection: Unpack[Connection],
) -> pulumi.Output[Environments]:
    """The environments of an organization as an ``Output`` (arguments as
    :func:`get_environments`, as ``pulumi.Input``). Unknown while the token is; not secret."""
    return ENVIRONMENTS.output(locals())


def get_environment(
    *,
    name: str,
    organization_id: str | None = None,
    opts: pulumi.InvokeOptions | None = None,
    **connection: Unpack[Connection],
) -> AwaitableEnvironment:
    """The environment called ``name`` (exactly) in an organization (default: the token's own).

    Raises :class:`~anypoint_pulumi.NotFoundError` listing the names that exist when there is
    none. Other arguments as :func:`get_environments`.
    """
    return ENVIRONMENT.plain(locals())


def get_environment_output(
    *,
    name: pulumi.Input[str],
    organization_id: pulumi.Input[str] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
    **connection: Unpack[Connection],
) -> pulumi.Output[Environment]:
    """The environment called ``name`` as an ``Output`` (``environment.id`` is an
    ``Output[str]``). Arguments as :func:`get_environment`; unknown while the token is."""
    return ENVIRONMENT.output(locals())
