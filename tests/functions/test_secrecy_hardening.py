"""Secrecy of the data functions' results, attacked (issue 17, classes 1 and 3).

Class 1: ``get_api_response_output`` launders no secret. A secret anywhere in ``json=`` or
``params=`` (at any depth, hypothesis picks where), or in ``path``/``organization_id``, makes the
result secret, while the secrecy of the token alone does not; a ``secret=`` that is not a plain
bool (an ``Output`` above all: it cannot decide before the call) is refused naming it. The
server here echoes what it was sent, as the APIs that leaked it did.

Class 3: the plain ``get_access_token`` inside a program warns once per run, naming
``get_access_token_output``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi import (
    get_access_token,
    get_access_token_output,
    get_api_response,
    get_api_response_output,
)
from anypoint_pulumi.access.errors import ConfigurationError
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.functions import invoke as front
from tests.support.hostile import Act, HostileServer

from .conftest import ProgramRunner, login_args

TOKEN = "a-token-the-echo-server-takes"
ECHO = "/echo"
HYPOTHESIS = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def echo() -> Iterator[HostileServer]:
    """A server whose ``/echo`` answers the JSON body and the query it received."""
    with HostileServer() as server:
        server.route(ECHO, lambda seen: Act.json({
            "json": json.loads(seen.body) if seen.body else None, "query": seen.query}))
        yield server


def call(echo: HostileServer, **arguments: Any) -> pulumi.Output[Any]:
    return get_api_response_output(**{"path": ECHO, "access_token": TOKEN,
                                      "base_url": echo.base_url, **arguments})


def nest(leaf: Any, steps: list[str | int]) -> Any:
    """``leaf`` wrapped in dicts (a key) and lists (a position), innermost step last, each
    container holding a plain neighbour too."""
    for step in reversed(steps):
        leaf = {"plain": "p", f"k{step}": leaf} if isinstance(step, str) else [*["n"] * step, leaf]
    return leaf


STEPS = st.lists(st.one_of(st.text("abcxyz", min_size=1, max_size=3), st.integers(0, 3)),
                 max_size=6)


# Class 1: a secret argument at any depth -------------------------------------------------------


@HYPOTHESIS
@given(steps=STEPS)
def test_property_a_secret_anywhere_in_json_makes_the_result_secret(
        echo: HostileServer, program: ProgramRunner, steps: list[str | int]) -> None:
    value = f"secret-{len(steps)}"

    result = program(lambda: call(echo, method="POST",
                                  json={"query": nest(pulumi.Output.secret(value), steps)}).body)

    assert result.known and result.secret
    assert result.value["json"] == {"query": nest(value, steps)}  # it was sent and echoed


@HYPOTHESIS
@given(steps=STEPS)
def test_property_the_same_json_without_a_secret_is_not_secret(
        echo: HostileServer, program: ProgramRunner, steps: list[str | int]) -> None:
    """The control: secrecy comes from the secret, not from nesting or from the token."""
    result = program(lambda: call(echo, method="POST",
                                  json={"query": nest(pulumi.Output.from_input("v"), steps)},
                                  access_token=pulumi.Output.secret(TOKEN)).body)

    assert result.known and not result.secret


@pytest.mark.parametrize("where", ["value", "in_a_list", "last_of_a_list", "whole"])
def test_a_secret_in_params_makes_the_result_secret(
        echo: HostileServer, program: ProgramRunner, where: str) -> None:
    def secret() -> pulumi.Output[str]:  # made inside the program, on its loop
        return pulumi.Output.secret("needle")

    query = {"value": lambda: {"q": secret(), "other": "x"},
             "in_a_list": lambda: {"ids": [secret(), "a"]},
             "last_of_a_list": lambda: {"ids": ["a", "b", secret()]},
             "whole": lambda: pulumi.Output.secret({"q": "needle"})}[where]

    result = program(lambda: call(echo, params=query()).body)

    assert result.secret
    assert "needle" in json.dumps(result.value["query"])


@pytest.mark.parametrize("argument", ["json_whole", "organization_id", "environment_id",
                                      "method", "path_segment"])
def test_a_secret_in_any_other_argument_makes_the_result_secret(
        echo: HostileServer, program: ProgramRunner, argument: str) -> None:
    def read() -> pulumi.Output[Any]:
        if argument == "json_whole":
            return call(echo, method="POST", json=pulumi.Output.secret({"a": 1})).status
        if argument == "method":
            return call(echo, method=pulumi.Output.secret("GET")).status
        if argument == "path_segment":
            return get_api_response_output(path=pulumi.Output.secret(ECHO), access_token=TOKEN,
                                           base_url=echo.base_url).status
        return call(echo, **{argument: pulumi.Output.secret("an-id")}).status

    result = program(read)

    assert result.value == 200 and result.secret


def test_a_secret_token_and_base_url_alone_leave_the_result_plain(
        echo: HostileServer, program: ProgramRunner) -> None:
    result = program(lambda: get_api_response_output(
        path=ECHO, access_token=pulumi.Output.secret(TOKEN),
        base_url=pulumi.Output.secret(echo.base_url), timeout_seconds=pulumi.Output.secret(5),
        params={"q": "plain"}).body)

    assert result.value["query"] == {"q": ["plain"]} and not result.secret


@pytest.mark.parametrize("secret", [
    lambda: pulumi.Output.from_input(True),
    lambda: pulumi.Output.secret(False),
    lambda: "yes", lambda: 1, lambda: 0, lambda: [True],
])
def test_a_secret_flag_that_is_not_a_plain_bool_is_refused_naming_it(
        echo: HostileServer, program: ProgramRunner, secret: Callable[[], Any]) -> None:
    count = echo.count()
    with pytest.raises(ConfigurationError) as caught:
        program(lambda: call(echo, secret=secret()).status)

    assert caught.value.field == "secret"
    assert "secret must be a plain true or false" in str(caught.value)
    assert echo.count() == count, "refused before any request"


@pytest.mark.parametrize("secret", [True, False])
def test_a_plain_bool_secret_flag_decides(echo: HostileServer, program: ProgramRunner,
                                          secret: bool) -> None:
    assert program(lambda: call(echo, secret=secret).status).secret is secret


def test_the_plain_form_refuses_a_non_bool_secret_flag_too(echo: HostileServer) -> None:
    with pytest.raises(ConfigurationError) as caught:
        get_api_response(path=ECHO, access_token=TOKEN, base_url=echo.base_url,
                         secret="true")  # type: ignore[arg-type]

    assert caught.value.field == "secret"


# Class 3: the plain get_access_token in a program --------------------------------------------


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: seen.append(msg))
    return seen


@pytest.fixture
def login_emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def plain_login_warnings(warned: list[str]) -> list[str]:
    return [w for w in warned if w.startswith("get_access_token() returns the token as a plain")]


def test_the_plain_form_in_a_program_warns_once_per_run_naming_the_output_form(
        login_emulator: Emulator, program: ProgramRunner, warned: list[str]) -> None:
    def twice() -> Any:
        first = get_access_token(**login_args(login_emulator, "client_credentials"))
        second = get_access_token(**login_args(login_emulator, "client_credentials"))
        return [first.grant_type, second.grant_type]

    assert program(twice).value == ["client_credentials"] * 2
    assert len(plain_login_warnings(warned)) == 1
    [warning] = plain_login_warnings(warned)
    assert "get_access_token_output(...)" in warning and "plaintext" in warning

    program(twice)  # a second run in the same process (the Automation API's inline programs)
    assert len(plain_login_warnings(warned)) == 2, "once per run, not once per process"


def test_the_warning_holds_no_secret(login_emulator: Emulator, program: ProgramRunner,
                                     warned: list[str]) -> None:
    arguments = login_args(login_emulator, "client_credentials")
    found = program(lambda: get_access_token(**arguments).access_token).value

    text = "\n".join(warned)
    assert plain_login_warnings(warned)
    assert found not in text and arguments["client_secret"] not in text


def test_the_output_form_does_not_warn(login_emulator: Emulator, program: ProgramRunner,
                                       warned: list[str]) -> None:
    result = program(lambda: get_access_token_output(
        **login_args(login_emulator, "client_credentials")).access_token)

    assert result.secret and plain_login_warnings(warned) == []


def test_outside_a_program_it_does_not_warn(login_emulator: Emulator, warned: list[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(front, "_in_program", lambda: False)  # a test run earlier set a monitor
    token = get_access_token(**login_args(login_emulator, "client_credentials"))

    assert login_emulator.is_active(token.access_token)
    assert plain_login_warnings(warned) == []


def test_outside_a_program_means_no_monitor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulumi.runtime.settings.SETTINGS, "monitor", None)
    assert not front._in_program()


# The plain form resolves an Output at any depth -----------------------------------------------


def unknown_output() -> pulumi.Output[Any]:
    """An Output not known yet, as a resource created in this run gives in a preview."""
    loop = asyncio.get_event_loop()
    value, known = loop.create_future(), loop.create_future()
    value.set_result(None)
    known.set_result(False)
    return pulumi.Output(set(), value, known)


@pytest.mark.parametrize("container", ["dict", "list", "tuple"])
def test_the_plain_form_resolves_an_output_nested_in_json(
        echo: HostileServer, program: ProgramRunner, container: str) -> None:
    """Sent as its value, not as an object the client cannot serialize (which came back as
    "Could not reach Anypoint")."""
    def read() -> Any:
        secret = pulumi.Output.secret("needle")
        nested = {"dict": lambda: {"k": secret}, "list": lambda: ["a", secret],
                  "tuple": lambda: ("a", secret)}[container]()
        return get_api_response(path=ECHO, method="POST", access_token=TOKEN,
                                base_url=echo.base_url, json={"filter": nested}).body

    body = program(read).value

    assert "needle" in json.dumps(body["json"])


def test_the_plain_form_refuses_a_nested_unknown_naming_its_argument(
        echo: HostileServer, program: ProgramRunner) -> None:
    count = echo.count()

    with pytest.raises(ConfigurationError) as caught:
        program(lambda: get_api_response(path=ECHO, method="POST", access_token=TOKEN,
                                         base_url=echo.base_url,
                                         json={"ids": [unknown_output()]}).status, preview=True)

    assert caught.value.field == "json"
    assert "json is not known yet" in str(caught.value)
    assert "get_api_response_output" in (caught.value.hint or "")
    assert echo.count() == count


def test_the_plain_form_still_names_an_unknown_token(echo: HostileServer,
                                                     program: ProgramRunner) -> None:
    with pytest.raises(ConfigurationError) as caught:
        program(lambda: get_api_response(path=ECHO, access_token=unknown_output(),
                                         base_url=echo.base_url).status, preview=True)

    assert caught.value.field == "access_token"
    assert "the token is not known yet" in str(caught.value)
