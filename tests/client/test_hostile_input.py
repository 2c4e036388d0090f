"""Hostile structure becomes the library's own errors: a lone surrogate in an input is refused
naming the field (never showing the value); every constructor argument is checked by type and
range; path segments from callers or answers cannot step out of their segment; and lifetimes,
tokens and other values a server sends are believed only within what Anypoint can issue."""

from __future__ import annotations

import contextlib
import math
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.endpoints import LOGIN, ME, SAML, SESSION, TOKEN_V2, segment
from anypoint_pulumi.access.errors import (
    ConfigurationError,
    TokenRejectedError,
    UnexpectedResponseError,
)
from anypoint_pulumi.access.limits import MAX_LIFETIME_SECONDS, MAX_TOKEN_CHARS
from anypoint_pulumi.access.settings import ConnectionSettings
from tests.secrets import leaks, new_canary
from tests.support.hostile import Act, HostileServer


@pytest.fixture
def client(hostile: HostileServer) -> AccessManagementClient:
    return AccessManagementClient(base_url=hostile.base_url, retries=0, timeout_seconds=5.0)


# Lone surrogates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["client_id", "client_secret"])
def test_a_lone_surrogate_in_a_login_input_is_refused_naming_the_field(hostile, client, field):
    secret = new_canary("secret") + "\ud800"
    values = {"client_id": "0123456789abcdef", "client_secret": secret}
    values[field] = values[field] + "\udfff"

    with pytest.raises(ConfigurationError) as caught:
        client.client_credentials(values["client_id"], values["client_secret"])

    assert caught.value.field == field and "lone surrogate" in caught.value.message
    assert leaks(caught.value, "", (secret[:-1],)) == []
    assert hostile.count() == 0


def test_a_lone_surrogate_in_a_password_never_shows_the_password(hostile, client):
    password = new_canary("pw") + "\udc80"

    with pytest.raises(ConfigurationError) as caught:
        client.login("max", password)

    assert caught.value.field == "password"
    assert leaks(caught.value, "", (password[:-1],)) == []


def test_a_lone_surrogate_in_a_saml_response_is_refused(hostile, client):
    saml = new_canary("saml") + "\ud83d"

    with pytest.raises(ConfigurationError) as caught:
        client.saml_login(saml)

    assert caught.value.field == "SAMLResponse"
    assert leaks(caught.value, "", (saml[:-1],)) == []


def test_a_lone_surrogate_in_a_token_is_a_malformed_token(hostile, client):
    with pytest.raises(TokenRejectedError, match="Malformed token"):
        client.me("abc\ud800def")


def test_a_lone_surrogate_in_a_filter_is_refused_naming_it(hostile, client):
    with pytest.raises(ConfigurationError) as caught:
        client.environments("tok", "org", name="Sandbox\ud800")

    assert caught.value.field == "name"


# Constructor arguments ---------------------------------------------------------------------------


BAD_ARGUMENTS: list[tuple[str, dict[str, Any]]] = [
    ("region", {"region": 5}),
    ("region", {"region": ""}),
    ("base_url", {"base_url": b"https://x"}),
    ("base_url", {"base_url": "https://host/\ud800"}),
    ("timeout_seconds", {"timeout_seconds": "30"}),
    ("timeout_seconds", {"timeout_seconds": (1.0, 2.0)}),
    ("timeout_seconds", {"timeout_seconds": -1}),
    ("timeout_seconds", {"timeout_seconds": 0}),
    ("timeout_seconds", {"timeout_seconds": 0.5}),
    ("timeout_seconds", {"timeout_seconds": 601}),
    ("timeout_seconds", {"timeout_seconds": math.nan}),
    ("timeout_seconds", {"timeout_seconds": math.inf}),
    ("timeout_seconds", {"timeout_seconds": 10**400}),
    ("timeout_seconds", {"timeout_seconds": True}),
    ("retries", {"retries": -1}),
    ("retries", {"retries": 1.5}),
    ("retries", {"retries": True}),
    ("retries", {"retries": 10**400}),
    ("backoff_factor", {"backoff_factor": -1}),
    ("backoff_factor", {"backoff_factor": math.nan}),
    ("verify_tls", {"verify_tls": "no"}),
    ("verify_tls", {"verify_tls": 0}),
    ("ca_bundle", {"ca_bundle": 123}),
    ("ca_bundle", {"ca_bundle": "/nonexistent/ca.pem"}),
    ("ca_bundle", {"ca_bundle": "/tmp/" + "x" * 100_000}),
    ("ca_bundle", {"ca_bundle": "bad\x00path"}),
    ("user_agent", {"user_agent": "ok\r\nX-Injected: 1"}),
    ("user_agent", {"user_agent": 42}),
    ("settings", {"settings": "https://anypoint.mulesoft.com"}),
]


