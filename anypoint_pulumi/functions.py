"""What the data functions (``get_profile``, ``get_environments``, ``get_organization``…) share.

Each data function comes as a pair, like the functions of Pulumi's generated SDKs:

* ``get_x(...)`` takes plain values and returns the typed result at once, in its ``Awaitable…``
  flavour: ``await get_x(...)`` works too and yields an equal plain result, exactly as generated
  SDKs' ``AwaitableGetXResult`` does.
* ``get_x_output(...)`` takes ``pulumi.Input`` values (``token.access_token``, another function's
  output…) and returns a ``pulumi.Output`` of the result.

The token comes either as ``access_token=`` (with ``region=`` or ``base_url=``; the ``us`` control
plane by default) or as ``token=`` an :class:`~anypoint_pulumi.AnypointToken`, whose resolved
``base_url`` and ``grant_type`` are then used (pass ``ca_bundle``/``verify_tls``/
``timeout_seconds`` again if the token needed them).

**Results are not secret.** They hold no credential (the token ``/accounts/api/profile`` echoes
back is dropped), so ``pulumi.export("orgId", profile.organization_id)`` shows a plain value even
though the token it was read with is a secret: the ``_output`` forms deliberately
``pulumi.Output.unsecret`` their result. To keep a value secret anyway, wrap it:
``pulumi.Output.secret(profile.email)``.

**Preview.** When the token is unknown (the ``AnypointToken`` is created or renewed in this run)
the ``_output`` result is unknown and no request is made; when it is known the read happens during
preview too, like a Terraform data source.

**Errors** are :class:`~anypoint_pulumi.AnypointError` subclasses (``TokenRejectedError``,
``PermissionDeniedError``, ``NotFoundError``…) that name the function, what it was reading, the
host and endpoint, and what to do next; never the token. They are also ``pulumi.RunError``, so a
failing program prints the message without a Python traceback.

Nothing here imports the HTTP client until a read really happens: ``import anypoint_pulumi``
stays cheap, and a preview whose token is unknown never loads ``requests``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi

from .errors import (
    AnypointError,
    ConfigurationError,
    PermissionDeniedError,
    TokenRejectedError,
    UnexpectedResponseError,
)
from .grants import GrantType
from .regions import resolve_base_url

if TYPE_CHECKING:
    from .client import AccessManagementClient
    from .token import AnypointToken

__all__ = [
    "AwaitableResult",
    "Connection",
    "Result",
    "as_awaitable",
    "call_output",
    "call_plain",
    "describe",
    "failure",
    "mapping",
    "organization_argument",
    "own_organization_id",
    "target_organization",
    "text",
    "token_inputs",
]

T = TypeVar("T")
A = TypeVar("A", bound="AwaitableResult")

DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_TIMEOUT_SECONDS = 600.0

USER = "user"
CLIENT = "client"
_KIND_OF_GRANT: Mapping[str, str] = {
    GrantType.CLIENT_CREDENTIALS.value: CLIENT,
    GrantType.PASSWORD.value: USER,
    GrantType.LOGIN.value: USER,
    GrantType.SAML.value: USER,
}

REJECTED_HINT = (
    "With an AnypointToken, run `pulumi up --refresh`: the refresh notices the expired or revoked "
    "token and the update renews it (a token passed as access_token must be replaced by a fresh "
    "one). If it persists, grant the connected app (scopes) or the user (roles) the permission"
)
"""What to do about a rejected token (Anypoint answers 401 for expired, revoked and forbidden)."""


class Result:
    """Base of the results: frozen dataclasses (declared ``eq=False``) equal by their fields,
    whether plain (what the ``_output`` forms hold) or awaitable (what the plain forms return)."""

    __slots__ = ()

    def _flavour(self) -> type:
        """The dataclass itself, for its ``Awaitable…`` subclass too."""
        return next(c for c in type(self).__mro__ if "__dataclass_fields__" in c.__dict__)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result) or other._flavour() is not self._flavour():
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self._flavour(), self._values()))


class AwaitableResult(Result):
    """Mixin of the ``Awaitable…`` results the plain forms return. ``await`` yields an equal
    plain result, as generated SDKs' ``AwaitableGetXResult`` does: Pulumi awaits every awaitable
    it finds in an Output or an export, so one that yielded itself would be awaited forever.
    """

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, Any]:
        yield from ()
        return self._flavour()(*self._values())


def as_awaitable(cls: type[A], result: Result) -> A:
    """``result`` (a plain result) as its awaitable flavour ``cls``."""
    return cls(*result._values())


@dataclass(frozen=True)
class Connection:
    """A token and where and how to use it: plain values, resolved. ``repr`` hides the token."""

    access_token: str = field(repr=False)
    base_url: str
    grant_type: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    ca_bundle: str | None = None
    verify_tls: bool = True

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Connection:
        """Validate the resolved inputs of a data function (see :func:`token_inputs`)."""
        token = values.get("access_token")
        if not isinstance(token, str) or not token.strip():
            raise ConfigurationError(
                "access_token is empty: pass the access_token output of an AnypointToken (or "
                "token=the AnypointToken itself), or another Anypoint access token",
                field="access_token",
            )
        region, base_url = values.get("region"), values.get("base_url")
        for name, value in (("region", region), ("base_url", base_url),
                            ("grant_type", values.get("grant_type")),
                            ("ca_bundle", values.get("ca_bundle"))):
            if value is not None and not isinstance(value, str):
                raise ConfigurationError(f"{name} must be a string, not {type(value).__name__}",
                                         field=name)
        verify_tls = values.get("verify_tls")
        if verify_tls is not None and not isinstance(verify_tls, bool):
            raise ConfigurationError("verify_tls must be true or false", field="verify_tls")
        return cls(
            access_token=token.strip(),
            base_url=resolve_base_url(region or None, base_url or None),
            grant_type=_grant_type(values.get("grant_type")),
            timeout_seconds=_timeout(values.get("timeout_seconds")),
            ca_bundle=values.get("ca_bundle") or None,
            verify_tls=verify_tls is not False,
        )

    @property
    def kind(self) -> str | None:
        """``user`` or ``client`` when the grant type tells, else ``None``."""
        return _KIND_OF_GRANT.get(self.grant_type or "")

    def client(self) -> AccessManagementClient:
        """A client for this control plane (the HTTP stack loads here, on first use)."""
        from .client import AccessManagementClient

        return AccessManagementClient(
            base_url=self.base_url,
            timeout=(min(10.0, self.timeout_seconds), self.timeout_seconds),
            retry_budget=max(self.timeout_seconds, 30.0),
            verify_tls=self.verify_tls,
            ca_bundle=self.ca_bundle,
        )


def _grant_type(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, GrantType):
        return value.value
    name = value.strip().lower()
    if name not in _KIND_OF_GRANT:
        raise ConfigurationError(
            f"unknown grant_type {value!r}: use one of {', '.join(_KIND_OF_GRANT)} (the flow "
            "that produced the token), or leave it unset",
            field="grant_type",
        )
    return name


def _timeout(value: Any) -> float:
    if value is None:
        return DEFAULT_TIMEOUT_SECONDS
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError("timeout_seconds must be a number of seconds",
                                 field="timeout_seconds")
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:
        raise ConfigurationError(
            f"timeout_seconds must be more than 0 and at most {MAX_TIMEOUT_SECONDS:g}, "
            f"not {value!r}",
            field="timeout_seconds",
        )
    return seconds


def token_inputs(
    *,
    access_token: Any,
    token: AnypointToken | None,
    region: Any,
    base_url: Any,
    grant_type: Any,
    timeout_seconds: Any,
    ca_bundle: Any,
    verify_tls: Any,
) -> dict[str, Any]:
    """The connection inputs of a data function, from ``access_token=`` or ``token=``.

    Values may be plain or ``pulumi.Input``; nothing is resolved here. With ``token=``, its
    ``access_token``, ``base_url`` and ``grant_type`` outputs are used. Its ``ca_bundle``,
    ``verify_tls`` and ``timeout_seconds`` are not inherited: an unset (null) output reads as
    unknown in preview, which would make every result unknown there; pass them again.
    """
    if (access_token is None) == (token is None):
        raise ConfigurationError(
            "give the token either as access_token= (with region= or base_url=) or as token= an "
            "AnypointToken" + (", not both" if token is not None else ""),
            field="access_token",
        )
    if token is None:
        return {"access_token": access_token, "region": region, "base_url": base_url,
                "grant_type": grant_type, "timeout_seconds": timeout_seconds,
                "ca_bundle": ca_bundle, "verify_tls": verify_tls}
    from .token import AnypointToken

    if not isinstance(token, AnypointToken):
        raise ConfigurationError(
            f"token must be an AnypointToken, not {type(token).__name__}: pass a bearer token "
            "string (or its Output) as access_token= instead",
            field="token",
        )
    if region is not None or base_url is not None:
        raise ConfigurationError(
            "region/base_url cannot be combined with token=: the AnypointToken already knows "
            "its control plane",
            field="base_url",
        )
    return {"access_token": token.access_token, "region": None, "base_url": token.base_url,
            "grant_type": grant_type if grant_type is not None else token.grant_type,
            "timeout_seconds": timeout_seconds, "ca_bundle": ca_bundle, "verify_tls": verify_tls}


def call_plain(function: str, inputs: Mapping[str, Any], fetch: Callable[[dict[str, Any]], T],
               ) -> T:
    """Run ``fetch`` now with the plain values of ``inputs`` (the ``get_x`` form).

    An ``Output`` among the inputs (``token=`` an AnypointToken, a config secret) is waited for the
    way Pulumi's own plain invokes wait for theirs; an unknown one (in preview, a token created in
    this run) raises, pointing at the ``_output`` form.
    """
    if not any(isinstance(value, pulumi.Output) for value in inputs.values()):
        return fetch(dict(inputs))
    from pulumi.runtime.sync_await import _sync_await

    async def resolve() -> tuple[dict[str, Any], bool]:
        combined = pulumi.Output.all(**inputs)
        return await combined.future() or {}, await combined.is_known()

    values, known = _sync_await(resolve())
    if not known:
        raise failure(
            ConfigurationError(
                "the token is not known yet (it is created or renewed in this run, so "
                "`pulumi preview` cannot see it)",
                field="access_token",
                hint=f"Use {function}_output(...), whose result is unknown in preview and read "
                "during `pulumi up`",
            ),
            f"{function}()",
        )
    return fetch(values)


def call_output(inputs: Mapping[str, Any], fetch: Callable[[dict[str, Any]], T],
                ) -> pulumi.Output[T]:
    """``fetch`` lifted over ``inputs`` (the ``get_x_output`` form), run in a worker thread.

    Unknown inputs give an unknown result and no request. The result is not secret even when the
    token is (it holds no credential), unless another input is: wrap it in
    ``pulumi.Output.secret`` to keep it secret.
    """

    def run(values: dict[str, Any]) -> Any:
        return asyncio.to_thread(fetch, values)

    read: pulumi.Output[T] = pulumi.Output.unsecret(pulumi.Output.all(**inputs).apply(run))
    # Only the token's secrecy is dropped: another secret input (an organization id from a
    # secret config value, say) still makes the result secret.
    others = {key: value for key, value in inputs.items()
              if key != "access_token" and isinstance(value, pulumi.Output)}
    if not others:
        return read
    secrecy = pulumi.Output.all(**others).apply(lambda _: None)
    return pulumi.Output.all(read, secrecy).apply(lambda pair: pair[0])


_PROGRAM_ERRORS: dict[type[AnypointError], type[AnypointError]] = {}


def _program_error(cls: type[AnypointError]) -> type[AnypointError]:
    """``cls`` that is also a ``pulumi.RunError``: Pulumi prints its message, no traceback."""
    if issubclass(cls, pulumi.RunError):
        return cls
    found = _PROGRAM_ERRORS.get(cls)
    if found is None:
        found = type(cls.__name__, (cls, pulumi.RunError),
                     {"__doc__": cls.__doc__, "__module__": __name__})
        _PROGRAM_ERRORS[cls] = found
    return found


def failure(exc: AnypointError, context: str, *, message: str | None = None,
            hint: str | None = None, cls: type[AnypointError] | None = None) -> AnypointError:
    """A copy of ``exc`` whose message starts with ``context`` (the function and what it read).

    ``message`` replaces what happened, ``hint`` what to do, ``cls`` the class; the copy keeps
    host, endpoint and status, and is a ``pulumi.RunError`` too. Raise it ``from None``.
    """
    target = _program_error(cls or type(exc))
    new = target.__new__(target)
    new.__dict__.update(exc.__dict__)
    new.message = f"{context}: {message or exc.message}"
    if hint is not None:
        new.hint = hint
    elif isinstance(new, TokenRejectedError) and not isinstance(new, PermissionDeniedError):
        new.hint = REJECTED_HINT
    new.args = (str(new),)
    return new


def organization_argument(values: Mapping[str, Any]) -> str | None:
    """The ``organization_id`` argument, checked; ``None`` for the token's own organization."""
    organization_id = values.get("organization_id")
    if organization_id is None:
        return None
    if not isinstance(organization_id, str) or not organization_id.strip():
        raise ConfigurationError("organization_id must be a non-empty string, or unset for the "
                                 "token's own organization", field="organization_id")
    return organization_id.strip()


