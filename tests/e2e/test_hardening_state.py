"""Secrecy under the real engine (issue 17): what lands in state, and what ``pulumi up`` says.

- class 1: a secret nested inside ``json=`` or ``params=`` of ``get_api_response_output``, which
  the API echoes, is exported as ciphertext: the canary is nowhere in the backend or the output;
- "what the suite misses": ``get_access_token_output`` with the credentials from ``ANYPOINT_*``
  variables (plain values, the realistic leak) still stores the token as ciphertext;
- class 11: a client secret set as plain config warns in the ``up`` output, naming the key and
  ``pulumi config set --secret``;
- class 3: the plain ``get_access_token`` warns in the ``up`` output, once per run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from anypoint_pulumi import (
    AnypointToken,
    get_access_token,
    get_access_token_output,
    get_api_response_output,
)
from anypoint_pulumi.emulator import Emulator
from tests.secrets import new_canary, spellings
from tests.support.hostile import Act, HostileServer

from .conftest import SECRET_SIG, Deployment, emulator_config

ECHO = "/echo"


@pytest.fixture
def echo() -> Iterator[HostileServer]:
    """A loopback server whose ``/echo`` answers the JSON body and query it was sent."""
    with HostileServer() as server:
        server.route(ECHO, lambda seen: Act.json({
            "json": json.loads(seen.body) if seen.body else None, "query": seen.query}))
        yield server


def everything(deployment: Deployment) -> str:
    """The backend, PULUMI_HOME, the stack export and every line the CLI printed."""
    return (deployment.backend_text() + json.dumps(deployment.export())
            + "".join(deployment.output))


def assert_nowhere(deployment: Deployment, *secrets: str) -> None:
    text = everything(deployment)
    found = [form[:12] for secret in secrets for form in spellings(secret) if form in text]
    assert not found, f"in plaintext: {found}"


def stack_outputs(deployment: Deployment) -> dict[str, Any]:
    [stack] = [r for r in deployment.export()["deployment"]["resources"]
               if r["type"] == "pulumi:pulumi:Stack"]
    outputs: dict[str, Any] = stack.get("outputs", {})
    return outputs


def is_ciphertext(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SECRET_SIG, "ciphertext"}


# Class 1 ---------------------------------------------------------------------------------------


def test_a_secret_nested_in_json_or_params_is_exported_as_ciphertext(
        deploy: Callable[..., Deployment], emulator: Emulator, echo: HostileServer) -> None:
    in_json, in_params = new_canary("json"), new_canary("params")

    def program() -> None:
        body = get_api_response_output(
            path=ECHO, method="POST", access_token="a-token", base_url=echo.base_url,
            json={"filter": [{"name": pulumi.Output.secret(in_json)}]}).body
        query = get_api_response_output(
            path=ECHO, access_token="a-token", base_url=echo.base_url,
            params={"ids": ["plain", pulumi.Output.secret(in_params)]}).body
        plain = get_api_response_output(path=ECHO, access_token="a-token",
                                        base_url=echo.base_url, params={"q": "plain"}).body
        pulumi.export("jsonBody", body)
        pulumi.export("paramsBody", query)
        pulumi.export("plainBody", plain)

    deployment = deploy(program)

    up = deployment.up()

    assert up.outputs["jsonBody"].secret and up.outputs["paramsBody"].secret
    assert up.outputs["jsonBody"].value["json"] == {"filter": [{"name": in_json}]}  # echoed
    assert in_params in up.outputs["paramsBody"].value["query"]["ids"]
    assert not up.outputs["plainBody"].secret  # the control: no secret in, none out
    outputs = stack_outputs(deployment)
    assert is_ciphertext(outputs["jsonBody"]) and is_ciphertext(outputs["paramsBody"])
    assert outputs["plainBody"]["query"] == {"q": ["plain"]}
    assert_nowhere(deployment, in_json, in_params)


# What the suite misses: credentials from the environment ---------------------------------------


def test_a_token_logged_in_with_environment_credentials_is_stored_as_ciphertext(
        deploy: Callable[..., Deployment], emulator: Emulator,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", emulator.demo.client_id)
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", emulator.demo.client_secret)
    monkeypatch.setenv("ANYPOINT_BASE_URL", emulator.base_url)

    def program() -> None:
        token = get_access_token_output()
        pulumi.export("accessToken", token.access_token)
        pulumi.export("whole", token)

    deployment = deploy(program)  # no config at all: the variables are all there is

    up = deployment.up()

    token = up.outputs["accessToken"].value
    assert up.outputs["accessToken"].secret and emulator.is_active(token)
    assert emulator.token_grant(token) == "client_credentials"
    outputs = stack_outputs(deployment)
    assert is_ciphertext(outputs["accessToken"]) and is_ciphertext(outputs["whole"])
    with emulator._store.lock:
        issued = list(emulator._store.tokens)
    assert issued
    assert_nowhere(deployment, *issued, emulator.demo.client_secret)


# Class 11: a secret set as plain config ----------------------------------------------------------


def test_a_client_secret_set_as_plain_config_is_warned_about_in_the_up_output(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    config = {**emulator_config(emulator),
              "anypoint:clientSecret": (emulator.demo.client_secret, False)}

    def program() -> None:
        pulumi.export("grant", AnypointToken("ci").grant_type)

    deployment = deploy(program, config)

    up = deployment.up()

    assert up.outputs["grant"].value == "client_credentials"
    warning = [line for line in up.stdout.splitlines() if "anypoint:clientSecret" in line]
    assert warning, up.stdout
    assert "pulumi config set --secret anypoint:clientSecret" in up.stdout
    assert emulator.demo.client_secret not in up.stdout + up.stderr


def test_a_client_secret_set_with_secret_is_not_warned_about(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    def program() -> None:
        pulumi.export("grant", AnypointToken("ci").grant_type)

    deployment = deploy(program, emulator_config(emulator))

    up = deployment.up()

    assert up.outputs["grant"].value == "client_credentials"
    assert "config set --secret" not in up.stdout


# Class 3: the plain form warns, once per run -----------------------------------------------------


def test_the_plain_get_access_token_warns_once_in_every_run(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    def program() -> None:
        first = get_access_token()
        second = get_access_token()
        pulumi.export("grants", [first.grant_type, second.grant_type])

    deployment = deploy(program, emulator_config(emulator))

    for _ in range(2):  # two runs, one process (the Automation API hosts the program)
        up = deployment.up()
        assert up.outputs["grants"].value == ["client_credentials"] * 2
        diagnostics = up.stdout.split("Diagnostics:")[1].split("Outputs:")[0]
        assert diagnostics.count("get_access_token() returns the token as a plain value") == 1
        assert "get_access_token_output(...)" in diagnostics


# What a new user reads when the login is refused ----------------------------------------------


def test_a_refused_login_reads_as_a_short_trace_ending_in_the_message(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    wrong = new_canary("secret")
    config = {**emulator_config(emulator), "anypoint:clientSecret": (wrong, True)}
    deployment = deploy(lambda: pulumi.export("grant", AnypointToken("ci").grant_type), config)

    with pytest.raises(auto.CommandError) as caught:
        deployment.up()

    shown = str(caught.value)
    block = shown.split("pulumi-python:dynamic/anypoint:AnypointToken (ci):\n")[1]
    lines = block.split("\n\n")[0].strip().splitlines()
    assert lines[0].strip() == "error: Traceback (most recent call last):"
    assert len(lines) <= 11, block
    assert lines[-1].strip().startswith(
        "anypoint_pulumi.access.errors.BadCredentialsError: client-credentials login failed: "
        "Login refused")
    assert not any("anypoint_pulumi/core" in line or "anypoint_pulumi/access" in line
                   for line in lines)
    assert_nowhere(deployment, wrong)
