"""Every byte a server sends passes the same scrubbing before an error shows it: the
``Location`` of a redirect, the body, the status line and reason phrase, and the text of a
broken connection. Secrets are masked in any spelling, control characters never reach a
terminal, and nothing is longer than a line."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.endpoints import ME, TOKEN_V2
from anypoint_pulumi.access.errors import AnypointError, UnexpectedResponseError
from anypoint_pulumi.access.redaction import REDACTED
from tests.secrets import new_canary
from tests.support.hostile import Act, HostileServer


@pytest.fixture
def client(hostile: HostileServer) -> AccessManagementClient:
    return AccessManagementClient(base_url=hostile.base_url, retries=0, timeout_seconds=5.0)


@pytest.fixture
def secret() -> str:
    return new_canary("secret")


def sign_in(client: AccessManagementClient, secret: str) -> AnypointError:
    with pytest.raises(AnypointError) as caught:
        client.client_credentials("0123456789abcdef", secret)
    return caught.value


def lower_percent(value: str) -> str:
    return re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(value, safe=""))


def spellings(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), lower_percent(secret), secret[:24],
            base64.b64encode(f"0123456789abcdef:{secret}".encode()).decode()[8:40]]


def assert_scrubbed(error: BaseException, secret: str) -> None:
    text = f"{error}\n{error!r}\n{error.args!r}"
    for spelling in spellings(secret):
        assert spelling not in text, f"{spelling[:12]}… shown"
    assert all(ch.isprintable() or ch == "\n" for ch in text)


@pytest.mark.parametrize("where", ["query", "lower-case query", "path", "user info", "fragment",
                                   "basic"])
def test_a_redirect_location_holding_a_secret_is_never_shown(hostile, client, secret, where):
    location = {
        "query": f"https://idp.example.com/sso?client_secret={quote(secret)}",
        "lower-case query": f"https://idp.example.com/sso?x={lower_percent(secret)}",
        "path": f"https://idp.example.com/{lower_percent(secret)}/next",
        "user info": f"https://user:{quote(secret, safe='')}@idp.example.com/",
        "fragment": f"https://idp.example.com/#access_token={secret}",
        "basic": "https://idp.example.com/" + base64.b64encode(
            f"0123456789abcdef:{secret}".encode()).decode(),
    }[where]
    hostile.route(TOKEN_V2, Act.redirect(location))

    error = sign_in(client, secret)

    assert isinstance(error, UnexpectedResponseError) and error.status == 302
    assert "idp.example.com" in error.message
    assert_scrubbed(error, secret)


def test_a_redirect_location_with_terminal_escapes_is_shown_printable(hostile, client):
    hostile.route(ME, Act.redirect("https://x.example.com/\x1b[2J\x1b]0;owned\x07"))

    with pytest.raises(UnexpectedResponseError) as caught:
        client.me("a-token")

    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)


def test_a_reason_phrase_holding_a_secret_never_reaches_the_error(hostile, client, secret):
    hostile.route(TOKEN_V2, Act(status=401, reason=f"Denied {secret}", body=b""))

    assert_scrubbed(sign_in(client, secret), secret)


def test_a_broken_status_line_holding_a_secret_is_scrubbed(hostile, client, secret):
    hostile.route(TOKEN_V2, Act(head=f"HTTP/1.1 2x0 token {secret}\r\n\r\n".encode()))

    assert_scrubbed(sign_in(client, secret), secret)


def test_a_header_line_holding_a_secret_that_breaks_parsing_is_scrubbed(hostile, client, secret):
    head = f"HTTP/1.1 200 OK\r\n{'X' * 70000}{secret}\r\n\r\n".encode()
    hostile.route(TOKEN_V2, Act(head=head))

    assert_scrubbed(sign_in(client, secret), secret)


@pytest.mark.parametrize("echo", ["as is", "lower-case percent", "basic", "json"])
def test_a_body_echoing_the_secret_is_masked_in_every_spelling(hostile, client, secret, echo):
    said = {"as is": secret, "lower-case percent": lower_percent(secret),
            "basic": "Basic " + base64.b64encode(f"0123456789abcdef:{secret}".encode()).decode(),
            "json": secret.replace("/", "\\/")}[echo]
    hostile.route(TOKEN_V2, Act.json({"error": "invalid_client",
                                      "error_description": f"client said {said}"}, 401))

    error = sign_in(client, secret)

    assert "client said " in error.message and REDACTED in error.message
    assert_scrubbed(error, secret)


def test_terminal_escapes_in_an_error_body_never_reach_the_message(hostile, client):
    hostile.route(ME, Act.json({"message": "\x1b[31mred\x1b[0m \u202egnp.exe\r\nForged: line"},
                               403))

    with pytest.raises(AnypointError) as caught:
        client.me("a-token")

    assert all(ch.isprintable() for ch in caught.value.message)
    assert "red" in caught.value.message


def test_a_redirect_is_never_followed(hostile, client, secret):
    hostile.route(TOKEN_V2, Act.redirect(hostile.base_url + "/elsewhere", status=307))

    sign_in(client, secret)

    assert [seen.path for seen in hostile.seen] == [TOKEN_V2]
