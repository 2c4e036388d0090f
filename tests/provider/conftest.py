"""Fixtures of the provider tests (issue 3): the real provider, its inputs for every flow, a
movable provider clock, captured warnings, fast clients, and the gRPC provider server.

Every test gets a fresh emulator (the root ``emulator`` fixture): tests move its clock and
change its token lifetime, so nothing is shared between them except the provider process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pulumi
import pytest

import anypoint_pulumi.access.settings as settings_module
import anypoint_pulumi.core.token as provider_module
from anypoint_pulumi.access.settings import RetryPolicy
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import AnypointMocks, Resolved, resolve_sync
from anypoint_pulumi.token.provider import TOKEN_PROVIDER, TokenProvider
from tests.support.provider_server import ProviderServer

FLOWS = ("client_credentials", "password", "login", "saml", "saml_org", "jwt_bearer")
"""Every way to sign in: ``saml_org`` is SAML through the organization-specific endpoint."""

GRANT = {"client_credentials": "client_credentials", "password": "password", "login": "login",
         "saml": "saml", "saml_org": "saml", "jwt_bearer": "jwt_bearer"}
"""The ``grant_type`` output each flow yields."""

OAUTH_FLOWS = ("client_credentials", "password", "jwt_bearer")
SESSION_FLOWS = ("login", "saml", "saml_org")


def flow_inputs(emu: Emulator, flow: str) -> dict[str, Any]:
    """The program's inputs for ``flow`` against ``emu`` (a fresh SAML response each call)."""
    demo = emu.demo
    where = {"base_url": emu.base_url}
    if flow == "client_credentials":
        return {"client_id": demo.client_id, "client_secret": demo.client_secret, **where}
    if flow == "password":
        return {"client_id": demo.user_app_client_id,
                "client_secret": demo.user_app_client_secret,
                "username": demo.username, "password": demo.password, **where}
    if flow == "login":
        return {"username": demo.username, "password": demo.password, **where}
    if flow == "jwt_bearer":
        return {"client_id": demo.jwt_client_id, "private_key": emu.jwt_private_key,
                "identity_provider_id": demo.jwt_identity_provider_id,
                "username": demo.jwt_username, **where}
    saml = {"saml_response": emu.saml_response(demo.saml_username), **where}
    if flow == "saml_org":
        saml.update(saml_org_domain=demo.saml_org_domain,
                    saml_provider_id=demo.saml_provider_id)
    return saml


def login_path(emu: Emulator, flow: str) -> str:
    """The endpoint ``flow`` signs in through."""
    if flow in OAUTH_FLOWS:
        return "/accounts/api/v2/oauth2/token"
    if flow == "login":
        return "/accounts/login"
    if flow == "saml_org":
        return (f"/accounts/login/{emu.demo.saml_org_domain}/providers/"
                f"{emu.demo.saml_provider_id}/receive-id")
    return "/accounts/login/receive-id"


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """A fresh started emulator (demo-seeded) for this test."""
    return emulator


@pytest.fixture
def provider() -> TokenProvider:
    """The provider instance every ``AnypointToken`` pickles (the one the engine runs)."""
    return TOKEN_PROVIDER


@dataclass
class Created:
    """A token made by check + create (in-process or over gRPC): checked inputs, id, outputs."""

    flow: str
    inputs: dict[str, Any]
    id: str
    outs: dict[str, Any]

    @property
    def token(self) -> str:
        return str(self.outs["access_token"])


@pytest.fixture
def create(emu: Emulator, provider: TokenProvider) -> Callable[..., Created]:
    """``create(flow, **overrides)``: check and create a token as the engine does."""

    def make(flow: str, **overrides: Any) -> Created:
        checked = provider.check({}, {**flow_inputs(emu, flow), **overrides})
        assert checked.failures == [], checked.failures
        result = provider.create(dict(checked.inputs))
        return Created(flow, dict(checked.inputs), str(result.id), dict(result.outs or {}))

    return make


class Clock:
    """The provider's clock (``anypoint_pulumi.core.token.utcnow``), frozen and movable."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime | str) -> None:
        """Stop the clock at ``moment`` (a datetime or an RFC 3339 string)."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        self.now = moment

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Freeze the provider's clock at the current second; move it with ``at``/``advance``."""
    frozen = Clock()
    monkeypatch.setattr(provider_module, "utcnow", frozen)
    return frozen


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every ``pulumi.log.warn`` message the provider sends (the user's console)."""
    seen: list[str] = []

    def warn(msg: str, *args: Any, **kwargs: Any) -> None:
        seen.append(msg)

    monkeypatch.setattr(pulumi.log, "warn", warn)
    return seen


@pytest.fixture
def fast_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provider clients that retry once with a tiny backoff (for tests of network failures)."""

    def fast(timeout_seconds: float) -> RetryPolicy:
        return RetryPolicy(retries=1, backoff_factor=0.01, budget_seconds=2.0)

    monkeypatch.setattr(settings_module, "retry_policy", fast)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the provider builds an HTTP client (``check``/``diff`` must not)."""

    def refuse(settings: Any) -> Any:
        raise AssertionError("the provider tried to reach Anypoint")

    monkeypatch.setattr(provider_module, "client_for", refuse)


@pytest.fixture(scope="session")
def provider_server() -> Iterator[ProviderServer]:
    """The SDK's dynamic provider server (``python -u -m pulumi.dynamic``), driven over gRPC."""
    with ProviderServer(project="provider-tests") as server:
        yield server


@pytest.fixture
def closed_port_url() -> str:
    """A loopback base URL where nothing listens (connection refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def run(program: Callable[[], Mapping[str, Any]], *, mocks: AnypointMocks | None = None,
        preview: bool = False) -> tuple[dict[str, Resolved[Any]], AnypointMocks]:
    """Run ``program`` under the mocks; resolve every output it returns."""
    mocks = mocks if mocks is not None else AnypointMocks()
    pulumi.runtime.set_mocks(mocks, preview=preview)
    got: dict[str, Resolved[Any]] = {}

    @pulumi.runtime.test
    def body() -> None:
        for name, output in program().items():
            got[name] = resolve_sync(output)

    body()
    return got, mocks