@pytest.mark.parametrize("field, arguments", BAD_ARGUMENTS,
                         ids=[f"{f}={next(iter(a.values()))!r:.20}" for f, a in BAD_ARGUMENTS])
def test_a_bad_constructor_argument_is_a_configuration_error_naming_it(field, arguments):
    with pytest.raises(ConfigurationError) as caught:
        AccessManagementClient(**arguments)

    assert caught.value.field == field
    assert len(str(caught.value)) < 400


def test_settings_may_be_given_whole():
    settings_ = ConnectionSettings.resolve(region="eu")

    assert AccessManagementClient(settings=settings_).settings is settings_


_anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                      st.binary(max_size=4), st.tuples(st.floats(), st.floats()),
                      st.lists(st.integers(), max_size=3))


@settings(max_examples=300, deadline=None)
@given(arguments=st.fixed_dictionaries({}, optional={
    name: _anything for name in ("region", "timeout_seconds", "retries", "backoff_factor",
                                 "verify_tls", "ca_bundle", "user_agent")}))
def test_property_the_constructor_builds_a_client_or_says_which_argument_is_wrong(arguments):
    try:
        client = AccessManagementClient(**arguments)
    except ConfigurationError as exc:
        assert exc.field in {*arguments, "base_url"}
    else:
        assert client.settings.retry.budget_seconds > 0


# Path segments -----------------------------------------------------------------------------------


@pytest.mark.parametrize("org_id", ["..", ".", "", " ", "../accounts", "a/b", "a\\b", "x\x00",
                                    "o" * 300, "\ud800"])
def test_an_organization_id_that_could_leave_its_segment_is_refused_before_sending(
        hostile, client, org_id):
    with pytest.raises(ConfigurationError) as caught:
        client.environments("tok", org_id)

    assert caught.value.field == "organization_id"
    assert hostile.count() == 0


@pytest.mark.parametrize("domain, provider", [("..", "p"), ("acme", ".."), ("a/b", "p"),
                                              ("acme", "p/../../x")])
def test_saml_path_segments_that_could_leave_their_segment_are_refused(
        hostile, client, domain, provider):
    with pytest.raises(ConfigurationError) as caught:
        client.saml_login("PHNhbWw+", org_domain=domain, provider_id=provider)

    assert caught.value.field in ("saml_org_domain", "saml_provider_id")
    assert hostile.count() == 0


def test_reserved_characters_stay_inside_one_encoded_segment(hostile, client):
    hostile.route("/accounts/api/organizations/a?b#c%d;e/hierarchy", Act.json({"id": "x"}))

    with pytest.raises(Exception):
        client.hierarchy("tok", "a?b#c%d;e")

    assert hostile.seen[0].path == "/accounts/api/organizations/a%3Fb%23c%25d%3Be/hierarchy"


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=40))
def test_property_a_segment_is_refused_or_stays_one_segment(value):
    try:
        encoded = segment(value, "organization_id")
    except ConfigurationError:
        return
    assert "/" not in encoded and encoded not in (".", "..") and encoded


# What a server says -------------------------------------------------------------------------------


