"""The emulator's JWT bearer grant, over HTTP with hand-made assertions: what it accepts (an RS256
assertion from the app's key for a federated user, addressed to its token endpoint, not expired)
and what it refuses, as the real control plane does."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator
from tests.keys import RsaKey

TOKEN_PATH = "/accounts/api/v2/oauth2/token"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

Post = Callable[..., requests.Response]


@pytest.fixture
def claims(emu: Emulator, demo: DemoCredentials) -> dict[str, Any]:
    """Claims the emulator accepts for the demo federated user."""
    now = int(time.time())
    return {"iss": demo.jwt_client_id, "aud": emu.base_url + TOKEN_PATH,
            "sub": f"v2|{demo.jwt_identity_provider_id}|{demo.jwt_username}",
            "iat": now, "exp": now + 120, "jti": str(uuid.uuid4())}


@pytest.fixture
def grant(url: Callable[[str], str]) -> Post:
    """``grant(assertion)``: POST the JWT bearer grant (form-encoded, as the client sends it)."""

    def send(assertion: str, grant_type: str = GRANT) -> requests.Response:
        return requests.post(url(TOKEN_PATH), data={"grant_type": grant_type,
                                                    "assertion": assertion}, timeout=5)

    return send


def signed(emu: Emulator, claims: dict[str, Any], key: str | None = None,
           algorithm: str = "RS256") -> str:
    return jwt.encode(claims, key or emu.jwt_private_key, algorithm=algorithm)


def refusal(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["error_description"]


def test_a_valid_assertion_gets_a_user_token_for_the_federated_user(
        emu: Emulator, claims: dict[str, Any], grant: Post, get: Post) -> None:
    response = grant(signed(emu, claims))

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    me = get("/accounts/api/me", body["access_token"]).json()
    assert me["user"]["username"] == emu.demo.jwt_username
    assert me["client"]["client_id"] == emu.demo.jwt_client_id
    assert emu.token_grant(body["access_token"]) == "jwt_bearer"


def test_an_audience_list_holding_the_token_endpoint_is_accepted(
        emu: Emulator, claims: dict[str, Any], grant: Post) -> None:
    claims["aud"] = ["https://elsewhere.example.com", claims["aud"]]

    assert grant(signed(emu, claims)).status_code == 200


def test_a_certificate_on_the_app_works_like_its_public_key(
        emu: Emulator, claims: dict[str, Any], grant: Post, second_rsa_key: RsaKey) -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = serialization.load_pem_private_key(second_rsa_key.private_pem.encode(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jwt app")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(1)  # type: ignore[arg-type]
                   .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                   .sign(key, hashes.SHA256()))  # type: ignore[arg-type]
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    client_id, _ = emu.add_connected_app("cert app", grant_types=("jwt_bearer",), public_key=pem)

    assert grant(signed(emu, {**claims, "iss": client_id},
                        second_rsa_key.private_pem)).status_code == 200


REFUSED: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], int, str]] = [
    ("expired", lambda c: {**c, "exp": c["iat"] - 1}, 400, "assertion expired"),
    ("no exp", lambda c: {k: v for k, v in c.items() if k != "exp"}, 400, "assertion has no exp"),
    ("exp too far ahead", lambda c: {**c, "exp": c["iat"] + 3600}, 400, "too far ahead"),
    ("issued in the future", lambda c: {**c, "iat": c["iat"] + 120, "exp": c["iat"] + 180}, 400,
     "iat is in the future"),
    ("wrong audience", lambda c: {**c, "aud": "https://anypoint.mulesoft.com" + TOKEN_PATH}, 400,
     "invalid audience"),
    ("unknown client", lambda c: {**c, "iss": "0" * 32}, 401, "unknown client id"),
    ("subject not v2", lambda c: {**c, "sub": "demo-federated-user"}, 400,
     "sub must be v2|<identity provider id>|<username>"),
    ("unknown identity provider", lambda c: {**c, "sub": "v2|nope|demo-federated-user"}, 400,
     "unknown identity provider"),
    ("unknown user", lambda c: {**c, "sub": c["sub"].rsplit("|", 1)[0] + "|nobody"}, 400,
     "user not found"),
    ("non-federated user", lambda c: {**c, "sub": c["sub"].rsplit("|", 1)[0] + "|demo-user"},
     400, "non-federated user is not supported"),
]


@pytest.mark.parametrize("change, status, words", [c[1:] for c in REFUSED],
                         ids=[c[0] for c in REFUSED])
def test_a_bad_assertion_is_refused_with_an_oauth_error(
        emu: Emulator, claims: dict[str, Any], grant: Post,
        change: Callable[[dict[str, Any]], dict[str, Any]], status: int, words: str) -> None:
    issued = emu.tokens_issued()

    got_status, error, description = refusal(grant(signed(emu, change(claims))))

    assert got_status == status and words in description
    assert error in ("invalid_grant", "invalid_client")
    assert emu.tokens_issued() == issued


def test_a_signature_of_another_key_is_refused(emu: Emulator, claims: dict[str, Any],
                                               grant: Post, other_rsa_key: RsaKey) -> None:
    status, error, description = refusal(grant(signed(emu, claims, other_rsa_key.private_pem)))

    assert (status, error) == (401, "invalid_grant")
    assert "invalid assertion signature" in description


def test_a_tampered_assertion_is_refused(emu: Emulator, claims: dict[str, Any],
                                         grant: Post) -> None:
    header, _, signature = signed(emu, claims).split(".")
    forged = signed(emu, {**claims, "sub": claims["sub"].replace("demo-federated-user",
                                                                 "other")}).split(".")[1]

    assert refusal(grant(f"{header}.{forged}.{signature}"))[2].startswith(
        "invalid assertion signature")


@pytest.mark.parametrize("algorithm, key", [("HS256", "a-shared-secret-of-32-bytes-len!"),
                                            ("none", None)])
def test_an_assertion_not_signed_rs256_is_refused(emu: Emulator, claims: dict[str, Any],
                                                  grant: Post, algorithm: str,
                                                  key: str | None) -> None:
    assertion = jwt.encode(claims, key, algorithm=algorithm)  # type: ignore[arg-type]

    assert refusal(grant(assertion)) == (400, "invalid_grant",
                                         "assertion must be signed with RS256")


@pytest.mark.parametrize("assertion", ["", "not-a-jwt", "a.b.c", "e30.e30"])
def test_garbage_is_refused_as_not_a_jwt(grant: Post, assertion: str) -> None:
    response = grant(assertion)

    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_request", "invalid_grant")


def test_an_app_without_the_grant_is_refused(emu: Emulator, claims: dict[str, Any],
                                             grant: Post) -> None:
    status, error, _ = refusal(grant(signed(emu, {**claims, "iss": emu.demo.client_id})))

    assert (status, error) == (400, "unauthorized_client")


def test_a_disabled_federated_user_is_refused(emu: Emulator, claims: dict[str, Any],
                                              grant: Post) -> None:
    emu.add_user("gone", "unused", enabled=False,
                 identity_provider_id=emu.demo.jwt_identity_provider_id)
    sub = f"v2|{emu.demo.jwt_identity_provider_id}|gone"

    assert refusal(grant(signed(emu, {**claims, "sub": sub})))[:2] == (403, "access_denied")


def test_an_app_of_another_organization_cannot_sign_in_our_users(
        emu: Emulator, claims: dict[str, Any], grant: Post, second_rsa_key: RsaKey) -> None:
    other = emu.add_organization("Other Org")
    client_id, _ = emu.add_connected_app("foreign", org_id=other, grant_types=("jwt_bearer",),
                                         public_key=second_rsa_key.public_pem)
    assertion = signed(emu, {**claims, "iss": client_id}, second_rsa_key.private_pem)

    assert refusal(grant(assertion))[2] == "unknown identity provider in sub"


def test_the_grant_and_the_public_key_go_together(emu: Emulator,
                                                  second_rsa_key: RsaKey) -> None:
    with pytest.raises(ValueError, match="go together"):
        emu.add_connected_app("keyless", grant_types=("jwt_bearer",))
    with pytest.raises(ValueError, match="go together"):
        emu.add_connected_app("grantless", public_key=second_rsa_key.public_pem)
    with pytest.raises(ValueError):
        emu.add_connected_app("bad key", grant_types=("jwt_bearer",), public_key="nope")
