"""Connections: the emulator keeps them alive as the real control plane does, closes them when
it stops, and serves HTTPS with a throw-away CA when asked."""

from __future__ import annotations

import http.client
import ssl
from pathlib import Path

import pytest
import requests

from anypoint_pulumi.emulator import Emulator

ME = "/accounts/api/me"


def test_answers_keep_the_connection_alive(emu: Emulator) -> None:
    response = requests.get(emu.base_url + ME, timeout=5)

    assert response.headers.get("Connection", "").lower() != "close"
    assert "Content-Length" in response.headers


def test_requests_on_one_connection_are_all_answered(emu: Emulator) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        statuses = []
        for _ in range(5):
            connection.request("POST", "/accounts/login", body=b'{"username": "x"}',
                               headers={"Content-Type": "application/json"})
            answer = connection.getresponse()
            answer.read()
            statuses.append(answer.status)
    finally:
        connection.close()

    assert statuses == [401] * 5
    assert emu.count("/accounts/login") == 5


def test_stop_hangs_up_idle_kept_alive_connections() -> None:
    emulator = Emulator().start()
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    connection.request("GET", ME)
    connection.getresponse().read()

    emulator.stop()

    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        connection.request("GET", ME)
        connection.getresponse()
    connection.close()


def test_tls_emulator_serves_https_trusted_through_its_ca_bundle(tls_emulator: Emulator) -> None:
    assert tls_emulator.base_url.startswith("https://127.0.0.1:")
    assert tls_emulator.ca_bundle is not None and Path(tls_emulator.ca_bundle).is_file()

    response = requests.get(tls_emulator.base_url + ME, timeout=5,
                            verify=tls_emulator.ca_bundle)

    assert response.status_code == 401


def test_tls_emulator_is_not_trusted_without_its_ca(tls_emulator: Emulator) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_emulator.base_url + ME, timeout=5)


def test_tls_certificate_names_the_loopback_host(tls_emulator: Emulator) -> None:
    context = ssl.create_default_context(cafile=tls_emulator.ca_bundle)
    connection = http.client.HTTPSConnection("localhost", tls_emulator.port, timeout=5,
                                             context=context)
    try:
        connection.request("GET", ME)
        assert connection.getresponse().status == 401
    finally:
        connection.close()


def test_ca_bundle_is_removed_when_the_emulator_stops() -> None:
    with Emulator(tls=True) as emulator:
        bundle = emulator.ca_bundle
        assert bundle is not None
    assert not Path(bundle).exists()


def test_plain_emulator_has_no_ca_bundle(emu: Emulator) -> None:
    assert emu.ca_bundle is None
