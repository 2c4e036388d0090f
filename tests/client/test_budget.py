"""Every client call ends within its time budget (``retry_budget``), its attempts, waits and
follow-up requests included, whatever the server does: drip the body or the headers a byte at a
time, hang, stall a TLS handshake, answer slowly page after page. The error then says how long
was waited and how many attempts were made. Run against the hostile loopback server."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from anypoint_pulumi.access import deadline
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.endpoints import LOGIN, ME, SESSION, TOKEN_V2
from anypoint_pulumi.access.errors import ServerError, TransportError
from tests.client.conftest import client_for
from tests.support.hostile import Act, HostileServer, pager

BUDGET = 1.0
SLACK = 1.0
"""The goal: an operation ends within its budget plus one second."""
TOKEN = b'{"access_token": "a-token-of-the-hostile-server", "expires_in": 3600}'


@pytest.fixture
def bounded(hostile: HostileServer) -> Callable[..., AccessManagementClient]:
    """Clients of the hostile server with a 1 s budget (keyword arguments override)."""

    def make(**overrides: object) -> AccessManagementClient:
        options: dict[str, object] = {"base_url": hostile.base_url, "timeout_seconds": BUDGET,
                                      "connect_timeout": BUDGET, "read_timeout": 30.0,
                                      **overrides}
        return client_for(**options)

    return make


def timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:
        return time.monotonic() - started, exc
    return time.monotonic() - started, None


def test_a_body_dripped_a_byte_at_a_time_ends_at_the_budget(hostile, bounded):
    hostile.route(TOKEN_V2, Act.dripping(TOKEN, every=0.05))

    took, error = timed(lambda: bounded().client_credentials("id", "secret-1234"))

    assert isinstance(error, TransportError)
    assert took < BUDGET + SLACK
    assert "time budget of 1 s" in error.message and "1 attempt" in error.message


def test_headers_dripped_a_byte_at_a_time_end_at_the_budget(hostile, bounded):
    hostile.route(ME, Act.dripping(TOKEN, every=0.05, headers_too=True))

    took, error = timed(lambda: bounded().me("a-token"))

    assert isinstance(error, TransportError) and took < BUDGET + SLACK


@pytest.mark.parametrize("every", [0.01, 0.2, 0.6])
def test_any_drip_rate_ends_at_the_budget(hostile, bounded, every):
    hostile.route(TOKEN_V2, Act.dripping(TOKEN * 50, every=every))

    took, error = timed(lambda: bounded().client_credentials("id", "secret-1234"))

    assert isinstance(error, TransportError) and took < BUDGET + SLACK


def test_a_hanging_server_ends_at_the_budget_retries_included(hostile, bounded):
    hostile.route(ME, Act.hanging(30))

    took, error = timed(
        lambda: bounded(retries=4, connect_timeout=0.3, read_timeout=0.3).me("a-token"))

    assert isinstance(error, TransportError) and took < BUDGET + SLACK
    assert "attempts" in error.message  # several read timeouts fitted in the budget


def test_a_tls_handshake_that_never_completes_ends_at_the_budget(bounded):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never speaks TLS
        base_url = f"https://127.0.0.1:{silent.getsockname()[1]}"

        took, error = timed(lambda: bounded(base_url=base_url, connect_timeout=5.0,
                                            read_timeout=30.0).me("tok"))

    assert isinstance(error, TransportError) and took < BUDGET + SLACK


def test_the_error_of_a_spent_budget_says_how_long_and_how_many_attempts(hostile, bounded):
    hostile.route(ME, Act.hanging(30))

    _, error = timed(lambda: bounded(retries=9, connect_timeout=0.3, read_timeout=0.3,
                                     backoff_factor=0.0).me("a"))

    assert isinstance(error, TransportError)
    assert re.search(r"(waited \d\.\d s over|failed in \d\.\d s)", error.message)
    assert re.search(r"\d attempts", error.message) and "time budget of 1 s" in error.message


def test_exhausted_retries_say_how_many_attempts_in_how_long(hostile, bounded):
    hostile.route(ME, Act.json({"message": "bad gateway"}, 502))

    _, error = timed(lambda: bounded(retries=2, backoff_factor=0.0, timeout_seconds=5).me("tok"))

    assert isinstance(error, ServerError)
    assert "3 attempts in" in error.message
    assert hostile.count(ME) == 3


def test_a_backoff_that_would_overrun_the_budget_stops_the_retries_saying_so(hostile, bounded):
    hostile.route(ME, Act.lying_length())  # a broken answer: retried with backoff

    took, error = timed(lambda: bounded(retries=10, backoff_factor=2.0).me("tok"))

    assert isinstance(error, TransportError) and took < BUDGET + SLACK
    assert "would overrun the time budget of 1 s" in error.message


def test_a_login_and_its_session_read_share_one_budget(hostile, bounded):
    hostile.route(LOGIN, Act(body=TOKEN, hang=0.6))
    hostile.route(SESSION, Act(body=b'{"expiresIn": 3600}', hang=0.6))

    took, error = timed(lambda: bounded().login("max", "password-1234"))

    # The session read had only what the login left: it gave up, so the 60-minute default.
    assert error is None and took < BUDGET + SLACK
    assert hostile.count(SESSION) == 1


def test_a_listing_and_all_its_pages_share_one_budget(hostile, bounded):
    path = "/accounts/api/organizations/org/environments"
    slow = pager(total=10**6, page_size=1)
    hostile.route(path, lambda seen: replace(slow(seen), hang=0.3))

    took, error = timed(lambda: bounded().environments("tok", "org"))

    assert isinstance(error, TransportError) and took < BUDGET + SLACK
    assert 1 <= hostile.count(path) <= 4


def test_a_server_that_drips_a_whole_answer_within_the_budget_is_read(hostile, bounded):
    hostile.route(TOKEN_V2, Act.dripping(TOKEN, every=0.005))

    token = bounded(timeout_seconds=5.0).client_credentials("id", "secret-1234")

    assert token.access_token == "a-token-of-the-hostile-server"


# The deadline itself ---------------------------------------------------------------------------


def test_a_nested_operation_keeps_the_earlier_end():
    with deadline.operation(1.0) as outer, deadline.operation(60.0) as inner:
        assert inner is outer
    with deadline.operation(60.0) as outer, deadline.operation(1.0) as inner:
        assert inner.ends < outer.ends and deadline.current() is inner
    assert deadline.current() is None


def test_attempts_of_a_nested_operation_count_for_the_outer_one():
    with deadline.operation(60.0) as outer:
        with deadline.operation(1.0) as inner:
            inner.attempts += 2
        assert outer.attempts == 2


def test_a_guard_shuts_its_sockets_once_the_deadline_passes():
    left, right = socket.socketpair()
    with left, right, deadline.operation(0.2) as clock, deadline.guarding(clock) as guard:
        deadline.watch(left)
        left.settimeout(10)
        started = time.monotonic()
        assert left.recv(1) == b""  # woken by the shutdown, long before the 10 s timeout
        assert time.monotonic() - started < 1.0 and guard.fired


def test_a_guard_whose_request_finished_ignores_its_deadline():
    left, right = socket.socketpair()
    with left, right:
        with deadline.operation(60.0) as clock, deadline.guarding(clock) as guard:
            deadline.watch(left)

        guard.fire()  # what the watchdog does at the deadline, after the request finished

        right.sendall(b"x")
        assert left.recv(1) == b"x" and not guard.fired


@pytest.fixture
def short_idle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(deadline, "IDLE_SECONDS", 0.1)
    yield


def test_the_watchdog_thread_ends_when_it_has_nothing_to_watch(short_idle):
    with deadline.operation(0.05) as clock, deadline.guarding(clock):
        pass

    ends = time.monotonic() + 5.0
    while deadline._WATCHDOG._thread is not None and time.monotonic() < ends:
        threading.Event().wait(0.02)
    assert deadline._WATCHDOG._thread is None
