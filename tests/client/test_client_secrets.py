"""The canary test: with every secret a unique canary string, no failure path lets one show in an
exception (text, repr, chain, traceback) or in DEBUG logs of ``anypoint_pulumi`` and ``urllib3``,
even when the server echoes the secret back in its answer.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import (
    AnypointError,
    BadCredentialsError,
    MfaRequiredError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TokenRejectedError,
    TransportError,
    UnexpectedResponseError,
)
from anypoint_pulumi.emulator import Emulator, Fault
from tests.secrets import new_canary

LOG = logging.getLogger("anypoint_pulumi")
V2 = "/accounts/api/v2/oauth2/token"
LEGACY = "/accounts/oauth2/token"
LOGIN = "/accounts/login"
SAML = "/accounts/login/receive-id"
ME = "/accounts/api/me"
PROFILE = "/accounts/api/profile"
REVOKE = "/accounts/api/v2/oauth2/revoke"
LOGOUT = "/accounts/api/logout"


@dataclass
class World:
    """The emulator, a client factory, and the canaries: each secret a unique string.

    ``user``/``mfa_user`` have the canary password; ``app``/``user_app`` the canary secret.
    ``issued`` collects real tokens a scenario obtained: they are secrets too.
    """

    emu: Emulator
    make_client: Callable[..., AccessManagementClient]
    secret: str = field(default_factory=lambda: new_canary("secret"))
    password: str = field(default_factory=lambda: new_canary("password"))
    saml: str = field(default_factory=lambda: new_canary("saml"))
    token: str = field(default_factory=lambda: new_canary("token"))
    issued: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        emu = self.emu
        self.client = self.make_client()
        self.app_id, _ = emu.add_connected_app("Canary CI", client_secret=self.secret)
        self.user_app_id, _ = emu.add_connected_app(
            "Canary users", grant_types=("password",), client_secret=self.secret[::-1]
        )
        emu.add_user("canary-user", self.password)
        emu.add_user("canary-mfa-user", self.password + "-mfa", mfa=True)
        emu.add_user("canary-disabled-user", self.password + "-off", enabled=False)

    @property
    def canaries(self) -> tuple[str, ...]:
        demo = self.emu.demo
        return (
            self.secret, self.secret[::-1], self.password, self.password + "-mfa",
            self.password + "-off", self.saml, self.token, *self.issued,
            demo.client_secret, demo.user_app_client_secret, demo.legacy_client_secret,
            demo.password, demo.mfa_password,
        )

    def real_token(self) -> str:
        token = self.client.client_credentials(self.app_id, self.secret).access_token
        self.issued.append(token)
        return token

    def user_token(self) -> str:
        token = self.client.login("canary-user", self.password).access_token
        self.issued.append(token)
        return token

    def unreachable(self, port: int) -> AccessManagementClient:
        return self.make_client(base_url=f"http://127.0.0.1:{port}", retries=1)


Scenario = Callable[[World], object]


def port_nothing_listens_on() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Bad credentials, flow by flow.
def cc_bad_secret(w: World) -> object:
    return w.client.client_credentials(w.emu.demo.client_id, w.secret)


def cc_echoed_oauth_error(w: World) -> object:
    w.emu.inject(V2, Fault.json(401, {"error": "invalid_client",
                                      "error_description": f"bad client_secret {w.secret}"}))
    return w.client.client_credentials(w.app_id, w.secret)


def cc_echoed_url_encoded_form(w: World) -> object:
    w.emu.inject(V2, Fault.plain(400, f"grant_type=client_credentials&client_secret="
                                      f"{quote_plus(w.secret)}&client_id={w.app_id}"))
    return w.client.client_credentials(w.app_id, w.secret)


def cc_echoed_json_without_message(w: World) -> object:
    w.emu.inject(V2, Fault.json(401, {"detail": {"client_secret": w.secret}}))
    return w.client.client_credentials(w.app_id, w.secret)


def legacy_bad_secret(w: World) -> object:
    w.emu.inject(LEGACY, Fault.plain(401, f"Unauthorized: client_secret={w.secret}"))
    return w.client.client_credentials(w.emu.demo.legacy_client_id, w.secret, legacy=True)


def legacy_422_for_connected_app(w: World) -> object:
    return w.client.client_credentials(w.app_id, w.secret, legacy=True)


def password_grant_bad_password(w: World) -> object:
    return w.client.password_grant(w.user_app_id, w.secret[::-1], "canary-user", w.token)


def password_grant_echoed_password(w: World) -> object:
    w.emu.inject(V2, Fault.plain(400, f"password={w.password}"))
    return w.client.password_grant(w.user_app_id, w.secret[::-1], "canary-user", w.password)


def login_bad_password(w: World) -> object:
    return w.client.login("canary-user", w.password + "-wrong")


def login_echoed_password(w: World) -> object:
    w.emu.inject(LOGIN, Fault.json(401, {"status": 401, "message": w.password}))
    return w.client.login("canary-user", w.password)


def login_echoed_password_with_line_breaks(w: World) -> object:
    w.emu.inject(LOGIN, Fault.json(401, {"message": f"bad\n {w.password}\n"}))
    return w.client.login("canary-user", w.password)


def login_disabled_user(w: World) -> object:
    return w.client.login("canary-disabled-user", w.password + "-off")


def login_mfa_user(w: World) -> object:
    return w.client.login("canary-mfa-user", w.password + "-mfa")


def login_mfa_fault_with_secret_in_url(w: World) -> object:
    w.emu.inject(LOGIN, Fault.mfa(url=f"https://x.example/verify?password={w.password}"))
    return w.client.login("canary-user", w.password)


def saml_not_base64(w: World) -> object:
    return w.client.saml_login(w.saml)


def saml_echoed(w: World) -> object:
    w.emu.inject(SAML, Fault.json(400, {"message": f"bad SAMLResponse {w.saml}"}))
    return w.client.saml_login(w.saml)


def saml_echoed_url_encoded(w: World) -> object:
    w.emu.inject(SAML, Fault.plain(400, f"SAMLResponse={quote(w.saml, safe='')}"))
    return w.client.saml_login(f"  {w.saml}\n")


def saml_unknown_issuer(w: World) -> object:
    w.saml = w.emu.saml_response("canary-user", issuer="https://idp.example.org/unknown")
    return w.client.saml_login(w.saml)


# Server trouble that echoes secrets, up to exhausted retries.
def rate_limited_exhausted(w: World) -> object:
    w.emu.inject(V2, Fault.json(429, {"message": f"slow down {w.secret}"},
                                headers={"Retry-After": "0"}), times=3)
    return w.client.client_credentials(w.app_id, w.secret)


def capacity_exhausted(w: World) -> object:
    w.emu.inject(LOGIN, Fault.capacity(), times=3)
    return w.client.login("canary-user", w.password)


def server_error_echo(w: World) -> object:
    w.emu.inject(LOGIN, Fault.json(503, {"message": f"oops password={w.password}"}), times=3)
    return w.client.login("canary-user", w.password)


def html_error_page_echo(w: World) -> object:
    page = f"<html><body>client_secret {w.secret}</body></html>"
    w.emu.inject(V2, Fault(status=500, body=page, content_type="text/html"))
    return w.client.client_credentials(w.app_id, w.secret)


def html_200_echo(w: World) -> object:
    w.emu.inject(V2, Fault(status=200, body=f"<html>{w.secret}</html>", content_type="text/html"))
    return w.client.client_credentials(w.app_id, w.secret)


def invalid_json_echo(w: World) -> object:
    w.emu.inject(LOGIN, Fault(status=200, body=f'{{"access_token": "{w.password}'))
    return w.client.login("canary-user", w.password)


def no_token_echo(w: World) -> object:
    w.emu.inject(LOGIN, Fault.json(200, {"password": w.password, "token_type": "bearer"}))
    return w.client.login("canary-user", w.password)


# Transport.
def nothing_listening_login(w: World) -> object:
    return w.unreachable(port_nothing_listens_on()).login("canary-user", w.password)


def nothing_listening_read(w: World) -> object:
    return w.unreachable(port_nothing_listens_on()).me(w.token)


def nothing_listening_revoke(w: World) -> object:
    client = w.unreachable(port_nothing_listens_on())
    return client.revoke(w.token, client_id=w.app_id, client_secret=w.secret)


def dropped_exhausted(w: World) -> object:
    w.emu.inject(V2, Fault.dropped(), times=3)
    return w.client.client_credentials(w.app_id, w.secret)


def read_timeout_exhausted(w: World) -> object:
    w.emu.inject(SAML, Fault.slow(0.5), times=2)
    return w.make_client(connect_timeout=1.0, read_timeout=0.15, retries=1).saml_login(w.saml)


# Rejected tokens and failed endings.
def made_up_token(w: World) -> object:
    return w.client.me(w.token)


def rejected_token_echoed(w: World) -> object:
    w.emu.inject(ME, Fault.json(401, {"message": f"Bearer {w.token} is expired"}))
    return w.client.me(w.token)


def expired_real_token(w: World) -> object:
    token = w.real_token()
    w.emu.advance_clock(3601)
    return w.client.organization(token, w.emu.demo.organization_id)


def revoked_real_token_echoed(w: World) -> object:
    token = w.user_token()
    w.emu.revoke(token)
    w.emu.inject(PROFILE, Fault.json(401, {"access_token": token, "message": "revoked"}))
    return w.client.profile(token)


def profile_with_client_token(w: World) -> object:
    return w.client.profile(w.real_token())


def forbidden_echo_without_message(w: World) -> object:
    token = w.real_token()
    w.emu.inject(ME, Fault.json(403, {"token": token, "detail": "no"}))
    return w.client.me(token)


def environments_second_page_fails(w: World) -> object:
    token = w.real_token()
    org = w.emu.demo.organization_id
    w.emu.inject(f"/accounts/api/organizations/{org}/environments",
                 Fault.json(502, {"message": f"proxy saw Bearer {token}"}), times=3)
    return w.client.environments(token, org)


def revoke_refused_echo(w: World) -> object:
    w.emu.inject(REVOKE, Fault.plain(400, f"token={w.token}&client_secret={w.secret}"))
    return w.client.revoke(w.token, client_id=w.app_id, client_secret=w.secret)


def logout_refused_echo(w: World) -> object:
    token = w.user_token()
    w.emu.inject(LOGOUT, Fault.json(500, {"error_description": f"session {token} is stuck"}))
    return w.client.logout(token)


SCENARIOS: list[tuple[Scenario, type[AnypointError]]] = [
    (cc_bad_secret, BadCredentialsError),
    (cc_echoed_oauth_error, BadCredentialsError),
    (cc_echoed_url_encoded_form, BadCredentialsError),
    (cc_echoed_json_without_message, BadCredentialsError),
    (legacy_bad_secret, BadCredentialsError),
    (legacy_422_for_connected_app, BadCredentialsError),
    (password_grant_bad_password, BadCredentialsError),
    (password_grant_echoed_password, BadCredentialsError),
    (login_bad_password, BadCredentialsError),
    (login_echoed_password, BadCredentialsError),
    (login_echoed_password_with_line_breaks, BadCredentialsError),
    (login_disabled_user, BadCredentialsError),
    (login_mfa_user, MfaRequiredError),
    (login_mfa_fault_with_secret_in_url, MfaRequiredError),
    (saml_not_base64, BadCredentialsError),
    (saml_echoed, BadCredentialsError),
    (saml_echoed_url_encoded, BadCredentialsError),
    (saml_unknown_issuer, BadCredentialsError),
    (rate_limited_exhausted, RateLimitedError),
    (capacity_exhausted, RateLimitedError),
    (server_error_echo, ServerError),
    (html_error_page_echo, ServerError),
    (html_200_echo, UnexpectedResponseError),
    (invalid_json_echo, UnexpectedResponseError),
    (no_token_echo, UnexpectedResponseError),
    (nothing_listening_login, TransportError),
    (nothing_listening_read, TransportError),
    (nothing_listening_revoke, TransportError),
    (dropped_exhausted, TransportError),
    (read_timeout_exhausted, TransportError),
    (made_up_token, TokenRejectedError),
    (rejected_token_echoed, TokenRejectedError),
    (expired_real_token, TokenRejectedError),
    (revoked_real_token_echoed, TokenRejectedError),
    (profile_with_client_token, PermissionDeniedError),
    (forbidden_echo_without_message, PermissionDeniedError),
    (environments_second_page_fails, ServerError),
    (revoke_refused_echo, UnexpectedResponseError),
    (logout_refused_echo, ServerError),
]


@pytest.fixture
def world(emu, make_client) -> World:
    return World(emu, make_client)


@pytest.mark.parametrize(
    ("scenario", "expected"), SCENARIOS, ids=[s.__name__ for s, _ in SCENARIOS]
)
def test_no_secret_leaks_from_a_failure(world, no_leak, scenario, expected):
    with pytest.raises(expected) as caught:
        scenario(world)

    no_leak(caught.value, *world.canaries)


def test_no_secret_leaks_into_debug_logs_of_successful_flows(world, no_leak):
    world.real_token()
    world.user_token()
    world.issued.append(world.client.password_grant(
        world.user_app_id, world.secret[::-1], "canary-mfa-user", world.password + "-mfa"
    ).access_token)
    world.client.profile(world.issued[1])
    world.client.revoke(world.issued[0], client_id=world.app_id, client_secret=world.secret)
    world.client.logout(world.issued[1])

    no_leak(None, *world.canaries)


def test_the_canary_check_catches_a_leak_in_a_chained_exception(world, no_leak):
    LOG.debug("something harmless")
    error = ValueError("wrapped")
    error.__context__ = RuntimeError(f"password={world.password}")

    with pytest.raises(AssertionError, match="secret leaked"):
        no_leak(error, world.password)


def test_the_canary_check_catches_an_encoded_leak(world, no_leak):
    LOG.debug("something harmless")

    with pytest.raises(AssertionError, match="secret leaked"):
        no_leak(ValueError(quote_plus(world.secret)), world.secret)


def test_the_canary_check_catches_a_leak_in_debug_logs(world, no_leak):
    logging.getLogger("urllib3.connectionpool").debug("sent %s", world.token)

    with pytest.raises(AssertionError, match="secret leaked"):
        no_leak(ValueError("clean"), world.token)
