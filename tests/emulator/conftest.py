"""Fixtures for testing the emulator itself over real HTTP with ``requests``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator

TOKEN_PATH = "/accounts/api/v2/oauth2/token"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A started emulator with the demo organization, stopped after the test."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def demo(emu: Emulator) -> DemoCredentials:
    """The demo organization's credentials."""
    return emu.demo


@pytest.fixture
def url(emu: Emulator) -> Callable[[str], str]:
    """Turn a path into a full URL on the emulator."""
    return lambda path: emu.base_url + path


@pytest.fixture
def get(url: Callable[[str], str]) -> Callable[..., requests.Response]:
    """``get(path, token=None, params=None, headers=None)``: a GET with an optional bearer."""

    def send(
        path: str,
        token: str | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return requests.get(url(path), headers=sent, params=params, timeout=5)

    return send


@pytest.fixture
def client_token(url: Callable[[str], str], demo: DemoCredentials) -> str:
    """A client-credentials token of the demo CI app."""
    body = {
        "grant_type": "client_credentials",
        "client_id": demo.client_id,
        "client_secret": demo.client_secret,
    }
    response = requests.post(url(TOKEN_PATH), json=body, timeout=5)
    assert response.status_code == 200
    return str(response.json()["access_token"])


@pytest.fixture
def user_token(url: Callable[[str], str], demo: DemoCredentials) -> str:
    """A session token of the plain demo user (``/accounts/login``)."""
    body = {"username": demo.username, "password": demo.password}
    response = requests.post(url("/accounts/login"), json=body, timeout=5)
    assert response.status_code == 200
    return str(response.json()["access_token"])


@pytest.fixture
def password_grant_token(url: Callable[[str], str], demo: DemoCredentials) -> str:
    """A token of the demo user obtained through the password-grant connected app."""
    body = {
        "grant_type": "password",
        "client_id": demo.user_app_client_id,
        "client_secret": demo.user_app_client_secret,
        "username": demo.username,
        "password": demo.password,
    }
    response = requests.post(url(TOKEN_PATH), json=body, timeout=5)
    assert response.status_code == 200
    return str(response.json()["access_token"])
