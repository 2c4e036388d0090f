"""What the data functions return: typed, frozen results (none holds a credential, but the token
of ``get_access_token``).

``Environment``, ``Organization``, ``BusinessGroup`` and ``MemberOrganization`` are the access
layer's own models; the aggregates (``Profile``, ``Environments``, ``BusinessGroupTree``) are made
here. Each result has an ``Awaitable…`` flavour, what the plain ``get_x`` forms return, as in
Pulumi's generated SDKs: ``await`` yields an equal plain result (Pulumi awaits every awaitable it
finds in an Output or an export, so one that yielded itself would be awaited forever).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload

from ..access.errors import ConfigurationError, NotFoundError
from ..access.models import (
    ApiResponse,
    BusinessGroup,
    Environment,
    MemberOrganization,
    Model,
    Organization,
)
from ..access.redaction import excerpt

__all__ = [
    "AccessTokenResult",
    "ApiResponse",
    "AwaitableAccessTokenResult",
    "AwaitableApiResponse",
    "AwaitableBusinessGroupTree",
    "AwaitableEnvironment",
    "AwaitableEnvironments",
    "AwaitableOrganization",
    "AwaitableProfile",
    "BusinessGroup",
    "BusinessGroupTree",
    "Environment",
    "Environments",
    "MemberOrganization",
    "Organization",
    "Profile",
]

A = TypeVar("A", bound="AwaitableResult")

_LISTED = 30
"""At most this many names in the error of a name that is not there."""


class AwaitableResult(Model):
    """Mixin of the ``Awaitable…`` results the plain forms return (``await`` gives it plain)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Any]:
        yield from ()
        return self._flavour()(*self._values())


def as_awaitable(cls: type[A], result: Model) -> A:
    """``result`` (a plain result) as its awaitable flavour ``cls``."""
    return cls(*result._values())


@dataclass(frozen=True, eq=False)
class Profile(Model):
    """Who a token belongs to. Holds no credential."""

    kind: Literal["user", "client"]
    """``user`` for user tokens (login, SAML, password grant), ``client`` for a connected app's
    client-credentials token."""
    id: str | None
    """The user's id; for a ``client``, the connected app's client id."""
    username: str | None
    """The user name (``None`` for a client)."""
    first_name: str | None
    """The user's first name (``None`` for a client)."""
    last_name: str | None
    """The user's last name (``None`` for a client)."""
    email: str | None
    """The user's email address (``None`` for a client)."""
    organization_id: str | None
    """The organization the user or connected app belongs to."""
    organization_name: str | None
    """Its name (``None`` for a client: ``/me`` does not say; use ``get_organization``)."""
    member_of_organizations: tuple[MemberOrganization, ...]
    """The organizations and business groups the user is a member of (empty for a client)."""
    client_id: str | None
    """The connected app's client id, when the token came from one and the answer says so."""
    client_name: str | None
    """The connected app's name, likewise."""


@dataclass(frozen=True, eq=False)
class Environments(Model, Sequence[Environment]):
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


@dataclass(frozen=True, eq=False)
class BusinessGroupTree(Model):
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
            ids = ", ".join(excerpt(group.id, (), 60) for group in matches[:_LISTED])
            raise ConfigurationError(
                f"{len(matches)} business groups are called {name!r} (ids {ids})", field="name",
                hint="Choose by id: walk the tree with BusinessGroupTree.all")
        # Names are the server's words: scrubbed (bounded, printable) before they are shown.
        groups = self.all
        names = ", ".join(repr(excerpt(group.name or "", (), 80)) for group in groups[:_LISTED])
        more = f" and {len(groups) - _LISTED} more" if len(groups) > _LISTED else ""
        root = excerpt(self.root.name or "", (), 80)
        raise NotFoundError(f"no business group named {name!r} below {root!r}",
                            hint=f"Existing business groups: {names}{more} (names are "
                            "case-sensitive)")


@dataclass(frozen=True, eq=False)
class AccessTokenResult(Model):
    """A token ``get_access_token`` logged in for. ``repr`` never shows the token; the
    ``_output`` form is secret as a whole."""

    access_token: str = field(repr=False)
    """The bearer token for ``Authorization: Bearer …``."""
    token_type: str
    """The token type Anypoint reported (``bearer``)."""
    grant_type: str
    """The flow that produced it (``client_credentials``, ``password``, ``login``, ``saml``,
    ``jwt_bearer``)."""
    issued_at: str
    """When it was issued (RFC 3339, UTC)."""
    expires_at: str
    """When it stops working (RFC 3339, UTC)."""
    base_url: str
    """The control plane it belongs to."""


class AwaitableAccessTokenResult(AccessTokenResult, AwaitableResult):
    """What :func:`get_access_token` returns: an :class:`AccessTokenResult` that ``await``
    turns plain."""


class AwaitableApiResponse(ApiResponse, AwaitableResult):
    """What :func:`get_api_response` returns: an :class:`ApiResponse` that ``await`` turns
    plain."""


class AwaitableProfile(Profile, AwaitableResult):
    """What :func:`get_profile` returns: a :class:`Profile` that ``await`` turns plain."""


class AwaitableEnvironment(Environment, AwaitableResult):
    """What :func:`get_environment` returns: a :class:`Environment` that ``await`` turns plain."""


class AwaitableEnvironments(Environments, AwaitableResult):
    """What :func:`get_environments` returns: a :class:`Environments` that ``await`` turns plain."""


class AwaitableOrganization(Organization, AwaitableResult):
    """What :func:`get_organization` returns: a :class:`Organization` that ``await`` turns plain."""


class AwaitableBusinessGroupTree(BusinessGroupTree, AwaitableResult):
    """The :class:`BusinessGroupTree` that :func:`get_business_groups` returns
    (``await`` yields an equal plain one)."""
