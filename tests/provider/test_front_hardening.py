"""``AnypointToken`` where users meet it, attacked (issue 17, classes 11 and 12, the config
namespace order, and what a new user tripped on).

- ``repr(AnypointTokenArgs(...))`` never shows a secret input (hypothesis over the values);
- a client secret, password or private key set as **plain** config is used, with a warning that
  names the key and ``pulumi config set --secret`` (and holds no value);
- each credential group comes whole from one namespace, ours (``anypoint-auth:``) first, in a
  program under the mocks: fast, and with the stack's real config machinery;
- a missing client secret says where to set it: the config key and the environment variable;
- a refused login, through the SDK's real dynamic provider server, is a short traceback whose
  last line is the one that matters.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi.runtime import config as runtime_config

from anypoint_pulumi import AnypointToken, AnypointTokenArgs, get_access_token_output
from anypoint_pulumi.core.inputs import SECRET_INPUTS
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import CheckFailedError, Resolved
from tests.secrets import new_canary
from tests.support.provider_server import ProviderError, ProviderServer

from .conftest import run as run_program

ENV_PREFIX = "ANYPOINT_"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No ``ANYPOINT_*`` variable and no Pulumi config leak in or out of a test."""
    import os

    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    saved, secret_keys = dict(runtime_config.CONFIG.get()), set(runtime_config._SECRET_KEYS.get())
    runtime_config.set_all_config({}, [])
    yield
    runtime_config.set_all_config(saved, sorted(secret_keys))
    gc.collect()  # see tests/provider/test_program.py: cycles of a failed program, collected here


def run(program: Callable[[], Mapping[str, Any]], *,
        config: Mapping[str, str] | None = None,
        secret_keys: tuple[str, ...] = ()) -> dict[str, Resolved[Any]]:
    """``program`` under the mocks with the stack's config set to ``config`` (``secret_keys``
    of it set with ``--secret``); every output it returns, resolved."""
    runtime_config.set_all_config(dict(config or {}), list(secret_keys))
    return run_program(program)[0]


def token_program() -> dict[str, Any]:
    token = AnypointToken("from-config")
    return {"access_token": token.access_token, "grant_type": token.grant_type,
            "base_url": token.base_url}


# Class 12: repr hides the secret inputs -------------------------------------------------------


SECRET_VALUES = st.text(min_size=1, max_size=40)


@given(client_secret=SECRET_VALUES, password=SECRET_VALUES, private_key=SECRET_VALUES,
       saml_response=SECRET_VALUES)
def test_property_repr_of_the_args_shows_no_secret_input(
        client_secret: str, password: str, private_key: str, saml_response: str) -> None:
    args = AnypointTokenArgs(client_id="shown-id", username="shown-user",
                             client_secret=client_secret, password=password,
                             private_key=private_key, saml_response=saml_response)

    for text in (repr(args), str(args), f"{args}", f"{args!r}"):
        for value in (client_secret, password, private_key, saml_response):
            assert repr(value) not in text
        assert "shown-id" in text and "shown-user" in text  # the repr is still the dataclass's
        for name in ("client_secret", "password", "private_key", "saml_response"):
            assert f"{name}=" not in text


def test_every_declared_secret_input_is_hidden_from_the_repr() -> None:
    """A secret input added later to the declaration is hidden too (the field list is typed by
    hand, so a test holds it to the declaration)."""
    canaries = {name: new_canary(name) for name in SECRET_INPUTS}

    text = repr(AnypointTokenArgs(**canaries))

    assert not [name for name, canary in canaries.items() if canary in text]
    assert set(SECRET_INPUTS) >= {"client_secret", "password", "private_key", "saml_response"}


def test_the_args_still_carry_the_values() -> None:
    secret = new_canary("secret")

    assert AnypointTokenArgs(client_secret=secret).to_inputs() == {"client_secret": secret}


# Class 11: a secret set as plain config -------------------------------------------------------


