"""``get_organization`` and ``get_business_groups``: an organization, and its business groups.

``get_organization`` reads ``/accounts/api/organizations/{id}`` (any token that may see the
organization). ``get_business_groups`` reads the business-group tree from
``/accounts/api/organizations/{id}/hierarchy``, which Anypoint refuses to client-credentials
tokens: the error then says so and what token to use instead. The organization defaults to the
token's own (one ``/accounts/api/me`` request). Results are not secret (see
:mod:`anypoint_pulumi.functions`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from .environments import Environment, parse
from .errors import (
    AnypointError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    TokenRejectedError,
    UnexpectedResponseError,
)
from .functions import (
    CLIENT,
    USER,
    AwaitableResult,
    Connection,
    Result,
    as_awaitable,
    call_output,
    call_plain,
    describe,
    failure,
    mapping,
    target_organization,
    text,
    token_inputs,
)

if TYPE_CHECKING:
    from .client import AccessManagementClient
    from .token import AnypointToken

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


@dataclass(frozen=True, eq=False)
class Organization(Result):
    """An Anypoint organization (or business group)."""

    id: str
    """The organization's id."""
    name: str | None
    """Its name."""
    parent_id: str | None
    """The parent organization's id (``None`` for a root organization)."""
    sub_organization_ids: tuple[str, ...]
    """The ids of every business group below it."""
    session_timeout_minutes: int | None
    """How long user sessions (login and SAML tokens) last, in minutes."""
    environments: tuple[Environment, ...]
    """Its environments as Anypoint embeds them here (possibly partial: ``get_environments``
    reads them all)."""

    def to_dict(self) -> dict[str, Any]:
        """The organization as plain JSON-ready data."""
        data = asdict(self)
        data["sub_organization_ids"] = list(self.sub_organization_ids)
        data["environments"] = [env.to_dict() for env in self.environments]
        return data


@dataclass(frozen=True)
class BusinessGroup:
    """A node of the business-group tree: an organization with its environments and children."""

    id: str
    """The business group's (organization's) id."""
    name: str | None
    """Its name."""
    parent_id: str | None
    """Its parent's id (``None`` for a root organization)."""
    environments: tuple[Environment, ...]
    """Its environments."""
    business_groups: tuple[BusinessGroup, ...]
    """The business groups directly below it."""

    def walk(self) -> Iterator[BusinessGroup]:
        """This group and every group below it, depth first."""
        yield self
        for child in self.business_groups:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        """The subtree as plain JSON-ready data."""
        return {"id": self.id, "name": self.name, "parent_id": self.parent_id,
                "environments": [env.to_dict() for env in self.environments],
                "business_groups": [child.to_dict() for child in self.business_groups]}


@dataclass(frozen=True, eq=False)
class BusinessGroupTree(Result):
    """The business-group tree below (and including) an organization."""

    root: BusinessGroup
    """The organization the tree was read from."""

    @property
    def all(self) -> tuple[BusinessGroup, ...]:
        """Every group of the tree, the root first, depth first."""
        return tuple(self.root.walk())

    def find(self, name: str) -> BusinessGroup:
        """The group called ``name``; :class:`~anypoint_pulumi.NotFoundError` (listing the
        names) when there is none, :class:`~anypoint_pulumi.ConfigurationError` when several."""
        matches = [group for group in self.root.walk() if group.name == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ConfigurationError(
                f"{len(matches)} business groups are called {name!r} (ids "
                f"{', '.join(group.id for group in matches)})", field="name",
                hint="Choose by id: walk the tree with BusinessGroupTree.all")
        names = ", ".join(repr(group.name) for group in self.root.walk())
        raise NotFoundError(f"no business group named {name!r} below {self.root.name!r}",
                            hint=f"Existing business groups: {names} (names are case-sensitive)")

    def to_dict(self) -> dict[str, Any]:
        """The tree as plain JSON-ready data."""
        return {"root": self.root.to_dict()}


class AwaitableOrganization(Organization, AwaitableResult):
    """What :func:`get_organization` returns: a :class:`Organization` that ``await`` turns plain."""


class AwaitableBusinessGroupTree(BusinessGroupTree, AwaitableResult):
    """The :class:`BusinessGroupTree` that :func:`get_business_groups` returns
    (``await`` yields an equal plain one)."""


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
) -> AwaitableOrganization:
    """Read an organization now (default: the token's own; plain values, ``await`` works too).

    The token is ``access_token=`` (with ``region=``/``base_url=``) or ``token=`` an
    ``AnypointToken``; ``timeout_seconds``, ``ca_bundle``, ``verify_tls`` tune the connection.
    """
    inputs = _inputs(organization_id, access_token=access_token, token=token, region=region,
                     base_url=base_url, grant_type=None, timeout_seconds=timeout_seconds,
                     ca_bundle=ca_bundle, verify_tls=verify_tls)
    return as_awaitable(AwaitableOrganization,
                        call_plain("get_organization", inputs, _fetch_organization))


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
) -> pulumi.Output[Organization]:
    """An organization as an ``Output`` (arguments as :func:`get_organization`, as
    ``pulumi.Input``). Unknown while the token is; not secret."""
    inputs = _inputs(organization_id, access_token=access_token, token=token, region=region,
                     base_url=base_url, grant_type=None, timeout_seconds=timeout_seconds,
                     ca_bundle=ca_bundle, verify_tls=verify_tls)
    return call_output(inputs, _fetch_organization)


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
) -> AwaitableBusinessGroupTree:
    """Read the business-group tree below an organization now (default: the token's own).

    Needs a user token: Anypoint refuses client-credentials tokens here, and the
    :class:`~anypoint_pulumi.PermissionDeniedError` says so. ``grant_type`` (taken from
    ``token=``) sharpens that error. Other arguments as :func:`get_organization`.
    """
    inputs = _inputs(organization_id, access_token=access_token, token=token, region=region,
                     base_url=base_url, grant_type=grant_type, timeout_seconds=timeout_seconds,
                     ca_bundle=ca_bundle, verify_tls=verify_tls)
    return as_awaitable(AwaitableBusinessGroupTree,
                        call_plain("get_business_groups", inputs, _fetch_tree))


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
) -> pulumi.Output[BusinessGroupTree]:
    """The business-group tree as an ``Output`` (arguments as :func:`get_business_groups`, as
    ``pulumi.Input``). Unknown while the token is; not secret."""
    inputs = _inputs(organization_id, access_token=access_token, token=token, region=region,
                     base_url=base_url, grant_type=grant_type, timeout_seconds=timeout_seconds,
                     ca_bundle=ca_bundle, verify_tls=verify_tls)
    return call_output(inputs, _fetch_tree)


