"""``get_environments`` and ``get_environment``: the environments of an organization.

Read from ``/accounts/api/organizations/{id}/environments``, every page (500 a page), with
Anypoint's ``name``, ``type`` and ``is_production`` filters. The organization defaults to the
token's own (one ``/accounts/api/me`` request). ``get_environment`` picks one by name and fails
clearly, listing the names that exist, when there is none. Results are not secret (see
:mod:`anypoint_pulumi.functions`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, overload

import pulumi

from .errors import AnypointError, ConfigurationError, NotFoundError
from .functions import (
    AwaitableResult,
    Connection,
    Result,
    as_awaitable,
    call_output,
    call_plain,
    describe,
    failure,
    target_organization,
    text,
    token_inputs,
)

if TYPE_CHECKING:
    from .client import AccessManagementClient
    from .token import AnypointToken

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

ENVIRONMENT_TYPES = ("production", "sandbox", "design")
"""The environment types Anypoint knows (the ``type`` filter accepts these only)."""

_LISTED = 30
"""At most this many existing names in the error of a name that is not there."""


@dataclass(frozen=True, eq=False)
class Environment(Result):
    """An Anypoint environment. ``id`` is what deployments (CloudHub, API Manager…) take."""

    id: str
    """The environment's id."""
    name: str
    """Its name, unique in its organization (e.g. ``Sandbox``)."""
    organization_id: str | None
    """The organization or business group it belongs to."""
    is_production: bool
    """Whether it is a production environment."""
    type: str | None
    """``production``, ``sandbox`` or ``design``."""
    client_id: str | None
    """The environment's client id (an identifier, not a secret)."""

    def to_dict(self) -> dict[str, Any]:
        """The environment as plain JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class Environments(Result, Sequence[Environment]):
    """The environments of an organization: a sequence of :class:`Environment`, in
    Anypoint's order (``for env in envs``, ``envs[0]``, ``len(envs)``)."""

    organization_id: str
    """The organization they were read from."""
    environments: tuple[Environment, ...]
    """The environments that matched the filters."""

    @overload
    def __getitem__(self, index: int) -> Environment: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Environment, ...]: ...

    def __getitem__(self, index: int | slice) -> Environment | tuple[Environment, ...]:
        return self.environments[index]

    def __len__(self) -> int:
        return len(self.environments)

    def __iter__(self) -> Iterator[Environment]:
        return iter(self.environments)

    @property
    def ids(self) -> tuple[str, ...]:
        """The environments' ids."""
        return tuple(env.id for env in self.environments)

    @property
    def names(self) -> tuple[str, ...]:
        """The environments' names."""
        return tuple(env.name for env in self.environments)

    def to_dict(self) -> dict[str, Any]:
        """The environments as plain JSON-ready data."""
        return {"organization_id": self.organization_id,
                "environments": [env.to_dict() for env in self.environments]}


class AwaitableEnvironment(Environment, AwaitableResult):
    """What :func:`get_environment` returns: a :class:`Environment` that ``await`` turns plain."""


class AwaitableEnvironments(Environments, AwaitableResult):
    """What :func:`get_environments` returns: a :class:`Environments` that ``await`` turns plain."""


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
) -> AwaitableEnvironments:
    """Read the environments of an organization now (plain values; ``await`` works too).

    ``organization_id`` defaults to the token's own organization. ``name`` (exact), ``type``
    (``production``, ``sandbox``, ``design``) and ``is_production`` filter, on Anypoint's side.
    The token is ``access_token=`` (with ``region=``/``base_url=``) or ``token=`` an
    ``AnypointToken``; ``timeout_seconds``, ``ca_bundle``, ``verify_tls`` tune the connection.
    """
    inputs = _inputs(organization_id=organization_id, name=name, type=type,
                     is_production=is_production, access_token=access_token, token=token,
                     region=region, base_url=base_url, timeout_seconds=timeout_seconds,
                     ca_bundle=ca_bundle, verify_tls=verify_tls)
    return as_awaitable(AwaitableEnvironments,
                        call_plain("get_environments", inputs, _fetch_all))


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
) -> pulumi.Output[Environments]:
    """The environments of an organization as an ``Output`` (arguments as
    :func:`get_environments`, as ``pulumi.Input``). Unknown while the token is; not secret."""
    inputs = _inputs(organization_id=organization_id, name=name, type=type,
                     is_production=is_production, access_token=access_token, token=token,
                     region=region, base_url=base_url, timeout_seconds=timeout_seconds,
                     ca_bundle=ca_bundle, verify_tls=verify_tls)
    return call_output(inputs, _fetch_all)


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
) -> AwaitableEnvironment:
    """The environment called ``name`` (exactly) in an organization (default: the token's own).

    Raises :class:`~anypoint_pulumi.NotFoundError` listing the names that exist when there is
    none. Other arguments as :func:`get_environments`.
    """
    inputs = _inputs(organization_id=organization_id, name=name, type=None, is_production=None,
                     access_token=access_token, token=token, region=region, base_url=base_url,
                     timeout_seconds=timeout_seconds, ca_bundle=ca_bundle, verify_tls=verify_tls)
    return as_awaitable(AwaitableEnvironment, call_plain("get_environment", inputs, _fetch_one))


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
) -> pulumi.Output[Environment]:
    """The environment called ``name`` as an ``Output`` (``environment.id`` is an
    ``Output[str]``). Arguments as :func:`get_environment`; unknown while the token is."""
    inputs = _inputs(organization_id=organization_id, name=name, type=None, is_production=None,
                     access_token=access_token, token=token, region=region, base_url=base_url,
                     timeout_seconds=timeout_seconds, ca_bundle=ca_bundle, verify_tls=verify_tls)
    return call_output(inputs, _fetch_one)


