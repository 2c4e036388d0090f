"""The one invocation helper every data function goes through.

Each data function comes as a pair, like the functions of Pulumi's generated SDKs:

* ``get_x(...)`` takes plain values and returns the typed result at once, in its ``Awaitable…``
  flavour (``await get_x(...)`` works too);
* ``get_x_output(...)`` takes ``pulumi.Input`` values and returns a ``pulumi.Output`` of the result.

Both are a :class:`DataFunction` and a ``read`` over a :class:`Call`. The helper resolves the
token and the connection the same way the token resource does: ``token=`` an ``AnypointToken``
gives its ``access_token``, ``base_url``, ``grant_type`` and every connection setting the program
gave it (``timeout_seconds``, ``ca_bundle``, ``verify_tls``; an explicit argument wins);
``access_token=`` takes ``region``/``base_url``, else ``anypoint:region``/``anypoint:baseUrl``,
else ``ANYPOINT_BASE_URL``/``ANYPOINT_HOST``/``ANYPOINT_CPLANE`` (else ``us``). The values are then
validated by :meth:`ConnectionSettings.resolve`, the resource's own checks, and the read runs over
the pooled client of those settings.

With neither, the token comes from ``ANYPOINT_ACCESS_TOKEN`` (a pipeline's handoff, the name the
community Terraform provider reads), and then ``organization_id`` of the organization-scoped
functions defaults to ``ANYPOINT_ORG``, as anypoint-cli-v4 reads it.

A *login* function (``get_access_token``) takes no token: it takes ``AnypointToken``'s login
inputs, defaults them from config and environment as the resource does
(:func:`~anypoint_pulumi.token.schema.resolve_defaults`), checks them with the resource's own
:func:`~anypoint_pulumi.token.schema.check`, and logs in on every call
(:func:`~anypoint_pulumi.token.provider.login`).

**Results are not secret.** They hold no credential, so the ``_output`` forms unsecret the token's
secrecy (another secret input still makes the result secret; a function with a ``secret``
argument keeps its result secret when it is true; a login function's result is always secret).
**Preview:** an unknown token gives an unknown result and no request. **Errors** are the access
layer's classes, copied with the function's context and Pulumi advice
(:meth:`AnypointError.with_context`); never the token. Nothing loads the HTTP client until a read
really happens.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pulumi

from ..access.deadline import operation
from ..access.endpoints import ME, segment_problem
from ..access.errors import (
    AnypointError,
    ConfigurationError,
    PermissionDeniedError,
    TokenRejectedError,
    UnexpectedResponseError,
)
from ..access.models import AccessToken, GrantType, Kind, Model
from ..access.settings import ConnectionSettings, check_timeout
from ..token.schema import resolve_location
from .results import AwaitableResult, as_awaitable

if TYPE_CHECKING:
    from ..access.client import AccessManagementClient
    from ..token.resource import AnypointToken

__all__ = ["ENV_ORGANIZATION", "ENV_TOKEN", "REJECTED_HINT", "Call", "DataFunction",
           "login_inputs", "token_inputs"]

T = TypeVar("T", bound=Model)
A = TypeVar("A", bound=AwaitableResult)

CONNECTION_ARGUMENTS = ("access_token", "token", "region", "base_url", "grant_type",
                        "timeout_seconds", "ca_bundle", "verify_tls")
"""The arguments every data function takes to reach Anypoint (``opts`` aside)."""
_INHERITED = ("timeout_seconds", "ca_bundle", "verify_tls")
_DEPENDENCIES = "__depends_on"

REJECTED_HINT = (
    "With an AnypointToken, run `pulumi up --refresh`: the refresh notices the expired or revoked "
    "token and the update renews it (a token passed as access_token must be replaced by a fresh "
    "one). If it persists, grant the connected app (scopes) or the user (roles) the permission"
)
"""What to do about a rejected token (Anypoint answers 401 for expired, revoked and forbidden)."""


ENV_TOKEN = "ANYPOINT_ACCESS_TOKEN"
"""The environment variable a pipeline hands a token over in (read when no token is given)."""
ENV_ORGANIZATION = "ANYPOINT_ORG"
"""The organization id that goes with it (anypoint-cli-v4's name)."""


@dataclass(frozen=True)
class Call:
    """What a data function's read gets: the client, the token, its kind when known, and the
    function's own arguments (plain values); ``issued`` is the token a login function got."""

    client: AccessManagementClient
    token: str
    kind: Kind | None
    args: Mapping[str, Any]
    issued: AccessToken | None = None

    def organization_id(self) -> str:
        """The ``organization_id`` argument, or else the token's own organization (``/me``)."""
        given = self.args.get("organization_id")
        if given is not None:
            if not isinstance(given, str) or not given.strip():
                raise ConfigurationError("organization_id must be a non-empty string, or unset "
                                         "for the token's own organization",
                                         field="organization_id")
            return given.strip()
        found = self.client.me(self.token).organization_id
        if not found or segment_problem(found):
            what = "no organization" if not found else "an organization id no URL can hold"
            raise UnexpectedResponseError(
                f"Unexpected answer from Anypoint: /me names {what} for this token",
                host=self.client.host, endpoint=f"GET {ME}", status=200,
                hint="Pass organization_id explicitly")
        return found


@dataclass(frozen=True)
class DataFunction(Generic[T, A]):
    """One data function: its name, its read, its awaitable result class, the arguments its
    errors name, and how it gets its token and treats secrecy."""

    name: str
    read: Callable[[Call], T]
    awaitable: type[A]
    shown: tuple[str, ...] = ()
    login: bool = False
    """It logs in itself, from ``AnypointToken``'s login inputs, instead of taking a token; its
    ``_output`` result is secret (it holds the token)."""
    secret_argument: str | None = None
    """An argument that, when true, keeps the ``_output`` result secret."""
    env_organization: bool = False
    """``organization_id`` defaults to ``ANYPOINT_ORG`` when the token came from
    ``ANYPOINT_ACCESS_TOKEN``."""

    def plain(self, arguments: Mapping[str, Any]) -> A:
        """The ``get_x`` form: read now with plain values (an ``Output`` among them, such as
        ``token=``, is waited for; an unknown one is refused, pointing at ``get_x_output``)."""
        _check_options(arguments.get("opts"), pulumi.InvokeOptions)
        inputs = self._inputs(arguments)
        if not any(isinstance(value, pulumi.Output) for value in inputs.values()):
            return as_awaitable(self.awaitable, self._fetch(inputs))
        from pulumi.runtime.sync_await import _sync_await

        async def resolve() -> tuple[dict[str, Any], bool]:
            combined = pulumi.Output.all(**inputs)
            return await combined.future() or {}, await combined.is_known()

        values, known = _sync_await(resolve())
        if not known:
            raise ConfigurationError(
                f"{self.name}(): the token is not known yet (it is created or renewed in this "
                "run, so `pulumi preview` cannot see it)", field="access_token",
                hint=f"Use {self.name}_output(...), whose result is unknown in preview and read "
                "during `pulumi up`")
        return as_awaitable(self.awaitable, self._fetch(values))

    def output(self, arguments: Mapping[str, Any]) -> pulumi.Output[T]:
        """The ``get_x_output`` form: the read lifted over the inputs, in a worker thread."""
        opts = _check_options(arguments.get("opts"), pulumi.InvokeOutputOptions)
        inputs = self._inputs(arguments)
        dependencies = _dependencies(opts)
        if dependencies is not None:
            inputs[_DEPENDENCIES] = dependencies

        def run(values: dict[str, Any]) -> Any:
            return asyncio.to_thread(self._fetch, values)

        fetched: pulumi.Output[T] = pulumi.Output.all(**inputs).apply(run)
        if self.login:
            return pulumi.Output.secret(fetched)  # it holds the token it logged in for
        read = pulumi.Output.unsecret(fetched)
        if self.secret_argument and arguments.get(self.secret_argument) is True:
            return pulumi.Output.secret(read)
        # Only the secrecy of the token and of how to reach Anypoint is dropped (those are
        # secret when they come from a secret token or get_access_token result, and no result
        # holds them): another secret input (an organization id from a secret config value,
        # say) still makes the result secret.
        others = {key: value for key, value in inputs.items()
                  if key not in (*CONNECTION_ARGUMENTS, _DEPENDENCIES)
                  and isinstance(value, pulumi.Output)}
        if not others:
            return read
        secrecy = pulumi.Output.all(**others).apply(lambda _: None)
        return pulumi.Output.all(read, secrecy).apply(lambda pair: pair[0])

    def _inputs(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        if self.login:
            return login_inputs(arguments)
        own = {key: value for key, value in arguments.items()
               if key not in CONNECTION_ARGUMENTS and key != "opts"}
        handed_over = arguments.get("access_token") is None and arguments.get("token") is None
        if (self.env_organization and handed_over and own.get("organization_id") is None
                and os.environ.get(ENV_ORGANIZATION, "").strip()):
            own["organization_id"] = os.environ[ENV_ORGANIZATION].strip()
        return {**token_inputs(**{key: arguments.get(key) for key in CONNECTION_ARGUMENTS}),
                **own}

    def _fetch(self, values: Mapping[str, Any]) -> T:
        shown = ", ".join(f"{key}={values[key]!r}" for key in self.shown
                          if values.get(key) is not None)
        context = f"{self.name}({shown})"
        try:
            # All its requests (a login, /me, every page, a second listing) share one budget:
            # timeout_seconds.
            with operation(check_timeout(values.get("timeout_seconds"))):
                if self.login:
                    call = _login_call(values)
                else:
                    call = _call(values, {key: value for key, value in values.items()
                                          if key not in (*CONNECTION_ARGUMENTS, _DEPENDENCIES)})
                return self.read(call)
        except AnypointError as exc:
            rejected = isinstance(exc, TokenRejectedError) and not isinstance(
                exc, PermissionDeniedError)
            failure = exc.with_context(context, hint=REJECTED_HINT if rejected else None)
        raise failure


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
    """The connection inputs of a data function (plain or ``pulumi.Input``), not yet resolved:
    from ``token=`` (everything the token knows) or from ``access_token=`` (config and
    environment fill the location, as for the resource)."""
    if access_token is None and token is None:
        access_token = os.environ.get(ENV_TOKEN, "").strip() or None
    if (access_token is None) == (token is None):
        raise ConfigurationError(
            "give the token either as access_token= (with region= or base_url=) or as token= an "
            "AnypointToken" + (", not both" if token is not None else
                               f", or hand one over in the {ENV_TOKEN} environment variable"),
            field="access_token",
        )
    explicit = {"timeout_seconds": timeout_seconds, "ca_bundle": ca_bundle,
                "verify_tls": verify_tls}
    if token is None:
        return {"access_token": access_token, "grant_type": grant_type, **explicit,
                **resolve_location(region, base_url)}
    from ..token.resource import AnypointToken

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
    inherited = token.connection_settings
    return {"access_token": token.access_token, "base_url": token.base_url,
            "grant_type": grant_type if grant_type is not None else token.grant_type,
            **{key: explicit[key] if explicit[key] is not None else inherited.get(key)
               for key in _INHERITED}}


def _call(values: Mapping[str, Any], args: Mapping[str, Any]) -> Call:
    """Validate the resolved connection values and make the :class:`Call`."""
    from ..access.client import AccessManagementClient

    token = values.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise ConfigurationError(
            "access_token is empty: pass the access_token output of an AnypointToken (or "
            "token=the AnypointToken itself), or another Anypoint access token",
            field="access_token",
        )
    settings = ConnectionSettings.resolve(
        region=values.get("region"), base_url=values.get("base_url"),
        timeout_seconds=values.get("timeout_seconds"), ca_bundle=values.get("ca_bundle"),
        verify_tls=values.get("verify_tls"))
    grant = _grant_type(values.get("grant_type"))
    if not settings.verify_tls and not settings.ca_bundle and settings.base_url.startswith(
            "https://"):
        pulumi.log.warn(
            f"verify_tls is false: the TLS certificate of {settings.base_url} is not verified, so "
            "anyone on the network path can read the token. Set ca_bundle to the PEM file of the "
            "CA that signed it instead.")
    return Call(AccessManagementClient(settings=settings), token.strip(),
                grant.kind if grant else None, args)


def login_inputs(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A login function's inputs: those given, completed from config and environment exactly as
    ``AnypointToken``'s (credentials and location, each as a group)."""
    from ..token.schema import LOGIN_NAMES, resolve_defaults

    given_ = {name: arguments[name] for name in LOGIN_NAMES if arguments.get(name) is not None}
    return resolve_defaults(given_)


def _login_call(values: Mapping[str, Any]) -> Call:
    """Check a login function's resolved inputs with the resource's own checks, log in, and make
    the :class:`Call` of the token it got."""
    from ..token import schema
    from ..token.provider import client_for, login, warn_if_insecure

    inputs, failures = schema.check({key: value for key, value in values.items()
                                     if key in schema.LOGIN_NAMES})
    if failures:
        raise ConfigurationError("; ".join(failure.reason for failure in failures),
                                 field=failures[0].property)
    flow = schema.flow_of(inputs)
    warn_if_insecure(inputs)
    client = client_for(inputs)
    try:
        issued = login(client, inputs)
    except AnypointError as exc:
        failure = exc.with_context(f"{flow.label if flow else 'login'} failed")
    else:
        return Call(client, issued.access_token, issued.grant_type.kind, {}, issued)
    raise failure


def _grant_type(value: Any) -> GrantType | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"grant_type must be a string, not {type(value).__name__}",
                                 field="grant_type")
    try:
        return GrantType(value.strip().lower())
    except ValueError:
        raise ConfigurationError(
            f"unknown grant_type {value!r}: use one of {', '.join(g.value for g in GrantType)} "
            "(the flow that produced the token), or leave it unset",
            field="grant_type",
        ) from None


Options = TypeVar("Options", pulumi.InvokeOptions, pulumi.InvokeOutputOptions)


def _check_options(opts: Any, expected: type[Options]) -> Options | None:
    if opts is not None and not isinstance(opts, expected):
        raise TypeError(f"opts must be a pulumi.{expected.__name__}, not {type(opts).__name__}")
    return opts


def _dependencies(opts: pulumi.InvokeOutputOptions | None) -> pulumi.Output[Any] | None:
    """An output that settles once every resource of ``opts.depends_on`` is created."""
    depends_on = getattr(opts, "depends_on", None)
    if not depends_on:
        return None

    def settled(found: Any) -> pulumi.Output[Any]:
        resources = found if isinstance(found, (list, tuple)) else [found]
        return pulumi.Output.all(*[r.id if isinstance(r, pulumi.CustomResource) else r.urn
                                   for r in resources])

    return pulumi.Output.from_input(depends_on).apply(settled)
