"""Fixtures of the client tests: the emulator, fast clients, a header-capturing server, a TLS
server with a private CA, and ``no_leak`` (the canary check of :mod:`tests.secrets`).
"""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.settings import ConnectionSettings
from anypoint_pulumi.emulator import Emulator
from tests.secrets import assert_no_canary, capture_debug_logs

FAST = {"timeout_seconds": 5.0, "retries": 2, "backoff_factor": 0.01, "connect_timeout": 1.0,
        "read_timeout": 2.0}
"""Client settings that keep failing tests fast: short waits, two retries, tiny backoff."""


def client_for(**options: object) -> AccessManagementClient:
    """A client with the constructor's keyword arguments, plus ``connect_timeout`` and
    ``read_timeout`` (the per-connect and per-read waits inside the budget, which the client does
    not take: only ``timeout_seconds``), set on the resolved settings."""
    waits = {name: options.pop(name) for name in ("connect_timeout", "read_timeout")
             if name in options}
    if not waits:
        return AccessManagementClient(**options)  # type: ignore[arg-type]
    settings = ConnectionSettings.resolve(**options)
    return AccessManagementClient(settings=replace(settings, **waits))  # type: ignore[arg-type]


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
        client = client_for(**settings)
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

        do_GET = do_POST = do_CONNECT = _answer

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


@pytest.fixture
def no_leak(caplog: pytest.LogCaptureFixture) -> Callable[..., None]:
    """``no_leak(exc, *canaries)``: :func:`tests.secrets.assert_no_canary` with this test's logs,
    captured at DEBUG from the start of the test."""
    capture_debug_logs(caplog)

    def check(exc: BaseException | None, *canaries: str) -> None:
        assert_no_canary(exc, caplog, *canaries)

    return check
