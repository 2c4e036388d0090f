"""Secrets sweep (issue 6): with a canary for every secret -- client secrets, a password, SAML
responses, a JWT app's private key, every JWT assertion and every token the emulator issued --
run every flow against faults, including answers that *echo the secrets back* (JSON,
JSON-escaped, URL-encoded, HTML, plain text, broken JSON), and assert no canary shows in:
exception text and chained causes, gRPC error details, the provider process's stdout/stderr,
captured DEBUG logs, non-secret outputs, the serialized ``__provider``, resource ids, or the data
functions' results.
"""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from anypoint_pulumi.access.client import (
    AccessManagementClient,
)
from anypoint_pulumi.access.endpoints import (
    LOGIN,
    LOGOUT,
    ME,
    PROFILE,
    REVOKE,
    SAML,
    SESSION,
    TOKEN_V2,
)
from anypoint_pulumi.access.errors import AnypointError
from anypoint_pulumi.core.inputs import SECRET_INPUTS
from anypoint_pulumi.emulator import Emulator, Fault
from anypoint_pulumi.token.provider import TokenProvider
from tests.keys import new_rsa_key
from tests.secrets import pem_body_lines

from .conftest import assert_no_canary, canary, exception_texts

SECRET_OUTPUTS = {"access_token", *SECRET_INPUTS}


@dataclass
class Canaries:
    emu: Emulator
    client_id: str
    client_secret: str
    user_app_id: str
    user_app_secret: str
    username: str
    password: str
    sent_saml: list[str]
    jwt_client_id: str
    private_key: str
    jwt_username: str

    def saml(self) -> str:
        value = self.emu.saml_response(self.emu.demo.saml_username)
        self.sent_saml.append(value)
        return value

    def all(self) -> list[str]:
        """Every secret so far: the credentials, each SAML response, each issued token."""
        with self.emu._store.lock:  # the emulator knows every token it minted, seen or not
            tokens = list(self.emu._store.tokens)
            assertions = [piece for a in self.emu._store.jwt_assertions
                          for piece in _fragments(a)]
        samls = [piece for s in self.sent_saml for piece in _fragments(s)]
        return [self.client_secret, self.user_app_secret, self.password, *samls, *tokens,
                *pem_body_lines(self.private_key), *assertions]


def _fragments(secret: str) -> list[str]:
    """A long secret and 32-character windows of it, to catch a partial echo too."""
    return [secret, *(secret[i:i + 32] for i in range(0, max(len(secret) - 32, 1), 24))]


@pytest.fixture(scope="module")
def canaries(emu: Emulator) -> Canaries:
    secret, user_secret = canary("secret"), canary("usersecret")
    # A password with the characters encoders treat specially (form, JSON, HTML).
    password = canary("pw") + " &=+/%\"'<>\\"
    client_id, _ = emu.add_connected_app("sweep ci", client_secret=secret)
    user_app_id, _ = emu.add_connected_app("sweep user app", grant_types=("password",),
                                           client_secret=user_secret)
    emu.add_user("sweep-user", password)
    key = new_rsa_key()  # a key only this module knows: every line of it is a canary
    jwt_app_id, _ = emu.add_connected_app("sweep jwt app", grant_types=("jwt_bearer",),
                                          public_key=key.public_pem)
    emu.add_user("sweep-federated", canary("unused"),
                 identity_provider_id=emu.demo.jwt_identity_provider_id)
    return Canaries(emu, client_id, secret, user_app_id, user_secret, "sweep-user", password, [],
                    jwt_app_id, key.private_pem, "sweep-federated")


FLOWS: dict[str, tuple[str, Callable[[Canaries], dict[str, Any]]]] = {
    "client_credentials": (TOKEN_V2, lambda c: {"client_id": c.client_id,
                                                "client_secret": c.client_secret}),
    "password_grant": (TOKEN_V2, lambda c: {"client_id": c.user_app_id,
                                            "client_secret": c.user_app_secret,
                                            "username": c.username, "password": c.password}),
    "legacy_login": (LOGIN, lambda c: {"username": c.username, "password": c.password}),
    "saml": (SAML, lambda c: {"saml_response": c.saml()}),
    "jwt_bearer": (TOKEN_V2, lambda c: {"client_id": c.jwt_client_id, "private_key": c.private_key,
                                        "identity_provider_id":
                                            c.emu.demo.jwt_identity_provider_id,
                                        "username": c.jwt_username}),
}


