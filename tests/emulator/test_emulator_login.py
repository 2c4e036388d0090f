"""``/accounts/login`` (and its alias): sessions, bad credentials, disabled and MFA users."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator

Send = Callable[..., requests.Response]
Get = Send


@pytest.fixture
def login(url: Callable[[str], str]) -> Callable[..., requests.Response]:
    def send(username: str, password: str, *, form: bool = False,
             path: str = "/accounts/login") -> requests.Response:
        body = {"username": username, "password": password}
        if form:
            return requests.post(url(path), data=body, timeout=5)
        return requests.post(url(path), json=body, timeout=5)

    return send


def test_login_with_json_returns_session_token(login: Send, demo: DemoCredentials) -> None:
    response = login(demo.username, demo.password)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["redirectUrl"] == "/home/"
    assert "expires_in" not in body
    assert re.fullmatch(r"[0-9a-f-]{36}", body["access_token"])


def test_login_with_form_body_returns_token(login: Send, demo: DemoCredentials) -> None:
    assert "access_token" in login(demo.username, demo.password, form=True).json()


def test_api_login_alias_returns_token(login: Send, demo: DemoCredentials) -> None:
    response = login(demo.username, demo.password, path="/accounts/api/login")
    assert response.status_code == 200
    assert "access_token" in response.json()


def test_wrong_password_is_plain_text_401(login: Send, demo: DemoCredentials) -> None:
    response = login(demo.username, "wrong")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Unauthorized"


def test_unknown_user_is_plain_text_401(login: Send) -> None:
    assert login("nobody", "x").status_code == 401


def test_disabled_user_is_403(login: Send, emu: Emulator) -> None:
    emu.add_user("disabled", "pw", enabled=False)
    assert login("disabled", "pw").status_code == 403


def test_mfa_user_gets_verification_url_and_cookie_but_no_token(
    login: Send, demo: DemoCredentials, emu: Emulator
) -> None:
    response = login(demo.mfa_username, demo.mfa_password)
    assert response.status_code == 200
    body = response.json()
    assert "access_token" not in body
    assert body["url"].startswith(emu.base_url + "/accounts/mfa/verify")
    assert "mulesoft.vaas.sess" in response.cookies


def test_mfa_user_with_wrong_password_is_401(login: Send, demo: DemoCredentials) -> None:
    assert login(demo.mfa_username, "wrong").status_code == 401


def test_federated_user_cannot_sign_in_with_password(login: Send, demo: DemoCredentials) -> None:
    assert login(demo.saml_username, "anything").status_code == 401


def test_session_token_lasts_the_organization_session_timeout(
    login: Send, get: Get, demo: DemoCredentials, emu: Emulator
) -> None:
    emu.set_session_timeout(demo.organization_id, 5)
    token = login(demo.username, demo.password).json()["access_token"]
    emu.advance_clock(299)
    assert get("/accounts/api/me", token).status_code == 200
    emu.advance_clock(2)
    assert get("/accounts/api/me", token).status_code == 401


def test_login_records_last_login_on_the_user(login: Send, get: Get, demo: DemoCredentials) -> None:
    token = login(demo.username, demo.password).json()["access_token"]
    assert get("/accounts/api/me", token).json()["user"]["lastLogin"] is not None
