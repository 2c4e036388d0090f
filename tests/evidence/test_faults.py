"""The fault matrix (issue 6): every login flow x every fault the emulator can inject.

Part 1 runs the whole product in-process through :class:`TokenProvider.create` (the provider and
client code exactly as shipped; only the retry schedule is shortened, see ``fast_provider``).
Part 2 drives a representative subset through the SDK's own provider server over gRPC, as the
engine does, with the production retry schedule: a failed Create of a replacement leaves the
previous outputs valid (the old token still works).

Transient faults are injected once (fewer than the attempts: the create must succeed after one
retry) and then ``attempts`` times (the create must fail with the class named in the table,
having made exactly ``attempts`` requests within the retry budget). Permanent faults are injected
``attempts`` times and must fail at once: exactly one request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from anypoint_pulumi.access.endpoints import LOGIN, SAML, TOKEN_LEGACY, TOKEN_V2
from anypoint_pulumi.access.errors import (
    AnypointError,
    BadCredentialsError,
    MfaRequiredError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from anypoint_pulumi.emulator import Emulator, Fault
from anypoint_pulumi.token.provider import TokenProvider
from tests.keys import new_rsa_key

from .conftest import FAST_BUDGET, FAST_RETRIES

ATTEMPTS = FAST_RETRIES + 1
TIMEOUT = 1  # the timeout_seconds input: the smallest check allows


@dataclass(frozen=True)
class Flow:
    name: str
    endpoint: str
    flow_words: str  # how the provider names the flow in its error
    props: Callable[[Emulator], dict[str, Any]]


FLOWS = [
    Flow("client_credentials", TOKEN_V2, "client-credentials login",
         lambda e: {"client_id": e.demo.client_id, "client_secret": e.demo.client_secret}),
    Flow("password_grant", TOKEN_V2, "password-grant login",
         lambda e: {"client_id": e.demo.user_app_client_id,
                    "client_secret": e.demo.user_app_client_secret,
                    "username": e.demo.username, "password": e.demo.password}),
    Flow("legacy_login", LOGIN, "username/password login",
         lambda e: {"username": e.demo.username, "password": e.demo.password}),
    Flow("saml", SAML, "SAML login",
         lambda e: {"saml_response": e.saml_response(e.demo.saml_username)}),
    Flow("jwt_bearer", TOKEN_V2, "JWT bearer login",
         lambda e: {"client_id": e.demo.jwt_client_id, "private_key": e.jwt_private_key,
                    "identity_provider_id": e.demo.jwt_identity_provider_id,
                    "username": e.demo.jwt_username}),
]
FLOW_IDS = [f.name for f in FLOWS]


@dataclass(frozen=True)
class Case:
    name: str
    fault: Callable[[], Fault]
    kind: str  # "transient", "permanent" or "ok"
    error: type[AnypointError] | None = None
    status: int | None = None  # the HTTP status the message must name (None: no answer)
    words: str = ""  # words the message must contain
    exhaust: Callable[[], Fault] | None = None  # the fault for the exhausting run, if other


CASES = [
    # The success run proves the 1 s wait is honoured; the exhausting run asks for no wait, to
    # stay fast (a wait past the budget is test_rate_limit_wait_past_the_budget_fails_at_once).
    Case("429 + Retry-After", lambda: Fault.rate_limited(retry_after=1), "transient",
         RateLimitedError, 429, "Rate limited", lambda: Fault.rate_limited(retry_after=0)),
    Case("429 + X-RateLimit-Reset", lambda: Fault.rate_limit_reset(1), "transient",
         RateLimitedError, 429, "Rate limited", lambda: Fault.rate_limit_reset(0)),
    Case("503 empty", Fault.capacity, "transient", RateLimitedError, 503, "Rate limited"),
    Case("502", Fault.bad_gateway, "transient", ServerError, 502, "server error"),
    Case("504", Fault.gateway_timeout, "transient", ServerError, 504, "server error"),
    Case("dropped connection", Fault.dropped, "transient", TransportError, None,
         "Could not reach Anypoint"),
    Case("read timeout", lambda: Fault.slow(TIMEOUT + 0.3), "transient", TransportError, None,
         "did not answer in time"),
    Case("slow, inside timeout", lambda: Fault.slow(0.3), "ok"),
    Case("500 HTML", lambda: Fault.html(500), "permanent", ServerError, 500, "server error"),
    Case("200 invalid JSON", Fault.invalid_json, "permanent", UnexpectedResponseError, 200,
         "not valid JSON"),
    Case("200 without access_token", Fault.no_token, "permanent", UnexpectedResponseError, 200,
         "no access_token"),
    Case("MFA answer", Fault.mfa, "permanent", MfaRequiredError, 200, "connected app"),
    Case("401 plain text", lambda: Fault.plain(401), "permanent", BadCredentialsError, 401,
         "Unauthorized"),
    Case("403", lambda: Fault.json(403, {"status": 403, "message": "User is disabled"}),
         "permanent", BadCredentialsError, 403, "User is disabled"),
    Case("422 (legacy endpoint)", lambda: Fault.json(422, {"message": "Unprocessable"}),
         "permanent", BadCredentialsError, 422, "refused"),
]
CASE_IDS = [c.name for c in CASES]


def _props(emu: Emulator, flow: Flow, timeout: float = TIMEOUT) -> dict[str, Any]:
    return {**flow.props(emu), "base_url": emu.base_url, "timeout_seconds": timeout}


def _short(exc: BaseException) -> str:
    return type(exc).__name__.removesuffix("Error") or type(exc).__name__


def _inject(emu: Emulator, flow: Flow, case: Case, times: int, *, exhaust: bool = False) -> str:
    """Queue the fault where this flow meets it; return the endpoint whose requests count."""
    if case.name.startswith("422") and flow.name == "client_credentials":
        # The real legacy path: v2 answers 404 (an older control plane), the client falls back to
        # /accounts/oauth2/token, which refuses connected-app credentials with 422 by itself.
        emu.inject(TOKEN_V2, Fault.json(404, {"message": "Not found"}), times=times)
        return TOKEN_LEGACY
    make = case.exhaust if exhaust and case.exhaust else case.fault
    emu.inject(flow.endpoint, make(), times=times)
    return flow.endpoint


def _count(emu: Emulator, endpoint: str, expected: int) -> int:
    """POSTs the emulator logged to ``endpoint``, once every slow answer has been logged.

    A request the client gave up on (read timeout) is logged when its delayed answer is written,
    which may be after the client's retry succeeded: wait for the log to settle.
    """
    deadline = time.monotonic() + TIMEOUT + 1.5
    made = emu.count(endpoint, method="POST")
    while made < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        made = emu.count(endpoint, method="POST")
    return made


def _assert_clear(exc: AnypointError, emu: Emulator, flow: Flow, case: Case,
                  endpoint: str) -> None:
    text = str(exc)
    assert type(exc) is case.error, f"{type(exc).__name__} is not {case.error}: {text}"
    assert exc.host == emu.base_url.split("://", 1)[1] and exc.host in text, text
    assert endpoint in text, f"the message does not name {endpoint}: {text}"
    if case.status is not None:
        assert exc.status == case.status and f"[HTTP {case.status}]" in text, text
    assert flow.flow_words in text, f"the message does not name the flow: {text}"
    assert case.words in text, f"{case.words!r} missing from: {text}"
    assert exc.hint, f"no advice on what to do: {text}"


@pytest.mark.parametrize("flow", FLOWS, ids=FLOW_IDS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_fault(case: Case, flow: Flow, clean: Emulator, fast_provider: TokenProvider,
               fault_table: Callable[[str, str, str], None]) -> None:
    emu = clean
    old = fast_provider.create(_props(emu, flow)).outs  # the token the stack has already
    issued = emu.tokens_issued()
    emu.clear_requests()
    cells = []

    if case.kind in ("transient", "ok"):
        endpoint = _inject(emu, flow, case, times=1)
        started = time.monotonic()
        outs = fast_provider.create(_props(emu, flow)).outs
        took = time.monotonic() - started
        expected = 2 if case.kind == "transient" else 1
        assert _count(emu, endpoint, expected) == expected
        assert emu.is_active(outs["access_token"]) and outs["access_token"] != old["access_token"]
        assert outs["grant_type"] == old["grant_type"]
        assert took < FAST_BUDGET + TIMEOUT, f"took {took:.1f} s"
        if case.name == "429 + Retry-After":
            assert took >= 0.9, f"Retry-After: 1 not honoured (retried after {took:.2f} s)"
        cells.append(f"ok({expected})")
        emu.clear_requests()
        issued = emu.tokens_issued()

    if case.kind in ("transient", "permanent"):
        endpoint = _inject(emu, flow, case, times=ATTEMPTS, exhaust=True)
        started = time.monotonic()
        with pytest.raises(AnypointError) as caught:
            fast_provider.create(_props(emu, flow))
        took = time.monotonic() - started
        _assert_clear(caught.value, emu, flow, case, endpoint)
        made = _count(emu, endpoint, ATTEMPTS if case.kind == "transient" else 1)
        if case.kind == "permanent":
            assert made == 1, f"a permanent fault was retried: {made} requests"
            assert "retrying" not in str(caught.value), f"claims a retry: {caught.value}"
        else:
            assert made == ATTEMPTS, f"{made} requests, expected {ATTEMPTS}"
            assert took <= FAST_BUDGET + TIMEOUT + 1.0, f"took {took:.1f} s, past the budget"
        emu.clear_faults()
        prefix = f"x{ATTEMPTS}→" if case.kind == "transient" else ""
        cells.append(f"{prefix}{_short(caught.value)}({made})")

    # Nothing lost: the token the stack holds still works, and no token was issued that the
    # stack does not hold -- except after a read timeout, where the control plane did answer,
    # too late: those tokens were never received (inherent to timeouts; they expire unused).
    if case.name == "read timeout":
        cells[-1] += f" +{emu.tokens_issued() - issued} unseen"
    else:
        assert emu.tokens_issued() == issued
    assert emu.is_active(old["access_token"])
    fault_table(case.name, flow.name, " ".join(cells))


@pytest.mark.parametrize("flow", FLOWS, ids=FLOW_IDS)
@pytest.mark.parametrize(
    "name, fault",
    [("429, Retry-After > budget", lambda: Fault.rate_limited(retry_after=120)),
     ("429, X-RateLimit-Reset > budget", lambda: Fault.rate_limit_reset(120))],
    ids=["retry-after", "ratelimit-reset"],
)
def test_rate_limit_wait_past_the_budget_fails_at_once(
    name: str, fault: Callable[[], Fault], flow: Flow, clean: Emulator,
    fast_provider: TokenProvider, fault_table: Callable[[str, str, str], None],
) -> None:
    """A wait longer than the whole retry budget is not slept through: a clear error, now."""
    emu = clean
    emu.inject(flow.endpoint, fault(), times=ATTEMPTS)
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as caught:
        fast_provider.create(_props(emu, flow))
    took = time.monotonic() - started
    assert took < 1.0, f"slept {took:.1f} s for a wait it could never finish"
    assert emu.count(flow.endpoint) == 1
    exc = caught.value
    assert exc.retry_after is not None and exc.retry_after > FAST_BUDGET
    assert "wait about 1" in str(exc) and flow.flow_words in str(exc), str(exc)
    fault_table(name, flow.name, f"RateLimited(1) in {took:.2f} s")


# Part 2: through the provider server, as the engine drives it ---------------------------------

GRPC_TIMEOUT = 5
"""The gRPC part's ``timeout_seconds``: the whole budget of a Create, its retries included."""
GRPC_TRANSIENT = {  # injected once, production retry schedule: the Create must succeed
    "429 + Retry-After": (lambda: Fault.rate_limited(retry_after=1), 2),
    "503 empty": (Fault.capacity, 2),
    "dropped connection": (Fault.dropped, 2),
    # Each read may take the whole budget, so a slow answer inside it is simply waited for.
    "slow answer, inside the budget": (lambda: Fault.slow(TIMEOUT + 0.3), 1),
}
GRPC_PERMANENT = {  # the Create of a replacement fails; the old outputs must stay valid
    "401 plain text": (lambda: Fault.plain(401), BadCredentialsError),
    "MFA answer": (Fault.mfa, MfaRequiredError),
    "500 HTML": (lambda: Fault.html(500), ServerError),
    "200 invalid JSON": (Fault.invalid_json, UnexpectedResponseError),
}



