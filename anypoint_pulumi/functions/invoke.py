"""The Python front end of the data functions: plain and ``_output`` forms over the core.

Each data function comes as a pair, like the functions of Pulumi's generated SDKs:

* ``get_x(...)`` takes plain values and returns the typed result at once, in its ``Awaitable…``
  flavour (``await get_x(...)`` works too);
* ``get_x_output(...)`` takes ``pulumi.Input`` values and returns a ``pulumi.Output`` of the result.

Both are a :class:`DataFunction` over one declared
:class:`~anypoint_pulumi.core.functions.Function`.
What is Pulumi's is done here: ``token=`` an ``AnypointToken`` gives its ``access_token``,
``base_url``, ``grant_type`` and every connection setting the program gave it (an explicit
argument wins); ``access_token=`` takes ``region``/``base_url``, else the stack's config, else the
environment (:mod:`anypoint_pulumi.core.sources`); ``Output`` values are resolved; and the
result's secrecy is decided. Reaching Anypoint is :func:`anypoint_pulumi.core.functions.invoke`.

**Secrecy.** A result holds no credential, so the ``_output`` forms drop the secrecy of the token
and of how to reach Anypoint; any other secret argument, at any depth (a secret inside
``json=``), keeps the result secret, and so does ``secret=True``. A login function's result is
always secret. **Preview:** an unknown token gives an unknown result and no request.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

import pulumi

from ..access.errors import ConfigurationError
from ..core import functions as core
from ..core.inputs import CONNECTION_NAMES, LOGIN_NAMES
from ..core.results import AwaitableResult, as_awaitable
from ..token.config import program_defaults, program_location
from ..token.provider import notify

if TYPE_CHECKING:
    from ..token.resource import AnypointToken

__all__ = ["Connection", "DataFunction"]

A = TypeVar("A", bound=AwaitableResult)

_DEPENDENCIES = "__depends_on"
_TOKEN_ARGUMENTS = ("access_token", "token", "region", "base_url", "grant_type",
                    *CONNECTION_NAMES)
"""The arguments that say how to reach Anypoint (``token`` is Python's own)."""


class Connection(TypedDict, total=False):
    """How a data function reaches Anypoint (plain values, or ``pulumi.Input`` ones).

    The token: ``access_token`` (with ``region`` or ``base_url``; else the stack's config, then
    the environment; default ``us``), or ``token`` an ``AnypointToken`` (its control plane and
    connection settings are used), or neither: the ``ANYPOINT_ACCESS_TOKEN`` a pipeline handed
    over. ``timeout_seconds`` (the whole call's budget, default 30), ``ca_bundle`` and
    ``verify_tls`` tune the connection.
    """

    access_token: pulumi.Input[str] | None
    token: AnypointToken | None
    region: pulumi.Input[str] | None
    base_url: pulumi.Input[str] | None
    timeout_seconds: pulumi.Input[float] | None
    ca_bundle: pulumi.Input[str] | None
    verify_tls: pulumi.Input[bool] | None


def _flat(function: core.Function, arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A function's ``locals()``: its own arguments, and those gathered in ``**kwargs`` (any
    that the function does not take refused, as Python refuses an unexpected keyword)."""
    flat = {key: value for key, value in arguments.items() if key not in ("connection", "inputs")}
    for gathered in ("connection", "inputs"):
        flat.update(arguments.get(gathered) or {})
    known = {*function.takes, "token", "opts"}
    unexpected = sorted(set(flat) - known)
    if unexpected:
        raise TypeError(f"{function.name}() got an unexpected keyword argument "
                        f"{unexpected[0]!r}: it takes {', '.join(sorted(known))}")
    return flat


@dataclass(frozen=True)
class DataFunction(Generic[A]):
    """A declared function and its awaitable result class, as Python programs call it."""

    function: core.Function
    awaitable: type[A]

    def plain(self, arguments: Mapping[str, Any]) -> A:
        """The ``get_x`` form: read now with plain values (an ``Output`` among them, such as
        ``token=``, is waited for; an unknown one is refused, pointing at ``get_x_output``)."""
        arguments = _flat(self.function, arguments)
        _check_options(arguments.get("opts"), pulumi.InvokeOptions)
        inputs = self._inputs(arguments)
        if self.function.logs_in and _in_program():
            _warn_plain_login_once(self.function.name)
        if not any(_holds_output(value) for value in inputs.values()):
            return as_awaitable(self.awaitable, self._fetch(inputs))
        from pulumi.runtime.sync_await import _sync_await

        async def resolve() -> tuple[dict[str, Any], list[str]]:
            # An Output at any depth (a secret inside json=) is resolved, not sent as an object.
            outputs = {key: pulumi.Output.from_input(value) for key, value in inputs.items()}
            return ({key: await out.future() for key, out in outputs.items()},
                    [key for key, out in outputs.items() if not await out.is_known()])

        values, unknown = _sync_await(resolve())
        if "access_token" in unknown:
            raise ConfigurationError(
                f"{self.function.name}(): the token is not known yet (it is created or renewed "
                "in this run, so `pulumi preview` cannot see it)", field="access_token",
                hint=f"Use {self.function.name}_output(...), whose result is unknown in preview "
                "and read during `pulumi up`")
        if unknown:
            raise ConfigurationError(
                f"{self.function.name}(): {unknown[0]} is not known yet (it depends on a "
                "resource created in this run, so `pulumi preview` cannot see it)",
                field=unknown[0],
                hint=f"Use {self.function.name}_output(...), whose result is unknown in preview "
                "and read during `pulumi up`")
        return as_awaitable(self.awaitable, self._fetch(values))

    def output(self, arguments: Mapping[str, Any]) -> pulumi.Output[Any]:
        """The ``get_x_output`` form: the read lifted over the inputs, in a worker thread."""
        arguments = _flat(self.function, arguments)
        opts = _check_options(arguments.get("opts"), pulumi.InvokeOutputOptions)
        inputs = self._inputs(arguments)
        dependencies = _dependencies(opts)
        if dependencies is not None:
            inputs[_DEPENDENCIES] = dependencies
        secret = arguments.get(self.function.secret_argument or "")
        if self.function.secret_argument and not isinstance(secret, (bool, type(None))):
            raise ConfigurationError(
                f"{self.function.secret_argument} must be a plain true or false (it decides "
                "before the call whether the result is secret), not "
                f"{type(secret).__name__}", field=self.function.secret_argument)

        def run(values: dict[str, Any]) -> Any:
            return asyncio.to_thread(self._fetch, values)

        fetched: pulumi.Output[Any] = pulumi.Output.all(**inputs).apply(run)
        if self.function.logs_in or secret is True:
            return pulumi.Output.secret(fetched)  # it holds the token it logged in for
        read = pulumi.Output.unsecret(fetched)
        # Only the secrecy of the token and of how to reach Anypoint is dropped (no result holds
        # them): any other secret input, at any depth, still makes the result secret.
        others = {key: pulumi.Output.from_input(value) for key, value in inputs.items()
                  if core.carries_secrecy(key) and key != _DEPENDENCIES}
        if not others:
            return read
        secrecy = pulumi.Output.all(**others).apply(lambda _: None)
        return pulumi.Output.all(read, secrecy).apply(lambda pair: pair[0])

    def _inputs(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments to resolve: the function's own, and how to reach Anypoint."""
        if self.function.logs_in:
            given = {name: arguments[name] for name in LOGIN_NAMES
                     if arguments.get(name) is not None}
            return program_defaults(given)
        own = {key: value for key, value in arguments.items()
               if key in self.function.takes and key not in _TOKEN_ARGUMENTS}
        connection = _connection(**{key: arguments.get(key) for key in _TOKEN_ARGUMENTS})
        values = core.handed_over({**connection, **own}, self.function)
        if values.get("access_token") is None:
            raise ConfigurationError(
                "give the token either as access_token= (with region= or base_url=) or as "
                "token= an AnypointToken, or hand one over in the "
                f"{core.ENV_TOKEN} environment variable", field="access_token")
        return values

    def _fetch(self, values: Mapping[str, Any]) -> Any:
        plain = {key: value for key, value in values.items() if key != _DEPENDENCIES}
        return core.invoke(self.function, plain, notify=lambda notice: notify([notice]))


def _connection(*, access_token: Any, token: AnypointToken | None, region: Any, base_url: Any,
                grant_type: Any, **settings: Any) -> dict[str, Any]:
    """How to reach Anypoint (plain or ``pulumi.Input`` values, not yet resolved): from ``token=``
    (everything the token knows) or from ``access_token=`` (config and environment fill the
    location, as for the resource); neither: the pipeline's hand-over (see
    :func:`~anypoint_pulumi.core.functions.handed_over`)."""
    if token is None:
        return {"access_token": access_token, "grant_type": grant_type, **settings,
                **program_location(region, base_url)}
    from ..token.resource import AnypointToken

    if access_token is not None:
        raise ConfigurationError(
            "give the token either as access_token= (with region= or base_url=) or as token= an "
            "AnypointToken, not both", field="access_token")
    if not isinstance(token, AnypointToken):
        raise ConfigurationError(
            f"token must be an AnypointToken, not {type(token).__name__}: pass a bearer token "
            "string (or its Output) as access_token= instead", field="token")
    if region is not None or base_url is not None:
        raise ConfigurationError(
            "region/base_url cannot be combined with token=: the AnypointToken already knows "
            "its control plane", field="base_url")
    inherited = token.connection_settings
    return {"access_token": token.access_token, "base_url": token.base_url,
            "grant_type": grant_type if grant_type is not None else token.grant_type,
            **{key: settings[key] if settings[key] is not None else inherited.get(key)
               for key in CONNECTION_NAMES}}


_WARNED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
"""The functions warned about, per run: a run's resource monitor is its own (the Automation API
hosts several runs of inline programs in one process, each with a new monitor)."""


def _in_program() -> bool:
    """Whether a Pulumi program (or its mocks) is running in this process."""
    return pulumi.runtime.settings.get_monitor() is not None


def _warn_plain_login_once(name: str) -> None:
    """The plain form of a login function holds the token in plain text: a program that exports
    it or passes it on stores it unencrypted. Said once per program run."""
    warned = _WARNED.setdefault(pulumi.runtime.settings.get_monitor(), set())
    if name in warned:
        return
    warned.add(name)
    pulumi.log.warn(
        f"{name}() returns the token as a plain value: exported or passed to a resource it is "
        f"stored in plaintext. Use {name}_output(...), whose result is secret.")


def _holds_output(value: Any) -> bool:
    """Whether ``value`` is or holds (in a dict, list or tuple, at any depth) an Output."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_holds_output(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_output(item) for item in value)
    return False


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
