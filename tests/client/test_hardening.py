"""Issue 17's access-layer classes, each attacked several ways: answers masked in every spelling
(5), a fresh JWT assertion per attempt (6), no password of a base URL in any message (7), the
client's argument gaps (10), and the final-URL check on the URL actually sent."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
import requests
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access import client as client_module
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.endpoints import ME, TOKEN_V2
from anypoint_pulumi.access.errors import (
    ConfigurationError,
    RateLimitedError,
    UnexpectedResponseError,
)
from anypoint_pulumi.access.redaction import excerpt_url, without_userinfo
from anypoint_pulumi.access.settings import ConnectionSettings, host_base_url, normalize_base_url
from anypoint_pulumi.emulator import Emulator, Fault
from tests.support.hostile import Act, HostileServer, Seen

TOKEN = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
ECHO = "/apimanager/api/v1/echo"


@pytest.fixture
def client(hostile: HostileServer) -> AccessManagementClient:
    return AccessManagementClient(base_url=hostile.base_url, retries=1, backoff_factor=0.0,
                                  timeout_seconds=5)


# Class 5: an answer masks the token in every spelling --------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SPELLINGS = {
    "as is": TOKEN,
    "upper-cased": TOKEN.upper(),
    "mixed case": TOKEN[:10].upper() + TOKEN[10:],
    "base64": _b64(TOKEN),
    "base64 of id:token": _b64(f"my-client:{TOKEN}"),
    "url-safe base64": base64.urlsafe_b64encode(TOKEN.encode()).decode(),
    "percent-encoded": "".join(f"%{b:02X}" for b in TOKEN.encode()),
}


@pytest.mark.parametrize("how", list(SPELLINGS))
def test_an_api_answer_masks_the_token_in_every_spelling(
        client: AccessManagementClient, hostile: HostileServer, how: str) -> None:
    spelled = SPELLINGS[how]
    hostile.route(ECHO, Act.json({"echo": f"you sent {spelled}.", spelled: [spelled]},
                                 headers=(("X-Request-Id", f"req {spelled}"),)))

    answer = client.request("GET", ECHO, token=TOKEN)

    shown = json.dumps(answer.body) + json.dumps(answer.headers)
    assert spelled not in shown and TOKEN not in shown
    assert "you sent" in answer.body["echo"] and "x-request-id" in answer.headers


def test_a_text_answer_masks_the_token_too(
        client: AccessManagementClient, hostile: HostileServer) -> None:
    hostile.route(ECHO, Act(body=f"token={TOKEN.upper()} ok".encode(),
                            headers=(("Content-Type", "text/plain"),)))

    answer = client.request("GET", ECHO, token=TOKEN)

    assert TOKEN.upper() not in answer.body and answer.body.endswith("ok")


# Class 6: a JWT retry signs a fresh assertion ----------------------------------------------------


def _claims(seen: Seen) -> dict[str, Any]:
    assertion = parse_qs(seen.body.decode())["assertion"][0]
    return dict(jwt.decode(assertion, options={"verify_signature": False}))


def test_a_jwt_retry_after_a_503_sends_a_freshly_signed_assertion(
        hostile: HostileServer, second_rsa_key: Any) -> None:
    answers = iter([Act(status=503, body=b""), Act.json({"access_token": "a-user-token"})])
    hostile.route(TOKEN_V2, lambda seen: next(answers))
    client = AccessManagementClient(base_url=hostile.base_url, retries=2, backoff_factor=0.0)

    client.jwt_bearer("app", second_rsa_key.private_pem, "idp", "max@example.com")

    sent = [seen for seen in hostile.seen if seen.path == TOKEN_V2]
    first, second = (_claims(seen) for seen in sent)
    assert len(sent) == 2
    assert first["jti"] != second["jti"]
    assert second["iat"] >= first["iat"] and second["exp"] - second["iat"] == 180
    assert sent[0].body != sent[1].body


def test_a_jwt_retry_against_the_emulator_signs_once_per_attempt(
        emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    signed: list[str] = []
    real = client_module.make_assertion

    def spy(**claims: Any) -> str:
        signed.append(real(**claims))
        return signed[-1]

    monkeypatch.setattr(client_module, "make_assertion", spy)
    emulator.inject(TOKEN_V2, Fault.capacity(), times=1, method="POST")
    client = AccessManagementClient(base_url=emulator.base_url, retries=2, backoff_factor=0.0)
    demo = emulator.demo

    token = client.jwt_bearer(demo.jwt_client_id, emulator.jwt_private_key,
                              demo.jwt_identity_provider_id, demo.jwt_username)

    statuses = [r.status for r in emulator.requests if r.path == TOKEN_V2]
    assert statuses == [503, 200] and token.access_token
    assert len(signed) == 2 and signed[0] != signed[1]


# Class 7: no password of a base URL in any message -----------------------------------------------

PASSWORD = "hunter2-Secret-Pw"
MALFORMED = [
    f"https://max:{PASSWORD}@bad host/",
    f"https://max:{PASSWORD}@host:99999999/",
    f"https://max:{PASSWORD}@host:port/",
    f"ftp://max:{PASSWORD}@host/",
    f"https//max:{PASSWORD}@host/",
    f"max:{PASSWORD}@host",
    f"https://max:{PASSWORD}@/path",
    f"https://max:{PASSWORD}@exa_mple..com/",
    f"https://max:{PASSWORD}@host/\ud800",
    f"https://max:{PASSWORD}@host",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_a_password_in_a_base_url_is_never_in_the_error(url: str) -> None:
    for attempt in (lambda: normalize_base_url(url),
                    lambda: ConnectionSettings.resolve(base_url=url),
                    lambda: AccessManagementClient(base_url=url)):
        with pytest.raises(ConfigurationError) as caught:
            attempt()
        assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value)
        assert caught.value.field == "base_url"
    try:
        host_base_url(url)  # a bare host: some of these read as a host and a path
    except ConfigurationError as exc:
        assert PASSWORD not in str(exc)


@settings(max_examples=200, deadline=None)
@given(password=st.text(alphabet=st.characters(blacklist_characters="@/\\?#"), min_size=6,
                        max_size=20).filter(lambda p: p.strip() == p and p.isprintable()),
       host=st.sampled_from(["bad host", "host:xx", "", "exa_mple..com", "h\x00st", "ok.example"]),
       scheme=st.sampled_from(["https://", "http://", "ftp://", "https//", "", "https:/"]))
def test_property_a_userinfo_password_never_reaches_a_message(
        password: str, host: str, scheme: str) -> None:
    password = f"Zq{password}qZ"  # never a piece of our own words
    url = f"{scheme}max:{password}@{host}/x"
    # Our own words may contain a short password by chance ("creden" in "credentials"): only
    # text that came from the URL counts, so a password the same message shows without it is
    # not one to look for.
    stand_in = f"{scheme}max:{chr(0x2603) * len(password)}@{host}/x"
    try:
        normalize_base_url(stand_in)
    except ConfigurationError as exc:
        assume(password not in str(exc))
    assume(password not in host and password not in scheme)
    try:
        normalize_base_url(url)
    except ConfigurationError as exc:
        assert password not in str(exc)
    assert password not in without_userinfo(url)
    assert password not in excerpt_url(url)


# Class 10: the client's argument gaps ------------------------------------------------------------

READS: dict[str, Callable[[AccessManagementClient, Any], object]] = {
    "me": lambda c, t: c.me(t),
    "profile": lambda c, t: c.profile(t),
    "session": lambda c, t: c.session(t),
    "organization": lambda c, t: c.organization(t, "org"),
    "hierarchy": lambda c, t: c.hierarchy(t, "org"),
    "environments": lambda c, t: c.environments(t, "org"),
    "request": lambda c, t: c.request("GET", ECHO, token=t),
    "revoke": lambda c, t: c.revoke(t),
    "logout": lambda c, t: c.logout(t),
}


@pytest.mark.parametrize("token", [None, "", "   ", 42, b"bytes"], ids=repr)
@pytest.mark.parametrize("call", list(READS))
def test_a_call_without_a_token_is_refused_before_sending(
        client: AccessManagementClient, hostile: HostileServer, call: str, token: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        READS[call](client, token)

    assert caught.value.field == "token"
    assert hostile.count() == 0


@pytest.mark.parametrize("params", [["limit", 5], "limit=5", {"a": object()}, {1: "x"},
                                    {"a": {"nested": 1}}, {"a": True}])
def test_wrong_typed_params_are_a_configuration_error_naming_params(
        client: AccessManagementClient, hostile: HostileServer, params: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client.request("GET", ECHO, token=TOKEN, params=params)

    assert caught.value.field == "params" and hostile.count() == 0


@pytest.mark.parametrize("body", [{"a": math.nan}, [math.inf], {"x": [-math.inf]}, {1, 2},
                                  {"a": object()}, {("t",): 1}, math.nan])
def test_a_body_json_cannot_carry_is_a_configuration_error_naming_json(
        client: AccessManagementClient, hostile: HostileServer, body: Any) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client.request("POST", ECHO, token=TOKEN, json=body)

    assert caught.value.field == "json" and hostile.count() == 0
    assert "Could not reach" not in str(caught.value)


@pytest.mark.parametrize("text", [b'{"data": NaN}', b'{"x": Infinity}', b'[-Infinity]'])
def test_nan_or_infinity_in_an_answer_is_an_unexpected_answer(
        client: AccessManagementClient, hostile: HostileServer, text: bytes) -> None:
    hostile.route(ECHO, Act(body=text)).route(ME, Act(body=text))

    with pytest.raises(UnexpectedResponseError) as caught:
        client.request("GET", ECHO, token=TOKEN)
    with pytest.raises(UnexpectedResponseError):
        client.me(TOKEN)

    assert "NaN or Infinity" in str(caught.value)


# The final-URL check is made on the URL actually sent --------------------------------------------


def test_a_prepared_request_for_another_host_is_never_sent(
        client: AccessManagementClient, hostile: HostileServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with HostileServer() as elsewhere:
        real = requests.Session.prepare_request

        def misdirected(self: requests.Session, request: requests.Request) -> Any:
            prepared = real(self, request)
            prepared.url = elsewhere.base_url + ECHO  # what a bug in building the URL would do
            return prepared

        monkeypatch.setattr(requests.Session, "prepare_request", misdirected)

        with pytest.raises(ConfigurationError) as caught:
            client.request("GET", ECHO, token=TOKEN)

        assert caught.value.field == "path"
        assert elsewhere.count() == 0 and hostile.count() == 0


# Retry-or-not per call, on one pool ---------------------------------------------------------------


def test_a_post_is_sent_once_through_the_same_pool_as_every_other_call(
        emulator: Emulator) -> None:
    from anypoint_pulumi.access import transport as transport_module

    client = AccessManagementClient(base_url=emulator.base_url, retries=3, backoff_factor=0.0)
    demo = emulator.demo
    token = client.client_credentials(demo.client_id, demo.client_secret)
    pools = set(transport_module._TRANSPORTS)
    emulator.inject("/once", Fault.capacity(), times=3, method="POST")

    with pytest.raises(RateLimitedError):  # an empty 503: "at capacity"
        client.request("POST", "/once", token=token, json={"a": 1})

    assert emulator.count("/once", method="POST") == 1
    assert set(transport_module._TRANSPORTS) == pools  # no second transport for "no retries"


# Logins: every credential given, as text, before anything is sent ---------------------------------

LOGINS: dict[str, tuple[Callable[..., object], dict[str, Any]]] = {
    "client_credentials": (AccessManagementClient.client_credentials,
                           {"client_id": "app", "client_secret": "secret-1234"}),
    "password_grant": (AccessManagementClient.password_grant,
                       {"client_id": "app", "client_secret": "secret-1234", "username": "max",
                        "password": "pw-1234"}),
    "login": (AccessManagementClient.login, {"username": "max", "password": "pw-1234"}),
    "saml_login": (AccessManagementClient.saml_login, {"saml_response": "PHNhbWw+"}),
    "jwt_bearer": (AccessManagementClient.jwt_bearer,
                   {"client_id": "app", "private_key": "not checked first",
                    "identity_provider_id": "idp", "username": "max"}),
}
MISSING = [(flow, field, bad) for flow, (_, args) in LOGINS.items() for field in args
           if field != "private_key" for bad in (None, "", "  ", 42)]


@pytest.mark.parametrize("flow, field, bad", MISSING)
def test_a_missing_credential_is_refused_naming_it_before_sending(
        client: AccessManagementClient, hostile: HostileServer, flow: str, field: str,
        bad: Any) -> None:
    call, args = LOGINS[flow]

    with pytest.raises(ConfigurationError) as caught:
        call(client, **{**args, field: bad})

    assert caught.value.field == field and hostile.count() == 0
