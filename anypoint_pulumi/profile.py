"""``get_profile``: who a token belongs to, a user or a connected app acting on its own behalf.

User tokens (login, SAML, a connected app acting for a user) are read from
``/accounts/api/profile``. That endpoint answers 401 "no user attached" to client-credentials
tokens, so for those the profile comes from ``/accounts/api/me`` instead: exactly one request when
the token's kind is known (an ``AnypointToken`` knows its grant type; else pass ``grant_type=``),
at most two otherwise. The token ``/profile`` echoes back is dropped: a result never holds a
credential, and it is not secret (see :mod:`anypoint_pulumi.functions`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import pulumi

from .errors import AnypointError, TokenRejectedError, UnexpectedResponseError
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
    text,
    token_inputs,
)

if TYPE_CHECKING:
    from .client import AccessManagementClient
    from .token import AnypointToken

__all__ = [
    "AwaitableProfile",
    "MemberOrganization",
    "Profile",
    "get_profile",
    "get_profile_output",
]


@dataclass(frozen=True)
class MemberOrganization:
    """An organization or business group the user is a member of."""

    id: str
    """The organization's id."""
    name: str | None
    """The organization's name."""


@dataclass(frozen=True, eq=False)
class Profile(Result):
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

    def to_dict(self) -> dict[str, Any]:
        """The profile as plain JSON-ready data (e.g. to ``pulumi.export`` it whole)."""
        data = asdict(self)
        data["member_of_organizations"] = list(data["member_of_organizations"])
        return data


class AwaitableProfile(Profile, AwaitableResult):
    """What :func:`get_profile` returns: a :class:`Profile` that ``await`` turns plain."""


def get_profile(
    *,
    access_token: str | None = None,
    token: AnypointToken | None = None,
    region: str | None = None,
    base_url: str | None = None,
    grant_type: str | None = None,
    timeout_seconds: float | None = None,
    ca_bundle: str | None = None,
    verify_tls: bool | None = None,
) -> AwaitableProfile:
    """Read the profile of a token now (plain values; ``await`` works too).

    Give the token as ``access_token=`` (with ``region=`` or ``base_url=``, default ``us``) or as
    ``token=`` an ``AnypointToken``. ``grant_type`` (``client_credentials``, ``password``,
    ``login``, ``saml``; taken from ``token=``) saves a request for client tokens.
    ``timeout_seconds`` (default 30), ``ca_bundle`` and ``verify_tls`` tune the connection.
    """
    inputs = token_inputs(access_token=access_token, token=token, region=region,
                          base_url=base_url, grant_type=grant_type,
                          timeout_seconds=timeout_seconds, ca_bundle=ca_bundle,
                          verify_tls=verify_tls)
    return as_awaitable(AwaitableProfile, call_plain("get_profile", inputs, _fetch))


def get_profile_output(
    *,
    access_token: pulumi.Input[str] | None = None,
    token: AnypointToken | None = None,
    region: pulumi.Input[str] | None = None,
    base_url: pulumi.Input[str] | None = None,
    grant_type: pulumi.Input[str] | None = None,
    timeout_seconds: pulumi.Input[float] | None = None,
    ca_bundle: pulumi.Input[str] | None = None,
    verify_tls: pulumi.Input[bool] | None = None,
) -> pulumi.Output[Profile]:
    """The profile of a token as an ``Output`` (``pulumi.Input`` values, e.g. ``token=token``).

    Unknown while the token is (in preview, a token created or renewed in this run); not secret,
    though the token is: wrap a field in ``pulumi.Output.secret`` to keep it secret. Same
    arguments as :func:`get_profile`; ``profile.organization_id`` is an ``Output[str]``.
    """
    inputs = token_inputs(access_token=access_token, token=token, region=region,
                          base_url=base_url, grant_type=grant_type,
                          timeout_seconds=timeout_seconds, ca_bundle=ca_bundle,
                          verify_tls=verify_tls)
    return call_output(inputs, _fetch)


def _fetch(values: dict[str, Any]) -> Profile:
    context = describe("get_profile")
    try:
        connection = Connection.from_values(values)
        with connection.client() as client:
            return _read(client, connection)
    except AnypointError as exc:
        raise failure(exc, context) from None


def _read(client: AccessManagementClient, connection: Connection) -> Profile:
    token = connection.access_token
    if connection.kind == CLIENT:
        return _from_me(client, client.me(token))
    if connection.kind == USER:
        return _from_user(client.profile(token), {})
    try:
        return _from_user(client.profile(token), {})
    except TokenRejectedError as exc:
        if exc.status != 401:
            raise
    # A client-credentials token ("no user attached"), or a rejected one: /me tells them apart.
    return _from_me(client, client.me(token))


def _from_me(client: AccessManagementClient, me: dict[str, Any]) -> Profile:
    user, app = mapping(me.get("user")), mapping(me.get("client"))
    if user:
        return _from_user(user, app)
    if not app:
        raise UnexpectedResponseError(
            "Unexpected answer from Anypoint: /me has neither a user nor a client",
            host=client.host, endpoint="GET /accounts/api/me", status=200,
            hint="Check base_url points at an Anypoint control plane",
        )
    client_id = text(app.get("client_id"))
    return Profile(
        kind="client",
        id=client_id,
        username=None,
        first_name=None,
        last_name=None,
        email=None,
        organization_id=text(app.get("org_id")),
        organization_name=None,
        member_of_organizations=(),
        client_id=client_id,
        client_name=text(app.get("name")),
    )


def _from_user(user: dict[str, Any], app: dict[str, Any]) -> Profile:
    organization = mapping(user.get("organization"))
    members = user.get("memberOfOrganizations")
    return Profile(
        kind="user",
        id=text(user.get("id")),
        username=text(user.get("username")),
        first_name=text(user.get("firstName")),
        last_name=text(user.get("lastName")),
        email=text(user.get("email")),
        organization_id=text(user.get("organizationId")) or text(organization.get("id")),
        organization_name=text(organization.get("name")),
        member_of_organizations=tuple(
            MemberOrganization(id=org["id"], name=text(org.get("name")))
            for org in (members if isinstance(members, list) else [])
            if isinstance(org, dict) and isinstance(org.get("id"), str)
        ),
        client_id=text(app.get("client_id")),
        client_name=text(app.get("name")),
    )
