"""The server as a whole: lifecycle, rate-limit headers, routing errors, request log, threads."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator, Fault, RequestRecord

Get = Callable[..., requests.Response]
ME = "/accounts/api/me"


def test_base_url_is_loopback_with_a_real_port(emu: Emulator) -> None:
    assert emu.base_url.startswith("http://127.0.0.1:")
    assert int(emu.base_url.rsplit(":", 1)[1]) > 0


def test_two_emulators_listen_on_different_ports() -> None:
    with Emulator() as first, Emulator() as second:
        assert first.base_url != second.base_url


def test_stop_is_idempotent_and_closes_the_port() -> None:
    emulator = Emulator().start()
    base_url = emulator.base_url
    emulator.stop()
    emulator.stop()
    assert not emulator.running
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + ME, timeout=2)


def test_stop_wakes_a_request_waiting_on_latency() -> None:
    emulator = Emulator(latency=30).start()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(requests.get, emulator.base_url + ME, timeout=10)
        deadline = time.monotonic() + 10
        while not emulator._server._open and time.monotonic() < deadline:
            threading.Event().wait(0.01)  # until the request is in, however loaded the machine
        assert emulator._server._open, "the request never reached the emulator"
        started = time.monotonic()
        emulator.stop()
        assert time.monotonic() - started < 5
        with contextlib.suppress(requests.RequestException):
            pending.result()


def test_base_url_before_start_raises() -> None:
    with pytest.raises(RuntimeError):
        _ = Emulator().base_url


def test_non_loopback_host_is_refused() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")


def test_unseeded_emulator_has_no_demo() -> None:
    emulator = Emulator(seed=False)
    with pytest.raises(RuntimeError):
        _ = emulator.demo
    with pytest.raises(ValueError):
        emulator.add_user("x", "y")


def test_demo_credentials_have_the_documented_formats(demo: DemoCredentials) -> None:
    assert uuid.UUID(demo.organization_id)
    for value in (demo.client_id, demo.client_secret, demo.user_app_client_id,
                  demo.user_app_client_secret, demo.legacy_client_id, demo.legacy_client_secret):
        assert len(value) == 32 and int(value, 16) >= 0


def test_every_response_carries_rate_limit_headers(get: Get, client_token: str) -> None:
    for response in (get(ME, client_token), get(ME), get("/nowhere")):
        assert response.headers["X-RateLimit-Limit"] == "500"
        assert int(response.headers["X-RateLimit-Remaining"]) < 500
        assert int(response.headers["X-RateLimit-Reset"]) % 60 == 0


def test_rate_limit_remaining_counts_down_within_a_window(get: Get, emu: Emulator) -> None:
    emu.advance_clock(60 - emu.now().timestamp() % 60 + 1)
    first = int(get(ME).headers["X-RateLimit-Remaining"])
    second = int(get(ME).headers["X-RateLimit-Remaining"])
    assert second == first - 1


def test_rate_limit_reset_is_the_end_of_the_emulator_minute(get: Get, emu: Emulator) -> None:
    reset = int(get(ME).headers["X-RateLimit-Reset"])
    now = emu.now().timestamp()
    assert now < reset <= now + 60


def test_rate_limit_window_restarts_after_a_minute(get: Get, emu: Emulator) -> None:
    get(ME)
    get(ME)
    emu.advance_clock(60)
    assert get(ME).headers["X-RateLimit-Remaining"] == "499"


def test_enforced_rate_limit_answers_429(get: Get, emu: Emulator) -> None:
    emu.rate_limit = 2
    emu.rate_limit_enforced = True
    emu.advance_clock(60 - emu.now().timestamp() % 60 + 1)
    statuses = [get(ME).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_unknown_path_is_404_json(get: Get) -> None:
    response = get("/accounts/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Not found"}


def test_wrong_method_is_405_json(url: Callable[[str], str]) -> None:
    response = requests.delete(url(ME), timeout=5)
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_request_log_records_method_path_and_status(get: Get, emu: Emulator) -> None:
    emu.clear_requests()
    get(ME)
    assert emu.requests == [RequestRecord(method="GET", path=ME, status=401)]


def test_count_filters_by_path_method_and_status(
    get: Get, client_token: str, emu: Emulator
) -> None:
    get(ME, client_token)
    get(ME)
    assert emu.count(ME) == 2
    assert emu.count(ME, status=200) == 1
    assert emu.count(method="POST") == 1
    assert emu.count(method="post", status=200) == 1
    assert emu.count() == 3


def test_clear_requests_empties_the_log(get: Get, emu: Emulator) -> None:
    get(ME)
    emu.clear_requests()
    assert emu.count() == 0


def test_request_log_excludes_query_string(
    get: Get, emu: Emulator, client_token: str, demo: DemoCredentials
) -> None:
    path = f"/accounts/api/organizations/{demo.organization_id}/environments"
    get(path, client_token, params={"limit": "1"})
    assert emu.count(path) == 1


def test_fifty_concurrent_token_requests_all_succeed_with_distinct_tokens(
    url: Callable[[str], str], demo: DemoCredentials, emu: Emulator
) -> None:
    body = {"grant_type": "client_credentials", "client_id": demo.client_id,
            "client_secret": demo.client_secret}

    def fetch(_: int) -> requests.Response:
        return requests.post(url("/accounts/api/v2/oauth2/token"), json=body, timeout=10)

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(fetch, range(50)))
    assert [r.status_code for r in responses] == [200] * 50
    assert len({r.json()["access_token"] for r in responses}) == 50
    assert emu.tokens_issued() == 50


def test_werkzeug_access_log_is_silent(get: Get, capfd: pytest.CaptureFixture[str]) -> None:
    get(ME)
    assert "GET /accounts/api/me" not in capfd.readouterr().err


def test_add_environment_refuses_unknown_type(emu: Emulator, demo: DemoCredentials) -> None:
    with pytest.raises(ValueError):
        emu.add_environment(demo.organization_id, "X", type="staging")


def test_add_environment_to_unknown_org_raises(emu: Emulator) -> None:
    with pytest.raises(KeyError):
        emu.add_environment(str(uuid.uuid4()), "X")


def test_duplicate_username_is_refused(emu: Emulator, demo: DemoCredentials) -> None:
    with pytest.raises(ValueError):
        emu.add_user(demo.username, "pw")


def test_environment_is_production_follows_type_by_default(
    get: Get, client_token: str, emu: Emulator, demo: DemoCredentials
) -> None:
    emu.add_environment(demo.organization_id, "Live", type="production")
    path = f"/accounts/api/organizations/{demo.organization_id}/environments"
    body = get(path, client_token, params={"name": "Live"}).json()
    assert body["data"][0]["isProduction"] is True


def test_oversized_body_is_413_json(url: Callable[[str], str]) -> None:
    response = requests.post(url("/accounts/login"), data=b"x" * (2 * 1024 * 1024), timeout=10)
    assert response.status_code == 413
    assert response.json()["status"] == 413


def test_fault_can_target_a_path_without_a_route(get: Get, emu: Emulator) -> None:
    emu.inject("/accounts/api/v2/whatever", Fault.capacity())
    assert get("/accounts/api/v2/whatever").status_code == 503