def _engine_create(server: Any, emu: Emulator, flow: Flow) -> tuple[str, dict[str, Any],
                                                                   dict[str, Any]]:
    inputs, failures = server.check(_props(emu, flow, GRPC_TIMEOUT))
    assert failures == []
    id_, outs = server.create(inputs)
    return id_, inputs, outs


@pytest.mark.parametrize("flow", FLOWS, ids=FLOW_IDS)
@pytest.mark.parametrize("name", GRPC_TRANSIENT)
def test_grpc_transient_fault_is_retried(name: str, flow: Flow, clean: Emulator, server: Any,
                                         fault_table: Callable[[str, str, str], None]) -> None:
    emu = clean
    fault, requests = GRPC_TRANSIENT[name]
    inputs, failures = server.check(_props(emu, flow, GRPC_TIMEOUT))
    assert failures == []
    emu.inject(flow.endpoint, fault())
    _, outs = server.create(inputs)
    assert emu.is_active(outs["access_token"])
    assert _count(emu, flow.endpoint, requests) == requests
    fault_table(f"gRPC Create: {name}", flow.name, f"ok({requests})")


@pytest.mark.parametrize("flow", FLOWS, ids=FLOW_IDS)
@pytest.mark.parametrize("name", GRPC_PERMANENT)
def test_grpc_failed_replacement_keeps_the_old_token(
    name: str, flow: Flow, clean: Emulator, server: Any,
    fault_table: Callable[[str, str, str], None],
) -> None:
    """A failed Create of the replacement (renewal, new trigger) loses nothing the engine holds."""
    from tests.support.provider_server import ProviderError

    emu = clean
    fault, error = GRPC_PERMANENT[name]
    old_id, old_inputs, old_outs = _engine_create(server, emu, flow)
    issued = emu.tokens_issued()
    emu.clear_requests()

    # A trigger changed: Diff asks for a replacement, the engine creates the new one first.
    news, failures = server.check({**_props(emu, flow, GRPC_TIMEOUT),
                                   "triggers": {"rotation": "2"}}, old_inputs)
    assert failures == []
    assert "triggers" in server.diff(old_id, old_outs, news).replaces
    emu.inject(flow.endpoint, fault(), times=ATTEMPTS)
    with pytest.raises(ProviderError) as caught:
        server.create(news)
    details = caught.value.details
    host = emu.base_url.split("://", 1)[1]
    for words in (error.__name__, flow.flow_words, host, flow.endpoint):
        assert words in details, f"{words!r} not in the gRPC error: {details[-600:]}"
    assert emu.count(flow.endpoint) == 1, "a permanent fault was retried"
    assert emu.tokens_issued() == issued, "a token was issued that the stack does not hold"

    # The old outputs are still valid: Anypoint accepts the token (refresh keeps expires_at),
    # no renewal is pending, and an Update of settings keeps the token without the network.
    emu.clear_faults()
    assert emu.is_active(old_outs["access_token"])
    read_id, refreshed, _ = server.read(old_id, old_outs)
    assert read_id == old_id
    assert refreshed["access_token"] == old_outs["access_token"]
    assert refreshed["expires_at"] == old_outs["expires_at"]
    diff = server.diff(old_id, refreshed, old_inputs)
    assert not diff.replaces, diff
    emu.clear_requests()
    updated = server.update(old_id, old_outs, {**old_inputs, "timeout_seconds": 2})
    assert updated["access_token"] == old_outs["access_token"] and emu.count() == 0
    fault_table(f"gRPC replacement: {name}", flow.name,
                f"{error.__name__.removesuffix('Error')}(1), old kept")


