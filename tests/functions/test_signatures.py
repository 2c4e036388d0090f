"""Pulumi-idiomatic signatures: every data function takes ``opts`` (``pulumi.InvokeOptions`` for
the plain form, ``pulumi.InvokeOutputOptions`` for the ``_output`` form), and the token and
connection arguments are the same everywhere."""

from __future__ import annotations

import inspect

import pulumi
import pytest

import anypoint_pulumi
from anypoint_pulumi import get_environment, get_environment_output, get_profile
from anypoint_pulumi.core.functions import CONNECTION_ARGUMENTS
from anypoint_pulumi.functions.invoke import Connection

PLAIN = ["get_profile", "get_environments", "get_environment", "get_organization",
         "get_business_groups", "get_api_response"]
EVERY = [*PLAIN, *(f"{name}_output" for name in PLAIN)]


@pytest.mark.parametrize("name", [*PLAIN, "get_access_token"])
def test_plain_forms_take_invoke_options(name: str) -> None:
    opts = inspect.signature(getattr(anypoint_pulumi, name)).parameters["opts"]
    assert opts.annotation == "pulumi.InvokeOptions | None" and opts.default is None


@pytest.mark.parametrize("name", [*PLAIN, "get_access_token"])
def test_output_forms_take_invoke_output_options(name: str) -> None:
    opts = inspect.signature(getattr(anypoint_pulumi, f"{name}_output")).parameters["opts"]
    assert opts.annotation == "pulumi.InvokeOutputOptions | None" and opts.default is None


@pytest.mark.parametrize("name", EVERY)
def test_every_function_takes_the_token_and_connection_arguments(name: str) -> None:
    parameters = inspect.signature(getattr(anypoint_pulumi, name)).parameters
    connection = parameters["connection"]
    assert connection.kind is inspect.Parameter.VAR_KEYWORD
    assert connection.annotation == "Unpack[Connection]"
    assert all(p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)
               for p in parameters.values())


def test_the_connection_arguments_are_the_declared_ones() -> None:
    optional = {"grant_type"}  # only where it saves a request (profile, business groups)
    assert set(Connection.__annotations__) == {*CONNECTION_ARGUMENTS, "token"} - optional


@pytest.mark.parametrize("name", EVERY)
def test_an_argument_the_function_does_not_take_is_refused_naming_it(name: str) -> None:
    function = getattr(anypoint_pulumi, name)
    required = {key: "x" for key, p in inspect.signature(function).parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is p.empty}
    with pytest.raises(TypeError, match="unexpected keyword argument 'acces_token'"):
        function(acces_token="t", **required)


def test_plain_form_accepts_invoke_options(clean, token_of) -> None:
    profile = get_profile(access_token=token_of("client"), base_url=clean.base_url,
                          opts=pulumi.InvokeOptions())

    assert profile.organization_id == clean.demo.organization_id


def test_options_of_the_wrong_kind_are_refused_naming_the_right_one(clean, token_of) -> None:
    with pytest.raises(TypeError, match=r"pulumi\.InvokeOptions"):
        get_profile(access_token=token_of("client"), base_url=clean.base_url,
                    opts=pulumi.ResourceOptions())  # type: ignore[arg-type]


def test_output_form_waits_for_depends_on(clean, declare_token, program) -> None:
    def body() -> pulumi.Output[str]:
        token = declare_token("client")
        other = pulumi.CustomResource("test:index:Thing", "thing", {"a": "b"})
        return get_environment_output(
            name="Sandbox", token=token,
            opts=pulumi.InvokeOutputOptions(depends_on=[other])).id

    result = program(body)

    assert result.value == clean.demo.sandbox_environment_id
    names = [r.name for r in result.mocks.registrations]
    assert "thing" in names


def test_plain_environment_by_name_with_options(clean, token_of) -> None:
    found = get_environment(name="Production", access_token=token_of("client"),
                            base_url=clean.base_url, opts=None)

    assert found.id == clean.demo.production_environment_id