def test_a_session_said_to_end_in_year_9999_is_believed_for_a_day_at_most(hostile, client):
    hostile.route(LOGIN, Act.json({"access_token": "session-token"}))
    hostile.route(SESSION, Act.json({"expiresAt": "9999-12-31T23:59:59Z"}))

    token = client.login("max", "password-1234")

    assert token.expires_at - token.issued_at <= timedelta(seconds=MAX_LIFETIME_SECONDS)


@pytest.mark.parametrize("expires_in", [10**12, 1e308, "1e400", 10**400, 366 * 86_400])
def test_an_oauth_lifetime_past_a_day_is_clamped_to_a_day(hostile, client, expires_in):
    hostile.route(TOKEN_V2, Act.json({"access_token": "oauth-token", "expires_in": expires_in}))

    token = client.client_credentials("id", "secret-1234")

    assert timedelta(0) < token.expires_at - token.issued_at <= timedelta(
        seconds=MAX_LIFETIME_SECONDS)


@pytest.mark.parametrize("answer", [{"expiresAt": "1970-01-01T00:00:00Z"},
                                    {"expiresAt": "0001-01-01T00:00:00+01:00"},
                                    {"sessionTimeout": 10**400}, {"expires_in": -5}])
def test_a_session_expiry_that_cannot_be_true_gives_the_60_minute_default(
        hostile, client, answer):
    hostile.route(LOGIN, Act.json({"access_token": "session-token"}))
    hostile.route(SESSION, Act.json(answer))

    token = client.login("max", "password-1234")

    assert token.expires_at - token.issued_at == timedelta(minutes=60)


def test_a_token_longer_than_any_anypoint_token_is_refused(hostile, client):
    hostile.route(TOKEN_V2, Act.json({"access_token": "t" * (MAX_TOKEN_CHARS + 1)}))

    with pytest.raises(UnexpectedResponseError, match="more than any Anypoint token"):
        client.client_credentials("id", "secret-1234")


def test_a_4_mib_token_is_refused(hostile, client):
    hostile.route(TOKEN_V2, Act.json({"access_token": "t" * (4 * 1024 * 1024)}))

    with pytest.raises(UnexpectedResponseError):
        client.client_credentials("id", "secret-1234")


def test_a_token_of_the_longest_believed_length_is_taken(hostile, client):
    hostile.route(TOKEN_V2, Act.json({"access_token": "t" * MAX_TOKEN_CHARS}))

    assert len(client.client_credentials("id", "secret-1234").access_token) == MAX_TOKEN_CHARS


def test_a_caller_token_longer_than_any_anypoint_token_is_never_sent(hostile, client):
    with pytest.raises(TokenRejectedError, match="more than any Anypoint token"):
        client.me("t" * (MAX_TOKEN_CHARS + 1))

    assert hostile.count() == 0


def test_an_unusable_token_type_reads_as_bearer(hostile, client):
    hostile.route(TOKEN_V2, Act.json({"access_token": "tok", "token_type": "x" * 10_000}))

    assert client.client_credentials("id", "secret-1234").token_type == "bearer"


@pytest.mark.parametrize("answer", [{"user": {"organization": {"id": 10**400}}},
                                    {"client": {"org_id": ["a", {"b": None}]}}, {"user": []}])
def test_values_past_any_range_in_a_read_are_taken_leniently_or_refused(hostile, client, answer):
    hostile.route(ME, Act(body=repr(answer).replace("'", '"').replace("None", "null")
                          .encode()))

    with contextlib.suppress(UnexpectedResponseError):  # taken leniently, or refused: both fine
        client.me("tok")


def test_saml_goes_to_the_generic_endpoint_only_when_no_org_segment_is_given(hostile, client):
    hostile.route(SAML, Act.json({"access_token": "tok"}))
    hostile.route(SESSION, Act.json({"expiresIn": 600}))

    client.saml_login("PHNhbWw+")

    assert hostile.seen[0].path == SAML
