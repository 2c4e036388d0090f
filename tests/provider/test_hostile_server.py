"""The provider against a hostile server and hostile state: every operation ends within its
``timeout_seconds`` (a delete never holds up a destroy), what the server says reaches the engine
scrubbed, bad inputs are check failures naming the field (over gRPC too), ``diff`` copes with any
stored value, and ``verify_tls=False`` is warned about every time."""

from __future__ import annotations

import base64
import re
import time
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime.rpc import UNKNOWN

from anypoint_pulumi.access.endpoints import REVOKE, TOKEN_V2
from anypoint_pulumi.access.errors import TransportError
from anypoint_pulumi.core import inputs as schema
from tests.secrets import new_canary
from tests.support.hostile import Act, HostileServer
from tests.support.provider_server import ProviderError, ProviderServer

SLACK = 1.0
TOKEN = b'{"access_token": "a-token-of-the-hostile-server", "expires_in": 3600}'


def inputs(hostile: HostileServer, secret: str = "secret-of-the-test", **extra: Any,
           ) -> dict[str, Any]:
    return {"client_id": "0123456789abcdef", "client_secret": secret,
            "base_url": hostile.base_url, "timeout_seconds": 1, **extra}


def stored(hostile: HostileServer, **extra: Any) -> dict[str, Any]:
    """The state of a client-credentials token issued by the hostile server."""
    return {**inputs(hostile), "access_token": "a-token-of-the-hostile-server",
            "grant_type": "client_credentials", "token_type": "bearer",
            "issued_at": "2030-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z",
            "revoke_on_delete": True, "renew_before_seconds": 600, **extra}


def spellings(secret: str) -> list[str]:
    lower = re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(secret, safe=""))
    return [secret, quote(secret, safe=""), lower, secret[:24],
            base64.b64encode(f"0123456789abcdef:{secret}".encode()).decode()[8:40]]


# Time ---------------------------------------------------------------------------------------------


def test_timeout_seconds_is_the_budget_of_the_whole_operation():
    settings_ = schema.connection_settings({"base_url": "http://127.0.0.1:1",
                                            "timeout_seconds": 7})

    assert settings_.retry.budget_seconds == 7


def test_a_create_against_a_dripping_server_ends_within_its_budget(hostile, provider):
    hostile.route(TOKEN_V2, Act.dripping(TOKEN, every=0.05))

    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        provider.create(inputs(hostile))

    assert time.monotonic() - started < 1 + SLACK
    assert "time budget of 1 s" in caught.value.message
    assert caught.value.message.startswith("client-credentials login failed")


def test_a_create_against_a_hanging_server_ends_within_its_budget_retries_included(
        hostile, provider):
    hostile.route(TOKEN_V2, Act.hanging(30))

    started = time.monotonic()
    with pytest.raises(TransportError):
        provider.create(inputs(hostile, timeout_seconds=2))

    assert time.monotonic() - started < 2 + SLACK


def test_a_delete_against_a_dripping_server_returns_within_its_budget(hostile, provider,
                                                                      warned):
    hostile.route(REVOKE, Act.dripping(b"{}" * 100, every=0.05))

    started = time.monotonic()
    provider.delete("id", stored(hostile))

    assert time.monotonic() - started < 1 + SLACK
    assert any("Could not revoke" in w and "time budget of 1 s" in w for w in warned)


def test_a_delete_against_a_hanging_server_returns_within_its_budget(hostile, provider, warned):
    hostile.route(REVOKE, Act.hanging(30))

    started = time.monotonic()
    provider.delete("id", stored(hostile, timeout_seconds=2))

    assert time.monotonic() - started < 2 + SLACK
    assert warned


