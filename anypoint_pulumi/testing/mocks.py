"""Unit-test Pulumi programs that use :class:`~anypoint_pulumi.AnypointToken`, without the CLI.

:class:`AnypointMocks` is a :class:`pulumi.runtime.Mocks` that runs the token's **real** provider
(``check`` then ``create``) for every ``AnypointToken`` the program declares, so the program gets a
real token from the control plane it names -- typically the local emulator::

    import pulumi
    from anypoint_pulumi import AnypointToken
    from anypoint_pulumi.emulator import Emulator
    from anypoint_pulumi.testing import AnypointMocks, resolve_sync, set_mocks

    def test_token_is_secret():
        with Emulator() as emu:
            mocks = AnypointMocks()
            set_mocks(mocks, preview=False)

            @pulumi.runtime.test
            def program():
                token = AnypointToken("ci", client_id=emu.demo.client_id,
                                      client_secret=emu.demo.client_secret,
                                      base_url=emu.base_url)
                assert resolve_sync(token.access_token).is_secret

            program()
            assert mocks.tokens[0].grant_type == "client_credentials"

Like the engine, the mocks mark as secret exactly the outputs the registration declares
(``additionalSecretOutputs``, from the resource's options) and those whose input arrived secret,
nothing else: so a test of secrecy tests the resource, not the mocks. :func:`set_mocks` installs
them with a monitor that hands them each registration; under a plain ``pulumi.runtime.set_mocks``
they read it from the SDK's mock monitor. Under a preview (``set_mocks(..., preview=True)``) the
provider's ``check`` runs but nothing logs in: the token outputs are unknown, as on the first
``pulumi preview``. Other resource types echo their inputs (id ``<name>-id``) unless a ``fallback``
mocks is given.

This module imports neither the emulator nor the HTTP client; the provider loads the client on
its first login.
"""

from __future__ import annotations

import asyncio
import base64
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import dill
import pulumi
from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.sync_await import _sync_await

from ..core.inputs import TOKEN_OUTPUTS
from ..token.resource import TOKEN_TYPE

_PROVIDER_KEY = "__provider"
_SIG = rpc._special_sig_key
_SECRET = rpc._special_secret_sig

T = TypeVar("T")


class CheckFailedError(ValueError):
    """The provider's ``check`` refused a token's inputs, as ``pulumi preview`` would.

    ``failures`` holds ``(property, reason)`` pairs.
    """

    def __init__(self, name: str, failures: list[tuple[str, str]]) -> None:
        self.name = name
        self.failures = failures
        listed = "; ".join(f"{prop}: {reason}" for prop, reason in failures)
        super().__init__(f"AnypointToken {name!r} failed check ({len(failures)} failure"
                         f"{'s' if len(failures) != 1 else ''}): {listed}")


@dataclass(frozen=True)
class MockToken:
    """The non-secret outputs of a token the mocks created (the token itself is not kept)."""

    name: str
    id: str
    grant_type: str
    base_url: str
    issued_at: str
    expires_at: str


@dataclass(frozen=True)
class MockRegistration:
    """One resource registration as the engine received it: inputs (secret ones still wrapped)
    and the ``additionalSecretOutputs`` its options declared."""

    type: str
    name: str
    inputs: Mapping[str, Any]
    additional_secret_outputs: tuple[str, ...]

    def is_secret(self, key: str) -> bool:
        """Whether input ``key`` arrived secret."""
        return _contains_secret(self.inputs.get(key))


class AnypointMonitor(MockMonitor):
    """The SDK's mock monitor, which also tells the mocks what each registration declares."""

    mocks: AnypointMocks

    def RegisterResource(self, request: Any) -> Any:
        self.mocks._declare(request.type, request.name, tuple(request.additionalSecretOutputs))
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]

    def ReadResource(self, request: Any) -> Any:
        self.mocks._declare(request.type, request.name, tuple(request.additionalSecretOutputs))
        return super().ReadResource(request)  # type: ignore[no-untyped-call]


def set_mocks(
    mocks: AnypointMocks,
    *,
    preview: bool = False,
    project: str | None = None,
    stack: str | None = None,
) -> None:
    """``pulumi.runtime.set_mocks`` with a monitor that lets ``mocks`` see each registration's
    declared secret outputs, as the engine does. The thread gets a fresh event loop when it has
    none (an earlier ``asyncio.run`` leaves it without one, and Pulumi's runtime needs one), so
    tests do not depend on the order they run in."""
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        loop = None
    if loop is None or loop.is_closed():
        asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview,
                             monitor=mocks.monitor())