def flow_config(emu: Emulator, flow: str, namespace: str) -> dict[str, str]:
    """Config keys (``namespace:key``) of ``flow`` against ``emu``."""
    demo = emu.demo
    keys = {"client_credentials": {"clientId": demo.client_id,
                                   "clientSecret": demo.client_secret},
            "login": {"username": demo.username, "password": demo.password},
            "jwt_bearer": {"clientId": demo.jwt_client_id, "privateKey": emu.jwt_private_key,
                           "identityProviderId": demo.jwt_identity_provider_id,
                           "username": demo.jwt_username}}[flow]
    return {f"{namespace}:{key}": value
            for key, value in {**keys, "baseUrl": emu.base_url}.items()}


SECRET_KEY = {"client_credentials": "clientSecret", "login": "password",
              "jwt_bearer": "privateKey"}


@pytest.mark.parametrize("namespace", ["anypoint-auth", "anypoint"])
@pytest.mark.parametrize("flow", ["client_credentials", "login", "jwt_bearer"])
def test_a_secret_set_as_plain_config_is_used_and_warned_about(
        emulator: Emulator, warned: list[str], namespace: str, flow: str) -> None:
    config = flow_config(emulator, flow, namespace)
    key = f"{namespace}:{SECRET_KEY[flow]}"

    got = run(token_program, config=config)

    assert got["grant_type"].value == flow and emulator.is_active(got["access_token"].value)
    about = [w for w in warned if key in w]
    assert len(about) == 1, warned
    assert f"`pulumi config set --secret {key}`" in about[0]
    assert "plaintext" in about[0]
    shown = "\n".join(warned)
    assert not any(line in shown for line in config[key].splitlines() if len(line) > 8)


@pytest.mark.parametrize("flow", ["client_credentials", "login", "jwt_bearer"])
def test_a_secret_set_with_secret_is_not_warned_about(emulator: Emulator, warned: list[str],
                                                      flow: str) -> None:
    config = flow_config(emulator, flow, "anypoint-auth")

    got = run(token_program, config=config,
              secret_keys=(f"anypoint-auth:{SECRET_KEY[flow]}",))

    assert got["grant_type"].value == flow
    assert [w for w in warned if "config set --secret" in w] == []


def test_the_data_function_warns_about_a_plain_config_secret_too(emulator: Emulator,
                                                                 warned: list[str]) -> None:
    config = flow_config(emulator, "client_credentials", "anypoint-auth")

    got = run(lambda: {"grant_type": get_access_token_output().grant_type}, config=config)

    assert got["grant_type"].value == "client_credentials"
    assert any("`pulumi config set --secret anypoint-auth:clientSecret`" in w for w in warned)


# The config namespace order, fast -------------------------------------------------------------


def test_our_namespace_wins_whole_over_the_bridged_providers_user(emulator: Emulator,
                                                                   warned: list[str]) -> None:
    """Our connected app in ``anypoint-auth:``; a bridged Terraform provider's working user in
    ``anypoint:``. Mixed key by key, that is the password grant as the bridge's user."""
    config = {**flow_config(emulator, "client_credentials", "anypoint-auth"),
              **flow_config(emulator, "login", "anypoint")}

    got = run(token_program, config=config,
              secret_keys=("anypoint-auth:clientSecret", "anypoint:password"))

    assert got["grant_type"].value == "client_credentials"
    assert emulator.token_grant(got["access_token"].value) == "client_credentials"


def test_the_bridged_namespace_serves_when_ours_sets_no_credential(emulator: Emulator,
                                                                   warned: list[str]) -> None:
    config = {"anypoint-auth:timeoutSeconds": "20",
              **flow_config(emulator, "login", "anypoint")}

    got = run(token_program, config=config, secret_keys=("anypoint:password",))

    assert got["grant_type"].value == "login"


def test_a_complete_jwt_config_of_ours_takes_no_client_secret_of_the_bridge(
        emulator: Emulator, warned: list[str]) -> None:
    config = {**flow_config(emulator, "jwt_bearer", "anypoint-auth"),
              "anypoint:clientSecret": "the-bridges-secret"}

    got = run(token_program, config=config,
              secret_keys=("anypoint-auth:privateKey", "anypoint:clientSecret"))

    assert got["grant_type"].value == "jwt_bearer"


