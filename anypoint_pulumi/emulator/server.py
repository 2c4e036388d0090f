"""The :class:`Emulator`: a real local HTTP(S) server speaking the Access Management API.

It runs werkzeug's threaded server on a loopback port in a background thread and exposes seeding
and control methods (faults, latency, clock, token revocation, request log) for tests, demos and
benchmarks. Every method is thread-safe. Like the real control plane it keeps connections alive
(HTTP/1.1, no ``Connection: close``), so a client's connection pooling can be seen end to end;
``tls=True`` serves HTTPS with a certificate from a throw-away CA made at start (``trustme``),
whose PEM file is :attr:`Emulator.ca_bundle`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import secrets
import shutil
import socket
import ssl
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler, select_address_family

from ..access.settings import is_loopback
from . import missing_extra
from .apis import add_answer, check_body, fill
from .app import MAX_BODY_BYTES, EmulatorApp
from .demo import DemoCredentials, seed_demo
from .faults import Fault, FaultQueue
from .saml import build_response
from .seedfile import apply_seed, load_seed_file
from .state import (
    MAX_TOKEN_LIFETIME_SECONDS,
    ApiAnswer,
    RequestRecord,
    Store,
    whole_number,
)

_POLL_SECONDS = 0.02
"""How often the server loop checks for stop(): the bound on how long stop() takes."""
IDLE_SECONDS = 30.0
"""How long a kept-alive connection may sit idle before the emulator closes it."""
HANDSHAKE_SECONDS = 10.0

is_loopback_host = is_loopback
"""Whether ``host`` names this machine only (the library's own check)."""


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, keeping connections alive: it reads each request body whole before
    answering (so nothing is left to garble the next request on the connection), answers with a
    ``Content-Length``, and never adds ``Connection: close``. TLS handshakes happen here, in the
    connection's own thread. No per-request access log unless the emulator asks for one."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(HANDSHAKE_SECONDS)
            self.request.do_handshake()
        super().setup()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        app = getattr(self.server, "app", None)
        if isinstance(app, EmulatorApp) and app.log_requests:
            super().log_request(code, size)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        body = self._body(environ)
        if body is None:  # over the limit: the app answers 413 from the length alone
            self.close_connection = True  # the unread rest would garble the next request
            body = b""
        else:
            environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        try:
            chunks = self.server.app(environ, start_response)
            try:
                payload = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except (ConnectionError, TimeoutError):  # an injected dropped connection
            self.close_connection = True
            return
        code, _, reason = str(started[0]).partition(" ")
        self._answer(int(code), reason, started[1], payload)

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The whole request body, or ``None`` when it is over the emulator's limit."""
        if environ.get("wsgi.input_terminated"):  # chunked
            data: bytes = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
            if len(data) > MAX_BODY_BYTES:
                environ["CONTENT_LENGTH"] = str(len(data))
                return None
            return data
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _answer(self, code: int, reason: str, headers: list[tuple[str, str]],
                payload: bytes) -> None:
        self.send_response(code, reason)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        # Headers and body in one write: two small writes on a kept-alive connection would wait
        # out the client's delayed ACK (Nagle), some 40 ms an answer.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(payload)
        self.flush_headers()


def _listen(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket on ``host``:``port``; :class:`OSError` when it cannot be had (werkzeug
    would print to stderr and ``sys.exit(1)`` instead, which a library must not do)."""
    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


class _Server(ThreadedWSGIServer):
    """werkzeug's threaded server that knows its open connections, to close them on stop,
    and wraps accepted sockets in TLS without handshaking in the accept loop."""

    def __init__(self, host: str, port: int, app: EmulatorApp,
                 tls: ssl.SSLContext | None) -> None:
        listening = _listen(host, port, self.request_queue_size)
        try:
            super().__init__(host, port, app, handler=_Handler, fd=listening.fileno())
        finally:
            listening.close()  # werkzeug serves on its own duplicate of the descriptor
        self.ssl_context = tls
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True,
                                                do_handshake_on_connect=False)
        return sock, address

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (OSError, ssl.SSLError)):
            return  # a client that went away, or refused our certificate: not our error
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Hang up every open connection (idle kept-alive ones included)."""
        with self._open_lock:
            connections = list(self._open)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Emulator:
    """A local Anypoint Access Management control plane.

    ``with Emulator() as emu:`` starts it on a free loopback port; ``emu.base_url`` is its address
    and ``emu.demo`` the credentials of the seeded demo organization. ``Emulator(tls=True)``
    serves HTTPS; ``emu.ca_bundle`` is then the CA file to trust.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: bool = True,
        token_lifetime_seconds: int = 3600,
        latency: float = 0.0,
        allow_remote: bool = False,
        log_requests: bool = False,
        tls: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback_host(host):
            raise ValueError(
                f"refusing to listen on {host!r}: the emulator accepts demo credentials in clear "
                "text, so it listens on loopback only unless allow_remote=True"
            )
        self.host = host
        self.port = whole_number("port", port, 0, 65535)
        self._store = Store(token_lifetime_seconds=token_lifetime_seconds, latency=latency)
        self._faults = FaultQueue()
        self._stopping = threading.Event()
        self._app = EmulatorApp(self._store, self._faults, self._stopping)
        self._app.log_requests = log_requests
        self.tls = tls
        self._ca_folder: Path | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self._demo = seed_demo(self._store) if seed else None

    def start(self) -> Emulator:
        """Bind the port and serve in a background thread (no-op when already running);
        :class:`OSError` when the port cannot be had (in use, not permitted)."""
        with self._lifecycle:
            if self._server is not None:
                return self
            if self._stopping.is_set():
                raise RuntimeError("this emulator was stopped; create a new one")
            try:
                server = _Server(self.host, self.port, self._app, self._tls_context())
            except BaseException:
                if self._ca_folder is not None:  # the throw-away CA of a start that failed
                    shutil.rmtree(self._ca_folder, ignore_errors=True)
                    self._ca_folder = None
                raise
            self.port = server.port
            self._app.base_url = self.base_url_for(self.host, server.port,
                                                   "https" if self.tls else "http")
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name=f"anypoint-emulator:{server.port}",
                daemon=True,
            )
            self._server, self._thread = server, thread
            thread.start()
            return self

    def stop(self) -> None:
        """Stop serving and join the server thread; safe to call more than once."""
        with self._lifecycle:
            self._stopping.set()
            server, thread = self._server, self._thread
            if server is None or thread is None:
                return
            server.shutdown()
            thread.join()
            server.server_close()
            server.close_connections()
            if self._ca_folder is not None:
                shutil.rmtree(self._ca_folder, ignore_errors=True)

    def _tls_context(self) -> ssl.SSLContext | None:
        """With ``tls``: a server context whose certificate a throw-away CA issued for the
        loopback names, that CA written to :attr:`ca_bundle`."""
        if not self.tls:
            return None
        if importlib.util.find_spec("trustme") is None:
            raise missing_extra("trustme")
        import trustme

        authority = trustme.CA(organization_name="anypoint-pulumi emulator")
        names = {"127.0.0.1", "::1", "localhost", self.host.strip("[]")}
        certificate = authority.issue_cert(*sorted(names))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate.configure_cert(context)
        self._ca_folder = Path(tempfile.mkdtemp(prefix="anypoint-emulator-ca-"))
        authority.cert_pem.write_to_path(str(self._ca_folder / "ca.pem"))
        return context

    @property
    def ca_bundle(self) -> str | None:
        """The PEM file of the CA that signed the emulator's certificate (``tls=True`` only;
        removed at stop): give it as ``ca_bundle``."""
        return str(self._ca_folder / "ca.pem") if self._ca_folder is not None else None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @staticmethod
    def base_url_for(host: str, port: int, scheme: str = "http") -> str:
        """``http://host:port`` (or ``https``), bracketing IPv6 addresses."""
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return f"{scheme}://{shown}:{port}"

    @property
    def base_url(self) -> str:
        """The emulator's address, e.g. ``http://127.0.0.1:54321`` (only once started)."""
        if not self._app.base_url:
            raise RuntimeError("the emulator is not started: call start() or use `with`")
        return self._app.base_url

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def demo(self) -> DemoCredentials:
        """Credentials of the demo organization (raises when created with ``seed=False``)."""
        if self._demo is None:
            raise RuntimeError("this emulator was created with seed=False: it has no demo data")
        return self._demo

    @property
    def latency(self) -> float:
        """Seconds every request waits before it is handled (for load tests)."""
        return self._store.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        self._store.latency = seconds

    @property
    def token_lifetime_seconds(self) -> int:
        """``expires_in`` of OAuth tokens issued from now on."""
        return self._store.token_lifetime_seconds

    @token_lifetime_seconds.setter
    def token_lifetime_seconds(self, seconds: int) -> None:
        self._store.token_lifetime_seconds = whole_number(
            "token_lifetime_seconds", seconds, 1, MAX_TOKEN_LIFETIME_SECONDS)

    @property
    def hierarchy_allows_clients(self) -> bool:
        """Whether ``/hierarchy`` accepts client-credentials tokens (Anypoint refuses them)."""
        return self._store.hierarchy_allows_clients

    @hierarchy_allows_clients.setter
    def hierarchy_allows_clients(self, allowed: bool) -> None:
        self._store.hierarchy_allows_clients = allowed

    @property
    def rate_limit(self) -> int:
        """Requests per one-minute window reported in ``X-RateLimit-Limit`` (500)."""
        return self._store.rate_limit

    @rate_limit.setter
    def rate_limit(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("rate_limit must be at least 1")
        self._store.rate_limit = limit

    @property
    def rate_limit_enforced(self) -> bool:
        """Whether requests beyond :attr:`rate_limit` in a window get 429 (off by default)."""
        return self._store.rate_limit_enforced

    @rate_limit_enforced.setter
    def rate_limit_enforced(self, enforced: bool) -> None:
        self._store.rate_limit_enforced = enforced

    def _org_or_demo(self, org_id: str | None) -> str:
        if org_id is not None:
            return org_id
        if self._demo is None:
            raise ValueError("org_id is required when the emulator has no demo organization")
        return self._demo.organization_id

    def add_organization(
        self,
        name: str,
        *,
        parent_id: str | None = None,
        session_timeout_minutes: int = 60,
        organization_id: str | None = None,
    ) -> str:
        """Create an organization (a business group under ``parent_id``); returns its id."""
        return self._store.add_organization(
            name,
            parent_id=parent_id,
            session_timeout_minutes=session_timeout_minutes,
            organization_id=organization_id,
        )

    def add_environment(
        self,
        org_id: str,
        name: str,
        *,
        type: str = "sandbox",
        is_production: bool | None = None,
        environment_id: str | None = None,
    ) -> str:
        """Create an environment (``type`` production, sandbox or design); returns its id."""
        return self._store.add_environment(
            org_id, name, type=type, is_production=is_production, environment_id=environment_id
        )

    def add_user(
        self,
        username: str,
        password: str,
        *,
        org_id: str | None = None,
        mfa: bool = False,
        enabled: bool = True,
        first_name: str = "",
        last_name: str = "",
        email: str | None = None,
        user_id: str | None = None,
        identity_provider_id: str | None = None,
    ) -> str:
        """Create a user (of the demo org by default); returns its id.

        ``identity_provider_id`` marks a federated user: SAML only, no password sign-in.
        """
        return self._store.add_user(
            username,
            password,
            org_id=self._org_or_demo(org_id),
            mfa=mfa,
            enabled=enabled,
            first_name=first_name,
            last_name=last_name,
            email=email,
            user_id=user_id,
            identity_provider_id=identity_provider_id,
        )

    def add_connected_app(
        self,
        name: str,
        *,
        org_id: str | None = None,
        grant_types: Iterable[str] = ("client_credentials",),
        client_id: str | None = None,
        client_secret: str | None = None,
        public_key: str | None = None,
    ) -> tuple[str, str]:
        """Create a connected app; returns ``(client_id, client_secret)``.

        With ``"password"`` among ``grant_types`` it signs in any enabled, non-federated user of
        its organization tree, MFA users included. With ``"jwt_bearer"`` (and ``public_key``, a
        PEM RSA public key or certificate) it accepts assertions that key verifies for the
        federated users of its organization tree.
        """
        return self._store.add_connected_app(
            name,
            org_id=self._org_or_demo(org_id),
            grant_types=grant_types,
            client_id=client_id,
            client_secret=client_secret,
            public_key=public_key,
        )

    def add_identity_provider(
        self,
        issuer: str,
        *,
        org_id: str | None = None,
        org_domain: str | None = None,
        provider_id: str | None = None,
    ) -> str:
        """Register a SAML identity provider for an organization; returns the provider id."""
        return self._store.add_identity_provider(
            issuer, org_id=self._org_or_demo(org_id), org_domain=org_domain, provider_id=provider_id
        )

    def add_api_response(
        self,
        path: str,
        body: Any,
        *,
        organization_id: str | None = None,
        environment_id: str | None = None,
        environment_header: bool = False,
    ) -> None:
        """Serve ``body`` (JSON) to ``GET``/``HEAD`` of ``path``, a path of another Anypoint API.

        ``organization_id``: only tokens of that organization's tree may read it (403 for
        others); ``environment_header``: the answer of ``environment_id`` selected by the
        ``X-ANYPNT-ENV-ID`` header (400 without it), as CloudHub does. ``{organization_id}`` and
        ``{environment_id}`` in ``path`` and in the body's strings are filled in. Any valid token
        is needed; other methods get 405 (read-only).
        """
        check_body(body)
        add_answer(self._store, ApiAnswer(
            fill(path, organization_id, environment_id),
            fill(body, organization_id, environment_id),
            organization_id=organization_id, environment_id=environment_id,
            environment_header=environment_header))

    def load_seed(self, seed: Mapping[str, Any] | str | Path) -> None:
        """Apply a seed document (or JSON file); see :mod:`anypoint_pulumi.emulator.seedfile`."""
        data = seed if isinstance(seed, Mapping) else load_seed_file(seed)
        with self._store.lock:
            apply_seed(self._store, data, self._demo)

    def set_session_timeout(self, org_id: str, minutes: int) -> None:
        """Session length in minutes for user tokens issued from now on."""
        self._store.set_session_timeout(org_id, minutes)

    def saml_response(
        self,
        username: str,
        *,
        issuer: str | None = None,
        not_on_or_after_seconds: float = 300,
        in_response_to: str = "",
    ) -> str:
        """A new base64 SAML 2.0 Response asserting ``username`` (who must exist), from
        ``issuer`` (default: the user's identity provider, else the demo one). Each call makes
        new IDs: a response signs in once, so mint one per login. The emulator accepts it only
        for a user that ``issuer`` federates; other users make refusals to test."""
        with self._store.lock:
            person = self._store.user_by_username(username)
            if person is None:
                raise KeyError(f"unknown user {username!r}: add it with add_user first")
            if issuer is None and person.identity_provider_id is not None:
                issuer = self._store.identity_providers[person.identity_provider_id].issuer
            return build_response(
                issuer=issuer if issuer is not None else self.demo.saml_issuer,
                name_id=username,
                now=self._store.now(),
                not_on_or_after_seconds=not_on_or_after_seconds,
                in_response_to=in_response_to,
            )

    def inject(
        self, path: str, fault: Fault, times: int = 1, *, method: str | None = None
    ) -> None:
        """Serve ``fault`` to the next ``times`` requests to ``path`` (and ``method``)."""
        self._faults.add(path, fault, times, method=method)

    def clear_faults(self) -> None:
        """Drop every pending injected fault."""
        self._faults.clear()

    def pending_faults(self) -> int:
        """How many injected fault answers are still waiting to be served."""
        return self._faults.pending()

    def now(self) -> datetime:
        """The emulator's clock (UTC, aware): real time plus every :meth:`advance_clock`."""
        return self._store.now()

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (token expiry, SAML validity, rate-limit windows)."""
        with self._store.lock:
            self._store.clock.advance(seconds)

    @property
    def jwt_private_key(self) -> str:
        """The demo JWT app's private key (PEM), read from ``demo.jwt_private_key_path``."""
        return Path(self.demo.jwt_private_key_path).read_text()

    def rotate_client_secret(self, client_id: str) -> str:
        """Give a connected app a new client secret (the old one stops working); returns it."""
        with self._store.lock:
            app = self._store.apps.get(client_id)
            if app is None:
                raise KeyError(f"unknown client id {client_id!r}")
            app.client_secret = secrets.token_hex(16)
            return app.client_secret

    def revoke(self, token: str) -> None:
        """Revoke a token; raises :class:`KeyError` for a token the emulator never issued."""
        if not self._store.revoke(token):
            raise KeyError("unknown token")

    def expire(self, token: str) -> None:
        """Make a token expire now; raises :class:`KeyError` for an unknown token."""
        if not self._store.expire(token):
            raise KeyError("unknown token")

    def is_active(self, token: str) -> bool:
        """Whether ``token`` would be accepted right now."""
        return self._store.active_token(token) is not None

    def tokens_issued(self) -> int:
        """How many tokens the emulator has issued."""
        with self._store.lock:
            return len(self._store.tokens)

    def token_grant(self, token: str) -> str | None:
        """The grant that issued ``token`` (``client_credentials``, ``password``, ``login``,
        ``saml``, ``jwt_bearer`` or ``legacy``), or ``None`` when unknown."""
        with self._store.lock:
            found = self._store.tokens.get(token)
            return found.grant if found else None

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._store.lock:
            return list(self._store.log)

    def count(
        self, path: str | None = None, *, method: str | None = None, status: int | None = None
    ) -> int:
        """How many logged requests match ``path``, ``method`` and ``status`` (each optional)."""
        wanted = method.upper() if method else None
        return sum(
            1
            for r in self.requests
            if (path is None or r.path == path)
            and (wanted is None or r.method == wanted)
            and (status is None or r.status == status)
        )

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._store.lock:
            self._store.log.clear()