def _inputs(*, organization_id: Any, name: Any, type: Any, is_production: Any,
            **connection: Any) -> dict[str, Any]:
    return {**token_inputs(grant_type=None, **connection), "organization_id": organization_id,
            "name": name, "type": type, "is_production": is_production}


def _filters(values: dict[str, Any]) -> tuple[str | None, str | None, bool | None]:
    name, kind, production = values.get("name"), values.get("type"), values.get("is_production")
    if name is not None and not isinstance(name, str):
        raise ConfigurationError("name must be a string", field="name")
    if kind is not None and kind not in ENVIRONMENT_TYPES:
        raise ConfigurationError(
            f"type {kind!r} is not an environment type: use one of "
            f"{', '.join(ENVIRONMENT_TYPES)} (lower case), or leave it unset",
            field="type",
        )
    if production is not None and not isinstance(production, bool):
        raise ConfigurationError("is_production must be true or false", field="is_production")
    return name, kind, production


def _fetch_all(values: dict[str, Any]) -> Environments:
    context = describe("get_environments", organization_id=values.get("organization_id"),
                       name=values.get("name"), type=values.get("type"),
                       is_production=values.get("is_production"))
    try:
        name, kind, production = _filters(values)
        connection = Connection.from_values(values)
        with connection.client() as client:
            organization_id = target_organization(client, connection, values)
            found = client.environments(connection.access_token, organization_id, name=name,
                                        type=kind, is_production=production)
    except AnypointError as exc:
        raise failure(exc, context) from None
    return Environments(organization_id, tuple(parse(item) for item in found))


def _fetch_one(values: dict[str, Any]) -> Environment:
    name = values.get("name")
    context = describe("get_environment", name=name,
                       organization_id=values.get("organization_id"))
    try:
        if not isinstance(name, str) or not name:
            raise ConfigurationError("name must be the environment's name (e.g. 'Sandbox')",
                                     field="name")
        connection = Connection.from_values(values)
        with connection.client() as client:
            organization_id = target_organization(client, connection, values)
            found = [parse(item) for item in
                     client.environments(connection.access_token, organization_id, name=name)]
            matches = [env for env in found if env.name == name]
            if len(matches) == 1:
                return matches[0]
            if matches:
                raise ConfigurationError(
                    f"{len(matches)} environments are called {name!r} in organization "
                    f"{organization_id!r} (ids {', '.join(env.id for env in matches)})",
                    field="name", hint="Use get_environments and choose by id",
                )
            raise _missing(client, connection, organization_id, name)
    except AnypointError as exc:
        raise failure(exc, context) from None


def _missing(client: AccessManagementClient, connection: Connection, organization_id: str,
             name: str) -> NotFoundError:
    """The error for a name that is not there, listing the names that are."""
    names = sorted(parse(item).name for item in
                   client.environments(connection.access_token, organization_id))
    if not names:
        hint = "The organization has no environment this token can see"
    else:
        shown = ", ".join(repr(n) for n in names[:_LISTED])
        more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
        hint = f"Existing environments: {shown}{more} (names are case-sensitive)"
        folded = name.casefold()
        close = ([n for n in names if n.casefold() == folded]
                 or [n for n in names if n.casefold().startswith(folded)]
                 or difflib.get_close_matches(name, names, n=1, cutoff=0.6))
        if close:
            hint += f". Did you mean {close[0]!r}?"
    return NotFoundError(
        f"no environment named {name!r} in organization {organization_id!r}",
        host=client.host,
        endpoint=f"GET /accounts/api/organizations/{organization_id}/environments",
        hint=hint,
    )


def parse(item: dict[str, Any]) -> Environment:
    """An :class:`Environment` from an entry of Anypoint's answer (lenient about gaps)."""
    kind = text(item.get("type"))
    production = item.get("isProduction")
    return Environment(
        id=str(item.get("id") or ""),
        name=str(item.get("name") or ""),
        organization_id=text(item.get("organizationId")),
        is_production=production if isinstance(production, bool) else kind == "production",
        type=kind,
        client_id=text(item.get("clientId")),
    )
