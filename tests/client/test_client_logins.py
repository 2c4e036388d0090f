"""Every login flow succeeds over real loopback HTTP, and says how long its token lives."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, quote

import pytest

from anypoint_pulumi.access.client import AccessManagementClient, GrantType
from anypoint_pulumi.access.errors import BadCredentialsError, MfaRequiredError
from anypoint_pulumi.emulator import Fault

V2 = "/accounts/api/v2/oauth2/token"
LEGACY = "/accounts/oauth2/token"
LOGIN = "/accounts/login"
SAML = "/accounts/login/receive-id"
SESSION = "/accounts/api/session"


def lifetime(token: object) -> float:
    return (token.expires_at - token.issued_at).total_seconds()  # type: ignore[attr-defined]


# Client credentials ------------------------------------------------------------------------------


def test_client_credentials_gets_a_token_the_control_plane_accepts(emu, client):
    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert emu.is_active(token.access_token)
    assert emu.token_grant(token.access_token) == "client_credentials"
    assert token.grant_type is GrantType.CLIENT_CREDENTIALS
    assert token.base_url == emu.base_url


def test_client_credentials_uses_only_the_v2_endpoint(emu, client):
    client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert emu.count(V2, method="POST") == 1
    assert emu.count(LEGACY) == 0


def test_client_credentials_sends_a_form_body_with_the_credentials(capture):
    client = AccessManagementClient(base_url=capture.base_url)

    client.client_credentials("my-id", "my-secret")

    (seen,) = capture.seen
    assert (seen.method, seen.target) == ("POST", V2)
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(seen.body.decode()) == {
        "grant_type": ["client_credentials"], "client_id": ["my-id"],
        "client_secret": ["my-secret"],
    }
    assert "Authorization" not in seen.headers


def test_legacy_option_uses_only_the_legacy_endpoint(emu, client):
    token = client.client_credentials(
        emu.demo.legacy_client_id, emu.demo.legacy_client_secret, legacy=True
    )

    assert emu.token_grant(token.access_token) == "legacy"
    assert emu.count(LEGACY, method="POST") == 1
    assert emu.count(V2) == 0


def test_client_credentials_falls_back_to_legacy_when_v2_answers_404(emu, client):
    emu.inject(V2, Fault.json(404, {"status": 404, "message": "Not found"}))

    token = client.client_credentials(emu.demo.legacy_client_id, emu.demo.legacy_client_secret)

    assert emu.token_grant(token.access_token) == "legacy"
    assert (emu.count(V2, status=404), emu.count(LEGACY, status=200)) == (1, 1)


def test_client_credentials_does_not_fall_back_on_a_v2_refusal(emu, client):
    with pytest.raises(BadCredentialsError):
        client.client_credentials(emu.demo.client_id, "wrong-secret-0000")

    assert emu.count(LEGACY) == 0


# Password grant, login, SAML -------------------------------------------------------------------


def test_password_grant_gets_a_user_token_through_a_connected_app(emu, client):
    demo = emu.demo
    token = client.password_grant(
        demo.user_app_client_id, demo.user_app_client_secret, demo.username, demo.password
    )

    assert token.grant_type is GrantType.PASSWORD
    assert emu.token_grant(token.access_token) == "password"
    me = client.me(token.access_token)
    assert me.user.username == demo.username
    assert me.client.client_id == demo.user_app_client_id


def test_password_grant_works_for_an_mfa_user(emu, client):
    demo = emu.demo
    token = client.password_grant(
        demo.user_app_client_id, demo.user_app_client_secret, demo.mfa_username, demo.mfa_password
    )

    assert emu.is_active(token.access_token)
    assert client.me(token.access_token).user.username == demo.mfa_username


def test_login_gets_a_session_token(emu, client):
    token = client.login(emu.demo.username, emu.demo.password)

    assert token.grant_type is GrantType.LOGIN
    assert token.grant_type.is_session
    assert emu.token_grant(token.access_token) == "login"
    assert client.me(token.access_token).user.username == emu.demo.username


def test_login_sends_a_json_body(capture):
    client = AccessManagementClient(base_url=capture.base_url)

    client.login("someone", "pa55word")

    login = capture.seen[0]
    assert (login.method, login.target) == ("POST", LOGIN)
    assert login.headers["Content-Type"] == "application/json"
    assert json.loads(login.body) == {"username": "someone", "password": "pa55word"}


def test_login_of_an_mfa_user_raises_mfa_required_and_issues_no_token(emu, client):
    before = emu.tokens_issued()

    with pytest.raises(MfaRequiredError) as caught:
        client.login(emu.demo.mfa_username, emu.demo.mfa_password)

    assert emu.tokens_issued() == before
    assert "password grant" in str(caught.value)
    assert isinstance(caught.value, BadCredentialsError)


def test_mfa_answer_injected_as_a_fault_is_never_taken_for_a_token(emu, client):
    emu.inject(LOGIN, Fault.mfa())

    with pytest.raises(MfaRequiredError):
        client.login(emu.demo.username, emu.demo.password)


def test_saml_login_on_the_generic_endpoint(emu, client):
    token = client.saml_login(emu.saml_response(emu.demo.saml_username))

    assert token.grant_type is GrantType.SAML
    assert emu.token_grant(token.access_token) == "saml"
    assert emu.count(SAML, method="POST", status=200) == 1
    assert client.me(token.access_token).user.username == emu.demo.saml_username


def test_saml_login_on_the_organization_specific_endpoint(emu, client):
    demo = emu.demo
    token = client.saml_login(
        emu.saml_response(demo.saml_username),
        org_domain=demo.saml_org_domain,
        provider_id=demo.saml_provider_id,
    )

    path = f"/accounts/login/{demo.saml_org_domain}/providers/{demo.saml_provider_id}/receive-id"
    assert emu.count(path, method="POST", status=200) == 1
    assert emu.token_grant(token.access_token) == "saml"


def test_saml_login_sends_the_xhr_header_and_a_json_body(capture):
    client = AccessManagementClient(base_url=capture.base_url)

    client.saml_login("PHNhbWw+PC9zYW1sPg==", org_domain="my-org", provider_id="idp-1")

    saml = capture.seen[0]
    assert saml.target == "/accounts/login/my-org/providers/idp-1/receive-id"
    assert saml.headers["X-Requested-With"] == "XMLHttpRequest"
    assert json.loads(saml.body) == {"SAMLResponse": "PHNhbWw+PC9zYW1sPg=="}


def test_saml_login_accepts_a_url_encoded_response(emu, client):
    encoded = quote(emu.saml_response(emu.demo.saml_username), safe="")

    token = client.saml_login(encoded)

    assert emu.token_grant(token.access_token) == "saml"


# Lifetimes -----------------------------------------------------------------------------------


def test_oauth_token_expiry_comes_from_expires_in(emu, client):
    emu.token_lifetime_seconds = 900

    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert lifetime(token) == pytest.approx(900, abs=1)


def test_oauth_token_without_expires_in_is_given_an_hour(emu, client):
    # The legacy endpoint answers without expires_in.
    token = client.client_credentials(
        emu.demo.legacy_client_id, emu.demo.legacy_client_secret, legacy=True
    )

    assert lifetime(token) == pytest.approx(3600, abs=1)


def test_login_token_expiry_comes_from_the_session_endpoint(emu, client):
    emu.set_session_timeout(emu.demo.organization_id, 15)

    token = client.login(emu.demo.username, emu.demo.password)

    assert lifetime(token) == pytest.approx(15 * 60, abs=2)
    assert emu.count(SESSION, method="GET", status=200) == 1


def test_saml_token_expiry_comes_from_the_session_endpoint(emu, client):
    emu.set_session_timeout(emu.demo.organization_id, 20)

    token = client.saml_login(emu.saml_response(emu.demo.saml_username))

    assert lifetime(token) == pytest.approx(20 * 60, abs=2)


def test_session_token_expiry_defaults_to_sixty_minutes_when_session_read_fails(emu, client):
    emu.set_session_timeout(emu.demo.organization_id, 15)
    emu.inject(SESSION, Fault.json(404, {"status": 404, "message": "Not found"}))

    token = client.login(emu.demo.username, emu.demo.password)

    assert token.expires_at - token.issued_at == timedelta(minutes=60)


def test_access_token_repr_never_shows_the_token(emu, client):
    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert token.access_token not in repr(token)
    assert token.access_token not in str(token)


def test_seconds_left_counts_down_from_the_expiry(emu, client):
    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert token.seconds_left(token.issued_at) == pytest.approx(3600, abs=1)
    assert token.seconds_left(token.expires_at + timedelta(seconds=5)) == pytest.approx(-5)