def test_a_refresh_against_a_dripping_server_keeps_the_state_within_its_budget(
        hostile, provider, warned):
    hostile.route("/accounts/api/me", Act.dripping(b'{"client": {}}' * 10, every=0.05))

    started = time.monotonic()
    result = provider.read("id", stored(hostile))

    assert time.monotonic() - started < 1 + SLACK
    assert result.outs["expires_at"] == "2099-01-01T00:00:00Z"
    assert any("Could not validate" in w for w in warned)


# Server text through the provider and its server --------------------------------------------------


def test_a_redirect_holding_the_secret_never_reaches_the_engine(hostile,
                                                                provider_server: ProviderServer):
    secret = new_canary("secret")
    lower = re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(secret, safe=""))
    hostile.route(TOKEN_V2, Act.redirect(f"https://idp.example.com/{lower}?client_secret={lower}"))
    mark = provider_server.output_mark()

    with pytest.raises(ProviderError) as caught:
        provider_server.create(inputs(hostile, secret))

    assert "Anypoint redirected to 'https://idp.example.com/" in caught.value.details
    printed = provider_server.settled_output()[mark:]
    for spelling in spellings(secret):
        assert spelling not in caught.value.details and spelling not in printed


def test_a_body_echoing_the_secret_never_reaches_the_engine(hostile,
                                                            provider_server: ProviderServer):
    secret = new_canary("secret")
    basic = base64.b64encode(f"0123456789abcdef:{secret}".encode()).decode()
    hostile.route(TOKEN_V2, Act.json({"message": f"denied {basic} {quote(secret).lower()}"}, 401))

    with pytest.raises(ProviderError) as caught:
        provider_server.create(inputs(hostile, secret))

    assert "Login refused" in caught.value.details
    for spelling in spellings(secret):
        assert spelling not in caught.value.details


# Check --------------------------------------------------------------------------------------------


def test_a_very_long_ca_bundle_path_is_a_check_failure_naming_it(hostile, provider):
    result = provider.check({}, inputs(hostile, ca_bundle="/tmp/" + "c" * 100_000))

    named = {f.property: f.reason for f in result.failures}
    assert "not a readable file" in named["ca_bundle"] and len(named["ca_bundle"]) < 400


def test_a_very_long_ca_bundle_path_is_a_check_failure_over_grpc(
        hostile, provider_server: ProviderServer):
    _, failures = provider_server.check(inputs(hostile, ca_bundle="/tmp/" + "c" * 100_000))

    assert [prop for prop, _ in failures] == ["ca_bundle"]


def test_a_ca_bundle_in_a_folder_that_cannot_be_entered_is_a_check_failure(hostile, provider,
                                                                          tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    try:
        result = provider.check({}, inputs(hostile, ca_bundle=str(locked / "ca.pem")))
    finally:
        locked.chmod(0o700)

    assert [f.property for f in result.failures] == ["ca_bundle"]


@pytest.mark.parametrize("field", ["client_id", "client_secret", "username", "password",
                                   "saml_response", "saml_org_domain"])
def test_a_lone_surrogate_in_a_string_input_is_a_check_failure_naming_it(hostile, provider,
                                                                         field):
    secret = new_canary("value") + "\ud800"
    news = {"username": "max", "password": "pw-1234", "base_url": hostile.base_url,
            "client_id": "0123456789abcdef", "client_secret": "s" * 32}
    if field.startswith("saml"):
        news = {"saml_response": "PHNhbWw+", "saml_org_domain": "acme",
                "saml_provider_id": "p", "base_url": hostile.base_url}
    news[field] = secret

    result = provider.check({}, news)

    named = {f.property: f.reason for f in result.failures}
    assert "lone surrogate" in named[field]
    assert secret[:-1] not in repr(result.failures)


@pytest.mark.parametrize("value", ["..", ".", "acme/../x", "a\\b", "d" * 300])
def test_a_saml_path_input_that_could_leave_its_segment_is_a_check_failure(hostile, provider,
                                                                           value):
    result = provider.check({}, {"saml_response": "PHNhbWw+", "saml_org_domain": value,
                                 "saml_provider_id": "p", "base_url": hostile.base_url})

    assert [f.property for f in result.failures] == ["saml_org_domain"]


# Diff on damaged state ----------------------------------------------------------------------------


def test_diff_of_an_unreadable_expiry_renews_the_token(hostile, provider):
    olds = stored(hostile, expires_at="not a time")

    diff = provider.diff("id", olds, inputs(hostile))

    assert "expires_at" in diff.replaces


@pytest.mark.parametrize("renew_before", ["600", None, True, 10**400, float("nan"), -5, [600]])
def test_diff_of_an_unusable_stored_renewal_margin_uses_the_default(hostile, provider,
                                                                    renew_before):
    olds = stored(hostile, renew_before_seconds=renew_before)

    diff = provider.diff("id", olds, {**inputs(hostile), "renew_before_seconds": UNKNOWN})

    assert diff.replaces == []


@pytest.mark.parametrize("expires_at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00",
                                        "2030-13-45T99:99:99Z", 12345, ["x"], ""])