def _echoes(secrets: list[str]) -> dict[str, Fault]:
    """Answers that repeat the request's secrets back, every way a server might."""
    said = " ".join(secrets)
    return {
        "oauth json": Fault.json(401, {"error": "invalid_client",
                                       "error_description": f"bad client_secret {said}"}),
        "message json": Fault.json(400, {"status": 400, "message": f"password={said} rejected"}),
        "plain": Fault.plain(401, f"Unauthorized for {said}"),
        "url-encoded": Fault.plain(400, "&".join(f"x={quote_plus(s)}" for s in secrets)),
        "url-quoted": Fault.plain(403, " ".join(quote(s, safe="") for s in secrets)),
        "html": Fault(status=502, body=f"<html><body>{said}</body></html>",
                      content_type="text/html"),
        "broken json": Fault(status=200, body=f'{{"access_token": "{said}'),
        "mfa": Fault.json(200, {"url": f"https://x.example/mfa?s={quote(said)}"}),
        "no token": Fault.json(200, {"token": said, "message": said}),
        "429": Fault.json(429, {"message": said}, headers={"Retry-After": "0"}),
        "503 empty": Fault.capacity(),
        "dropped": Fault.dropped(),
    }


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    """Captured log records of everything but the emulator (a test fake, not the product)."""
    lines = []
    for record in caplog.records:
        if record.name.startswith(("anypoint_pulumi.emulator", "werkzeug")):
            continue
        lines.append(f"{record.name} {record.getMessage()} {record.exc_text or ''}")
    return "\n".join(lines)


def _check_outputs(where: str, id_: str, outs: dict[str, Any], secrets: list[str]) -> None:
    assert_no_canary(f"{where}: resource id", id_, secrets)
    public = {k: v for k, v in outs.items() if k not in SECRET_OUTPUTS and k != "__provider"}
    assert_no_canary(f"{where}: non-secret outputs", json.dumps(public, default=str), secrets)
    if "__provider" in outs:
        decoded = base64.b64decode(outs["__provider"]).decode("latin-1")
        assert_no_canary(f"{where}: __provider", outs["__provider"] + decoded, secrets)