def _inputs(organization_id: Any, **connection: Any) -> dict[str, Any]:
    return {**token_inputs(**connection), "organization_id": organization_id}


def _fetch_organization(values: dict[str, Any]) -> Organization:
    context = describe("get_organization", organization_id=values.get("organization_id"))
    try:
        connection = Connection.from_values(values)
        with connection.client() as client:
            organization_id = target_organization(client, connection, values)
            body = client.organization(connection.access_token, organization_id)
            return _parse_organization(client, body, organization_id)
    except AnypointError as exc:
        raise failure(exc, context) from None


def _fetch_tree(values: dict[str, Any]) -> BusinessGroupTree:
    context = describe("get_business_groups", organization_id=values.get("organization_id"))
    try:
        connection = Connection.from_values(values)
        with connection.client() as client:
            organization_id = target_organization(client, connection, values)
            body = _hierarchy(client, connection, organization_id)
            return BusinessGroupTree(_parse_group(client, body, None))
    except AnypointError as exc:
        raise failure(exc, context) from None


def _hierarchy(client: AccessManagementClient, connection: Connection,
               organization_id: str) -> dict[str, Any]:
    """``/hierarchy``, telling a refused client token from a rejected or powerless one."""
    token = connection.access_token
    try:
        return client.hierarchy(token, organization_id)
    except TokenRejectedError as exc:
        if exc.status != 401 or connection.kind == USER:
            raise
        refused = exc
    confirmed = connection.kind == CLIENT
    if not isinstance(refused, PermissionDeniedError):
        # A bare 401: a rejected token, or a client token refused without saying so.
        me = client.me(token)  # raises TokenRejectedError when the token itself is rejected
        if me.get("user") or not me.get("client"):
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


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(
        value, list) else ()


def _environments(value: Any) -> tuple[Environment, ...]:
    items = value if isinstance(value, list) else []
    return tuple(parse(item) for item in items if isinstance(item, dict))


def _parent(body: dict[str, Any]) -> str | None:
    parents = _ids(body.get("parentOrganizationIds"))
    return text(body.get("parentId")) or (parents[-1] if parents else None)


def _parse_organization(client: AccessManagementClient, body: dict[str, Any],
                        organization_id: str) -> Organization:
    found = text(body.get("id"))
    if not found:
        raise UnexpectedResponseError(
            "Unexpected answer from Anypoint: the organization has no id", host=client.host,
            endpoint=f"GET /accounts/api/organizations/{organization_id}", status=200)
    timeout = body.get("sessionTimeout")
    return Organization(
        id=found,
        name=text(body.get("name")),
        parent_id=_parent(body),
        sub_organization_ids=_ids(body.get("subOrganizationIds")),
        session_timeout_minutes=timeout if isinstance(timeout, int) and not isinstance(
            timeout, bool) else None,
        environments=_environments(body.get("environments")),
    )


def _parse_group(client: AccessManagementClient, body: dict[str, Any],
                 parent_id: str | None) -> BusinessGroup:
    found = text(body.get("id"))
    if not found:
        raise UnexpectedResponseError(
            "Unexpected answer from Anypoint: a business group of the hierarchy has no id",
            host=client.host, endpoint="GET /accounts/api/organizations/{id}/hierarchy",
            status=200)
    children = body.get("subOrganizations")
    return BusinessGroup(
        id=found,
        name=text(body.get("name")),
        parent_id=_parent(body) or parent_id,
        environments=_environments(body.get("environments")),
        business_groups=tuple(_parse_group(client, mapping(child), found)
                              for child in (children if isinstance(children, list) else [])),
    )
