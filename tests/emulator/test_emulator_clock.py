"""The emulator's clock for a shell: ``GET``/``POST /emulator/clock`` (loopback peers only), and
``--token-lifetime``; with both a standalone emulator shows tokens expiring."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.emulator.state import MAX_CLOCK_OFFSET_SECONDS

CLOCK = "/emulator/clock"
FIXTURE = HealthCheck.function_scoped_fixture
Get = Callable[..., requests.Response]


@pytest.fixture
def post(url: Callable[[str], str]) -> Callable[..., requests.Response]:
    def send(**kwargs: Any) -> requests.Response:
        return requests.post(url(CLOCK), timeout=5, **kwargs)

    return send


def test_get_reads_the_clock(get: Get, emu: Emulator) -> None:
    response = get(CLOCK)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"now", "epoch_seconds", "offset_seconds"}
    assert body["offset_seconds"] == 0
    assert body["now"].endswith("Z") and body["now"][:4].isdigit()
    assert abs(body["epoch_seconds"] - emu.now().timestamp()) < 5


@pytest.mark.parametrize("how", [
    {"params": {"seconds": "90"}},
    {"data": {"seconds": "90"}},
    {"json": {"seconds": 90}},
    {"json": {"seconds": "90"}},
    {"json": {"seconds": 90.0}},
], ids=["query", "form", "json-number", "json-string", "json-float"])
def test_post_moves_the_clock_forward(post: Callable[..., requests.Response], emu: Emulator,
                                      how: dict[str, Any]) -> None:
    before = emu.now()

    response = post(**how)

    assert response.status_code == 200
    assert response.json()["offset_seconds"] == 90
    assert 90 <= (emu.now() - before).total_seconds() < 95


def test_moves_add_up(post: Callable[..., requests.Response], get: Get) -> None:
    for seconds in ("1.5", "0", "60"):
        assert post(params={"seconds": seconds}).status_code == 200

    assert get(CLOCK).json()["offset_seconds"] == 61.5


def test_moving_the_clock_expires_tokens(post: Callable[..., requests.Response], get: Get,
                                         client_token: str) -> None:
    assert get("/accounts/api/me", client_token).status_code == 200

    assert post(params={"seconds": "3600"}).status_code == 200

    assert get("/accounts/api/me", client_token).status_code == 401


@pytest.mark.parametrize("how", [
    {"params": {"seconds": "-1"}}, {"params": {"seconds": "nan"}},
    {"params": {"seconds": "inf"}}, {"params": {"seconds": "1e400"}},
    {"params": {"seconds": "soon"}}, {"params": {"seconds": ""}},
    {"json": {"seconds": True}}, {"json": {"seconds": [60]}}, {"json": {"seconds": 10**400}},
    {"json": [60]}, {"data": b"[" * 50_000, "headers": {"Content-Type": "application/json"}},
    {"data": b"{not json", "headers": {"Content-Type": "application/json"}},
    {}, {"json": {}}, {"json": {"minutes": 5}},
], ids=["negative", "nan", "inf", "overflow", "word", "empty", "bool", "list", "huge-int",
        "json-list", "deep-json", "bad-json", "nothing", "empty-object", "other-key"])
def test_a_bad_move_is_a_400_naming_seconds_and_the_clock_stays(
        post: Callable[..., requests.Response], emu: Emulator, how: dict[str, Any]) -> None:
    response = post(**how)

    assert response.status_code == 400
    assert "seconds" in response.json()["message"]
    assert emu._store.clock.offset.total_seconds() == 0


def test_a_move_past_a_century_is_refused(post: Callable[..., requests.Response],
                                          emu: Emulator) -> None:
    assert post(params={"seconds": str(MAX_CLOCK_OFFSET_SECONDS)}).status_code == 200

    response = post(params={"seconds": "1"})

    assert response.status_code == 400 and "a century" in response.json()["message"]
    assert emu._store.clock.offset.total_seconds() == MAX_CLOCK_OFFSET_SECONDS


@settings(max_examples=60, deadline=None, suppress_health_check=[FIXTURE])
@given(text=st.text(max_size=30) | st.floats().map(repr) | st.integers().map(str))
def test_any_seconds_moves_the_clock_by_that_or_is_a_400(
        post: Callable[..., requests.Response], emu: Emulator, text: str) -> None:
    before = emu._store.clock.offset.total_seconds()
    try:
        wanted = float(text)
    except (ValueError, OverflowError):
        wanted = math.nan
    fits = math.isfinite(wanted) and wanted >= 0 and before + wanted <= MAX_CLOCK_OFFSET_SECONDS

    response = post(params={"seconds": text})

    after = emu._store.clock.offset.total_seconds()
    if fits:
        assert response.status_code == 200
        assert after == pytest.approx(before + wanted, abs=1e-5)
    else:
        assert response.status_code == 400 and "seconds" in response.json()["message"]
        assert after == before


@pytest.mark.parametrize("peer", ["192.0.2.7", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.7",
                                  "not-an-address", ""])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_clock_answers_loopback_peers_only(emu: Emulator, peer: str, method: str) -> None:
    client = Client(emu._app)

    response = client.open(CLOCK, method=method, query_string={"seconds": "60"},
                           environ_overrides={"REMOTE_ADDR": peer})

    assert response.status_code == 403
    assert "loopback" in json.loads(response.get_data())["message"]
    assert emu._store.clock.offset.total_seconds() == 0


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_every_loopback_peer_may_move_the_clock(emu: Emulator, peer: str) -> None:
    client = Client(emu._app)

    response = client.post(CLOCK, query_string={"seconds": "5"},
                           environ_overrides={"REMOTE_ADDR": peer})

    assert response.status_code == 200
    assert emu._store.clock.offset.total_seconds() == 5


def test_other_methods_are_405(url: Callable[[str], str]) -> None:
    response = requests.put(url(CLOCK), timeout=5)

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