def target_organization(client: AccessManagementClient, connection: Connection,
                        values: Mapping[str, Any]) -> str:
    """The ``organization_id`` argument, or else the token's own organization (from ``/me``)."""
    return organization_argument(values) or own_organization_id(client, connection)


def own_organization_id(client: AccessManagementClient, connection: Connection) -> str:
    """The organization the token belongs to, from ``/accounts/api/me`` (one request)."""
    me = client.me(connection.access_token)
    user, app = mapping(me.get("user")), mapping(me.get("client"))
    organization = mapping(user.get("organization"))
    for found in (user.get("organizationId"), organization.get("id"), app.get("org_id")):
        if isinstance(found, str) and found:
            return found
    raise UnexpectedResponseError(
        "Unexpected answer from Anypoint: /me names no organization for this token",
        host=client.host, endpoint="GET /accounts/api/me", status=200,
        hint="Pass organization_id explicitly",
    )


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object field of an answer, or ``{}`` when absent or not an object."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    """A string field of an answer, or ``None`` when absent or not a string."""
    return value if isinstance(value, str) else None


def describe(function: str, **what: Any) -> str:
    """``get_x(organization_id='…')``: the context an error starts with (no token, ever)."""
    shown = ", ".join(f"{key}={value!r}" for key, value in what.items() if value is not None)
    return f"{function}({shown})"