def _declared_by_caller() -> tuple[str, ...] | None:
    """The ``additionalSecretOutputs`` of the registration being served, read from the SDK's own
    ``MockMonitor`` a few frames up (mocks installed by a plain ``pulumi.runtime.set_mocks``);
    ``None`` when no such request is found."""
    frame = sys._getframe(1)
    for _ in range(4):
        frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            return None
        request: Any = frame.f_locals.get("request")
        secret_outputs = getattr(request, "additionalSecretOutputs", None)
        if isinstance(frame.f_locals.get("self"), MockMonitor) and secret_outputs is not None:
            return tuple(secret_outputs)
    return None


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SIG) == _SECRET


def _contains_secret(value: Any) -> bool:
    if _is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(_contains_secret(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_secret(item) for item in value)
    return False


def _unwrap(value: Any) -> Any:
    """``value`` with every rpc secret wrapper removed, at any depth."""
    if _is_secret(value):
        return _unwrap(value["value"])
    if isinstance(value, Mapping):
        return {key: _unwrap(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unwrap(item) for item in value]
    return value


def _secret(value: Any) -> dict[str, Any]:
    """``value`` wrapped in the rpc secret signature, as the engine returns secret outputs."""
    return {_SIG: _SECRET, "value": _unwrap(value)}


def _load_provider(serialized: Any) -> ResourceProvider:
    """Unpickle ``__provider`` (plain or secret-wrapped), as ``python -m pulumi.dynamic`` does."""
    text = _unwrap(serialized)
    if not isinstance(text, str) or not text:
        raise TypeError(f"the AnypointToken carries no serialized provider (__provider is "
                        f"{type(text).__name__})")
    # The program's own resource input, unpickled exactly as `python -m pulumi.dynamic` does.
    provider = dill.loads(base64.b64decode(text))  # noqa: S301
    if not isinstance(provider, ResourceProvider):
        raise TypeError(f"__provider holds a {type(provider).__name__}, not a ResourceProvider")
    return provider


class AnypointMocks(pulumi.runtime.Mocks):
    """Pulumi mocks that run ``AnypointToken``'s real provider.

    ``preview``: ``None`` (default) follows ``set_mocks(preview=...)``: in a preview the token
    outputs are unknown and nothing logs in, otherwise the token is created. ``True`` insists on
    unknown token outputs (``set_mocks`` must then be given ``preview=True`` too, or the SDK would
    resolve the missing outputs as known ``None``). ``False`` always logs in: under a preview that
    plays an existing, still fresh token, whose outputs the engine knows.

    ``base_url``: when given, every token logs in there (e.g. the emulator's address) whatever
    ``region``/``base_url`` the program chose; ``check`` still validates the program's own choice.

    ``fallback``: the mocks for every other resource type and for ``call``; without one, other
    resources echo their inputs with the id ``<name>-id`` and calls return ``{}``.
    """

    def __init__(
        self,
        *,
        preview: bool | None = None,
        base_url: str | None = None,
        fallback: pulumi.runtime.Mocks | None = None,
    ) -> None:
        self.preview = preview
        self.base_url = base_url
        self.fallback = fallback
        self._lock = threading.Lock()
        self._tokens: list[MockToken] = []
        self._registrations: list[MockRegistration] = []
        self._declared: dict[tuple[str, str], tuple[str, ...]] = {}

    def monitor(self) -> AnypointMonitor:
        """A mock monitor for ``pulumi.runtime.set_mocks(mocks, monitor=...)`` (see
        :func:`set_mocks`)."""
        return AnypointMonitor(self)

    def _declare(self, typ: str, name: str, secret_outputs: tuple[str, ...]) -> None:
        with self._lock:
            self._declared[(typ, name)] = secret_outputs

    @property
    def registrations(self) -> list[MockRegistration]:
        """Every resource registered so far, oldest first, as the engine received it."""
        with self._lock:
            return list(self._registrations)

    @property
    def tokens(self) -> list[MockToken]:
        """The tokens created so far, oldest first (non-secret outputs only)."""
        with self._lock:
            return list(self._tokens)

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        """Run the provider for an ``AnypointToken``; delegate or echo for anything else."""
        with self._lock:
            declared = self._declared.pop((args.typ, args.name), None)
        if declared is None:
            declared = _declared_by_caller()
        if declared is None:
            raise RuntimeError(
                f"AnypointMocks cannot see what {args.name!r} declares secret: install them with "
                "anypoint_pulumi.testing.set_mocks(mocks, preview=...) (or "
                "pulumi.runtime.set_mocks(mocks, ..., monitor=mocks.monitor()))")
        registration = MockRegistration(args.typ, args.name, dict(args.inputs), declared)
        with self._lock:
            self._registrations.append(registration)
        if args.typ != TOKEN_TYPE:
            if self.fallback is not None:
                return self.fallback.new_resource(args)
            return f"{args.name}-id", _mark_secret(args.inputs, set(declared))
        return self._token(args, registration)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any],
                                                            list[tuple[str, str]] | None]:
        """Delegate to ``fallback``; without one, every call returns ``{}``.

        Failures come back as a list (``[]`` for none): the SDK's mock monitor iterates them and
        fails on ``None``, so a fallback's ``(result, None)`` is passed on as ``(result, [])``.
        """
        if self.fallback is None:
            return {}, []
        answer: Any = self.fallback.call(args)
        if isinstance(answer, dict):
            return answer, []
        result, failures = answer
        return result, list(failures or [])

    def _token(self, args: pulumi.runtime.MockResourceArgs,
               registration: MockRegistration) -> tuple[str, dict[str, Any]]:
        provider = _load_provider(args.inputs.get(_PROVIDER_KEY))
        # What the engine marks secret: the declared outputs, and outputs whose input was secret.
        secret_keys = {key for key in args.inputs if registration.is_secret(key)}
        secret_keys.update(registration.additional_secret_outputs)
        news = {key: _unwrap(value) for key, value in args.inputs.items()
                if key != _PROVIDER_KEY and value is not None}
        checked = provider.check({}, news)
        if checked.failures:
            raise CheckFailedError(args.name,
                                   [(f.property, f.reason) for f in checked.failures])
        inputs = {k: v for k, v in checked.inputs.items() if k != _PROVIDER_KEY}
        if self._previewing():
            # What the engine answers for a create in a preview: the checked inputs, no token.
            # The engine marks access_token secret even while it is unknown.
            outs = {k: v for k, v in inputs.items() if k not in TOKEN_OUTPUTS or k == "base_url"}
            outs["access_token"] = rpc.UNKNOWN
            return "", _mark_secret(outs, secret_keys)
        if self.base_url is not None:
            inputs.pop("region", None)
            inputs["base_url"] = self.base_url
        created = provider.create(inputs)
        outs = dict(created.outs or {})
        outs.pop(_PROVIDER_KEY, None)
        token = MockToken(
            name=args.name,
            id=str(created.id),
            grant_type=str(outs.get("grant_type")),
            base_url=str(outs.get("base_url")),
            issued_at=str(outs.get("issued_at")),
            expires_at=str(outs.get("expires_at")),
        )
        with self._lock:
            self._tokens.append(token)
        return str(created.id), _mark_secret(outs, secret_keys)

    def _previewing(self) -> bool:
        dry_run = pulumi.runtime.is_dry_run()
        if self.preview is None:
            return dry_run
        if self.preview and not dry_run:
            raise RuntimeError("AnypointMocks(preview=True) needs pulumi.runtime.set_mocks(..., "
                               "preview=True): outside a preview the SDK resolves missing "
                               "outputs as known None, not unknown")
        return self.preview


