"""Injected faults: each constructor's answer, dropped connections, delays, queueing."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator, Fault

ME = "/accounts/api/me"
Get = Callable[..., requests.Response]


def test_rate_limited_answers_429_with_retry_after(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.rate_limited(retry_after=7))
    response = get(ME)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["status"] == 429


def test_rate_limited_without_retry_after_omits_the_header(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.rate_limited(retry_after=None))
    response = get(ME)
    assert response.status_code == 429
    assert "Retry-After" not in response.headers


def test_rate_limit_reset_points_ahead_on_the_emulator_clock(get: Get, emu: Emulator) -> None:
    emu.advance_clock(1000)
    emu.inject(ME, Fault.rate_limit_reset(30))
    response = get(ME)
    expected = int(emu.now().timestamp()) + 30
    assert response.status_code == 429
    assert abs(int(response.headers["X-RateLimit-Reset"]) - expected) <= 1
    assert "Retry-After" not in response.headers


def test_capacity_answers_503_with_empty_body(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.capacity())
    response = get(ME)
    assert response.status_code == 503
    assert response.content == b""


@pytest.mark.parametrize(("fault", "status"), [(Fault.bad_gateway(), 502),
                                               (Fault.gateway_timeout(), 504),
                                               (Fault.html(), 500)])
def test_gateway_and_html_faults_answer_html(
    get: Get, emu: Emulator, fault: Fault, status: int
) -> None:
    emu.inject(ME, fault)
    response = get(ME)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text


def test_invalid_json_answers_200_that_does_not_parse(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.invalid_json())
    response = get(ME)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()


def test_no_token_answers_200_json_without_access_token(
    url: Callable[[str], str], emu: Emulator, demo: DemoCredentials
) -> None:
    emu.inject("/accounts/login", Fault.no_token())
    response = requests.post(
        url("/accounts/login"), json={"username": demo.username, "password": demo.password},
        timeout=5,
    )
    assert response.status_code == 200
    assert "access_token" not in response.json()


def test_mfa_fault_answers_url_and_session_cookie(url: Callable[[str], str], emu: Emulator) -> None:
    emu.inject("/accounts/login", Fault.mfa())
    response = requests.post(url("/accounts/login"), json={}, timeout=5)
    assert response.json()["url"].endswith("/verify")
    assert "mulesoft.vaas.sess" in response.cookies


def test_plain_fault_answers_text(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.plain(401))
    response = get(ME)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Unauthorized"


def test_json_fault_answers_the_document(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.json(418, {"message": "teapot"}))
    response = get(ME)
    assert response.status_code == 418
    assert response.json() == {"message": "teapot"}


def test_custom_fault_headers_are_sent(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault(status=500, body="x", content_type="text/plain",
                         headers={"X-Trace": "abc"}))
    assert get(ME).headers["X-Trace"] == "abc"


def test_dropped_connection_raises_connection_error(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.dropped())
    with pytest.raises(requests.ConnectionError):
        get(ME)


def test_server_keeps_serving_after_a_dropped_connection(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.dropped(), times=3)
    for _ in range(3):
        with pytest.raises(requests.ConnectionError):
            get(ME)
    assert get(ME).status_code == 401


def test_dropped_post_with_body_raises_connection_error(
    url: Callable[[str], str], emu: Emulator, demo: DemoCredentials
) -> None:
    path = "/accounts/api/v2/oauth2/token"
    emu.inject(path, Fault.dropped())
    with pytest.raises(requests.ConnectionError):
        requests.post(url(path), json={"grant_type": "client_credentials"}, timeout=5)


def test_dropped_connection_prints_no_traceback(
    get: Get, emu: Emulator, capfd: pytest.CaptureFixture[str]
) -> None:
    emu.inject(ME, Fault.dropped())
    with pytest.raises(requests.ConnectionError):
        get(ME)
    get(ME)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err
    assert "Error" not in captured.err


def test_slow_fault_delays_then_answers_normally(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.slow(0.3))
    started = time.monotonic()
    response = get(ME)
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 401


def test_delay_applies_before_a_fault_status(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault(status=500, delay=0.2))
    started = time.monotonic()
    assert get(ME).status_code == 500
    assert time.monotonic() - started >= 0.2


def test_slow_answer_times_out_a_client(get: Get, emu: Emulator, url: Callable[[str], str]) -> None:
    emu.inject(ME, Fault.slow(1.0))
    with pytest.raises(requests.Timeout):
        requests.get(url(ME), timeout=0.2)


def test_fault_applies_the_given_number_of_times(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.capacity(), times=2)
    assert [get(ME).status_code for _ in range(3)] == [503, 503, 401]


def test_injections_for_one_path_queue_in_order(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.capacity())
    emu.inject(ME, Fault.bad_gateway())
    assert [get(ME).status_code for _ in range(3)] == [503, 502, 401]


def test_fault_only_hits_its_path(get: Get, emu: Emulator) -> None:
    emu.inject("/accounts/api/profile", Fault.capacity())
    assert get(ME).status_code == 401
    assert emu.pending_faults() == 1


def test_fault_with_method_ignores_other_methods(
    url: Callable[[str], str], get: Get, emu: Emulator
) -> None:
    emu.inject(ME, Fault.capacity(), method="post")
    assert get(ME).status_code == 401
    assert requests.post(url(ME), timeout=5).status_code == 503


def test_clear_faults_forgets_pending_injections(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.capacity(), times=5)
    emu.clear_faults()
    assert get(ME).status_code == 401


def test_fault_answers_are_logged_with_their_status(get: Get, emu: Emulator) -> None:
    emu.inject(ME, Fault.capacity())
    emu.inject(ME, Fault.dropped())
    get(ME)
    with pytest.raises(requests.ConnectionError):
        get(ME)
    assert emu.count(ME, status=503) == 1
    assert emu.count(ME, status=0) == 1


def test_latency_delays_every_request(get: Get, emu: Emulator) -> None:
    emu.latency = 0.2
    started = time.monotonic()
    get(ME)
    get(ME)
    assert time.monotonic() - started >= 0.4


def test_inject_refuses_zero_times(emu: Emulator) -> None:
    with pytest.raises(ValueError):
        emu.inject(ME, Fault.capacity(), times=0)


def test_fault_refuses_negative_delay() -> None:
    with pytest.raises(ValueError):
        Fault(delay=-1)
