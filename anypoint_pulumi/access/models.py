"""Typed values of the access layer: login flows, tokens, and Anypoint's answers.

The client parses Anypoint's JSON into these once, leniently (a missing optional field reads as
``None``); nothing above this layer sees raw JSON. ``Environment``, ``Organization``,
``BusinessGroup`` and ``MemberOrganization`` are also what the data functions return.
Plain data: no HTTP, no Pulumi, so the Pulumi layer can name flows without loading ``requests``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Literal

__all__ = [
    "ENVIRONMENT_TYPES",
    "AccessToken",
    "ApiResponse",
    "App",
    "BusinessGroup",
    "Environment",
    "GrantType",
    "MalformedAnswer",
    "Me",
    "MemberOrganization",
    "Model",
    "Organization",
    "SessionInfo",
    "User",
    "parse_rfc3339",
    "rfc3339",
]

Kind = Literal["user", "client"]

ENVIRONMENT_TYPES = ("production", "sandbox", "design")
"""The environment types Anypoint knows (its ``type`` filter accepts these only)."""


class GrantType(str, Enum):
    """How a token was obtained; session tokens (login, SAML) end with the user's session."""

    CLIENT_CREDENTIALS = "client_credentials"
    PASSWORD = "password"
    LOGIN = "login"
    SAML = "saml"
    JWT_BEARER = "jwt_bearer"

    @property
    def is_session(self) -> bool:
        """Whether the token is a platform session (ended by logout, not by revoke)."""
        return self in (GrantType.LOGIN, GrantType.SAML)

    @property
    def kind(self) -> Kind:
        """``client`` for a connected app acting on its own behalf, else ``user``."""
        return "client" if self is GrantType.CLIENT_CREDENTIALS else "user"

    @property
    def label(self) -> str:
        """The flow in words, as errors name it."""
        return _LABELS[self]


_LABELS = {
    GrantType.CLIENT_CREDENTIALS: "client-credentials login",
    GrantType.PASSWORD: "password-grant login (connected app acting for a user)",
    GrantType.LOGIN: "username/password login",
    GrantType.SAML: "SAML login",
    GrantType.JWT_BEARER: "JWT bearer login (connected app acting for a federated user)",
}


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and what is known about it. ``repr`` never shows the token."""

    access_token: str = field(repr=False)
    token_type: str
    grant_type: GrantType
    issued_at: datetime
    expires_at: datetime
    base_url: str

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds of validity left at ``now`` (negative once expired)."""
        return (self.expires_at - (now or datetime.now(timezone.utc))).total_seconds()

    @property
    def expired(self) -> bool:
        """Whether the token has stopped working (by its expiry; a revoke is not seen here)."""
        return self.seconds_left() <= 0

    def needs_renewal(self, margin_seconds: float, now: datetime | None = None) -> bool:
        """Whether less than ``margin_seconds`` of validity are left at ``now`` (the renewal
        rule: google-auth's ``expired`` with a margin, msal's ``refresh_on``)."""
        return self.seconds_left(now) < margin_seconds

    @property
    def lifetime_seconds(self) -> float:
        """How long the token was issued for."""
        return (self.expires_at - self.issued_at).total_seconds()


def rfc3339(moment: datetime) -> str:
    """``moment`` as token outputs write it: RFC 3339, UTC, seconds (``2030-01-01T12:00:00Z``)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_rfc3339(value: object) -> datetime | None:
    """An RFC 3339 (ISO 8601) time in UTC, or ``None`` when ``value`` is not one (absent, not a
    string, out of range): the one reader of times from answers and from stored state."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(
            timezone.utc)
    except (ValueError, OverflowError):
        return None


def bearer(token: str | AccessToken) -> str:
    """The bearer string of a token given as a string or as an :class:`AccessToken`."""
    return token.access_token if isinstance(token, AccessToken) else token


class MalformedAnswer(ValueError):
    """An answer lacks what a model needs; the client turns it into an UnexpectedResponseError."""


class Model:
    """Base of the frozen answer dataclasses (declared ``eq=False``): equal by their fields,
    whatever flavour (the data functions' ``Awaitable…`` subclasses are equal to their plain
    originals)."""

    __slots__ = ()

    def _flavour(self) -> type:
        """The dataclass itself, for a subclass that adds no field too."""
        return next(c for c in type(self).__mro__ if "__dataclass_fields__" in c.__dict__)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model) or other._flavour() is not self._flavour():
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self._flavour(), self._values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists), e.g. to ``pulumi.export`` it whole."""
        return _plain(dataclasses.asdict(self))  # type: ignore[call-overload, no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


# Lenient readers of JSON fields ----------------------------------------------------------------


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(
        value, list) else ()


def _objects(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _parent(body: Mapping[str, Any]) -> str | None:
    parents = _ids(body.get("parentOrganizationIds"))
    return _text(body.get("parentId")) or (parents[-1] if parents else None)


def _required_id(body: Mapping[str, Any], what: str) -> str:
    found = _text(body.get("id"))
    if not found:
        raise MalformedAnswer(f"{what} has no id")
    return found


# The answers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberOrganization:
    """An organization or business group the user is a member of."""

    id: str
    """The organization's id."""
    name: str | None
    """The organization's name."""