def _mark_secret(outs: Mapping[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: _secret(value) if key in keys and value is not None else value
            for key, value in outs.items()}


@dataclass(frozen=True)
class Resolved(Generic[T]):
    """What an :class:`pulumi.Output` settled to: its value (``None`` when unknown), whether it
    is secret, and whether it is known (``False`` in a preview for values not yet computed)."""

    value: T | None
    is_secret: bool
    is_known: bool


async def resolve(output: pulumi.Input[T]) -> Resolved[T]:
    """Wait for ``output`` (an ``Output`` or a plain value) and report value, secretness and
    knownness.

    It awaits the ``Output``'s own futures (``future()``, ``is_secret()``, ``is_known()``: SDK
    internals that every Pulumi version since 3.0 has), so use it inside the program's event loop,
    e.g. ``Output.from_input(check())`` returned from a ``@pulumi.runtime.test`` function.
    """
    out = pulumi.Output.from_input(output)
    known = await out.is_known()
    secret = await out.is_secret()
    value = await out.future()
    return Resolved(value if known else None, secret, known)


def resolve_sync(output: pulumi.Input[T]) -> Resolved[T]:
    """:func:`resolve` from synchronous code: pumps the SDK's event loop until ``output`` settles.

    Works inside a ``@pulumi.runtime.test`` function body and after declaring resources under
    ``set_mocks`` at top level (it uses the SDK's own ``_sync_await``).
    """
    return _sync_await(resolve(output))
