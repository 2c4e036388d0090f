"""Each kind of failure becomes its own exception, with a message that says where and what next."""

from __future__ import annotations

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import (
    AnypointError,
    BadCredentialsError,
    MfaRequiredError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TokenRejectedError,
    TransportError,
    UnexpectedResponseError,
)
from anypoint_pulumi.emulator import Fault

V2 = "/accounts/api/v2/oauth2/token"
LEGACY = "/accounts/oauth2/token"
LOGIN = "/accounts/login"
ME = "/accounts/api/me"


@pytest.fixture
def cc_token(emu, client) -> str:
    return client.client_credentials(emu.demo.client_id, emu.demo.client_secret).access_token


@pytest.fixture
def user_token(emu, client) -> str:
    return client.login(emu.demo.username, emu.demo.password).access_token


# Bad credentials, flow by flow ---------------------------------------------------------------


def test_wrong_client_secret_is_bad_credentials(emu, client):
    with pytest.raises(BadCredentialsError) as caught:
        client.client_credentials(emu.demo.client_id, "0" * 32)

    assert caught.value.status == 401
    assert type(caught.value) is BadCredentialsError


def test_unknown_client_id_is_bad_credentials(client):
    with pytest.raises(BadCredentialsError):
        client.client_credentials("f" * 32, "0" * 32)


def test_wrong_legacy_secret_is_bad_credentials(emu, client):
    with pytest.raises(BadCredentialsError) as caught:
        client.client_credentials(emu.demo.legacy_client_id, "0" * 32, legacy=True)

    assert caught.value.status == 401


def test_connected_app_credentials_on_the_legacy_endpoint_explain_the_422(emu, client):
    with pytest.raises(BadCredentialsError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret, legacy=True)

    assert caught.value.status == 422
    assert "/accounts/api/v2/oauth2/token" in str(caught.value)
    assert "legacy" in str(caught.value)


def test_wrong_password_in_the_password_grant_is_bad_credentials(emu, client):
    demo = emu.demo
    with pytest.raises(BadCredentialsError) as caught:
        client.password_grant(
            demo.user_app_client_id, demo.user_app_client_secret, demo.username, "wrong-pass"
        )

    assert caught.value.status == 400


def test_client_without_the_password_grant_is_bad_credentials(emu, client):
    demo = emu.demo
    with pytest.raises(BadCredentialsError):
        client.password_grant(demo.client_id, demo.client_secret, demo.username, demo.password)


def test_wrong_password_on_login_is_bad_credentials(emu, client):
    with pytest.raises(BadCredentialsError) as caught:
        client.login(emu.demo.username, "wrong-pass")

    assert caught.value.status == 401
    assert not isinstance(caught.value, MfaRequiredError)
    assert "Unauthorized" in str(caught.value)


def test_disabled_user_on_login_is_bad_credentials(emu, client):
    emu.add_user("disabled-user", "pa55word-1", enabled=False)

    with pytest.raises(BadCredentialsError) as caught:
        client.login("disabled-user", "pa55word-1")

    assert caught.value.status == 403


def test_saml_response_from_an_unknown_issuer_is_bad_credentials(emu, client):
    response = emu.saml_response(emu.demo.saml_username, issuer="https://idp.example.org/other")

    with pytest.raises(BadCredentialsError) as caught:
        client.saml_login(response)

    assert caught.value.status == 401


def test_expired_saml_response_is_bad_credentials(emu, client):
    response = emu.saml_response(emu.demo.saml_username, not_on_or_after_seconds=60)
    emu.advance_clock(120)

    with pytest.raises(BadCredentialsError):
        client.saml_login(response)


def test_sp_initiated_saml_response_is_bad_credentials(emu, client):
    response = emu.saml_response(emu.demo.saml_username, in_response_to="_request-1")

    with pytest.raises(BadCredentialsError):
        client.saml_login(response)


# Rejected tokens and refusals ----------------------------------------------------------------


def test_expired_token_is_rejected(emu, client, cc_token):
    emu.advance_clock(3601)

    with pytest.raises(TokenRejectedError) as caught:
        client.me(cc_token)

    assert type(caught.value) is TokenRejectedError
    assert caught.value.status == 401
    assert "expired, revoked, or lacking permission" in str(caught.value)


def test_revoked_token_is_rejected(emu, client, cc_token):
    emu.revoke(cc_token)

    with pytest.raises(TokenRejectedError):
        client.organization(cc_token, emu.demo.organization_id)


def test_made_up_token_is_rejected(client):
    with pytest.raises(TokenRejectedError):
        client.me("00000000-0000-4000-8000-000000000000")