def test_diff_of_an_expiry_out_of_any_range_does_not_raise(hostile, provider, expires_at):
    provider.diff("id", stored(hostile, expires_at=expires_at), inputs(hostile))


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from([UNKNOWN, "9999-12-31T23:59:59-05:00", 10**400, "client_credentials",
                       "saml", "2030-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3), max_leaves=6)
_state = st.dictionaries(st.sampled_from([*schema.NAMES, *schema.TOKEN_OUTPUTS, "junk"]), _values,
                         max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(olds=_state, news=_state)
def test_property_diff_never_raises_whatever_is_stored(provider, no_network, olds, news):
    result = provider.diff("id", olds, news)

    assert isinstance(result.replaces, list)


@settings(max_examples=200, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(olds=_state, news=_state)
def test_property_update_never_raises_whatever_is_stored(provider, olds, news):
    provider.update("id", olds, news)


# verify_tls=False is never quiet ------------------------------------------------------------------


def insecure(hostile: HostileServer) -> dict[str, str | bool]:
    """An HTTPS base URL with verification off (the server behind it needs not speak TLS:
    check makes no request, and the warning comes before any)."""
    return {"base_url": hostile.base_url.replace("http://", "https://"), "verify_tls": False}


def test_check_with_verify_tls_off_warns_naming_the_host_and_ca_bundle(hostile, provider, warned):
    provider.check({}, inputs(hostile, **insecure(hostile)))

    assert len(warned) == 1
    assert "verify_tls is false" in warned[0] and "https://127.0.0.1:" in warned[0]
    assert "ca_bundle" in warned[0]


def test_every_check_with_verify_tls_off_warns_again(hostile, provider, warned):
    for _ in range(3):
        provider.check({}, inputs(hostile, **insecure(hostile)))

    assert len([w for w in warned if "verify_tls is false" in w]) == 3


def test_refresh_and_delete_with_verify_tls_off_warn(hostile, provider, warned):
    provider.read("id", stored(hostile, **insecure(hostile)))
    provider.delete("id", stored(hostile, **insecure(hostile)))

    assert len([w for w in warned if "verify_tls is false" in w]) == 2


def test_verify_tls_on_never_warns(hostile, provider, warned):
    provider.check({}, inputs(hostile, base_url=insecure(hostile)["base_url"]))

    assert warned == []


def test_verify_tls_off_over_plain_http_to_loopback_does_not_warn(hostile, provider, warned):
    provider.check({}, inputs(hostile, verify_tls=False))  # no TLS, so nothing unverified

    assert warned == []


def test_verify_tls_off_is_warned_about_over_grpc(hostile, provider_server: ProviderServer):
    mark = provider_server.output_mark()

    _, failures = provider_server.check(inputs(hostile, **insecure(hostile)))

    assert failures == []
    provider_server.wait_for_output("verify_tls is false", since=mark)


