"""Bad input (issue 6): every invalid ``AnypointToken`` input is a check failure that names the
property and the fix -- never an exception -- in-process and through the provider server; and
property-based tests over ``check`` inputs and over the client's parsing of arbitrary answers.
"""

from __future__ import annotations

import json
import math
import string
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.client import (
    LOGIN,
    ME,
    PROFILE,
    SESSION,
    TOKEN_V2,
    AccessManagementClient,
)
from anypoint_pulumi.access.errors import AnypointError
from anypoint_pulumi.access.models import Me, User
from anypoint_pulumi.core.inputs import NAMES as INPUTS
from anypoint_pulumi.core.inputs import connection_settings
from anypoint_pulumi.core.token import client_for
from anypoint_pulumi.emulator import Emulator, Fault
from anypoint_pulumi.token.provider import TokenProvider
from tests.keys import new_rsa_key
from tests.secrets import pem_body_lines

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # how the engine sends an unknown value
CC = {"client_id": "0123456789abcdef0123456789abcdef", "client_secret": "s" * 32}
PW = {"username": "max", "password": "pw-1234"}
KEY = new_rsa_key()  # a real key, made now: no private key is written in the repository
JWT = {"private_key": KEY.private_pem, "identity_provider_id": "2b8e1f6c-idp",
       "username": "ann@example.com", "client_id": "0123456789abcdef0123456789abcdef"}