@dataclass(frozen=True)
class User:
    """A platform user, from ``/me`` (``user``) or ``/profile`` (flat)."""

    id: str | None
    username: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    organization_id: str | None
    organization_name: str | None
    member_of_organizations: tuple[MemberOrganization, ...]

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> User:
        """Read a user object (its echoed ``access_token``, if any, is not kept)."""
        organization = _object(body.get("organization"))
        return cls(
            id=_text(body.get("id")),
            username=_text(body.get("username")),
            first_name=_text(body.get("firstName")),
            last_name=_text(body.get("lastName")),
            email=_text(body.get("email")),
            organization_id=_text(body.get("organizationId")) or _text(organization.get("id")),
            organization_name=_text(organization.get("name")),
            member_of_organizations=tuple(
                MemberOrganization(id=org["id"], name=_text(org.get("name")))
                for org in _objects(body.get("memberOfOrganizations"))
                if isinstance(org.get("id"), str)
            ),
        )


@dataclass(frozen=True)
class App:
    """The connected app behind a token, from ``/me`` (``client``)."""

    client_id: str | None
    name: str | None
    organization_id: str | None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> App:
        return cls(client_id=_text(body.get("client_id")), name=_text(body.get("name")),
                   organization_id=_text(body.get("org_id")))


@dataclass(frozen=True)
class Me:
    """``/accounts/api/me``: the user, the connected app, or both, by the token's kind."""

    user: User | None
    client: App | None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Me:
        user, app = _object(body.get("user")), _object(body.get("client"))
        return cls(user=User.from_json(user) if user else None,
                   client=App.from_json(app) if app else None)

    @property
    def organization_id(self) -> str | None:
        """The organization the token belongs to, when the answer says."""
        return ((self.user.organization_id if self.user else None)
                or (self.client.organization_id if self.client else None))


@dataclass(frozen=True)
class SessionInfo:
    """``/accounts/api/session`` (shape assumed; lenient): when the session ends."""

    expires_at: datetime | None
    lifetime_seconds: float | None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> SessionInfo:
        return cls(expires_at=_first_time(body), lifetime_seconds=_first_lifetime(body))


def _first_time(body: Mapping[str, Any]) -> datetime | None:
    for key in ("expiresAt", "expires_at", "expirationDate"):
        found = parse_rfc3339(body.get(key))
        if found is not None:
            return found
    return None


def _first_lifetime(body: Mapping[str, Any]) -> float | None:
    for key, unit in (("expires_in", 1), ("expiresIn", 1), ("sessionTimeout", 60)):
        value = body.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) * unit
    return None


@dataclass(frozen=True, eq=False)
class Environment(Model):
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

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Environment:
        """An entry of Anypoint's answer (lenient about gaps)."""
        kind = _text(item.get("type"))
        production = item.get("isProduction")
        return cls(
            id=str(item.get("id") or ""),
            name=str(item.get("name") or ""),
            organization_id=_text(item.get("organizationId")),
            is_production=production if isinstance(production, bool) else kind == "production",
            type=kind,
            client_id=_text(item.get("clientId")),
        )


def _environments(value: Any) -> tuple[Environment, ...]:
    return tuple(Environment.from_json(item) for item in _objects(value))


@dataclass(frozen=True, eq=False)
class Organization(Model):
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

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Organization:
        timeout = body.get("sessionTimeout")
        return cls(
            id=_required_id(body, "the organization"),
            name=_text(body.get("name")),
            parent_id=_parent(body),
            sub_organization_ids=_ids(body.get("subOrganizationIds")),
            session_timeout_minutes=timeout if isinstance(timeout, int) and not isinstance(
                timeout, bool) else None,
            environments=_environments(body.get("environments")),
        )


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

    @classmethod
    def from_json(cls, body: Mapping[str, Any], parent_id: str | None = None) -> BusinessGroup:
        """A ``/hierarchy`` answer (or one of its ``subOrganizations``), recursively."""
        found = _required_id(body, "a business group of the hierarchy")
        return cls(
            id=found,
            name=_text(body.get("name")),
            parent_id=_parent(body) or parent_id,
            environments=_environments(body.get("environments")),
            business_groups=tuple(cls.from_json(child, found)
                                  for child in _objects(body.get("subOrganizations"))),
        )

    def walk(self) -> Iterator[BusinessGroup]:
        """This group and every group below it, depth first."""
        yield self
        for child in self.business_groups:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        """The subtree as plain JSON-ready data."""
        return _plain(dataclasses.asdict(self))  # type: ignore[no-any-return]


@dataclass(frozen=True, eq=False)
class ApiResponse(Model):
    """An answer of any Anypoint API (``AccessManagementClient.request``, ``get_api_response``).

    ``body`` is the parsed JSON (objects are dicts, arrays lists), else the text, else ``None``
    (an empty answer, ``HEAD``). The caller's token is masked wherever the answer echoed it.
    """

    method: str
    """The method sent (``GET``…)."""
    path: str
    """The path on the control plane (without the query)."""
    status: int
    """The HTTP status (2xx: anything else is raised as an error)."""
    headers: dict[str, str]
    """The headers that matter, lower-cased: ``content-type``, ``etag``, ``last-modified``,
    ``link``, ``location``, ``retry-after``, ``x-ratelimit-*``, ``x-request-id``,
    ``x-total-count``."""
    body: Any
    """The parsed JSON, the text, or ``None``."""

    __hash__ = None  # type: ignore[assignment]  # holds dicts and lists
