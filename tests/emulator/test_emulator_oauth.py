"""The v2 OAuth token endpoint and the legacy ``/accounts/oauth2/token``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator

Send = Callable[..., requests.Response]
V2 = "/accounts/api/v2/oauth2/token"
LEGACY = "/accounts/oauth2/token"


@pytest.fixture
def post(url: Callable[[str], str]) -> Callable[..., requests.Response]:
    def send(path: str, json: Any = None, data: Any = None, **kwargs: Any) -> requests.Response:
        return requests.post(url(path), json=json, data=data, timeout=5, **kwargs)

    return send


def client_body(demo: DemoCredentials) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": demo.client_id,
        "client_secret": demo.client_secret,
    }


def password_body(demo: DemoCredentials, username: str, password: str) -> dict[str, str]:
    return {
        "grant_type": "password",
        "client_id": demo.user_app_client_id,
        "client_secret": demo.user_app_client_secret,
        "username": username,
        "password": password,
    }


def test_client_credentials_json_body_returns_bearer_token_with_expiry(
    post: Send, demo: DemoCredentials
) -> None:
    response = post(V2, json=client_body(demo))
    assert response.status_code == 200
    body = response.json()
    assert uuid.UUID(body["access_token"]).version == 4
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600


def test_client_credentials_form_body_is_accepted(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, data=client_body(demo))
    assert response.status_code == 200
    assert "access_token" in response.json()


def test_client_credentials_in_basic_auth_header_are_accepted(
    post: Send, demo: DemoCredentials
) -> None:
    auth = (demo.client_id, demo.client_secret)
    response = post(V2, data={"grant_type": "client_credentials"}, auth=auth)
    assert response.status_code == 200


def test_expires_in_follows_token_lifetime_setting(
    post: Send, demo: DemoCredentials, emu: Emulator
) -> None:
    emu.token_lifetime_seconds = 120
    assert post(V2, json=client_body(demo)).json()["expires_in"] == 120


def test_password_grant_returns_token_for_plain_user(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, json=password_body(demo, demo.username, demo.password))
    assert response.status_code == 200
    assert response.json()["expires_in"] == 3600


def test_password_grant_signs_in_mfa_user(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, data=password_body(demo, demo.mfa_username, demo.mfa_password))
    assert response.status_code == 200
    assert "access_token" in response.json()


def test_wrong_client_secret_is_invalid_client_401(post: Send, demo: DemoCredentials) -> None:
    body = {**client_body(demo), "client_secret": "0" * 32}
    response = post(V2, json=body)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"]


def test_unknown_client_is_invalid_client_401(post: Send, demo: DemoCredentials) -> None:
    body = {**client_body(demo), "client_id": "f" * 32}
    assert post(V2, json=body).status_code == 401


def test_wrong_user_password_is_invalid_grant_400(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, json=password_body(demo, demo.username, "wrong"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_password_grant_refuses_federated_user(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, json=password_body(demo, demo.saml_username, "anything"))
    assert response.json()["error"] == "invalid_grant"


def test_password_grant_for_disabled_user_is_403_json(
    post: Send, demo: DemoCredentials, emu: Emulator
) -> None:
    emu.add_user("gone", "pw", enabled=False)
    response = post(V2, json=password_body(demo, "gone", "pw"))
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"


def test_password_grant_refuses_user_of_another_organization(
    post: Send, demo: DemoCredentials, emu: Emulator
) -> None:
    other = emu.add_organization("Elsewhere")
    emu.add_user("stranger", "pw", org_id=other)
    assert post(V2, json=password_body(demo, "stranger", "pw")).status_code == 400


def test_unsupported_grant_type_is_400(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, json={**client_body(demo), "grant_type": "refresh_token"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_grant_type_is_invalid_request(post: Send, demo: DemoCredentials) -> None:
    body = {k: v for k, v in client_body(demo).items() if k != "grant_type"}
    response = post(V2, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_missing_client_secret_is_invalid_request(post: Send, demo: DemoCredentials) -> None:
    response = post(V2, json={"grant_type": "client_credentials", "client_id": demo.client_id})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_grant_the_app_lacks_is_unauthorized_client(post: Send, demo: DemoCredentials) -> None:
    body = {**password_body(demo, demo.username, demo.password), "client_id": demo.client_id,
            "client_secret": demo.client_secret}
    response = post(V2, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_malformed_json_body_is_400_json(url: Callable[[str], str]) -> None:
    response = requests.post(
        url(V2), data="{not json", headers={"Content-Type": "application/json"}, timeout=5
    )
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_custom_connected_app_credentials_work(post: Send, emu: Emulator) -> None:
    client_id, secret = emu.add_connected_app("custom")
    assert len(client_id) == 32 and len(secret) == 32
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert post(V2, json=body).status_code == 200


def test_legacy_endpoint_accepts_organization_credentials_without_expires_in(
    post: Send, demo: DemoCredentials
) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": demo.legacy_client_id,
        "client_secret": demo.legacy_client_secret,
    }
    response = post(LEGACY, json=body)
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    assert "expires_in" not in response.json()


def test_legacy_endpoint_accepts_form_body(post: Send, demo: DemoCredentials) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": demo.legacy_client_id,
        "client_secret": demo.legacy_client_secret,
    }
    assert post(LEGACY, data=body).status_code == 200


def test_legacy_endpoint_answers_422_json_for_connected_app(
    post: Send, demo: DemoCredentials
) -> None:
    response = post(LEGACY, json=client_body(demo))
    assert response.status_code == 422
    assert response.json()["status"] == 422
    assert response.json()["message"]


def test_legacy_endpoint_answers_plain_401_for_bad_credentials(
    post: Send, demo: DemoCredentials
) -> None:
    body = {"grant_type": "client_credentials", "client_id": demo.legacy_client_id,
            "client_secret": "nope"}
    response = post(LEGACY, json=body)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Unauthorized"


def test_token_endpoint_refuses_get_with_405_json(url: Callable[[str], str]) -> None:
    response = requests.get(url(V2), timeout=5)
    assert response.status_code == 405
    assert response.json()["status"] == 405
    assert "POST" in response.headers["Allow"]