def test_organization_outside_the_token_tree_is_permission_denied(emu, client, cc_token):
    other = emu.add_organization("Someone Else")

    with pytest.raises(PermissionDeniedError) as caught:
        client.organization(cc_token, other)

    assert caught.value.status == 403


def test_profile_with_a_client_token_is_permission_denied(client, cc_token):
    with pytest.raises(PermissionDeniedError) as caught:
        client.profile(cc_token)

    assert caught.value.status == 401
    assert "user token" in str(caught.value)


def test_hierarchy_with_a_client_token_is_permission_denied(emu, client, cc_token):
    with pytest.raises(PermissionDeniedError):
        client.hierarchy(cc_token, emu.demo.organization_id)


def test_unknown_organization_is_not_found(client, cc_token):
    with pytest.raises(NotFoundError) as caught:
        client.organization(cc_token, "00000000-0000-4000-8000-00000000dead")

    assert caught.value.status == 404


def test_environments_of_an_unknown_organization_is_not_found(client, user_token):
    with pytest.raises(NotFoundError):
        client.environments(user_token, "00000000-0000-4000-8000-00000000dead")


# Server trouble ---------------------------------------------------------------------------------


def test_rate_limited_past_the_retries_is_rate_limited_error(emu, client):
    emu.inject(V2, Fault.rate_limited(retry_after=0), times=3)

    with pytest.raises(RateLimitedError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert caught.value.status == 429


def test_empty_503_past_the_retries_is_rate_limited_error(emu, client):
    emu.inject(V2, Fault.capacity(), times=3)

    with pytest.raises(RateLimitedError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert caught.value.status == 503


def test_rate_limited_error_carries_the_wait_from_x_ratelimit_reset(emu, make_client):
    client = make_client(retries=0)
    emu.inject(V2, Fault.rate_limit_reset(30))

    with pytest.raises(RateLimitedError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert caught.value.retry_after == pytest.approx(30, abs=2)
    assert "wait about" in str(caught.value)


def test_internal_server_error_is_server_error(emu, client, cc_token):
    emu.inject(ME, Fault.json(500, {"status": 500, "message": "Internal error"}))

    with pytest.raises(ServerError) as caught:
        client.me(cc_token)

    assert caught.value.status == 500
    assert "Internal error" in str(caught.value)


def test_503_with_a_body_past_the_retries_is_server_error(emu, client, cc_token):
    emu.inject(ME, Fault.json(503, {"message": "Service Unavailable"}), times=3)

    with pytest.raises(ServerError) as caught:
        client.me(cc_token)

    assert caught.value.status == 503


def test_html_error_page_past_the_retries_is_server_error(emu, client, cc_token):
    emu.inject(ME, Fault.bad_gateway(), times=3)

    with pytest.raises(ServerError) as caught:
        client.me(cc_token)

    assert caught.value.status == 502
    assert "<html" not in str(caught.value)


# Transport -------------------------------------------------------------------------------------


def test_nothing_listening_is_transport_error(closed_port):
    client = AccessManagementClient(
        base_url=f"http://127.0.0.1:{closed_port}", retries=1, backoff_factor=0.01
    )

    with pytest.raises(TransportError) as caught:
        client.client_credentials("id", "secret")

    assert caught.value.status is None
    assert f"127.0.0.1:{closed_port}" in str(caught.value)


def test_connection_dropped_every_time_is_transport_error(emu, client):
    emu.inject(V2, Fault.dropped(), times=3)

    with pytest.raises(TransportError):
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)


def test_read_timeout_every_time_is_transport_error_naming_the_timeout(emu, make_client):
    client = make_client(connect_timeout=1.0, read_timeout=0.2, retries=1)
    emu.inject(V2, Fault.slow(0.6), times=2)

    with pytest.raises(TransportError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert "timeout" in str(caught.value)


# Unexpected answers ----------------------------------------------------------------------------


def test_html_page_instead_of_a_token_is_unexpected_response(emu, client):
    emu.inject(V2, Fault.html(200))

    with pytest.raises(UnexpectedResponseError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert "HTML" in str(caught.value)


def test_invalid_json_instead_of_a_token_is_unexpected_response(emu, client):
    emu.inject(V2, Fault.invalid_json())

    with pytest.raises(UnexpectedResponseError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert "not valid JSON" in str(caught.value)


def test_200_without_access_token_is_unexpected_response(emu, client):
    emu.inject(LOGIN, Fault.no_token())

    with pytest.raises(UnexpectedResponseError) as caught:
        client.login(emu.demo.username, emu.demo.password)

    assert "no access_token" in str(caught.value)


def test_json_array_instead_of_an_object_is_unexpected_response(emu, client, cc_token):
    emu.inject(ME, Fault.json(200, ["not", "an", "object"]))

    with pytest.raises(UnexpectedResponseError):
        client.me(cc_token)


def test_redirect_is_unexpected_response_naming_the_location(emu, client, cc_token):
    emu.inject(ME, Fault(status=302, headers={"Location": "/login/signin"}))

    with pytest.raises(UnexpectedResponseError) as caught:
        client.me(cc_token)

    assert "/login/signin" in str(caught.value)


def test_unlisted_status_is_unexpected_response(emu, client, cc_token):
    emu.inject(ME, Fault.json(418, {"message": "teapot"}))

    with pytest.raises(UnexpectedResponseError) as caught:
        client.me(cc_token)

    assert caught.value.status == 418


# What every message says ------------------------------------------------------------------------


def assert_says_where_and_what_next(
    error: AnypointError, host: str, endpoint: str, status: int | None
) -> None:
    text = str(error)
    assert host in text
    assert endpoint in text
    if status is not None:
        assert f"HTTP {status}" in text
    assert error.hint
    assert error.hint in text
    assert (error.host, error.status) == (host, status)


def test_bad_credentials_message_names_host_endpoint_status_and_next_step(emu, client):
    with pytest.raises(BadCredentialsError) as caught:
        client.login(emu.demo.username, "wrong-pass")

    assert_says_where_and_what_next(caught.value, client.host, f"POST {LOGIN}", 401)
    assert "Check the credentials" in str(caught.value)


def test_rejected_token_message_names_host_endpoint_status_and_next_step(emu, client, cc_token):
    emu.revoke(cc_token)

    with pytest.raises(TokenRejectedError) as caught:
        client.me(cc_token)

    assert_says_where_and_what_next(caught.value, client.host, f"GET {ME}", 401)
    assert "fresh token" in str(caught.value)
    assert "pulumi" not in str(caught.value).lower(), "Pulumi advice is the Pulumi layer's"


def test_not_found_message_names_host_endpoint_status_and_next_step(client, cc_token):
    org = "00000000-0000-4000-8000-00000000dead"
    with pytest.raises(NotFoundError) as caught:
        client.organization(cc_token, org)

    endpoint = f"GET /accounts/api/organizations/{org}"
    assert_says_where_and_what_next(caught.value, client.host, endpoint, 404)


def test_rate_limited_message_names_host_endpoint_status_and_next_step(emu, client):
    emu.inject(V2, Fault.capacity(), times=3)

    with pytest.raises(RateLimitedError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert_says_where_and_what_next(caught.value, client.host, f"POST {V2}", 503)
    assert "retry later" in str(caught.value)


def test_unexpected_response_message_names_host_endpoint_status_and_next_step(emu, client):
    emu.inject(V2, Fault.invalid_json())

    with pytest.raises(UnexpectedResponseError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert_says_where_and_what_next(caught.value, client.host, f"POST {V2}", 200)


def test_transport_error_message_names_host_endpoint_and_next_step(closed_port):
    client = AccessManagementClient(base_url=f"http://127.0.0.1:{closed_port}", retries=0)

    with pytest.raises(TransportError) as caught:
        client.me("some-token-value")

    assert_says_where_and_what_next(caught.value, client.host, "GET /accounts/api/me", None)
    assert "Check network access" in str(caught.value)


def test_mfa_message_names_host_endpoint_and_the_connected_app_way_out(emu, client):
    with pytest.raises(MfaRequiredError) as caught:
        client.login(emu.demo.mfa_username, emu.demo.mfa_password)

    assert_says_where_and_what_next(caught.value, client.host, f"POST {LOGIN}", 200)
    assert "connected app" in str(caught.value)


# Nothing of the library's is kept ---------------------------------------------------------------


def test_transport_error_chains_no_library_exception(closed_port):
    client = AccessManagementClient(base_url=f"http://127.0.0.1:{closed_port}", retries=0)

    with pytest.raises(TransportError) as caught:
        client.login("someone", "pa55word")

    assert (caught.value.__cause__, caught.value.__context__) == (None, None)


def test_invalid_json_error_chains_no_parse_error(emu, client):
    emu.inject(V2, Fault.invalid_json())

    with pytest.raises(UnexpectedResponseError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert (caught.value.__cause__, caught.value.__context__) == (None, None)