# (id, inputs, the property the failure must name, words of the fix the reason must contain)
BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("no credentials", {}, "client_id", "anypoint-auth:clientId"),
    ("client_id without secret", {"client_id": "abc"}, "client_secret",
     "client_secret is required"),
    ("secret without client_id", {"client_secret": "abc"}, "client_id", "client_id is required"),
    ("username without password", {"username": "max"}, "password", "password is required"),
    ("password without username", {"password": "pw"}, "username", "username is required"),
    ("password grant without username", {**CC, "password": "pw"}, "username",
     "username is required"),
    ("saml with client credentials", {"saml_response": "PHNhbWw+", **CC}, "client_id",
     "cannot be combined with saml_response"),
    ("saml with username/password", {"saml_response": "PHNhbWw+", **PW}, "username",
     "use one flow"),
    ("saml org domain without provider", {"saml_response": "PHNhbWw+",
                                          "saml_org_domain": "acme"}, "saml_provider_id",
     "set saml_provider_id too"),
    ("saml provider without saml", {**CC, "saml_provider_id": "p"}, "saml_provider_id",
     "set saml_response or remove it"),
    ("empty client_id", {"client_id": "", "client_secret": "x"}, "client_id", "leave it unset"),
    ("blank password", {**PW, "password": "   "}, "password", "blank"),
    ("blank saml_response", {"saml_response": " \n"}, "saml_response", "blank"),
    ("empty region", {**CC, "region": ""}, "region", "leave it unset"),
    ("unknown region", {**CC, "region": "mars"}, "region", "use one of us, eu, gov, ca, jp"),
    ("region and base_url", {**CC, "region": "eu", "base_url": "https://pce.example.com"},
     "base_url", "give only one"),
    ("base_url not a URL", {**CC, "base_url": "not a url"}, "base_url", "e.g. https://"),
    ("base_url ftp", {**CC, "base_url": "ftp://pce.example.com"}, "base_url", "http(s) URL"),
    ("base_url http non-loopback", {**CC, "base_url": "http://anypoint.mulesoft.com"},
     "base_url", "use https://"),
    ("base_url with user info", {**CC, "base_url": "https://u:p@pce.example.com"}, "base_url",
     "pass credentials as inputs"),
    ("base_url with query", {**CC, "base_url": "https://pce.example.com/?x=1"}, "base_url",
     "must not carry a query"),
    ("base_url bad port", {**CC, "base_url": "https://pce.example.com:99999"}, "base_url",
     "invalid port"),
    ("base_url unclosed IPv6", {**CC, "base_url": "https://[::1"}, "base_url",
     "not an absolute http(s) URL"),
    ("base_url space in host", {**CC, "base_url": "https://exa mple.com"}, "base_url",
     "invalid host name"),
    ("negative renew_before_seconds", {**CC, "renew_before_seconds": -1},
     "renew_before_seconds", "between 0 and 86400"),
    ("absurd renew_before_seconds", {**CC, "renew_before_seconds": 1e9},
     "renew_before_seconds", "between 0 and 86400"),
    ("huge int renew_before_seconds", {**CC, "renew_before_seconds": 10**400},
     "renew_before_seconds", "between 0 and 86400"),
    ("NaN renew_before_seconds", {**CC, "renew_before_seconds": math.nan},
     "renew_before_seconds", "must be a number"),
    ("string renew_before_seconds", {**CC, "renew_before_seconds": "600"},
     "renew_before_seconds", "must be a number"),
    ("bool renew_before_seconds", {**CC, "renew_before_seconds": True},
     "renew_before_seconds", "must be a number"),
    ("zero timeout", {**CC, "timeout_seconds": 0}, "timeout_seconds", "between 1 and 600"),
    ("infinite timeout", {**CC, "timeout_seconds": math.inf}, "timeout_seconds",
     "must be a number"),
    ("number client_id", {"client_id": 123, "client_secret": "x"}, "client_id",
     "must be a string"),
    ("list client_secret", {"client_id": "a", "client_secret": ["x"]}, "client_secret",
     "must be a string"),
    ("dict base_url", {**CC, "base_url": {"url": "https://x"}}, "base_url", "must be a string"),
    ("number region", {**CC, "region": 1}, "region", "must be a string"),
    ("triggers a list", {**CC, "triggers": ["a"]}, "triggers", "must be a map of strings"),
    ("triggers a string", {**CC, "triggers": "rotation"}, "triggers", "must be a map"),
    ("non-string trigger", {**CC, "triggers": {"n": 1}}, "triggers", "wrap it in str"),
    ("nested trigger", {**CC, "triggers": {"n": {"m": "x"}}}, "triggers", "wrap it in str"),
    ("revoke_on_delete a string", {**CC, "revoke_on_delete": "yes"}, "revoke_on_delete",
     "true or false"),
    ("verify_tls a string", {**CC, "verify_tls": "false"}, "verify_tls", "true or false"),
    ("missing ca_bundle file", {**CC, "ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle",
     "path of a PEM bundle"),
    # The JWT bearer grant: all four inputs, no other flow's secret, a PEM RSA private key.
    ("private_key alone", {"private_key": KEY.private_pem}, "identity_provider_id",
     "identity_provider_id is required with private_key"),
    ("private_key without username", {**JWT, "username": None}, "username",
     "username is required with private_key"),
    ("private_key without client_id", {**JWT, "client_id": None}, "client_id",
     "private_key + identity_provider_id + username + client_id"),
    ("identity_provider_id without private_key", {**PW, "identity_provider_id": "idp"},
     "private_key", "only used with private_key"),
    ("private_key with client_secret", {**JWT, "client_secret": "s" * 32}, "client_secret",
     "cannot be combined with private_key"),
    ("private_key with password", {**JWT, "password": "pw"}, "password",
     "remove password (from config and ANYPOINT_* too)"),
    ("private_key not PEM", {**JWT, "private_key": "MIIEvQIBADANBgkqhkiG9w0"}, "private_key",
     "not a PEM-encoded private key"),
    ("private_key truncated", {**JWT, "private_key": KEY.private_pem[:300] +
                               "\n-----END PRIVATE KEY-----"}, "private_key",
     "not a readable PEM private key"),
    ("private_key a public key", {**JWT, "private_key": KEY.public_pem}, "private_key",
     "the connected app keeps the certificate"),
    ("private_key a file path", {**JWT, "private_key": "./keys/jwt-app.pem"}, "private_key",
     "pulumi config set --secret anypoint:privateKey < key.pem"),
    ("private_key encrypted", {**JWT, "private_key": "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                               "AAAA\n-----END ENCRYPTED PRIVATE KEY-----"}, "private_key",
     "openssl pkey"),
    ("private_key a number", {**JWT, "private_key": 42}, "private_key", "must be a string"),
    ("blank identity_provider_id", {**JWT, "identity_provider_id": " "}, "identity_provider_id",
     "blank"),
    ("identity_provider_id with a bar", {**JWT, "identity_provider_id": "a|b"},
     "identity_provider_id", "must not contain '|'"),
    ("saml with private_key", {"saml_response": "PHNhbWw+", "private_key": KEY.private_pem},
     "private_key", "cannot be combined with saml_response"),
    # Unknown values during preview: what is known is still judged.
    ("preview: unknown secret, no client_id", {"client_secret": UNKNOWN}, "client_id",
     "client_id is required"),
    ("preview: unknown credentials, bad region", {"client_id": UNKNOWN, "client_secret": UNKNOWN,
                                                  "region": "mars"}, "region", "use one of"),
    ("preview: unknown saml with client credentials", {"saml_response": UNKNOWN, **CC},
     "client_id", "use one flow"),
    ("preview: unknown private_key, no username", {**JWT, "private_key": UNKNOWN,
                                                    "username": None}, "username",
     "username is required with private_key"),
    ("preview: unknown id, non-string trigger", {"client_id": UNKNOWN, "client_secret": "x",
                                                 "triggers": {"n": 2}}, "triggers",
     "wrap it in str"),
]
BAD_IDS = [case[0] for case in BAD]

# Known-good inputs that contain unknowns: preview must not fail on them.
PREVIEW_OK: list[dict[str, Any]] = [
    {"client_id": UNKNOWN, "client_secret": UNKNOWN},
    {"client_id": pulumi.output.Unknown(), "client_secret": "x"},
    {**CC, "base_url": UNKNOWN},
    {**CC, "region": UNKNOWN},
    {**CC, "triggers": UNKNOWN},
    {**CC, "triggers": {"a": UNKNOWN}},
    {**CC, "renew_before_seconds": UNKNOWN, "timeout_seconds": UNKNOWN},
    {"saml_response": UNKNOWN, "saml_org_domain": "acme", "saml_provider_id": UNKNOWN},
    {**JWT, "private_key": UNKNOWN},
    {**JWT, "identity_provider_id": UNKNOWN, "username": UNKNOWN},
]


def test_there_are_at_least_25_bad_inputs() -> None:
    assert len(BAD) >= 25


@pytest.mark.parametrize("news, prop, fix", [c[1:] for c in BAD], ids=BAD_IDS)
def test_bad_input_is_a_check_failure(news: dict[str, Any], prop: str, fix: str) -> None:
    result = TokenProvider().check({}, dict(news))
    named = {failure.property: failure.reason for failure in result.failures}
    assert prop in named, f"no failure names {prop!r}: {result.failures}"
    assert fix in named[prop], f"{named[prop]!r} does not say {fix!r}"
    for failure in result.failures:
        assert failure.property in INPUTS, failure.property
        assert "Traceback" not in failure.reason and len(failure.reason) > 20
        assert not any(line in failure.reason for line in pem_body_lines(KEY.private_pem))


@pytest.mark.parametrize("news", PREVIEW_OK)
def test_unknown_values_during_preview_are_accepted(news: dict[str, Any]) -> None:
    assert TokenProvider().check({}, dict(news)).failures == []


# Through the provider server: protobuf carries JSON values (numbers become floats), so the
# cases whose value JSON can carry as such; their failures must come back as CheckFailures.
GRPC_BAD = [case for case in BAD if case[0] in {
    "no credentials", "client_id without secret", "saml with client credentials",
    "empty client_id", "unknown region", "region and base_url", "base_url http non-loopback",
    "base_url unclosed IPv6", "negative renew_before_seconds", "absurd renew_before_seconds",
    "string renew_before_seconds", "number client_id", "triggers a list", "non-string trigger",
    "revoke_on_delete a string", "missing ca_bundle file", "preview: unknown secret, no client_id",
    "preview: unknown saml with client credentials", "private_key alone",
    "private_key with client_secret", "private_key not PEM", "private_key a public key",
    "identity_provider_id with a bar", "preview: unknown private_key, no username",
}]



@pytest.mark.parametrize("news, prop, fix", [c[1:] for c in GRPC_BAD],
                         ids=[c[0] for c in GRPC_BAD])
def test_bad_input_is_a_check_failure_over_grpc(server: Any, news: dict[str, Any], prop: str,
                                                fix: str) -> None:
    _, failures = server.check(news)
    named = dict(failures)
    assert prop in named, f"no failure names {prop!r}: {failures}"
    assert fix in named[prop]


def test_unknown_values_pass_check_over_grpc(server: Any) -> None:
    for news in PREVIEW_OK:
        if any(isinstance(v, pulumi.output.Unknown) for v in news.values()):
            continue
        _, failures = server.check(news)
        assert failures == [], (news, failures)
    assert "Traceback" not in server.settled_output()


# Property: check never raises --------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.just(""), st.just("   "), st.just(UNKNOWN),
    st.sampled_from([10**400, -(10**400), 1e308, -0.0, 600, 86_400, 86_401]),
    st.sampled_from(["us", "EU", "gov", "ca ", "jp", "mars", "https://pce.example.com",
                     "http://127.0.0.1:8080/", "http://example.com", "https://[::1", "ftp://x",
                     "https://u:p@h", "https://h:99999", "https://h/?q", "/etc/hosts"]),
)
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
_inputs = st.dictionaries(st.sampled_from([*INPUTS, "__provider", "extra"]), _json, max_size=10)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(olds=_inputs, news=_inputs)
def test_check_never_raises(olds: dict[str, Any], news: dict[str, Any]) -> None:
    result = TokenProvider().check(olds, news)
    for failure in result.failures:
        assert isinstance(failure.property, str) and isinstance(failure.reason, str)
        assert failure.reason
    unknown = any(v == UNKNOWN for v in json.dumps(news, default=str).split('"'))
    if not result.failures and not unknown:
        # Inputs that pass check are usable: the client for them can be built.
        client_for(connection_settings(result.inputs))


