"""Token lifecycle: expiry on the emulator clock, revocation, logout, test helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator

Get = Callable[..., requests.Response]
XHR = {"X-Requested-With": "XMLHttpRequest"}
REVOKE = "/accounts/api/v2/oauth2/revoke"


def test_client_token_works_until_expires_in_has_passed(
    get: Get, client_token: str, emu: Emulator
) -> None:
    emu.advance_clock(3599)
    assert get("/accounts/api/me", client_token).status_code == 200
    emu.advance_clock(1)
    assert get("/accounts/api/me", client_token).status_code == 401


def test_is_active_follows_the_clock(client_token: str, emu: Emulator) -> None:
    assert emu.is_active(client_token)
    emu.advance_clock(3600)
    assert not emu.is_active(client_token)


def test_now_moves_with_advance_clock(emu: Emulator) -> None:
    before = emu.now()
    emu.advance_clock(90)
    assert (emu.now() - before).total_seconds() >= 90
    assert emu.now().tzinfo is not None


def test_revoke_endpoint_ends_the_token(
    url: Callable[[str], str], get: Get, client_token: str
) -> None:
    body = {"token": client_token, "token_type_hint": "access_token"}
    response = requests.post(url(REVOKE), data=body, timeout=5)
    assert response.status_code == 200
    assert response.json() == {}
    assert get("/accounts/api/me", client_token).status_code == 401


def test_revoke_endpoint_answers_200_for_unknown_token(url: Callable[[str], str]) -> None:
    response = requests.post(url(REVOKE), data={"token": str(uuid.uuid4())}, timeout=5)
    assert response.status_code == 200


def test_revoke_endpoint_without_token_is_400(url: Callable[[str], str]) -> None:
    assert requests.post(url(REVOKE), data={}, timeout=5).status_code == 400


def test_revoke_endpoint_ends_user_session_token(
    url: Callable[[str], str], get: Get, user_token: str
) -> None:
    requests.post(url(REVOKE), data={"token": user_token}, timeout=5)
    assert get("/accounts/api/profile", user_token).status_code == 401


def test_logout_with_xhr_ends_the_session(get: Get, user_token: str) -> None:
    response = get("/accounts/api/logout", user_token, headers=XHR)
    assert response.status_code == 200
    assert response.json() == {}
    assert get("/accounts/api/me", user_token).status_code == 401


def test_logout_without_xhr_redirects_and_keeps_the_token(
    url: Callable[[str], str], get: Get, user_token: str
) -> None:
    response = requests.get(
        url("/accounts/api/logout"), headers={"Authorization": f"Bearer {user_token}"},
        allow_redirects=False, timeout=5,
    )
    assert response.status_code == 302
    assert get("/accounts/api/me", user_token).status_code == 200


def test_logout_with_unknown_token_is_401(get: Get) -> None:
    assert get("/accounts/api/logout", str(uuid.uuid4()), headers=XHR).status_code == 401


def test_emulator_revoke_makes_later_calls_401(get: Get, client_token: str, emu: Emulator) -> None:
    emu.revoke(client_token)
    assert get("/accounts/api/me", client_token).status_code == 401


def test_emulator_expire_makes_later_calls_401(get: Get, user_token: str, emu: Emulator) -> None:
    emu.expire(user_token)
    assert get("/accounts/api/me", user_token).status_code == 401


def test_emulator_revoke_of_unknown_token_raises(emu: Emulator) -> None:
    with pytest.raises(KeyError):
        emu.revoke("not-a-token")


def test_tokens_issued_counts_every_grant(
    client_token: str, user_token: str, emu: Emulator
) -> None:
    assert emu.tokens_issued() == 2
    assert emu.token_grant(client_token) == "client_credentials"
    assert emu.token_grant(user_token) == "login"


def test_new_user_token_lifetime_follows_session_timeout(
    url: Callable[[str], str], get: Get, emu: Emulator, demo: DemoCredentials
) -> None:
    emu.set_session_timeout(demo.organization_id, 15)
    token = requests.post(
        url("/accounts/login"), json={"username": demo.username, "password": demo.password},
        timeout=5,
    ).json()["access_token"]
    assert get("/accounts/api/session", token).json()["sessionTimeout"] == 15
