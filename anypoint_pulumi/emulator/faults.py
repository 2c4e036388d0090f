"""Faults a test injects into the emulator: error answers, slow answers and dropped connections.

A :class:`Fault` says what the next matching request gets instead of the real answer. Fault
answers carry only the headers the fault names (no rate-limit headers), so a test controls
exactly what the client sees.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour.

    ``status=None`` passes the request through to the real handler after ``delay`` seconds;
    ``drop=True`` closes the connection without any answer (after ``delay``).
    ``rate_limit_reset_in`` adds ``X-RateLimit-Reset`` = emulator epoch now + that many seconds,
    computed when the fault is served.
    """

    status: int | None = 503
    body: str | bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    rate_limit_reset_in: int | None = None

    def __post_init__(self) -> None:
        if self.delay < 0:
            raise ValueError("delay must not be negative")
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError("status must be an HTTP status code or None")

    @classmethod
    def rate_limited(cls, retry_after: int | None = 1) -> Fault:
        """429 Too Many Requests, with ``Retry-After`` unless ``retry_after`` is None."""
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls.json(429, {"status": 429, "message": "Too Many Requests"}, headers=headers)

    @classmethod
    def rate_limit_reset(cls, seconds: int) -> Fault:
        """429 with ``X-RateLimit-Reset`` ``seconds`` past the emulator clock; no Retry-After."""
        return cls(
            status=429,
            body=json.dumps({"status": 429, "message": "Too Many Requests"}),
            headers={"X-RateLimit-Limit": "500", "X-RateLimit-Remaining": "0"},
            rate_limit_reset_in=seconds,
        )

    @classmethod
    def capacity(cls) -> Fault:
        """503 with an empty body: "the back-end server is at capacity"."""
        return cls(status=503, body=b"")

    @classmethod
    def bad_gateway(cls) -> Fault:
        """502 Bad Gateway with a short HTML page, as a load balancer sends it."""
        return cls.html(502)

    @classmethod
    def gateway_timeout(cls) -> Fault:
        """504 Gateway Timeout with a short HTML page."""
        return cls.html(504)

    @classmethod
    def html(cls, status: int = 500) -> Fault:
        """An HTML error page instead of JSON."""
        page = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"
        return cls(status=status, body=page, content_type="text/html; charset=utf-8")

    @classmethod
    def invalid_json(cls) -> Fault:
        """200 labelled JSON whose body does not parse."""
        return cls(status=200, body='{"access_token": ', content_type="application/json")

    @classmethod
    def no_token(cls) -> Fault:
        """200 JSON that lacks ``access_token``."""
        return cls.json(200, {"token_type": "bearer", "redirectUrl": "/home/"})

    @classmethod
    def mfa(cls, url: str = "https://anypoint.mulesoft.com/accounts/mfa/verify") -> Fault:
        """The login answer for an MFA user: a verification ``url`` and a session cookie."""
        return cls.json(
            200,
            {"url": url},
            headers={"Set-Cookie": "mulesoft.vaas.sess=fault-injected; Path=/; HttpOnly"},
        )

    @classmethod
    def plain(cls, status: int, text: str = "Unauthorized") -> Fault:
        """A ``text/plain`` answer such as Anypoint's bare ``Unauthorized``."""
        return cls(status=status, body=text, content_type="text/plain; charset=utf-8")

    @classmethod
    def json(cls, status: int, obj: Any, *, headers: Mapping[str, str] | None = None) -> Fault:
        """A JSON answer with the given status and document."""
        return cls(status=status, body=json.dumps(obj), headers=dict(headers or {}))

    @classmethod
    def dropped(cls, delay: float = 0.0) -> Fault:
        """Close the TCP connection without answering."""
        return cls(status=None, drop=True, delay=delay)

    @classmethod
    def slow(cls, delay: float) -> Fault:
        """Answer normally, but only after ``delay`` seconds."""
        return cls(status=None, delay=delay)


@dataclass
class _Injection:
    path: str
    method: str | None
    fault: Fault
    remaining: int


class FaultQueue:
    """Pending injections, consumed in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Injection] = []

    def add(self, path: str, fault: Fault, times: int = 1, *, method: str | None = None) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``path`` (and ``method``)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        if not path.startswith("/"):
            raise ValueError("path must start with '/' (e.g. /accounts/api/me)")
        with self._lock:
            self._pending.append(_Injection(path, method and method.upper(), fault, times))

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if one is queued; it is consumed."""
        with self._lock:
            for entry in self._pending:
                if entry.path == path and entry.method in (None, method.upper()):
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._pending.remove(entry)
                    return entry.fault
        return None

    def clear(self) -> None:
        """Forget every pending injection."""
        with self._lock:
            self._pending.clear()

    def pending(self) -> int:
        """How many faulted answers are still queued."""
        with self._lock:
            return sum(entry.remaining for entry in self._pending)
