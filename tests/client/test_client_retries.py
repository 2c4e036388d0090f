"""Transient failures are retried (counted on the emulator), within a count and a time budget;
everything else is tried exactly once."""

from __future__ import annotations

import time

import pytest

from anypoint_pulumi.access.errors import (
    BadCredentialsError,
    RateLimitedError,
    ServerError,
    TokenRejectedError,
    TransportError,
)
from anypoint_pulumi.emulator import Fault

V2 = "/accounts/api/v2/oauth2/token"
ME = "/accounts/api/me"


def wait_for(condition, timeout: float = 5.0) -> bool:
    """Poll ``condition`` until true or ``timeout`` (a slow request is logged when it ends)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def sign_in(emu, client):
    return client.client_credentials(emu.demo.client_id, emu.demo.client_secret)


# Retried, then successful ---------------------------------------------------------------------


def test_429_with_retry_after_is_retried_after_the_wait(emu, client):
    emu.inject(V2, Fault.rate_limited(retry_after=1))

    started = time.monotonic()
    token = sign_in(emu, client)

    assert time.monotonic() - started >= 0.9
    assert emu.is_active(token.access_token)
    assert (emu.count(V2, status=429), emu.count(V2, status=200)) == (1, 1)


def test_429_with_x_ratelimit_reset_waits_for_the_window_to_reset(emu, client):
    emu.inject(V2, Fault.rate_limit_reset(2))  # reset = emulator second + 2: a wait in (1, 2]

    started = time.monotonic()
    sign_in(emu, client)

    assert time.monotonic() - started >= 0.9
    assert emu.count(V2) == 2


def test_503_with_an_empty_body_is_retried(emu, client):
    emu.inject(V2, Fault.capacity())

    sign_in(emu, client)

    assert (emu.count(V2, status=503), emu.count(V2, status=200)) == (1, 1)


def test_502_is_retried(emu, client):
    emu.inject(V2, Fault.bad_gateway())

    sign_in(emu, client)

    assert (emu.count(V2, status=502), emu.count(V2, status=200)) == (1, 1)


def test_504_is_retried(emu, client):
    emu.inject(V2, Fault.gateway_timeout())

    sign_in(emu, client)

    assert (emu.count(V2, status=504), emu.count(V2, status=200)) == (1, 1)


def test_dropped_connection_is_retried(emu, client):
    emu.inject(V2, Fault.dropped())

    sign_in(emu, client)

    assert (emu.count(V2, status=0), emu.count(V2, status=200)) == (1, 1)


def test_read_timeout_is_retried(emu, make_client):
    client = make_client(connect_timeout=1.0, read_timeout=0.3)
    emu.inject(V2, Fault.slow(1.0))

    token = sign_in(emu, client)

    assert emu.is_active(token.access_token)
    assert wait_for(lambda: emu.count(V2) == 2), emu.requests


def test_reads_are_retried_too(emu, client):
    token = sign_in(emu, client).access_token
    emu.inject(ME, Fault.capacity())

    assert client.me(token).client is not None
    assert emu.count(ME) == 2


def test_malformed_retry_after_is_retried_with_backoff(emu, client):
    emu.inject(V2, Fault.json(429, {"message": "slow down"}, headers={"Retry-After": "soon"}))

    sign_in(emu, client)

    assert emu.count(V2) == 2


# Capped ------------------------------------------------------------------------------------


@pytest.mark.parametrize("retries", [0, 1, 3])
def test_retries_are_capped_at_the_configured_count(emu, make_client, retries):
    client = make_client(retries=retries)
    emu.inject(V2, Fault.capacity(), times=10)

    with pytest.raises(RateLimitedError):
        sign_in(emu, client)

    assert emu.count(V2) == retries + 1


def test_exhausted_retries_on_502_raise_server_error(emu, make_client):
    client = make_client(retries=2)
    emu.inject(V2, Fault.bad_gateway(), times=10)

    with pytest.raises(ServerError):
        sign_in(emu, client)

    assert emu.count(V2) == 3


def test_exhausted_retries_on_dropped_connections_raise_transport_error(emu, make_client):
    client = make_client(retries=2)
    emu.inject(V2, Fault.dropped(), times=10)

    with pytest.raises(TransportError):
        sign_in(emu, client)

    assert emu.count(V2) == 3


# Time budget ----------------------------------------------------------------------------------


def test_retry_after_longer_than_the_budget_fails_at_once(emu, make_client):
    client = make_client(timeout_seconds=2.0)
    emu.inject(V2, Fault.rate_limited(retry_after=30))

    started = time.monotonic()
    with pytest.raises(RateLimitedError) as caught:
        sign_in(emu, client)

    assert time.monotonic() - started < 1.5
    assert caught.value.retry_after == pytest.approx(30)
    assert emu.count(V2) == 1


def test_ratelimit_reset_beyond_the_budget_fails_at_once(emu, make_client):
    client = make_client(timeout_seconds=2.0)
    emu.inject(V2, Fault.rate_limit_reset(40))

    started = time.monotonic()
    with pytest.raises(RateLimitedError):
        sign_in(emu, client)

    assert time.monotonic() - started < 1.5
    assert emu.count(V2) == 1


def test_backoff_stops_when_the_budget_is_spent(emu, make_client):
    client = make_client(retries=50, backoff_factor=0.2, timeout_seconds=1.0)
    emu.inject(V2, Fault.bad_gateway(), times=100)

    started = time.monotonic()
    with pytest.raises(ServerError):
        sign_in(emu, client)

    assert time.monotonic() - started < 3.0
    assert emu.count(V2) < 51


# Not retried ------------------------------------------------------------------------------------


def test_401_on_a_login_is_not_retried(emu, client):
    with pytest.raises(BadCredentialsError):
        client.login(emu.demo.username, "wrong-pass")

    assert emu.count("/accounts/login") == 1


def test_injected_401_is_not_retried(emu, client):
    emu.inject(V2, Fault.plain(401), times=5)

    with pytest.raises(BadCredentialsError):
        sign_in(emu, client)

    assert emu.count(V2) == 1


def test_400_is_not_retried(emu, client):
    demo = emu.demo
    with pytest.raises(BadCredentialsError):
        client.password_grant(
            demo.user_app_client_id, demo.user_app_client_secret, demo.username, "wrong-pass"
        )

    assert emu.count(V2, status=400) == 1
    assert emu.count(V2) == 1


def test_401_on_a_read_is_not_retried(emu, client):
    with pytest.raises(TokenRejectedError):
        client.me("00000000-0000-4000-8000-000000000000")

    assert emu.count(ME) == 1


def test_500_is_not_retried(emu, client):
    emu.inject(V2, Fault.json(500, {"message": "boom"}), times=5)

    with pytest.raises(ServerError):
        sign_in(emu, client)

    assert emu.count(V2) == 1
