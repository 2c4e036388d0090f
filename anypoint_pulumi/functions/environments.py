"""``get_environments`` and ``get_environment``: the environments of an organization.

Read from ``/accounts/api/organizations/{id}/environments``, every page, with Anypoint's ``name``,
``type`` and ``is_production`` filters. The organization defaults to the token's own (one
``/accounts/api/me`` request). ``get_environment`` picks one by name and fails clearly, listing the
names that exist, when there is none. Results are not secret.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import pulumi

from ..access import endpoints
from ..access.errors import ConfigurationError, NotFoundError, excerpt
from ..access.models import ENVIRONMENT_TYPES
from .invoke import Call, DataFunction
from .results import AwaitableEnvironment, AwaitableEnvironments, Environment, Environments

if TYPE_CHECKING:
    from ..token.resource import AnypointToken

__all__ = [
    "ENVIRONMENT_TYPES",
    "AwaitableEnvironment",
    "AwaitableEnvironments",
    "Environment",
    "Environments",
    "get_environment",
    "get_environment_output",
    "get_environments",
    "get_environments_output",
]

_LISTED = 30
"""At most this many existing names in the error of a name that is not there."""


def _read_all(call: Call) -> Environments:
    name, kind, production = (call.args.get(key) for key in ("name", "type", "is_production"))
    if name is not None and not isinstance(name, str):
        raise ConfigurationError("name must be a string", field="name")
    if kind is not None and kind not in ENVIRONMENT_TYPES:
        raise ConfigurationError(
            f"type {kind!r} is not an environment type: use one of "
            f"{', '.join(ENVIRONMENT_TYPES)} (lower case), or leave it unset", field="type")
    if production is not None and not isinstance(production, bool):
        raise ConfigurationError("is_production must be true or false", field="is_production")
    organization_id = call.organization_id()
    found = call.client.environments(call.token, organization_id, name=name, type=kind,
                                     is_production=production)
    return Environments(organization_id, tuple(found))


def _read_one(call: Call) -> Environment:
    name = call.args.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigurationError("name must be the environment's name (e.g. 'Sandbox')",
                                 field="name")
    organization_id = call.organization_id()
    matches = [env for env in call.client.environments(call.token, organization_id, name=name)
               if env.name == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(excerpt(env.id, (call.token,), 60) for env in matches[:_LISTED])
        raise ConfigurationError(
            f"{len(matches)} environments are called {name!r} in organization "
            f"{organization_id!r} (ids {ids})",
            field="name", hint="Use get_environments and choose by id",
        )
    raise _missing(call, organization_id, name)


def _missing(call: Call, organization_id: str, name: str) -> NotFoundError:
    """The error for a name that is not there, listing the names that are."""
    # Names are the server's words: scrubbed (bounded, redacted, printable) before shown.
    names = sorted(excerpt(env.name, (call.token,), 80)
                   for env in call.client.environments(call.token, organization_id))
    if not names:
        hint = "The organization has no environment this token can see"
    else:
        listed = ", ".join(repr(n) for n in names[:_LISTED])
        more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
        hint = f"Existing environments: {listed}{more} (names are case-sensitive)"
        folded = name.casefold()
        close = ([n for n in names if n.casefold() == folded]
                 or [n for n in names if n.casefold().startswith(folded)]
                 or difflib.get_close_matches(name, names, n=1, cutoff=0.6))
        if close:
            hint += f". Did you mean {close[0]!r}?"
    return NotFoundError(
        f"no environment named {name!r} in organization {organization_id!r}",
        host=call.client.host, endpoint=f"GET {endpoints.environments(organization_id)}",
        hint=hint,
    )


ENVIRONMENTS = DataFunction("get_environments", _read_all, AwaitableEnvironments,
                            shown=("organization_id", "name", "type", "is_production"),
                            env_organization=True)
ENVIRONMENT = DataFunction("get_environment", _read_one, AwaitableEnvironment,
                           shown=("name", "organization_id"),
                           env_organization=True)


def get_environments(
    *,
    organization_id: str | None = None,
    name: str | None = None,
    type: str | None = None,
    is_production: bool | None = None,
    access_token: str | None = None,
    token: AnypointToken | None = None,
    region: str | None = None,
    base_url: str | None = None,
    timeout_seconds: float | None = None,
    ca_bundle: str | None = None,
    verify_tls: bool | None = None,
    opts: pulumi.InvokeOptions | None = None,
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
    access_token: pulumi.Input[str] | None = None,
    token: AnypointToken | None = None,
    region: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
    timeout_seconds: pulumi.Input[float] | None = None,
    ca_bundle: pulumi.Input[str] | None = None,
    verify_tls: pulumi.Input[bool] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
) -> pulumi.Output[Environments]:
    """The environments of an organization as an ``Output`` (arguments as
    :func:`get_environments`, as ``pulumi.Input``). Unknown while the token is; not secret."""
    return ENVIRONMENTS.output(locals())


def get_environment(
    *,
    name: str,
    organization_id: str | None = None,
    access_token: str | None = None,
    token: AnypointToken | None = None,
    region: str | None = None,
    base_url: str | None = None,
    timeout_seconds: float | None = None,
    ca_bundle: str | None = None,
    verify_tls: bool | None = None,
    opts: pulumi.InvokeOptions | None = None,
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
    access_token: pulumi.Input[str] | None = None,
    token: AnypointToken | None = None,
    region: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
    timeout_seconds: pulumi.Input[float] | None = None,
    ca_bundle: pulumi.Input[str] | None = None,
    verify_tls: pulumi.Input[bool] | None = None,
    opts: pulumi.InvokeOutputOptions | None = None,
) -> pulumi.Output[Environment]:
    """The environment called ``name`` as an ``Output`` (``environment.id`` is an
    ``Output[str]``). Arguments as :func:`get_environment`; unknown while the token is."""
    return ENVIRONMENT.output(locals())
