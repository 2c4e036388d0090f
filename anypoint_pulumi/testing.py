"""Unit-test Pulumi programs that use :class:`~anypoint_pulumi.AnypointToken`, without the CLI.

:class:`AnypointMocks` is a :class:`pulumi.runtime.Mocks` that runs the token's **real** provider
(``check`` then ``create``) for every ``AnypointToken`` the program declares, so the program gets a
real token from the control plane it names -- typically the local emulator::

    import pulumi
    from anypoint_pulumi import AnypointToken
    from anypoint_pulumi.emulator import Emulator
    from anypoint_pulumi.testing import AnypointMocks, resolve_sync

    def test_token_is_secret():
        with Emulator() as emu:
            mocks = AnypointMocks()
            pulumi.runtime.set_mocks(mocks, preview=False)

            @pulumi.runtime.test
            def program():
                token = AnypointToken("ci", client_id=emu.demo.client_id,
                                      client_secret=emu.demo.client_secret,
                                      base_url=emu.base_url)
                assert resolve_sync(token.access_token).is_secret

            program()
            assert mocks.tokens[0].grant_type == "client_credentials"

Like the engine, the mocks mark ``access_token``, ``client_secret``, ``password`` and
``saml_response`` (the resource's ``additional_secret_outputs``) and every output whose input was
secret as secrets. Under a preview (``set_mocks(..., preview=True)``) the provider's ``check``
runs but nothing logs in: the token outputs are unknown, as on the first ``pulumi preview``.
Other resource types echo their inputs (id ``<name>-id``) unless a ``fallback`` mocks is given.

This module imports neither the emulator nor the HTTP client; the provider loads the client on
its first login.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import dill
import pulumi
from pulumi.dynamic import ResourceProvider
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from .provider import SECRET_INPUTS, TOKEN_OUTPUTS

__all__ = [
    "TOKEN_TYPE",
    "AnypointMocks",
    "CheckFailedError",
    "MockToken",
    "Resolved",
    "resolve",
    "resolve_sync",
]

TOKEN_TYPE = "pulumi-python:dynamic/anypoint:AnypointToken"
"""The type token under which an ``AnypointToken`` reaches ``Mocks.new_resource``."""

SECRET_OUTPUTS = ("access_token", *SECRET_INPUTS)
"""The ``additional_secret_outputs`` of ``AnypointToken``, applied here as the engine would."""

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

    @property
    def tokens(self) -> list[MockToken]:
        """The tokens created so far, oldest first (non-secret outputs only)."""
        with self._lock:
            return list(self._tokens)

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        """Run the provider for an ``AnypointToken``; delegate or echo for anything else."""
        if args.typ != TOKEN_TYPE:
            if self.fallback is not None:
                return self.fallback.new_resource(args)
            return f"{args.name}-id", dict(args.inputs)
        return self._token(args)

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

    def _token(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        provider = _load_provider(args.inputs.get(_PROVIDER_KEY))
        secret_keys = {key for key, value in args.inputs.items() if _contains_secret(value)}
        secret_keys.update(SECRET_OUTPUTS)
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