# Property: any answer parses to a token or to one of our errors ----------------------------

_lifetimes = st.one_of(  # lifetimes: sane, absent-ish, and far past datetime's range
    _json, st.integers(-10, 10**40), st.floats(min_value=1e6, allow_infinity=True),
    st.sampled_from(["3600", "1e400", 1e12, 1e308, -1, 0, "9999-12-31T23:59:59-05:00",
                     "0001-01-01T00:00:00+01:00", "2030-01-01T00:00:00Z"]),
)
_documents = st.fixed_dictionaries({}, optional={
    "access_token": st.one_of(_json, st.text(min_size=1, max_size=40)),
    "token_type": _json, "expires_in": _lifetimes, "url": _json, "message": _json,
    "error": _json, "error_description": _json, "expiresAt": _lifetimes,
    "sessionTimeout": _lifetimes, "data": _json, "total": _json, "user": _json,
}).map(lambda v: json.dumps(v).encode())
_bodies = st.one_of(  # Anypoint-shaped documents half the time, anything else otherwise
    _documents, st.binary(max_size=200), _documents, st.text(max_size=100).map(str.encode),
    _json.map(lambda v: json.dumps(v).encode()), _documents,
)
_content_types = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "text/plain", "text/html",
    "application/octet-stream", "", "application/json; charset=latin-1", "text/xml",
])
_header_values = st.text(alphabet=string.ascii_letters + string.digits + " ,:-.+", max_size=30)
_headers = st.dictionaries(
    st.sampled_from(["Retry-After", "X-RateLimit-Reset", "Location", "Content-Encoding"]),
    _header_values, max_size=2)