@pytest.fixture
def sweep_logs(debug_logs: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    return debug_logs


@pytest.mark.parametrize("flow", FLOWS)
def test_in_process_flow_and_faults_leak_nothing(
    flow: str, canaries: Canaries, clean: Emulator, fast_provider: TokenProvider,
    sweep_logs: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
) -> None:
    emu = clean
    endpoint, props = FLOWS[flow]
    base = {"base_url": emu.base_url, "timeout_seconds": 1}
    created = fast_provider.create({**props(canaries), **base})
    _check_outputs(flow, created.id, created.outs, canaries.all())
    errors: list[tuple[str, str]] = []

    for name in _echoes([]):
        inputs = {**props(canaries), **base}  # a fresh SAML response each time, as in life
        secrets = [inputs[k] for k in SECRET_INPUTS if k in inputs]  # what this request carries
        emu.inject(endpoint, _echoes(secrets)[name], times=3)
        try:
            outs = fast_provider.create(inputs).outs
        except AnypointError as exc:
            errors.append((name, exception_texts(exc)))
        else:
            _check_outputs(f"{flow}/{name}", "", outs, canaries.all())
        emu.clear_faults()

    # Refresh and delete, failing with answers that echo the stored token.
    token = created.outs["access_token"]
    for path in (ME, REVOKE, LOGOUT):
        emu.inject(path, Fault.plain(401, f"Unauthorized {token}"), times=3)
    fast_provider.read(created.id, created.outs)
    fast_provider.delete(created.id, created.outs)
    emu.clear_faults()
    emu.inject(ME, Fault.json(500, {"message": token}), times=3)
    fast_provider.read(created.id, created.outs)
    emu.clear_faults()

    everything = canaries.all()
    assert errors, "no fault produced an error"
    for name, text in errors:
        assert_no_canary(f"{flow}/{name}: exception", text, everything)
    assert_no_canary(f"{flow}: DEBUG logs", _log_text(sweep_logs), everything)
    out, err = capfd.readouterr()
    assert_no_canary(f"{flow}: stdout/stderr (warnings)", out + err, everything)



@pytest.mark.parametrize("flow", FLOWS)
def test_provider_server_leaks_nothing(flow: str, canaries: Canaries, clean: Emulator,
                                       server: Any) -> None:
    from tests.support.provider_server import ProviderError

    emu = clean
    endpoint, props = FLOWS[flow]
    base = {"base_url": emu.base_url, "timeout_seconds": 1}
    inputs, failures = server.check({**props(canaries), **base})
    assert failures == []
    id_, outs = server.create(inputs)
    _check_outputs(f"gRPC {flow}", id_, outs, canaries.all())
    details = []
    for name in _echoes([]):
        if name in ("503 empty", "dropped", "429"):
            continue  # the production schedule retries these for seconds; covered in-process
        news, _ = server.check({**props(canaries), **base})
        secrets = [news[k] for k in SECRET_INPUTS if k in news]  # what this login carries
        emu.inject(endpoint, _echoes(secrets)[name])
        try:
            server.create(news)
        except ProviderError as exc:
            details.append((name, exc.details))
        emu.clear_faults()
    # A bad Check (conflicting inputs) and a Check of secrets with a wrong type.
    _, failures = server.check({**props(canaries), **base, "region": "eu"})
    details.append(("check failure", json.dumps(failures)))
    _, failures = server.check({**props(canaries), **base, "renew_before_seconds": "x"})
    details.append(("check failure 2", json.dumps(failures)))
    # Refresh of a revoked token, delete whose revoke fails echoing the token.
    token = outs["access_token"]
    emu.revoke(token)
    _, refreshed, _ = server.read(id_, outs)
    _check_outputs(f"gRPC {flow} read", id_, refreshed, canaries.all())
    emu.inject(REVOKE, Fault.plain(400, f"bad token {token}"))
    emu.inject(LOGOUT, Fault.plain(400, f"bad token {token}"))
    server.delete(id_, outs)
    emu.clear_faults()

    everything = canaries.all()
    assert any(name != "check failure" for name, _ in details)
    for name, text in details:
        assert_no_canary(f"gRPC {flow}/{name}: error details", text, everything)
    assert_no_canary(f"gRPC {flow}: provider process output", server.settled_output(),
                     everything)


def test_client_reads_leak_nothing(canaries: Canaries, clean: Emulator,
                                   sweep_logs: pytest.LogCaptureFixture) -> None:
    """Reads echo the caller's token (profile does so by design); none may surface it."""
    emu = clean
    client = AccessManagementClient(base_url=emu.base_url, retries=0)
    login = client.login(canaries.username, canaries.password)
    token = login.access_token
    texts = [repr(login), repr(client), repr(client.profile(token)), repr(client.me(token))]
    for path, fault in ((ME, Fault.plain(401, token)),
                        (PROFILE, Fault.json(403, {"message": token})),
                        (SESSION, Fault.json(200, {"access_token": token})),
                        (ME, Fault(status=200, body=f'{{"user": "{token}')),
                        (ME, Fault.html(401))):
        emu.inject(path, fault)
        try:
            texts.append(repr(client.me(token) if path == ME else
                              client.profile(token) if path == PROFILE else
                              client.session(token)))
        except AnypointError as exc:
            texts.append(exception_texts(exc))
        emu.clear_faults()
    for call in (client.revoke, client.logout):
        emu.inject(REVOKE, Fault.plain(400, token))
        emu.inject(LOGOUT, Fault.plain(400, token))
        try:
            call(token)
        except AnypointError as exc:
            texts.append(exception_texts(exc))
        emu.clear_faults()
    client.close()
    everything = canaries.all()
    for n, text in enumerate(texts):
        assert_no_canary(f"client read #{n}", text, everything)
    assert_no_canary("client DEBUG logs", _log_text(sweep_logs), everything)


DATA_FUNCTIONS = ("get_profile", "get_identity", "get_organization", "get_environments")


def test_data_function_results_leak_nothing(canaries: Canaries, clean: Emulator) -> None:
    try:
        module = importlib.import_module("anypoint_pulumi.functions.profile")
    except ImportError:
        pytest.skip("anypoint_pulumi.functions.profile (the data functions) is not there yet")
    emu = clean
    with AccessManagementClient(base_url=emu.base_url) as client:
        token = client.login(canaries.username, canaries.password).access_token
    results = []
    for name in DATA_FUNCTIONS:
        function = getattr(module, name, None)
        if function is None:
            continue
        try:
            result = function(access_token=token, base_url=emu.base_url)
        except TypeError:
            continue  # another signature: covered by the data functions' own tests
        result = (getattr(result, "__await__", None) and _run(result)) or result
        fields = getattr(result, "__dict__", None) or {}
        results.append((name, repr(result) + json.dumps(fields, default=str)))
    if not results:
        pytest.skip("no data function with (access_token=, base_url=) found")
    for name, text in results:
        assert_no_canary(f"data function {name}", text, canaries.all())


def _run(awaitable: Any) -> Any:
    import asyncio

    async def wait() -> Any:
        return await awaitable

    return asyncio.run(wait())


def test_get_access_token_and_get_api_response_leak_nothing(
        canaries: Canaries, clean: Emulator, sweep_logs: pytest.LogCaptureFixture,
        fast_provider: TokenProvider) -> None:
    """The login data function (every flow, refused and echoed) and the API data function (an
    answer and errors that echo the token) show no secret in results, errors or logs; only the
    token a login returns, in its ``access_token`` field, which ``repr`` hides. (``fast_provider``
    shortens the retry schedule, which the data functions share.)"""
    from anypoint_pulumi import get_access_token, get_api_response

    emu = clean
    texts: list[str] = []
    for flow, (endpoint, props) in FLOWS.items():
        inputs = {**props(canaries), "base_url": emu.base_url, "timeout_seconds": 1}
        result = get_access_token(**inputs)
        texts.append(repr(result) + json.dumps({k: v for k, v in result.to_dict().items()
                                                if k != "access_token"}))
        for fault in ("oauth json", "plain", "html", "no token"):
            inputs = {**props(canaries), "base_url": emu.base_url, "timeout_seconds": 1}
            secrets = [inputs[k] for k in SECRET_INPUTS if k in inputs]  # what this login sends
            emu.inject(endpoint, _echoes(secrets)[fault], times=3)
            try:
                get_access_token(**inputs)
            except AnypointError as exc:
                texts.append(f"{flow}/{fault}: " + exception_texts(exc))
            emu.clear_faults()
    token = get_access_token(**FLOWS["legacy_login"][1](canaries), base_url=emu.base_url)
    echoed = get_api_response(path="/accounts/api/profile", access_token=token.access_token,
                              base_url=emu.base_url)
    texts.append(repr(echoed) + json.dumps(echoed.to_dict()))
    for fault in (Fault.json(400, {"message": token.access_token}),
                  Fault.plain(401, f"Bearer {token.access_token}"),
                  Fault(status=200, body=f'{{"t": "{token.access_token}',
                        content_type="application/json")):
        emu.inject("/apimanager/api/v1/x", fault)
        try:
            get_api_response(path="/apimanager/api/v1/x", access_token=token.access_token,
                             base_url=emu.base_url)
        except AnypointError as exc:
            texts.append(exception_texts(exc))
        emu.clear_faults()

    everything = canaries.all()
    assert len(texts) > 10
    for n, text in enumerate(texts):
        assert_no_canary(f"data function text #{n}: {text[:60]!r}", text, everything)
    assert_no_canary("data function DEBUG logs", _log_text(sweep_logs), everything)