def test_grpc_transient_fault_exhausted_with_the_production_schedule(
    clean: Emulator, server: Any, fault_table: Callable[[str, str, str], None],
) -> None:
    """Five 502s (the production client makes 1 + 4 attempts, backing off 0, 1, 2 and 4 s): a
    clear error within a budget (timeout_seconds=10) that holds them all, saying so."""
    from tests.support.provider_server import ProviderError

    emu, flow = clean, FLOWS[0]
    inputs, _ = server.check(_props(emu, flow, 10))
    emu.inject(flow.endpoint, Fault.bad_gateway(), times=5)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        server.create(inputs)
    took = time.monotonic() - started
    assert "ServerError" in caught.value.details and "[HTTP 502]" in caught.value.details
    assert "5 attempts in" in caught.value.details
    assert emu.count(flow.endpoint) == 5
    assert took < 10.0 + 1.0, f"{took:.1f} s: past the 10 s budget"
    fault_table("gRPC Create: 502 x5 (prod. retries)", flow.name,
                f"Server(5) in {took:.1f} s")


# The JWT bearer grant's own refusals: no injected fault, the control plane says no -------------

JWT_FLOW = FLOWS[FLOW_IDS.index("jwt_bearer")]
JWT_REFUSALS: dict[str, tuple[Callable[[Emulator], dict[str, Any]], str]] = {
    "JWT: non-federated user": (lambda e: {"username": e.demo.username},
                                "non-federated user is not supported"),
    "JWT: wrong key": (lambda e: {"private_key": new_rsa_key().private_pem},
                       "invalid assertion signature"),
    "JWT: app without the grant": (lambda e: {"client_id": e.demo.client_id},
                                   "may not use this grant"),
    "JWT: assertion expired (clock skew)": (lambda e: e.advance_clock(200) or {},
                                            "assertion expired"),
}


@pytest.mark.parametrize("name", JWT_REFUSALS)
def test_jwt_refusal_is_one_request_and_says_what_to_check(
        name: str, clean: Emulator, fast_provider: TokenProvider,
        fault_table: Callable[[str, str, str], None]) -> None:
    emu = clean
    change, words = JWT_REFUSALS[name]
    props = {**_props(emu, JWT_FLOW), **change(emu)}
    try:
        with pytest.raises(BadCredentialsError) as caught:
            fast_provider.create(props)
    finally:
        emu.advance_clock(-emu.now().timestamp() + time.time())  # back to real time
    text = str(caught.value)
    assert words in text and JWT_FLOW.flow_words in text and TOKEN_V2 in text
    assert "works only for federated (SSO) users" in text
    assert emu.count(TOKEN_V2, method="POST") == 1, "a refusal was retried"
    fault_table(name, JWT_FLOW.name, f"{_short(caught.value)}(1)")