_statuses = st.one_of(st.just(200), st.sampled_from([200, 201, 204, 301, 302, 400, 401, 403, 404,
                                                    422, 429, 500, 502, 503, 504]),
                      st.integers(200, 599))



@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(status=_statuses, body=_bodies, content_type=_content_types, headers=_headers,
       call=st.sampled_from(["client_credentials", "login", "session", "me", "profile"]))
def test_any_answer_is_a_token_or_our_error(emu: Emulator, status: int, body: bytes,
                                            content_type: str, headers: dict[str, str],
                                            call: str) -> None:
    emu.clear_faults()
    fault = Fault(status=status, body=body, content_type=content_type, headers=headers)
    path = {"client_credentials": TOKEN_V2, "login": LOGIN, "session": SESSION, "me": ME,
            "profile": PROFILE}[call]
    emu.inject(path, fault, times=2)
    client = AccessManagementClient(base_url=emu.base_url, timeout_seconds=1.0, retries=1,
                                    backoff_factor=0.0)
    d = emu.demo
    try:
        if call == "client_credentials":
            token = client.client_credentials(d.client_id, d.client_secret)
        elif call in ("login", "session"):
            token = client.login(d.username, d.password)
        else:
            valid = client.client_credentials(d.client_id, d.client_secret).access_token
            answer = client.me(valid) if call == "me" else client.profile(valid)
            assert isinstance(answer, (Me, User))
            return
        assert isinstance(token.access_token, str) and token.access_token.strip()
        assert token.expires_at > token.issued_at
        token.expires_at.isoformat()
    except AnypointError as exc:
        assert str(exc) and exc.host
    finally:
        client.close()
