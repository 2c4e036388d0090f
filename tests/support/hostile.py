"""A hostile HTTP server on loopback: it drips, bombs, loops pages, nests, redirects and lies,
so the client's bounds are proven against a real socket (the tests' ``hostile`` fixture and the
benchmark use it).

Each path answers with an :class:`Act` (or a function of the :class:`Seen` request that returns
one)::

    with HostileServer() as server:
        server.route("/accounts/api/v2/oauth2/token", Act.drip(b'{"access_token": "x"}', 0.2))
        client = AccessManagementClient(base_url=server.base_url, timeout_seconds=1)

It listens on 127.0.0.1 only and every act is bounded: a drip or a hang gives up after
``Act.max_seconds``, a huge body stops when the client hangs up, a connection's request is read
with a timeout and a size limit, and :meth:`HostileServer.stop` shuts every connection and joins
every thread with a deadline. One answer per connection (``Connection: close``).

``python -m tests.support.hostile measure BASE_URL CALL`` runs one client call against
a server in a fresh process and prints its wall time, outcome and memory growth as JSON
(:func:`measure`): how the evidence suite and the benchmark take peak memory without the test
process's own allocations in the figure.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Act", "Figure", "HostileServer", "Seen", "bomb", "measure", "memory_figures",
           "page_figures", "pager", "wall_time_figures"]

MAX_REQUEST_BYTES = 1024 * 1024
READ_SECONDS = 5.0
"""How long the server waits for a request to arrive whole."""
STOP_SECONDS = 5.0
"""How long :meth:`HostileServer.stop` waits for each connection's thread."""


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Act:
    """How the server answers one request.

    ``body`` is bytes, or a function returning an iterator of chunks (streamed, never held
    whole). ``drip`` sends the body one byte every that many seconds; ``drip_headers`` sends the
    status line and headers that way too; ``hang`` waits that long before answering at all.
    ``length`` is the ``Content-Length`` sent: ``None`` for the true length, ``-1`` for none (the
    body ends when the connection closes), any other number to lie. Every act ends after
    ``max_seconds`` at most.
    """

    status: int = 200
    reason: str = "OK"
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    body: bytes | Callable[[], Iterator[bytes]] = b"{}"
    drip: float = 0.0
    drip_headers: bool = False
    hang: float = 0.0
    length: int | None = None
    max_seconds: float = 30.0
    head: bytes | None = None
    """Exactly these bytes instead of the status line and headers (a broken answer)."""

    @classmethod
    def json(cls, obj: Any, status: int = 200, *, headers: tuple[tuple[str, str], ...] = (),
             ) -> Act:
        """A plain JSON answer."""
        return cls(status=status, body=json.dumps(obj).encode(),
                   headers=(("Content-Type", "application/json"), *headers))

    @classmethod
    def dripping(cls, body: bytes, every: float = 0.2, *, headers_too: bool = False,
                 status: int = 200, max_seconds: float = 30.0) -> Act:
        """``body`` (headers too, with ``headers_too``) one byte every ``every`` seconds."""
        return cls(status=status, body=body, drip=every, drip_headers=headers_too,
                   max_seconds=max_seconds)

    @classmethod
    def hanging(cls, seconds: float = 30.0) -> Act:
        """Read the request, then say nothing for ``seconds``."""
        return cls(hang=seconds, max_seconds=seconds)

    @classmethod
    def compression_bomb(cls, size: int = 1024 ** 3, *, encoding: str = "gzip") -> Act:
        """``size`` zero bytes, compressed (about a thousandth of that on the wire)."""
        return cls(body=bomb(size, encoding), headers=(
            ("Content-Type", "application/json"), ("Content-Encoding", encoding)))

    @classmethod
    def huge(cls, size: int = 200 * 1024 * 1024, *, status: int = 200,
             length: int | None = None) -> Act:
        """A ``size``-byte JSON-looking body, streamed in chunks (never held whole)."""
        def chunks() -> Iterator[bytes]:
            block = b" " * 65536
            yield b'{"message": "'
            for _ in range(size // len(block)):
                yield block
        return cls(status=status, body=chunks, length=size + 13 if length is None else length)

    @classmethod
    def nested(cls, depth: int = 100_000, *, status: int = 200) -> Act:
        """JSON arrays nested ``depth`` deep."""
        return cls(status=status, body=b"[" * depth + b"]" * depth)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Act:
        """A redirect to ``location`` (never to be followed, nor shown unscrubbed)."""
        return cls(status=status, reason="Found", body=b"",
                   headers=(("Location", location), ("Content-Type", "text/html")))

    @classmethod
    def lying_length(cls, sent: bytes = b'{"access_token": "x"', claimed: int = 4096) -> Act:
        """A ``Content-Length`` of ``claimed`` for a body of ``sent``, then the hang-up."""
        return cls(body=sent, length=claimed)


def pager(total: Any = 1000, page_size: int = 500, *, fresh: bool = True,
          claimed: Callable[[int], Any] | None = None) -> Callable[[Seen], Act]:
    """An environments listing that never ends: every page has ``page_size`` entries (new ones,
    or with ``fresh=False`` the same ones again, as a server ignoring ``offset`` would) and
    claims ``total`` (or ``claimed(page_number)``) entries in all."""
    served = [0]

    def answer(seen: Seen) -> Act:
        served[0] += 1
        offset = int((seen.query.get("offset") or ["0"])[0]) if fresh else 0
        data = [{"id": f"env-{offset + n}", "name": f"Env {offset + n}",
                 "organizationId": "org", "type": "sandbox", "isProduction": False}
                for n in range(page_size)]
        return Act.json({"data": data,
                         "total": claimed(served[0]) if claimed is not None else total})

    return answer


@functools.lru_cache(maxsize=4)
def bomb(size: int, encoding: str = "gzip") -> bytes:
    """``size`` zero bytes compressed with ``encoding`` (``gzip`` or ``deflate``), made in
    bounded memory (1 MiB at a time) and kept for reuse."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    block = b"\0" * (1024 * 1024)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    parts.append(packer.compress(b"\0" * (size % len(block))))
    parts.append(packer.flush())
    return b"".join(parts)


Answer = Act | Callable[[Seen], Act]


@dataclass
class _Route:
    answer: Answer
    method: str | None


@dataclass
class HostileServer:
    """A loopback HTTP server whose answers are scripted per path (see the module doc)."""

    default: Act = field(default_factory=lambda: Act.json({"message": "Not found"}, 404))
    base_url: str = ""
    seen: list[Seen] = field(default_factory=list)
    _routes: dict[str, _Route] = field(default_factory=dict)
    _listener: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _open: set[socket.socket] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, path: str, answer: Answer, *, method: str | None = None) -> HostileServer:
        """Answer requests for ``path`` (exactly, without the query) with ``answer``."""
        with self._lock:
            self._routes[path] = _Route(answer, method and method.upper())
        return self

    def count(self, path: str | None = None) -> int:
        """Requests received (for ``path`` only, when given)."""
        with self._lock:
            return sum(1 for seen in self.seen if path is None or seen.path == path)

    def start(self) -> HostileServer:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.05)
        self._listener = listener
        self.base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        self._spawn(self._accept)
        return self

    def stop(self) -> None:
        """Stop accepting, hang up every connection, join every thread (each within a
        deadline)."""
        self._stop.set()
        with self._lock:
            connections = list(self._open)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(STOP_SECONDS)
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name="hostile-server")
        with self._lock:
            self._threads[:] = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._open.add(conn)
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        try:
            seen = self._read(conn)
            if seen is not None:
                with self._lock:
                    self.seen.append(seen)
                    route = self._routes.get(seen.path)
                answer = route.answer if route and route.method in (None, seen.method) else (
                    self.default)
                act = answer(seen) if callable(answer) else answer
                if seen.method != "CONNECT":
                    self._answer(conn, act)
        except OSError:
            pass  # the client hung up: that is what a bounded client does
        finally:
            with self._lock:
                self._open.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _read(self, conn: socket.socket) -> Seen | None:
        conn.settimeout(READ_SECONDS)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk or len(data) > MAX_REQUEST_BYTES:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = [*lines[0].split(" "), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = min(int(headers.get("content-length", "0") or 0), MAX_REQUEST_BYTES)
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        if method == "CONNECT":  # a proxy's request: the target is host:port
            return Seen(method, target, {}, headers, b"")
        parts = urlsplit(target)
        return Seen(method, parts.path, parse_qs(parts.query), headers, rest[:length])

    def _answer(self, conn: socket.socket, act: Act) -> None:
        ends = time.monotonic() + act.max_seconds
        if act.hang and self._stop.wait(min(act.hang, act.max_seconds)):
            return
        chunks = act.body() if callable(act.body) else iter((act.body,))
        body = b"" if callable(act.body) else act.body
        length = len(body) if act.length is None else act.length
        lines = [f"HTTP/1.1 {act.status} {act.reason}", *(f"{k}: {v}" for k, v in act.headers),
                 "Connection: close"]
        if length >= 0:
            lines.append(f"Content-Length: {length}")
        head = act.head if act.head is not None else (
            "\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        conn.settimeout(max(0.1, act.max_seconds))
        if act.drip_headers:
            self._drip(conn, head, act.drip, ends)
        else:
            conn.sendall(head)
        for chunk in chunks:
            if self._stop.is_set() or time.monotonic() > ends:
                return
            if act.drip:
                self._drip(conn, chunk, act.drip, ends)
            else:
                conn.sendall(chunk)

    def _drip(self, conn: socket.socket, data: bytes, every: float, ends: float) -> None:
        for index in range(len(data)):
            if time.monotonic() > ends or self._stop.wait(every):
                return
            conn.sendall(data[index:index + 1])


# Measuring a call in a fresh process --------------------------------------------------------------


CALLS = ("client_credentials", "login", "me", "environments")


def _memory_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in KiB (Linux); else the peak from
    ``getrusage``."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status",
                                                         encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _reset_peak() -> None:
    """Reset the kernel's record of peak resident memory, so the next peak is the call's own."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _measured_call(base_url: str, call: str, budget: float) -> dict[str, Any]:
    from anypoint_pulumi.access.client import AccessManagementClient
    from anypoint_pulumi.access.errors import AnypointError

    client = AccessManagementClient(base_url=base_url, retries=2, timeout_seconds=budget,
                                    backoff_factor=0.0)
    calls: dict[str, Callable[[], Any]] = {
        "client_credentials": lambda: client.client_credentials("id", "secret-for-measure"),
        "login": lambda: client.login("user", "password-for-measure"),
        "me": lambda: client.me("token-for-measure"),
        "environments": lambda: client.environments("token-for-measure", "org"),
    }
    with contextlib.suppress(AnypointError):  # warm up: load everything a real call loads
        AccessManagementClient(base_url=base_url, retries=0, timeout_seconds=1).me("warm-up")
    before = _memory_kib("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    outcome = "ok"
    try:
        calls[call]()
    except AnypointError as exc:
        outcome = f"{type(exc).__name__}: {exc.message}"
    seconds = time.perf_counter() - started
    peak = _memory_kib("VmHWM")
    return {"seconds": seconds, "outcome": outcome, "rss_before_kib": before,
            "rss_peak_kib": peak, "growth_mib": max(0, peak - before) / 1024}


def measure(base_url: str, call: str, *, budget: float = 5.0,
            timeout: float = 120.0) -> dict[str, Any]:
    """Run ``call`` (one of :data:`CALLS`) with a fresh client against ``base_url`` in a new
    process: its wall time, outcome and memory growth (the peak resident memory during the call
    over the resident memory before it, after a warm-up call), as a dict."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.hostile", "measure", base_url, call,
         str(budget)], capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {call} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != "measure" or argv[2] not in CALLS:
        print(f"usage: python -m tests.support.hostile measure BASE_URL "
              f"{{{','.join(CALLS)}}} BUDGET", file=sys.stderr)
        return 2
    print(json.dumps(_measured_call(argv[1], argv[2], float(argv[3]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# The figures of the evidence suite and the benchmark ----------------------------------------------

SLACK_SECONDS = 1.0
"""The goal: an operation ends within its budget plus this."""
MEMORY_GOAL_MIB = 64.0
"""The goal: memory grows by no more than this on any hostile answer."""
_TOKEN = b'{"access_token": "a-token-of-the-hostile-server", "expires_in": 3600}'


@dataclass(frozen=True)
class Figure:
    """One measured figure: what, its goal, what was measured, and whether the goal is met."""

    what: str
    goal: str
    measured: str
    passed: bool


def _stalls() -> dict[str, Act]:
    """Answers that never finish in time, each a different way."""
    return {
        "body dripped a byte per 50 ms": Act.dripping(_TOKEN * 20, 0.05),
        "body dripped a byte per 0.4 s": Act.dripping(_TOKEN, 0.4),
        "headers dripped a byte per 50 ms": Act.dripping(_TOKEN, 0.05, headers_too=True),
        "no answer at all": Act.hanging(60),
    }


def _timed(call: Callable[[], object]) -> float:
    started = time.monotonic()
    with contextlib.suppress(Exception):
        call()
    return time.monotonic() - started


def wall_time_figures(budget: float = 1.0) -> list[Figure]:
    """The worst wall time of a ``Create`` and a ``Delete`` (through the SDK's provider server,
    as the engine calls them) and of a data-function call (``get_environments``), each against
    every stalling server of :func:`_stalls`, with ``timeout_seconds=budget``."""
    from anypoint_pulumi.functions.environments import get_environments
    from tests.support.provider_server import ProviderServer

    times: dict[str, dict[str, float]] = {"create": {}, "delete": {}, "data function": {}}
    with HostileServer() as server, ProviderServer() as provider:
        props = {"client_id": "0123456789abcdef", "client_secret": "secret-of-the-figures",
                 "base_url": server.base_url, "timeout_seconds": budget}
        state = {**props, "access_token": "a-token-of-the-hostile-server",
                 "grant_type": "client_credentials", "expires_at": "2099-01-01T00:00:00Z",
                 "revoke_on_delete": True}
        for name, act in _stalls().items():
            server.route("/accounts/api/v2/oauth2/token", act)
            times["create"][name] = _timed(lambda: provider.create(props))
            server.route("/accounts/api/v2/oauth2/revoke", act)
            times["delete"][name] = _timed(lambda: provider.delete("id", state))
            server.route("/accounts/api/me", act)
            times["data function"][name] = _timed(lambda: get_environments(
                access_token="a-token", base_url=server.base_url, timeout_seconds=budget))
    figures = []
    for operation, measured in times.items():
        worst = max(measured, key=lambda name: measured[name])
        figures.append(Figure(
            f"wall time: {operation} against a stalling server (worst of {len(measured)})",
            f"<= {budget + SLACK_SECONDS:g} s (budget {budget:g} s + 1 s)",
            f"{measured[worst]:.2f} s ({worst})", measured[worst] <= budget + SLACK_SECONDS))
    return figures


def memory_figures() -> list[Figure]:
    """Memory growth of one client call (in a fresh process, :func:`measure`) against a gzip
    and a deflate bomb of 1 GiB, a 200 MB body with and without a length, and the costliest
    JSON still under the size limit (249,000 short strings)."""
    answers = {
        "a 1 GiB gzip bomb (1 MiB on the wire)": Act.compression_bomb(1024 ** 3),
        "a 1 GiB deflate bomb": Act.compression_bomb(1024 ** 3, encoding="deflate"),
        "a 200 MB body without a length": Act.huge(200 * 1024 * 1024, length=-1),
        "a 200 MB body with its length": Act.huge(200 * 1024 * 1024),
        "249,000 JSON strings (under the limits)": Act(
            body=b"[" + b",".join([b'"ab"'] * 249_000) + b"]"),
    }
    figures = []
    with HostileServer() as server:
        for name, act in answers.items():
            server.route("/accounts/api/v2/oauth2/token", act)
            result = measure(server.base_url, "client_credentials")
            growth = float(result["growth_mib"])
            outcome = str(result["outcome"]).split(":")[0]
            figures.append(Figure(
                f"memory growth: {name}", f"<= {MEMORY_GOAL_MIB:g} MiB",
                f"{growth:.1f} MiB in {result['seconds']:.2f} s ({outcome})",
                growth <= MEMORY_GOAL_MIB))
    return figures


def page_figures() -> list[Figure]:
    """Pages asked of listings that never end (``total`` 1000, pages of 500 asked)."""
    from anypoint_pulumi.access.client import AccessManagementClient
    from anypoint_pulumi.access.limits import MAX_PAGES

    path = "/accounts/api/organizations/org/environments"
    cases = {
        "endless pager, full pages, total 1000": (pager(1000, 500), 1000, 500),
        "pager whose total grows every page": (
            pager(1000, 500, claimed=lambda page: 1000 * page), 1000, 500),
        "pager sending 100 a page, total 1000": (pager(1000, 100), 1000, 100),
        "pager repeating one page (ignores offset)": (pager(5000, 500, fresh=False), 5000, 500),
        "pager claiming 10^12, 2 a page": (pager(10 ** 12, 2), 10 ** 12, 2),
    }
    figures = []
    with HostileServer() as server:
        client = AccessManagementClient(base_url=server.base_url, retries=0, timeout_seconds=60)
        for name, (answer, total, size) in cases.items():
            server.route(path, answer)
            before = server.count(path)
            with contextlib.suppress(Exception):
                client.environments("a-token", "org")
            asked = server.count(path) - before
            bound = min(MAX_PAGES, -(-total // size) + 1)
            figures.append(Figure(f"pages: {name}",
                                  f"<= {bound} (ceil(total/page)+1, at most {MAX_PAGES})",
                                  str(asked), asked <= bound))
    return figures
