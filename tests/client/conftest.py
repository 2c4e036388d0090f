"""Fixtures of the client tests: the emulator, fast clients, a header-capturing server, a TLS
server with a private CA, and the canary checks that prove no secret leaks.

The canary helpers live here (as fixtures) rather than in an importable ``tests/secrets.py``:
``tests/`` is on ``sys.path`` (its conftest has no package), so a module of that name would shadow
the standard library's ``secrets``, which werkzeug and the emulator import.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from anypoint_pulumi.client import AccessManagementClient
from anypoint_pulumi.emulator import Emulator

FAST = {"timeout": (1.0, 2.0), "retries": 2, "retry_budget": 5.0, "backoff_factor": 0.01}
"""Client settings that keep failing tests fast: short timeouts, two retries, tiny backoff."""


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The shared started emulator (seeded with the demo organization), under a short name."""
    return emulator


@pytest.fixture
def make_client(emu: Emulator) -> Iterator[Callable[..., AccessManagementClient]]:
    """Build clients for the emulator; keyword arguments override the fast defaults."""
    made: list[AccessManagementClient] = []

    def make(**overrides: object) -> AccessManagementClient:
        settings: dict[str, object] = {"base_url": emu.base_url, **FAST, **overrides}
        client = AccessManagementClient(**settings)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., AccessManagementClient]) -> AccessManagementClient:
    """A client of the emulator with the fast settings."""
    return make_client()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# A header-capturing HTTP server ---------------------------------------------------------------


@dataclass
class Seen:
    """One request the capture server received."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CaptureServer:
    """A tiny loopback HTTP server that records requests and answers one JSON document that
    passes for a token, a session and an empty environment page.

    ``set_cookie`` makes every answer carry that ``Set-Cookie`` header.
    """

    base_url: str = ""
    seen: list[Seen] = field(default_factory=list)
    set_cookie: str | None = None


@contextlib.contextmanager
def _serve(capture: CaptureServer, context: ssl.SSLContext | None = None) -> Iterator[None]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            capture.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            answer = (b'{"access_token": "captured", "expires_in": 60, '
                      b'"data": [], "total": 0}')
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            if capture.set_cookie:
                self.send_header("Set-Cookie", capture.set_cookie)
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if context is not None else "http"
    capture.base_url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    """A plain-HTTP capture server on loopback."""
    server = CaptureServer()
    with _serve(server):
        yield server


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and its key."""

    cert: Path
    key: Path


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A throwaway self-signed certificate (needs the ``openssl`` command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return Certificate(cert, key)


@pytest.fixture
def tls_capture(certificate: Certificate) -> Iterator[CaptureServer]:
    """A capture server behind TLS with the self-signed :func:`certificate`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate.cert, certificate.key)
    server = CaptureServer()
    with _serve(server, context):
        yield server


# Canaries ----------------------------------------------------------------------------------------


def new_canary(kind: str) -> str:
    """A unique string standing for one secret; made at run time so no source line shows it."""
    return f"cnry-{kind}-{uuid.uuid4().hex}"


def chained(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception reachable through ``__cause__`` and ``__context__``."""
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return found


def leaks(exc: BaseException, log_text: str, canaries: tuple[str, ...]) -> list[str]:
    """Where any canary shows: in the text of ``exc``, its chain, its traceback, or the log."""
    places: dict[str, str] = {"log": log_text}
    for n, link in enumerate(chained(exc)):
        places[f"str(chain[{n}])"] = str(link)
        places[f"repr(chain[{n}])"] = repr(link)
        places[f"args(chain[{n}])"] = repr(link.args)
    places["traceback"] = "".join(traceback.format_exception(exc))
    return [
        f"{canary[:18]}… in {where}"
        for canary in canaries
        for where, text in places.items()
        if canary and canary in text
    ]


@pytest.fixture
def no_leak(caplog: pytest.LogCaptureFixture) -> Callable[..., None]:
    """``no_leak(exc, *canaries)`` fails if a canary shows anywhere an error or log can carry it.

    Captures DEBUG logs of ``anypoint_pulumi`` and ``urllib3`` from the start of the test.
    """
    caplog.set_level(logging.DEBUG, logger="anypoint_pulumi")
    caplog.set_level(logging.DEBUG, logger="urllib3")

    def check(exc: BaseException, *canaries: str) -> None:
        assert canaries, "give at least one canary"
        log_text = "\n".join(
            f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
        ) + caplog.text
        found = leaks(exc, log_text, canaries)
        assert not found, f"secret leaked: {found}"

    return check
