"""Wall-clock deadlines: every operation of the access layer ends within its time budget.

An *operation* is one client call (a login with its follow-up session read, a listing with all
its pages, a revoke) or a block a caller opens with :func:`operation` (a data function's reads).
Its :class:`Deadline` lives in a context variable, so every request inside sees it; a nested
operation keeps the earlier end. Attempts and waits all come out of the same budget.

Socket timeouts alone cannot bound a request: they limit each read, and a server that sends one
byte a second never lets a read time out. So while a request runs, its sockets are registered
with a :class:`Guard`, and one watchdog thread shuts them down when the deadline passes, whatever
they are doing (connecting, handshaking, reading headers or the body). The blocked request then
fails at once, and the transport reports the budget as spent. The watchdog thread starts on first
use and ends after :data:`IDLE_SECONDS` without work.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import inspect
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["IDLE_SECONDS", "Deadline", "Guard", "bounded_calls", "current", "guarding",
           "operation", "watch"]

IDLE_SECONDS = 30.0
"""How long the watchdog thread waits for work before it ends (it restarts when needed)."""


class Deadline:
    """The end of one operation on the monotonic clock, and what was spent so far."""

    __slots__ = ("attempts", "budget", "ends", "started")

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.started = time.monotonic()
        self.ends = self.started + budget
        self.attempts = 0
        """Requests sent within this operation (each retry counts)."""

    def __repr__(self) -> str:
        return f"Deadline(budget={self.budget:g}, remaining={self.remaining():.3f})"

    def remaining(self) -> float:
        """Seconds left (negative once past)."""
        return self.ends - time.monotonic()

    def elapsed(self) -> float:
        """Seconds since the operation began."""
        return time.monotonic() - self.started

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


_CURRENT: ContextVar[Deadline | None] = ContextVar("anypoint_deadline", default=None)
_GUARD: ContextVar[Guard | None] = ContextVar("anypoint_guard", default=None)


def current() -> Deadline | None:
    """The deadline of the operation running in this context, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def operation(budget: float) -> Iterator[Deadline]:
    """Run the block as one operation of at most ``budget`` seconds (inside another operation,
    the earlier end wins and the attempts are counted together)."""
    outer = _CURRENT.get()
    if outer is not None and outer.ends <= time.monotonic() + budget:
        yield outer
        return
    deadline = Deadline(budget)
    if outer is not None:
        deadline.attempts = outer.attempts
    reset = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(reset)
        if outer is not None:
            outer.attempts = deadline.attempts


def _shut(sock: socket.socket) -> None:
    """Shut a socket down for both directions: a thread blocked on it wakes with end-of-file.
    The plain socket's method, so an ``SSLSocket`` is cut at the descriptor too."""
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Guard:
    """The sockets of one request, shut down together if its deadline passes first."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.fired = False
        """Whether the deadline passed while the request ran (its sockets were shut)."""
        self._sockets: list[tuple[socket.socket, bool]] = []
        self._done = False
        self._lock = threading.Lock()

    def add(self, sock: socket.socket, *, duplicate: bool = False) -> None:
        """Watch ``sock``; with ``duplicate``, through a duplicate of its descriptor (the guard
        closes it), so the connection can be cut even after a TLS wrapper took the original."""
        owned = False
        if duplicate:
            try:
                sock, owned = sock.dup(), True
            except OSError:
                return
        with self._lock:
            if not self._done and not self.fired:
                self._sockets.append((sock, owned))
                return
            fired = self.fired
        if fired:
            _shut(sock)
        if owned:
            sock.close()

    def fire(self) -> None:
        """The deadline passed: shut every socket (no-op once the request finished)."""
        with self._lock:
            if self._done or self.fired:
                return
            self.fired = True
            sockets = list(self._sockets)
        for sock, _ in sockets:
            _shut(sock)

    def close(self) -> None:
        """The request finished: forget the sockets (closing the duplicates)."""
        with self._lock:
            self._done = True
            sockets, self._sockets = self._sockets, []
        for sock, owned in sockets:
            if owned:
                with contextlib.suppress(OSError):
                    sock.close()


class _Watchdog:
    """One thread that fires each guard at its deadline."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Guard]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, guard: Guard) -> None:
        with self._cond:
            heapq.heappush(self._heap, (guard.deadline.ends, next(self._order), guard))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="anypoint-deadline",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._heap:
                    self._cond.wait(IDLE_SECONDS)
                    if not self._heap:
                        self._thread = None
                        return
                    continue
                ends, _, guard = self._heap[0]
                wait = ends - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            guard.fire()

    def forget(self, guard: Guard) -> None:
        """Drop a finished guard (keeps the heap small when requests end well before)."""
        with self._cond:
            for index, (_, _, queued) in enumerate(self._heap):
                if queued is guard:
                    self._heap[index] = self._heap[-1]
                    self._heap.pop()
                    heapq.heapify(self._heap)
                    return


_WATCHDOG = _Watchdog()


@contextlib.contextmanager
def guarding(deadline: Deadline) -> Iterator[Guard]:
    """Run one request under a guard: sockets given to :func:`watch` inside the block are shut
    down if ``deadline`` passes before the block ends."""
    guard = Guard(deadline)
    reset = _GUARD.set(guard)
    _WATCHDOG.watch(guard)
    try:
        yield guard
    finally:
        _GUARD.reset(reset)
        guard.close()
        _WATCHDOG.forget(guard)


def watch(sock: socket.socket, *, duplicate: bool = False) -> None:
    """Put ``sock`` under the guard of the request running in this context (if any)."""
    guard = _GUARD.get()
    if guard is not None:
        guard.add(sock, duplicate=duplicate)


C = TypeVar("C", bound=type)


def bounded_calls(budget: Callable[[Any], float]) -> Callable[[C], C]:
    """A class decorator: every public method (not ``close``) runs as one :func:`operation` of
    ``budget(self)`` seconds, so a call that sends several requests (a login and its session
    read, a listing's pages, a fallback endpoint) ends within one budget."""

    def decorate(cls: C) -> C:
        for name, member in list(vars(cls).items()):
            if name.startswith("_") or name == "close" or not inspect.isfunction(member):
                continue
            setattr(cls, name, _bounded(member, budget))
        return cls

    return decorate


def _bounded(method: Callable[..., Any], budget: Callable[[Any], float]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        with operation(budget(self)):
            return method(self, *args, **kwargs)

    return call
