"""A loopback TCP relay that counts the connections a client opens: how pooling is measured.

``CountingProxy(emu.base_url)`` listens on a free port of the same loopback host and relays each
connection it accepts to the upstream over a connection of its own, kept open as long as the
client's (so it keeps connections alive exactly when the client does). Point a client at
``proxy.base_url`` (same scheme: TLS passes through untouched, and the certificate still names the
host) and read :attr:`CountingProxy.connections`::

    with Emulator() as emu, CountingProxy(emu.base_url) as proxy:
        for _ in range(10):
            get_profile(access_token=token, base_url=proxy.base_url)
        assert proxy.connections == 1
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["CountingProxy"]

_POLL_SECONDS = 0.05
"""How often the accept loop checks for stop(): the bound on how long stop() takes."""
_CHUNK = 65536


class CountingProxy:
    """A TCP relay on loopback to one upstream base URL, counting accepted connections."""

    def __init__(self, upstream_base_url: str) -> None:
        parts = urlsplit(upstream_base_url)
        if not parts.hostname or parts.port is None:
            raise ValueError(f"upstream {upstream_base_url!r} needs a host and a port")
        self._scheme = parts.scheme
        self._upstream = (parts.hostname, parts.port)
        self._lock = threading.Lock()
        self._count = 0
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._listener = socket.create_server((parts.hostname, 0),
                                              family=socket.getaddrinfo(parts.hostname, 0)[0][0])
        self.port: int = self._listener.getsockname()[1]
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self.base_url = f"{self._scheme}://{host}:{self.port}"
        """The proxy's address: give it to the client instead of the upstream's."""

    @property
    def connections(self) -> int:
        """How many connections clients have opened through the proxy so far."""
        with self._lock:
            return self._count

    def start(self) -> CountingProxy:
        """Accept and relay in background threads."""
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        """Stop accepting, hang up every relayed connection and join the threads."""
        self._stopping.set()
        with self._lock:
            sockets, threads = list(self._open), list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(10)
        self._listener.close()
        for sock in sockets:
            sock.close()

    def __enter__(self) -> CountingProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True,  # type: ignore[arg-type]
                                  name=f"counting-proxy:{self.port}")
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            while not self._stopping.is_set():
                if not selector.select(_POLL_SECONDS):
                    continue
                try:
                    client, _ = self._listener.accept()
                except OSError:
                    continue
                try:
                    upstream = socket.create_connection(self._upstream, timeout=10)
                except OSError:
                    client.close()
                    continue
                with self._lock:
                    self._count += 1
                    self._open += [client, upstream]
                self._spawn(self._relay, client, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy bytes both ways until either side hangs up."""
        peer = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peer:
                selector.register(sock, selectors.EVENT_READ)
            done = False
            while not done and not self._stopping.is_set():
                for key, _ in selector.select(_POLL_SECONDS):
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    try:  # readable: recv returns at once; sendall waits for the peer
                        data = source.recv(_CHUNK)
                        if data:
                            peer[source].sendall(data)
                    except OSError:
                        data = b""
                    if not data:
                        done = True
                        break
        for sock in peer:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        with self._lock:
            self._open = [s for s in self._open if s not in peer]
