"""The program's view: a Pulumi program declaring ``AnypointToken`` under
``pulumi.runtime.set_mocks(AnypointMocks())``, which runs the real provider against the emulator
and marks secrets as the engine does; preview; and where credentials come from
(:func:`resolve_defaults`: explicit inputs, then ``anypoint:*`` config, then ``ANYPOINT_*``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.runtime import config as runtime_config

from anypoint_pulumi import AnypointToken, AnypointTokenArgs
from anypoint_pulumi.access.errors import BadCredentialsError
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import (
    TOKEN_TYPE,
    AnypointMocks,
    CheckFailedError,
    Resolved,
    resolve,
    resolve_sync,
)

from .conftest import flow_inputs, run

ENV_VARS = ("ANYPOINT_CLIENT_ID", "ANYPOINT_CLIENT_SECRET", "ANYPOINT_USERNAME",
            "ANYPOINT_PASSWORD", "ANYPOINT_BASE_URL", "ANYPOINT_HOST", "ANYPOINT_CPLANE")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ``ANYPOINT_*`` variable and no Pulumi config leak in or out of a test."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    saved, secret_keys = dict(runtime_config.CONFIG.get()), set(runtime_config._SECRET_KEYS.get())
    runtime_config.set_all_config({}, [])
    yield
    runtime_config.set_all_config(saved, sorted(secret_keys))
    # A failed program leaves cycles of futures and coroutines behind. Collect them here, at a
    # safe point: CPython 3.11.7 and older can fail an ast.parse that a collection interrupts
    # ("AST constructor recursion depth mismatch", gh-106905), e.g. werkzeug's rule compiler.
    gc.collect()




def declare(emu: Emulator, flow: str = "client_credentials", **extra: Any) -> AnypointToken:
    return AnypointToken("ci", **{**flow_inputs(emu, flow), **extra})


def token_outputs(token: AnypointToken) -> dict[str, Any]:
    return {"access_token": token.access_token, "grant_type": token.grant_type,
            "token_type": token.token_type, "issued_at": token.issued_at,
            "expires_at": token.expires_at, "base_url": token.base_url, "id": token.id}


# Up ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["client_credentials", "password", "login", "saml"])
def test_program_gets_a_working_token_from_the_emulator(emu: Emulator, flow: str) -> None:
    got, mocks = run(lambda: token_outputs(declare(emu, flow)))

    assert emu.is_active(got["access_token"].value)
    assert got["id"].value != got["access_token"].value
    assert [(t.name, t.grant_type, t.base_url) for t in mocks.tokens] == [
        ("ci", got["grant_type"].value, emu.base_url)]
    assert mocks.tokens[0].expires_at == got["expires_at"].value


def test_access_token_is_secret(emu: Emulator) -> None:
    got, _ = run(lambda: {"token": declare(emu).access_token})

    assert got["token"].is_secret
    assert got["token"].is_known


def test_client_secret_is_secret_even_when_passed_as_a_plain_string(emu: Emulator) -> None:
    got, _ = run(lambda: {"secret": declare(emu).client_secret})  # type: ignore[attr-defined]

    assert got["secret"].value == emu.demo.client_secret
    assert got["secret"].is_secret


@pytest.mark.parametrize("flow, key", [("password", "password"), ("login", "password"),
                                       ("saml", "saml_response")])
def test_password_and_saml_response_are_secret(emu: Emulator, flow: str, key: str) -> None:
    got, _ = run(lambda: {key: getattr(declare(emu, flow), key)})

    assert got[key].is_secret


@pytest.mark.parametrize("key", ["grant_type", "token_type", "issued_at", "expires_at",
                                 "base_url", "id"])
def test_token_facts_are_plain(emu: Emulator, key: str) -> None:
    got, _ = run(lambda: token_outputs(declare(emu)))

    assert got[key].is_known
    assert not got[key].is_secret


def test_a_resource_consuming_the_token_receives_it_as_a_secret(emu: Emulator) -> None:
    def program() -> dict[str, Any]:
        token = declare(emu)
        consumer = pulumi.CustomResource("test:index:Consumer", "consumer",
                                         {"token": token.access_token, "note": "plain"})
        return {"token": consumer.token, "note": consumer.note,  # type: ignore[attr-defined]
                "id": consumer.id}

    got, _ = run(program)

    assert emu.is_active(got["token"].value)
    assert got["token"].is_secret
    assert not got["note"].is_secret
    assert got["id"].value == "consumer-id"


def test_the_mocks_record_no_secret(emu: Emulator) -> None:
    got, mocks = run(lambda: {"token": declare(emu, "password").access_token})

    recorded = repr(mocks.tokens)
    for secret in (got["token"].value, emu.demo.user_app_client_secret, emu.demo.password):
        assert secret not in recorded


def test_async_resolve_reports_the_same_as_resolve_sync(emu: Emulator) -> None:
    pulumi.runtime.set_mocks(AnypointMocks(), preview=False)
    got: list[Resolved[Any]] = []

    @pulumi.runtime.test
    def body() -> pulumi.Output[None]:
        token = declare(emu)

        async def check() -> None:
            got.append(await resolve(token.access_token))
            got.append(resolve_sync(token.access_token))

        return pulumi.Output.from_input(check())

    body()

    assert got[0] == got[1]
    assert got[0].is_secret and got[0].is_known


def test_base_url_override_sends_every_token_to_the_given_url(emu: Emulator) -> None:
    def program() -> dict[str, Any]:
        return token_outputs(AnypointToken("eu", client_id=emu.demo.client_id,
                                           client_secret=emu.demo.client_secret, region="eu"))

    got, _ = run(program, mocks=AnypointMocks(base_url=emu.base_url))

    assert got["base_url"].value == emu.base_url
    assert emu.is_active(got["access_token"].value)


# Failures ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("preview", [False, True])
def test_check_failure_fails_the_program_listing_every_failure(emu: Emulator,
                                                               preview: bool) -> None:
    def program() -> dict[str, Any]:
        return {"t": AnypointToken("bad", client_id="only-an-id", region="mars").access_token}

    with pytest.raises(CheckFailedError) as caught:
        run(program, preview=preview)

    assert {prop for prop, _ in caught.value.failures} == {"client_secret", "region"}
    assert "AnypointToken 'bad' failed check (2 failures)" in str(caught.value)
    assert emu.count() == 0


def test_refused_login_fails_the_program_with_the_providers_error(emu: Emulator) -> None:
    with pytest.raises(BadCredentialsError, match="client-credentials login failed"):
        run(lambda: {"t": declare(emu, client_secret="0" * 32).access_token})


# Preview ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mocks_preview", [None, True])
def test_preview_leaves_the_token_unknown_and_makes_no_request(emu: Emulator,
                                                               mocks_preview: bool | None) -> None:
    got, mocks = run(lambda: token_outputs(declare(emu)),
                     mocks=AnypointMocks(preview=mocks_preview), preview=True)

    for key in ("access_token", "grant_type", "expires_at", "issued_at", "id"):
        assert not got[key].is_known, key
    assert got["access_token"].is_secret
    assert got["base_url"].value == emu.base_url  # an input: known in a preview
    assert emu.count() == 0
    assert mocks.tokens == []


def test_preview_mocks_outside_a_preview_are_refused(emu: Emulator) -> None:
    with pytest.raises(RuntimeError, match=r"set_mocks\(\.\.\., preview=True\)"):
        run(lambda: {"t": declare(emu).access_token}, mocks=AnypointMocks(preview=True))


def test_preview_of_an_existing_token_knows_it(emu: Emulator) -> None:
    got, _ = run(lambda: {"t": declare(emu).access_token}, mocks=AnypointMocks(preview=False),
                 preview=True)

    assert got["t"].is_known and got["t"].is_secret


# Other resource types ---------------------------------------------------------------------------


class Recording(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.types: list[str] = []
        self.calls: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.types.append(args.typ)
        return "fallback-id", {**args.inputs, "extra": "from-fallback"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        self.calls.append(args.token)
        return {"answer": 42}, None


def test_other_types_and_calls_go_to_the_fallback_mocks(emu: Emulator) -> None:
    fallback = Recording()

    def program() -> dict[str, Any]:
        declare(emu)
        other = pulumi.CustomResource("test:index:Other", "other", {"extra": None})
        answer = pulumi.runtime.invoke("test:index:getAnswer", {}).value
        return {"extra": other.extra, "id": other.id,  # type: ignore[attr-defined]
                "answer": answer["answer"]}

    got, mocks = run(program, mocks=AnypointMocks(fallback=fallback))

    assert fallback.types == ["test:index:Other"]  # the token never reaches the fallback
    assert fallback.calls == ["test:index:getAnswer"]
    assert (got["extra"].value, got["id"].value, got["answer"].value) == (
        "from-fallback", "fallback-id", 42)
    assert [t.name for t in mocks.tokens] == ["ci"]
    assert TOKEN_TYPE not in fallback.types


def test_calls_without_a_fallback_return_nothing() -> None:
    assert AnypointMocks().call(pulumi.runtime.MockCallArgs("test:index:f", {}, "")) == ({}, [])


# Defaults through the Pulumi runtime ------------------------------------------------------------


def test_program_takes_credentials_and_base_url_from_anypoint_config(
        emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime_config.set_all_config(
        {"anypoint:clientId": emu.demo.client_id, "anypoint:clientSecret": emu.demo.client_secret,
         "anypoint:baseUrl": emu.base_url},
        ["anypoint:clientSecret"])
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", "env-id-that-would-fail")
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", "env-secret-that-would-fail")
    monkeypatch.setenv("ANYPOINT_CPLANE", "eu")

    def program() -> dict[str, Any]:
        token = AnypointToken("from-config", AnypointTokenArgs())
        return {**token_outputs(token), "client_id": token.client_id,
                "client_secret": token.client_secret}  # type: ignore[attr-defined]

    got, mocks = run(program)

    assert emu.is_active(got["access_token"].value)
    assert got["client_id"].value == emu.demo.client_id
    assert got["client_secret"].is_secret
    assert mocks.tokens[0].base_url == emu.base_url


def test_program_falls_back_to_anypoint_environment_variables(
        emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_USERNAME", emu.demo.username)
    monkeypatch.setenv("ANYPOINT_PASSWORD", emu.demo.password)
    monkeypatch.setenv("ANYPOINT_HOST", emu.base_url.split("//")[1])

    def program() -> dict[str, Any]:
        token = AnypointToken("from-env")
        return {**token_outputs(token), "password": token.password}  # type: ignore[attr-defined]

    got, _ = run(program)

    assert got["grant_type"].value == "login"
    assert got["base_url"].value == emu.base_url
    assert got["password"].is_secret  # a plain environment variable, stored as a secret
