"""The JWT bearer grant in the client: the assertion it signs, the token it gets for a federated
user, and every way it is refused, each with an error that names the field and the fix and never
shows the private key or the assertion."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest

from anypoint_pulumi.access.assertion import (
    ASSERTION_SECONDS,
    GRANT,
    check_private_key,
    make_assertion,
    subject,
)
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import BadCredentialsError, ConfigurationError
from anypoint_pulumi.access.models import AccessToken, GrantType
from anypoint_pulumi.emulator import Emulator
from tests.keys import RsaKey
from tests.secrets import leaks, pem_body_lines

TOKEN = "/accounts/api/v2/oauth2/token"


def login(client: AccessManagementClient, emu: Emulator, *, key: str | None = None,
          username: str | None = None, client_id: str | None = None,
          provider: str | None = None) -> AccessToken:
    demo = emu.demo
    return client.jwt_bearer(client_id or demo.jwt_client_id, key or emu.jwt_private_key,
                             provider or demo.jwt_identity_provider_id,
                             username or demo.jwt_username)


def claims_of(assertion: str) -> dict[str, object]:
    return jwt.decode(assertion, options={"verify_signature": False})


# The assertion ---------------------------------------------------------------------------------


def assertion_for(emu: Emulator, **overrides: object) -> str:
    args = {"private_key": emu.jwt_private_key, "client_id": emu.demo.jwt_client_id,
            "identity_provider_id": emu.demo.jwt_identity_provider_id,
            "username": emu.demo.jwt_username, "audience": emu.base_url + TOKEN, **overrides}
    return make_assertion(**args)  # type: ignore[arg-type]


def test_the_assertion_claims_the_app_the_federated_user_and_the_token_endpoint(
        emu: Emulator) -> None:
    claims = claims_of(assertion_for(emu))

    assert claims["iss"] == emu.demo.jwt_client_id
    assert claims["sub"] == f"v2|{emu.demo.jwt_identity_provider_id}|{emu.demo.jwt_username}"
    assert claims["aud"] == emu.base_url + TOKEN


def test_the_assertion_is_rs256_and_valid_for_three_minutes(emu: Emulator) -> None:
    assertion = assertion_for(emu)
    claims = claims_of(assertion)

    assert jwt.get_unverified_header(assertion)["alg"] == "RS256"
    assert claims["exp"] - claims["iat"] == ASSERTION_SECONDS == 180  # type: ignore[operator]
    assert abs(claims["iat"] - time.time()) < 5  # type: ignore[operator]


def test_the_assertion_verifies_with_the_apps_public_key(emu: Emulator) -> None:
    from anypoint_pulumi.emulator.jwtgrant import demo_key_pair

    claims = jwt.decode(assertion_for(emu), demo_key_pair().public_pem, algorithms=["RS256"],
                        audience=emu.base_url + TOKEN)

    assert claims["iss"] == emu.demo.jwt_client_id


def test_the_subject_is_v2_then_the_identity_provider_then_the_username() -> None:
    assert subject("idp-1", "ann") == "v2|idp-1|ann"


def test_two_assertions_have_different_ids(emu: Emulator) -> None:
    assert claims_of(assertion_for(emu))["jti"] != claims_of(assertion_for(emu))["jti"]


# The login -------------------------------------------------------------------------------------


def test_jwt_bearer_gives_a_user_token_of_the_federated_user(
        client: AccessManagementClient, emu: Emulator) -> None:
    token = login(client, emu)

    assert token.grant_type is GrantType.JWT_BEARER and not token.grant_type.is_session
    assert token.grant_type.kind == "user"
    assert emu.token_grant(token.access_token) == "jwt_bearer"
    me = client.me(token)
    assert me.user is not None and me.user.username == emu.demo.jwt_username
    assert me.client is not None and me.client.client_id == emu.demo.jwt_client_id
    assert round((token.expires_at - token.issued_at).total_seconds()) == 3600


def test_jwt_bearer_sends_only_the_grant_and_the_assertion(
        make_client: Callable[..., AccessManagementClient], capture: object, emu: Emulator) -> None:
    client = make_client(base_url=capture.base_url)  # type: ignore[attr-defined]
    client.jwt_bearer(emu.demo.jwt_client_id, emu.jwt_private_key,
                      emu.demo.jwt_identity_provider_id, emu.demo.jwt_username)

    [seen] = capture.seen  # type: ignore[attr-defined]
    form = parse_qs(seen.body.decode())
    assert (seen.method, seen.target) == ("POST", TOKEN)
    assert set(form) == {"grant_type", "assertion"} and form["grant_type"] == [GRANT]
    assert claims_of(form["assertion"][0])["aud"] == capture.base_url + TOKEN  # type: ignore[attr-defined]
    assert not any(line in seen.body.decode() for line in pem_body_lines(emu.jwt_private_key))


def test_a_key_on_one_line_with_escaped_line_breaks_works(
        client: AccessManagementClient, emu: Emulator) -> None:
    one_line = emu.jwt_private_key.strip().replace("\n", "\\n")

    assert "\n" not in one_line
    assert login(client, emu, key=one_line).grant_type is GrantType.JWT_BEARER


def test_a_renewal_signs_a_new_assertion(client: AccessManagementClient, emu: Emulator) -> None:
    first, second = login(client, emu), login(client, emu)

    assert first.access_token != second.access_token
    assert len(set(emu._store.jwt_assertions)) == 2


# Refusals from Anypoint ------------------------------------------------------------------------


def test_a_non_federated_user_is_refused_saying_the_grant_is_for_federated_users(
        client: AccessManagementClient, emu: Emulator, no_leak: Callable[..., None]) -> None:
    with pytest.raises(BadCredentialsError) as caught:
        login(client, emu, username=emu.demo.username)

    text = str(caught.value)
    assert "non-federated user is not supported" in text
    assert "works only for federated (SSO) users" in text
    assert caught.value.status == 400 and caught.value.endpoint == f"POST {TOKEN}"
    no_leak(caught.value, *pem_body_lines(emu.jwt_private_key), *emu._store.jwt_assertions)


def test_a_wrong_key_is_refused_naming_the_signature(
        client: AccessManagementClient, emu: Emulator, other_rsa_key: RsaKey,
        no_leak: Callable[..., None]) -> None:
    with pytest.raises(BadCredentialsError) as caught:
        login(client, emu, key=other_rsa_key.private_pem)

    assert "invalid assertion signature" in str(caught.value)
    assert "certificate of this private_key uploaded" in str(caught.value)
    no_leak(caught.value, *pem_body_lines(other_rsa_key.private_pem),
            *emu._store.jwt_assertions)


def test_an_expired_assertion_is_refused_and_the_error_mentions_the_clock(
        client: AccessManagementClient, emu: Emulator) -> None:
    emu.advance_clock(ASSERTION_SECONDS + 1)  # the control plane's clock runs ahead of ours

    with pytest.raises(BadCredentialsError) as caught:
        login(client, emu)

    assert "assertion expired" in str(caught.value)
    assert "clock of this machine" in str(caught.value)


def test_a_user_of_another_identity_provider_is_refused(
        client: AccessManagementClient, emu: Emulator) -> None:
    other = emu.add_identity_provider("https://idp.example.com/other")

    with pytest.raises(BadCredentialsError, match="not federated by this identity provider"):
        login(client, emu, provider=other)


def test_an_app_without_the_grant_is_refused(
        client: AccessManagementClient, emu: Emulator) -> None:
    with pytest.raises(BadCredentialsError, match="may not use this grant"):
        login(client, emu, client_id=emu.demo.client_id)


# Refused before any request --------------------------------------------------------------------

BAD_KEYS: list[tuple[str, Callable[[RsaKey], str], str]] = [
    ("not PEM", lambda k: "not a key at all", "not a PEM-encoded private key"),
    ("truncated PEM", lambda k: k.private_pem[:200] + "\n-----END PRIVATE KEY-----",
     "not a readable PEM private key"),
    ("garbled body", lambda k: k.private_pem.replace("M", "*"), "not a readable PEM private key"),
    ("a public key", lambda k: k.public_pem, "holds a public key, not the private key"),
    ("encrypted", lambda k: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                            "-----END ENCRYPTED PRIVATE KEY-----", "encrypted with a passphrase"),
    ("a file path", lambda k: "/home/me/keys/jwt-app.pem", "looks like a file path"),
]


@pytest.mark.parametrize("make_key, words", [c[1:] for c in BAD_KEYS],
                         ids=[c[0] for c in BAD_KEYS])
def test_a_bad_private_key_is_refused_before_any_request(
        client: AccessManagementClient, emu: Emulator, other_rsa_key: RsaKey,
        make_key: Callable[[RsaKey], str], words: str) -> None:
    key = make_key(other_rsa_key)
    emu.clear_requests()

    with pytest.raises(ConfigurationError) as caught:
        login(client, emu, key=key)

    assert caught.value.field == "private_key"
    assert words in str(caught.value)
    assert "pulumi config set --secret anypoint:privateKey" in str(caught.value) or (
        words in ("holds a public key, not the private key", "encrypted with a passphrase"))
    assert emu.requests == []
    assert leaks(caught.value, "", tuple(pem_body_lines(key))) == []


def test_an_ec_key_is_refused_because_rs256_needs_rsa(client: AccessManagementClient,
                                                      emu: Emulator) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()

    with pytest.raises(ConfigurationError, match="needs an RSA private key") as caught:
        login(client, emu, key=pem)

    assert caught.value.field == "private_key"


@pytest.mark.parametrize("field", ["client_id", "identity_provider_id", "username"])
def test_a_missing_part_of_the_subject_is_refused_naming_it(emu: Emulator, field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        assertion_for(emu, **{field: " "})

    assert caught.value.field == field and "required for the JWT bearer grant" in str(caught.value)


def test_an_identity_provider_id_with_a_bar_is_refused(emu: Emulator) -> None:
    with pytest.raises(ConfigurationError, match="must not contain '\\|'"):
        assertion_for(emu, identity_provider_id="a|b")


def test_without_the_jwt_extra_the_error_names_the_extra(
        client: AccessManagementClient, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)
    emu.clear_requests()

    with pytest.raises(ConfigurationError) as caught:
        login(client, emu)

    text = str(caught.value)
    assert "needs PyJWT" in text and "'jwt' extra" in text and ".whl[jwt]" in text
    assert emu.requests == []


def test_a_key_check_returns_the_pem_ready_to_sign(emu: Emulator) -> None:
    key = check_private_key("  " + emu.jwt_private_key.strip().replace("\n", "\\n") + "  ")

    assert key == emu.jwt_private_key.strip() + "\n"


def test_the_demo_private_key_file_is_readable_only_by_its_owner(emu: Emulator) -> None:
    mode = Path(emu.demo.jwt_private_key_path).stat().st_mode & 0o777

    assert mode == 0o600


def test_an_assertion_made_in_the_past_is_expired_by_now(emu: Emulator) -> None:
    past = datetime.now(timezone.utc) - timedelta(minutes=10)

    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(assertion_for(emu, issued_at=past), options={"verify_signature": False,
                                                                "verify_exp": True})