def test_the_location_comes_from_our_namespace_whole(emulator: Emulator,
                                                     warned: list[str]) -> None:
    config = {**flow_config(emulator, "client_credentials", "anypoint-auth"),
              "anypoint:region": "eu"}

    got = run(token_program, config=config, secret_keys=("anypoint-auth:clientSecret",))

    assert got["base_url"].value == emulator.base_url


def test_config_in_either_namespace_beats_the_environment(
        emulator: Emulator, warned: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_USERNAME", emulator.demo.username)
    monkeypatch.setenv("ANYPOINT_PASSWORD", emulator.demo.password)

    got = run(token_program, config=flow_config(emulator, "client_credentials", "anypoint"),
              secret_keys=("anypoint:clientSecret",))

    assert got["grant_type"].value == "client_credentials"


# A missing half says where to set it ----------------------------------------------------------


@pytest.mark.parametrize("given_inputs, missing, config_hint, variable", [
    ({"client_id": "an-id"}, "client_secret",
     "`pulumi config set --secret anypoint-auth:clientSecret`", "ANYPOINT_CLIENT_SECRET"),
    ({"client_secret": "a-secret"}, "client_id",
     "`pulumi config set anypoint-auth:clientId`", "ANYPOINT_CLIENT_ID"),
    ({"username": "someone"}, "password",
     "`pulumi config set --secret anypoint-auth:password`", "ANYPOINT_PASSWORD"),
])
def test_a_missing_half_names_its_config_key_and_variable(
        emulator: Emulator, given_inputs: dict[str, str], missing: str, config_hint: str,
        variable: str) -> None:
    def program() -> dict[str, Any]:
        return {"t": AnypointToken("half", base_url=emulator.base_url,
                                   **given_inputs).access_token}

    with pytest.raises(CheckFailedError) as caught:
        run(program)

    [(prop, reason)] = caught.value.failures
    assert prop == missing
    assert config_hint in reason and f"the {variable} environment variable" in reason
    assert f"set {missing} as an input" in reason
    assert emulator.count() == 0
    assert "a-secret" not in str(caught.value)


def test_the_engine_gets_the_same_reason_over_grpc(provider_server: ProviderServer) -> None:
    _, failures = provider_server.check({"client_id": "an-id", "region": "eu"})

    [(prop, reason)] = failures
    assert prop == "client_secret"
    assert "anypoint-auth:clientSecret" in reason and "ANYPOINT_CLIENT_SECRET" in reason


# A refused login through the real dynamic provider server: short, the message last ------------


MAX_TRACE_LINES = 12
"""The SDK's wrapper and Create frames and ours, with their source lines: what is left once the
provider re-raises without the frames below it (the core, the client, requests)."""


@pytest.mark.parametrize("flow", ["client_credentials", "login", "unreachable"])
def test_a_failed_create_ends_with_the_one_useful_line_and_is_short(
        emulator: Emulator, provider_server: ProviderServer, flow: str) -> None:
    secret = new_canary("secret")
    if flow == "client_credentials":
        props = {"client_id": emulator.demo.client_id, "client_secret": secret,
                 "base_url": emulator.base_url}
    elif flow == "login":
        props = {"username": emulator.demo.username, "password": secret,
                 "base_url": emulator.base_url}
    else:
        props = {"client_id": "an-id", "client_secret": secret, "base_url": "http://127.0.0.1:9",
                 "timeout_seconds": 1}
    inputs, failures = provider_server.check(props)
    assert failures == []

    with pytest.raises(ProviderError) as caught:
        provider_server.create(inputs)

    lines = caught.value.details.rstrip("\n").splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert len(lines) <= MAX_TRACE_LINES, caught.value.details
    name, _, message = lines[-1].partition(": ")
    assert name.startswith("anypoint_pulumi.access.errors.")
    expected = {"client_credentials": "client-credentials login failed: Login refused",
                "login": "username/password login failed: Login refused",
                "unreachable": "Could not reach Anypoint"}[flow]
    assert expected in message
    assert "The above exception" not in caught.value.details
    assert "During handling" not in caught.value.details
    assert not any("site-packages/requests" in line or "anypoint_pulumi/core" in line
                   or "anypoint_pulumi/access" in line for line in lines)
    assert secret not in caught.value.details
