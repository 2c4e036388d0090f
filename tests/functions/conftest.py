"""Fixtures of the data-function tests: one emulator per module, tokens of both kinds, and a
small Pulumi mocks runtime that runs ``AnypointToken``'s real provider against the emulator.

The mocks are ``anypoint_pulumi.testing.AnypointMocks``, noting what the tests check: the tokens
issued (to prove no error shows one) and the inputs other resources received.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import TOKEN_TYPE, AnypointMocks
from anypoint_pulumi.token import AnypointToken

_SECRET_KEY = rpc._special_sig_key
_SECRET_SIG = rpc._special_secret_sig


@pytest.fixture(autouse=True)
def _no_anypoint_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ``ANYPOINT_*`` variable of the caller's reaches a data function, and no config set by a
    test outlives it."""
    import os

    for name in list(os.environ):
        if name.startswith("ANYPOINT_"):
            monkeypatch.delenv(name)
    yield
    pulumi.runtime.set_all_config({}, [])


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One started, demo-seeded emulator per test module."""
    with Emulator() as emulator:
        yield emulator


def plain_token(emu: Emulator, kind: str) -> str:
    """A fresh bearer token of ``kind`` (``client`` or ``user``), straight from the client."""
    with AccessManagementClient(base_url=emu.base_url) as client:
        if kind == "client":
            return client.client_credentials(emu.demo.client_id,
                                             emu.demo.client_secret).access_token
        return client.login(emu.demo.username, emu.demo.password).access_token


def token_args(emu: Emulator, kind: str) -> dict[str, Any]:
    """``AnypointToken`` inputs for a token of ``kind``: client credentials, or the password
    grant of a connected app acting for the demo user."""
    if kind == "client":
        return {"client_id": emu.demo.client_id, "client_secret": emu.demo.client_secret,
                "base_url": emu.base_url}
    return {"client_id": emu.demo.user_app_client_id,
            "client_secret": emu.demo.user_app_client_secret,
            "username": emu.demo.username, "password": emu.demo.password,
            "base_url": emu.base_url}


@pytest.fixture
def token_of(clean: Emulator) -> Callable[[str], str]:
    """``token_of(kind)``: a fresh plain token; the request log is emptied afterwards."""

    def make(kind: str) -> str:
        token = plain_token(clean, kind)
        clean.clear_requests()
        return token

    return make


class EmulatorMocks(AnypointMocks):
    """``anypoint_pulumi.testing.AnypointMocks`` (the real provider logs in; the token output is
    secret as the engine makes it), noting the tokens issued and other resources' inputs.

    ``unknown_token=True`` plays a preview of a token created in this run (unknown outputs);
    otherwise the token logs in, also in a preview (an existing, fresh token).
    """

    def __init__(self, *, unknown_token: bool = False) -> None:
        super().__init__(preview=unknown_token)
        self.inputs: dict[str, dict[str, Any]] = {}
        self.issued: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None,
                                                                            dict[Any, Any]]:
        if args.typ != TOKEN_TYPE:
            self.inputs[args.name] = dict(args.inputs)
        resource_id, outs = super().new_resource(args)
        token = outs.get("access_token")
        if isinstance(token, dict) and token.get(_SECRET_KEY) == _SECRET_SIG:
            self.issued.append(token["value"])
        return resource_id, outs


@dataclass
class Resolved:
    """What a program's output came to under the mocks."""

    value: Any
    known: bool
    secret: bool
    mocks: EmulatorMocks = field(repr=False)


class ProgramRunner:
    """``program(fn, preview=False, unknown_token=False)``: run ``fn`` (which declares resources
    and returns an Output) under fresh mocks; ``program.mocks`` are the last run's, even when
    the run raised."""

    def __init__(self) -> None:
        self.mocks = EmulatorMocks()

    def __call__(self, program: Callable[[], Any], *, preview: bool = False,
                 unknown_token: bool = False) -> Resolved:
        self.mocks = EmulatorMocks(unknown_token=unknown_token)
        return _run(program, self.mocks, preview)


def _run(program: Callable[[], Any], mocks: EmulatorMocks, preview: bool) -> Resolved:
    # A loop of its own: an earlier asyncio.run() (in any test) leaves the thread without one,
    # and Pulumi's runtime needs a current loop from set_mocks on.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return _run_in_loop(program, mocks, preview)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _run_in_loop(program: Callable[[], Any], mocks: EmulatorMocks, preview: bool) -> Resolved:
    pulumi.runtime.set_mocks(mocks, preview=preview)
    got: dict[str, Any] = {}

    @pulumi.runtime.test
    def body() -> pulumi.Output[None]:
        out = pulumi.Output.from_input(program())

        async def grab() -> None:
            got["known"] = await out.is_known()
            got["secret"] = await out.is_secret()
            got["value"] = await out.future()

        return pulumi.Output.from_input(grab())

    body()
    return Resolved(got["value"], got["known"], got["secret"], mocks)


@pytest.fixture
def program() -> ProgramRunner:
    """``program(fn, preview=False, unknown_token=False)``: see :class:`ProgramRunner`."""
    return ProgramRunner()


@pytest.fixture
def declare_token(clean: Emulator) -> Callable[[str], AnypointToken]:
    """``declare_token(kind)``: declare an ``AnypointToken`` of ``kind`` (inside a program)."""

    def declare(kind: str) -> AnypointToken:
        return AnypointToken(f"{kind}-token", **token_args(clean, kind))

    return declare


@pytest.fixture
def shown() -> Callable[[BaseException], str]:
    """``shown(exc)``: everything an exception shows (message, repr, traceback, causes)."""

    def text(exc: BaseException) -> str:
        return "\n".join([str(exc), repr(exc), *traceback.format_exception(exc)])

    return text


def login_args(emu: Emulator, flow: str) -> dict[str, Any]:
    """``get_access_token`` arguments for ``flow`` against ``emu`` (a fresh SAML response each
    call)."""
    demo = emu.demo
    where = {"base_url": emu.base_url}
    if flow == "client_credentials":
        return {"client_id": demo.client_id, "client_secret": demo.client_secret, **where}
    if flow == "password":
        return {**token_args(emu, "user")}
    if flow == "login":
        return {"username": demo.username, "password": demo.password, **where}
    if flow == "jwt_bearer":
        return {"client_id": demo.jwt_client_id, "private_key": emu.jwt_private_key,
                "identity_provider_id": demo.jwt_identity_provider_id,
                "username": demo.jwt_username, **where}
    return {"saml_response": emu.saml_response(demo.saml_username), **where}


LOGIN_FLOWS = ("client_credentials", "password", "login", "saml", "jwt_bearer")
