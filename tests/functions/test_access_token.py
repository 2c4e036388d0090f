"""get_access_token: a login on every run, with AnypointToken's inputs, defaults and checks, and a
result that is secret in the _output form and never stored unless the program stores it."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pulumi
import pytest

import anypoint_pulumi
from anypoint_pulumi import (
    AccessTokenResult,
    AnypointToken,
    get_access_token,
    get_access_token_output,
    get_profile_output,
)
from anypoint_pulumi.access.errors import BadCredentialsError, ConfigurationError
from anypoint_pulumi.core import inputs as schema
from anypoint_pulumi.token.resource import LoginInputs
from tests.secrets import new_canary, pem_body_lines

from .conftest import LOGIN_FLOWS, login_args

TOKEN_PATHS = ("/accounts/api/v2/oauth2/token", "/accounts/login", "/accounts/login/receive-id")
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def logins(emu: Any) -> int:
    return sum(emu.count(path, method="POST") for path in TOKEN_PATHS)


# The signature is the schema's login inputs ---------------------------------------------------


@pytest.mark.parametrize("function", [get_access_token, get_access_token_output])
def test_the_arguments_are_the_schemas_login_inputs_in_order(function: Any) -> None:
    parameters = inspect.signature(function).parameters

    assert list(parameters) == ["opts", "inputs"]
    assert parameters["inputs"].kind is inspect.Parameter.VAR_KEYWORD
    assert parameters["inputs"].annotation == "Unpack[LoginInputs]"
    assert list(LoginInputs.__annotations__) == list(schema.LOGIN_NAMES)


def test_the_login_inputs_are_the_resources_without_the_state_only_ones() -> None:
    state_only = {"renew_before_seconds", "triggers", "revoke_on_delete"}

    assert set(schema.LOGIN_NAMES) == set(schema.NAMES) - state_only
    assert {spec.name for spec in schema.INPUTS if spec.state_only} == state_only


@pytest.mark.parametrize("function", [get_access_token, get_access_token_output])
def test_the_argument_types_follow_the_declaration(function: Any) -> None:
    for name in schema.LOGIN_NAMES:
        kind = {str: "str", bool: "bool", float: "float"}[schema.BY_NAME[name].type]
        assert kind in str(LoginInputs.__annotations__[name]), name


def test_the_options_are_the_data_functions_options() -> None:
    plain = inspect.signature(get_access_token).parameters["opts"].annotation
    output = inspect.signature(get_access_token_output).parameters["opts"].annotation

    assert (plain, output) == ("pulumi.InvokeOptions | None", "pulumi.InvokeOutputOptions | None")


def test_a_state_only_input_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="renew_before_seconds"):
        get_access_token(renew_before_seconds=60)  # type: ignore[call-arg]


# Every flow ------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", LOGIN_FLOWS)
def test_each_flow_logs_in_and_returns_the_token(clean: Any, flow: str) -> None:
    result = get_access_token(**login_args(clean, flow))

    assert result.grant_type == flow
    assert clean.is_active(result.access_token) and clean.token_grant(result.access_token) == flow
    assert RFC3339.fullmatch(result.issued_at) and RFC3339.fullmatch(result.expires_at)
    assert result.token_type == "bearer" and result.base_url == clean.base_url
    assert result.access_token not in repr(result)


def test_every_call_logs_in_again(clean: Any) -> None:
    first = get_access_token(**login_args(clean, "client_credentials"))
    second = get_access_token(**login_args(clean, "client_credentials"))

    assert first.access_token != second.access_token
    assert logins(clean) == 2
    assert clean.is_active(first.access_token), "nothing revokes the earlier token"


def test_await_gives_the_plain_result(clean: Any) -> None:
    import asyncio

    awaited = asyncio.run(_await(get_access_token(**login_args(clean, "client_credentials"))))

    assert type(awaited) is AccessTokenResult


async def _await(result: Any) -> Any:
    return await result


# Defaults: config, then environment, each as a group ------------------------------------------


def test_credentials_and_location_come_from_the_environment(clean: Any,
                                                            monkeypatch: Any) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", clean.demo.client_id)
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", clean.demo.client_secret)
    monkeypatch.setenv("ANYPOINT_BASE_URL", clean.base_url)

    assert get_access_token().grant_type == "client_credentials"


def test_credentials_come_from_config_before_the_environment(clean: Any, program: Any,
                                                             monkeypatch: Any) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", "not-this-one")
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", "not-this-either")
    pulumi.runtime.set_all_config({"anypoint:clientId": clean.demo.user_app_client_id,
                                   "anypoint:clientSecret": clean.demo.user_app_client_secret,
                                   "anypoint:username": clean.demo.username,
                                   "anypoint:password": clean.demo.password,
                                   "anypoint:baseUrl": clean.base_url},
                                  ["anypoint:clientSecret", "anypoint:password"])

    result = program(lambda: get_access_token_output().grant_type)

    assert result.value == "password"


def test_credential_groups_are_never_mixed(clean: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", clean.demo.client_secret)

    with pytest.raises(ConfigurationError) as caught:
        get_access_token(client_id=clean.demo.client_id, base_url=clean.base_url)

    assert caught.value.field == "client_secret"
    assert "client_secret is required with client_id" in str(caught.value)
    assert logins(clean) == 0


# Bad input: the resource's checks, naming the field and the fix -------------------------------

BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("no credentials", {}, "client_id", "anypoint-auth:clientId"),
    ("unknown region", {"client_id": "a", "client_secret": "b", "region": "mars"}, "region",
     "use one of us, eu, gov, ca, jp, au"),
    ("zero timeout", {"client_id": "a", "client_secret": "b", "timeout_seconds": 0},
     "timeout_seconds", "between 1 and 600"),
    ("missing ca_bundle", {"client_id": "a", "client_secret": "b",
                           "ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle", "PEM bundle"),
    ("private key not PEM", {"client_id": "a", "username": "u", "identity_provider_id": "i",
                             "private_key": "abc"}, "private_key", "not a PEM-encoded"),
    ("saml with a password", {"saml_response": "PHNhbWw+", "username": "u", "password": "p"},
     "username", "use one flow"),
    ("http to a remote host", {"client_id": "a", "client_secret": "b",
                               "base_url": "http://anypoint.example.com"}, "base_url",
     "use https://"),
]


@pytest.mark.parametrize("arguments, field, words", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_refused_before_any_request(clean: Any, arguments: dict[str, Any],
                                                 field: str, words: str) -> None:
    where = {} if {"region", "base_url"} & set(arguments) else {"base_url": clean.base_url}
    with pytest.raises(ConfigurationError) as caught:
        get_access_token(**where, **arguments)

    assert caught.value.field == field and words in str(caught.value)
    assert str(caught.value).startswith("get_access_token(): ")
    assert clean.count() == 0


def test_a_refused_login_names_the_flow_and_shows_no_secret(clean: Any, shown: Any) -> None:
    args = {**login_args(clean, "jwt_bearer"), "username": clean.demo.username}

    with pytest.raises(BadCredentialsError) as caught:
        get_access_token(**args)

    text = shown(caught.value)
    assert "get_access_token(): JWT bearer login" in text
    assert "non-federated user is not supported" in text
    for secret in [*pem_body_lines(args["private_key"]), *clean._store.jwt_assertions]:
        assert secret not in text


def test_a_wrong_secret_is_bad_credentials_without_the_secret(clean: Any, shown: Any) -> None:
    wrong = new_canary("secret")
    with pytest.raises(BadCredentialsError) as caught:
        get_access_token(client_id=clean.demo.client_id, client_secret=wrong,
                         base_url=clean.base_url)

    assert "client-credentials login failed" in str(caught.value)
    assert wrong not in shown(caught.value)


# In a program: secret, preview, unknowns, dependencies ------------------------------------------


def test_the_output_form_is_secret_and_so_is_each_field(clean: Any, program: Any) -> None:
    def body() -> pulumi.Output[list[Any]]:
        token = get_access_token_output(**login_args(clean, "client_credentials"))
        return pulumi.Output.all(token.is_secret(), token.access_token.is_secret(),
                                 token.expires_at.is_secret(), token.access_token)

    result = program(body)

    assert result.value[:3] == [True, True, True]
    assert clean.is_active(result.value[3]) and result.secret


def test_a_data_function_fed_with_it_is_not_secret(clean: Any, program: Any) -> None:
    def body() -> pulumi.Output[str]:
        token = get_access_token_output(**login_args(clean, "client_credentials"))
        return get_profile_output(access_token=token.access_token, base_url=clean.base_url,
                                  grant_type=token.grant_type).client_id

    result = program(body)

    assert result.value == clean.demo.client_id and not result.secret


def test_passed_to_a_resource_it_arrives_as_a_secret_input(clean: Any, program: Any) -> None:
    def body() -> pulumi.Output[str]:
        token = get_access_token_output(**login_args(clean, "client_credentials"))
        thing = pulumi.CustomResource("test:index:Thing", "consumer",
                                      {"bearer": token.access_token})
        return thing.urn

    result = program(body)

    [received] = [inputs for name, inputs in result.mocks.inputs.items() if name == "consumer"]
    assert received["bearer"].get(pulumi.runtime.rpc._special_sig_key) == (
        pulumi.runtime.rpc._special_secret_sig)


def test_a_preview_logs_in_too_so_what_it_feeds_is_known(clean: Any, program: Any) -> None:
    result = program(lambda: get_access_token_output(
        **login_args(clean, "client_credentials")).grant_type, preview=True)

    assert result.known and result.value == "client_credentials"
    assert logins(clean) == 1


def test_an_unknown_input_in_preview_makes_no_login(clean: Any, program: Any) -> None:
    def body() -> pulumi.Output[str]:
        owner = AnypointToken("other", client_id=clean.demo.client_id,
                              client_secret=clean.demo.client_secret, base_url=clean.base_url)
        unknown_id = owner.access_token.apply(lambda _: clean.demo.client_id)
        return get_access_token_output(client_id=unknown_id,
                                       client_secret=clean.demo.client_secret,
                                       base_url=clean.base_url).grant_type

    result = program(body, preview=True, unknown_token=True)

    assert not result.known
    assert logins(clean) == 0


def test_depends_on_makes_the_login_wait(clean: Any, program: Any) -> None:
    def body() -> pulumi.Output[str]:
        other = pulumi.CustomResource("test:index:Thing", "first", {"a": "b"})
        return get_access_token_output(
            **login_args(clean, "client_credentials"),
            opts=pulumi.InvokeOutputOptions(depends_on=[other])).grant_type

    result = program(body)

    assert result.value == "client_credentials"
    assert "first" in [r.name for r in result.mocks.registrations]


def test_options_of_the_wrong_kind_are_refused() -> None:
    with pytest.raises(TypeError, match=r"pulumi\.InvokeOutputOptions"):
        get_access_token_output(opts=pulumi.InvokeOptions())  # type: ignore[arg-type]


def test_it_is_exported_from_the_package() -> None:
    assert {"get_access_token", "get_access_token_output", "AccessTokenResult"} <= set(
        anypoint_pulumi.__all__)
