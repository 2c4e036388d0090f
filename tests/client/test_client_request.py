"""``AccessManagementClient.request``: any Anypoint API with the client's transport, errors and
secrecy. It sends the token to a path of its own control plane and nowhere else, sets the
organization and environment headers when given, retries only idempotent methods, and returns the
status, the headers that matter and the parsed body."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.api_requests import check_path
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import (
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TokenRejectedError,
    TransportError,
    UnexpectedResponseError,
)
from anypoint_pulumi.access.models import ApiResponse
from anypoint_pulumi.emulator import Emulator, Fault

from .conftest import CaptureServer

CLOUDHUB = "/cloudhub/api/v2/applications"


@pytest.fixture
def token(client: AccessManagementClient, emu: Emulator) -> str:
    """A client-credentials token of the demo app; the request log is emptied afterwards."""
    found = client.client_credentials(emu.demo.client_id, emu.demo.client_secret).access_token
    emu.clear_requests()
    return found


def apis_path(emu: Emulator) -> str:
    return (f"/apimanager/api/v1/organizations/{emu.demo.organization_id}/environments/"
            f"{emu.demo.sandbox_environment_id}/apis")


# What comes back -------------------------------------------------------------------------------


def test_a_get_returns_the_status_the_parsed_json_and_the_headers_that_matter(
        client: AccessManagementClient, emu: Emulator, token: str) -> None:
    answer = client.request("GET", apis_path(emu), token=token)

    assert isinstance(answer, ApiResponse)
    assert (answer.method, answer.path, answer.status) == ("GET", apis_path(emu), 200)
    assert answer.body["assets"][0]["apis"][0]["id"] == emu.demo.api_instance_id
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.headers) <= {"content-type", "x-ratelimit-limit", "x-ratelimit-remaining",
                                   "x-ratelimit-reset"}


def test_the_environment_header_selects_the_answer_of_that_environment(
        client: AccessManagementClient, emu: Emulator, token: str) -> None:
    answer = client.request("GET", CLOUDHUB, token=token,
                            environment_id=emu.demo.sandbox_environment_id)

    assert [app["domain"] for app in answer.body] == [emu.demo.cloudhub_application]


def test_an_access_token_object_works_as_the_token(client: AccessManagementClient,
                                                   emu: Emulator) -> None:
    login = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert client.request("GET", apis_path(emu), token=login).status == 200


def test_a_head_request_has_no_body(client: AccessManagementClient, emu: Emulator,
                                    token: str) -> None:
    answer = client.request("head", apis_path(emu), token=token)

    assert (answer.method, answer.status, answer.body) == ("HEAD", 200, None)


@pytest.mark.parametrize("body, content_type, expected", [
    ("plain words", "text/plain", "plain words"),
    ("", "application/json", None),
    ('{"a": [1, 2]}', "application/vnd.api+json", {"a": [1, 2]}),
    ("<?xml version='1.0'?><a/>", "application/xml", "<?xml version='1.0'?><a/>"),
])
def test_the_body_is_json_text_or_nothing(client: AccessManagementClient, emu: Emulator,
                                          token: str, body: str, content_type: str,
                                          expected: Any) -> None:
    emu.inject("/some/api", Fault(status=200, body=body, content_type=content_type))

    assert client.request("GET", "/some/api", token=token).body == expected


def test_the_token_echoed_in_the_body_or_a_header_is_masked(
        client: AccessManagementClient, emu: Emulator, token: str) -> None:
    emu.inject("/echo", Fault.json(200, {"you": token, "list": [f"Bearer {token}"]},
                                   headers={"Location": f"/x?t={token}",
                                            "Set-Cookie": f"s={token}"}))

    answer = client.request("GET", "/echo", token=token)

    assert answer.body == {"you": "***", "list": ["Bearer ***"]}
    assert answer.headers["location"] == "/x?t=***"
    assert "set-cookie" not in answer.headers
    assert token not in repr(answer) + json.dumps(answer.to_dict())


def test_invalid_json_is_an_unexpected_response(client: AccessManagementClient, emu: Emulator,
                                                token: str) -> None:
    emu.inject("/broken", Fault(status=200, body="{not json"))

    with pytest.raises(UnexpectedResponseError, match="not valid JSON"):
        client.request("GET", "/broken", token=token)


def test_an_html_page_is_an_unexpected_response_pointing_at_a_proxy(
        client: AccessManagementClient, emu: Emulator, token: str) -> None:
    emu.inject("/portal", Fault(status=200, body="<html>sign in</html>", content_type="text/html"))

    with pytest.raises(UnexpectedResponseError, match="HTML page") as caught:
        client.request("GET", "/portal", token=token)

    assert "HTTPS_PROXY" in str(caught.value)


# What is sent ----------------------------------------------------------------------------------


def test_the_request_carries_the_bearer_and_the_ids_given(
        make_client: Callable[..., AccessManagementClient], capture: CaptureServer) -> None:
    client = make_client(base_url=capture.base_url)

    client.request("POST", "/exchange/graph/api/v2/graphql", token="tok-1",
                   json={"query": "{ assets { assetId } }"}, params={"limit": 5, "q": "a b"},
                   organization_id="org-1", environment_id="env-1")

    [seen] = capture.seen
    assert seen.headers["Authorization"] == "Bearer tok-1"
    assert seen.headers["X-ANYPNT-ORG-ID"] == "org-1"
    assert seen.headers["X-ANYPNT-ENV-ID"] == "env-1"
    assert json.loads(seen.body) == {"query": "{ assets { assetId } }"}
    target = urlsplit(seen.target)
    assert target.path == "/exchange/graph/api/v2/graphql"
    assert parse_qs(target.query) == {"limit": ["5"], "q": ["a b"]}


def test_no_id_header_is_sent_unless_given(
        make_client: Callable[..., AccessManagementClient], capture: CaptureServer) -> None:
    make_client(base_url=capture.base_url).request("GET", "/x", token="tok-1")

    [seen] = capture.seen
    assert not {"X-ANYPNT-ORG-ID", "X-ANYPNT-ENV-ID"} & set(seen.headers)


def test_a_get_with_a_body_is_refused_naming_json(client: AccessManagementClient,
                                                  emu: Emulator) -> None:
    with pytest.raises(ConfigurationError, match="has no body") as caught:
        client.request("GET", "/x", token="t", json={"a": 1})

    assert caught.value.field == "json" and emu.requests == []


# The token stays on the control plane ----------------------------------------------------------

LEAVING = [
    ("absolute URL", "https://evil.example.com/steal", "not a URL"),
    ("absolute URL to the same host", "http://127.0.0.1/x", "not a URL"),
    ("scheme-relative URL", "//evil.example.com/steal", "not a URL"),
    ("no leading slash", "evil.example.com/steal", "must start with '/'"),
    ("dot-dot", "/apimanager/../../steal", "'..' segments"),
    ("dot", "/apimanager/./api", "'..' segments"),
    ("encoded dot-dot", "/apimanager/%2e%2e/x", "'..' segments"),
    ("double-encoded dot-dot", "/apimanager/%252E%252E/x", "'..' segments"),
    ("encoded slash", "/apimanager/..%2Fx", "encoded slashes"),
    ("backslash", "/apimanager\\..\\x", "backslashes"),
    ("query", "/apimanager?next=https://evil.example.com", "params="),
    ("fragment", "/apimanager#x", "params="),
    ("space", "/api manager", "whitespace"),
    ("line break", "/api\r\nHost: evil.example.com", "control characters"),
    ("empty", "", "non-empty string"),
]


@pytest.mark.parametrize("path, words", [c[1:] for c in LEAVING], ids=[c[0] for c in LEAVING])
def test_a_path_that_could_leave_the_control_plane_is_refused_before_any_request(
        make_client: Callable[..., AccessManagementClient], capture: CaptureServer,
        path: str, words: str, no_leak: Callable[..., None]) -> None:
    client = make_client(base_url=capture.base_url)

    with pytest.raises(ConfigurationError) as caught:
        client.request("GET", path, token="tok-secret-1")

    assert caught.value.field == "path" and words in str(caught.value)
    assert capture.seen == []
    assert "tok-secret-1" not in str(caught.value)


def test_a_redirect_is_not_followed_so_the_token_never_reaches_its_target(
        client: AccessManagementClient, emu: Emulator, token: str,
        capture: CaptureServer) -> None:
    emu.inject("/moved", Fault(status=302, headers={"Location": capture.base_url + "/steal"}))

    with pytest.raises(UnexpectedResponseError, match="redirected"):
        client.request("GET", "/moved", token=token)

    assert capture.seen == []


def test_a_path_under_a_base_url_prefix_stays_under_it(
        make_client: Callable[..., AccessManagementClient], capture: CaptureServer) -> None:
    make_client(base_url=capture.base_url + "/pce").request("GET", "/apimanager/x", token="t")

    assert [seen.target for seen in capture.seen] == ["/pce/apimanager/x"]


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "", "get me"])
def test_an_unknown_method_is_refused_naming_method(client: AccessManagementClient,
                                                    method: str) -> None:
    with pytest.raises(ConfigurationError, match="use one of GET, HEAD, POST") as caught:
        client.request(method, "/x", token="t")

    assert caught.value.field == "method"


@pytest.mark.parametrize("field", ["organization_id", "environment_id"])
@pytest.mark.parametrize("value", ["", "a\r\nX-Evil: 1", "caf\u00e9"])
def test_an_id_that_is_no_header_value_is_refused_naming_it(
        client: AccessManagementClient, field: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client.request("GET", "/x", token="t", **{field: value})

    assert caught.value.field == field


# Retries: idempotent methods only --------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
def test_an_idempotent_method_is_retried_after_a_transient_failure(
        client: AccessManagementClient, emu: Emulator, token: str, method: str) -> None:
    emu.inject("/retry", Fault.capacity(), method=method)
    emu.inject("/retry", Fault.json(200, {"ok": True}), method=method)

    assert client.request(method, "/retry", token=token).status == 200
    assert emu.count("/retry", method=method) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("fault, error", [(Fault.bad_gateway, ServerError),
                                          (Fault.capacity, RateLimitedError),
                                          (Fault.dropped, TransportError)])
def test_a_method_that_is_not_idempotent_is_sent_once(
        client: AccessManagementClient, emu: Emulator, token: str, method: str,
        fault: Callable[[], Fault], error: type[Exception]) -> None:
    emu.inject("/once", fault(), times=3, method=method)

    with pytest.raises(error):
        client.request(method, "/once", token=token, json={"a": 1})

    assert emu.count("/once", method=method) == 1


def test_a_wait_past_the_budget_fails_at_once(client: AccessManagementClient, emu: Emulator,
                                             token: str) -> None:
    emu.inject("/slowly", Fault.rate_limited(retry_after=120), times=3)

    with pytest.raises(RateLimitedError):
        client.request("GET", "/slowly", token=token)

    assert emu.count("/slowly") == 1


# Errors ----------------------------------------------------------------------------------------


def test_an_unknown_path_is_not_found(client: AccessManagementClient, token: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.request("GET", "/apimanager/api/v1/nothing", token=token)

    assert caught.value.endpoint == "GET /apimanager/api/v1/nothing" and caught.value.status == 404


def test_a_rejected_token_is_a_token_rejected_error(client: AccessManagementClient,
                                                    emu: Emulator, token: str,
                                                    no_leak: Callable[..., None]) -> None:
    emu.revoke(token)

    with pytest.raises(TokenRejectedError) as caught:
        client.request("GET", apis_path(emu), token=token)

    assert type(caught.value) is TokenRejectedError
    no_leak(caught.value, token)


def test_another_organizations_answer_is_permission_denied(
        client: AccessManagementClient, emu: Emulator) -> None:
    other = emu.add_organization("Other Org")
    client_id, secret = emu.add_connected_app("other app", org_id=other)
    foreign = client.client_credentials(client_id, secret).access_token

    with pytest.raises(PermissionDeniedError):
        client.request("GET", apis_path(emu), token=foreign)


def test_a_bad_request_says_what_to_check(client: AccessManagementClient, token: str) -> None:
    with pytest.raises(UnexpectedResponseError) as caught:
        client.request("GET", CLOUDHUB, token=token)

    text = str(caught.value)
    assert "Anypoint refused the request" in text and "X-ANYPNT-ENV-ID header is required" in text
    assert "environment_id" in text and caught.value.status == 400


def test_an_error_that_echoes_the_token_does_not_show_it(
        client: AccessManagementClient, emu: Emulator, token: str,
        no_leak: Callable[..., None]) -> None:
    emu.inject("/echo", Fault.json(400, {"message": f"bad token {token}"}))

    with pytest.raises(UnexpectedResponseError) as caught:
        client.request("GET", "/echo", token=token)

    no_leak(caught.value, token)


# Property: whatever path passes the checks stays under the base URL ---------------------------

_path_chars = st.sampled_from(["/", ".", "..", "%2e", "%2E", "%2f", "%5c", "%25", "?", "#", "\\",
                               ":", "@", "a", "b1", "~", " ", "\t", "//", "http:", "evil.com"])


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_path_chars, max_size=12))
def test_any_accepted_path_stays_below_the_base_url(pieces: list[str]) -> None:
    path = "".join(pieces)
    base = "https://anypoint.example.com:8443/pce"
    try:
        check_path(path)
    except ConfigurationError as exc:
        assert exc.field == "path"
        return
    url = urlsplit(base + path)
    resolved = posixpath.normpath(unquote(unquote(url.path)))
    assert url.netloc == "anypoint.example.com:8443"
    assert resolved == "/pce" or resolved.startswith("/pce/"), path
