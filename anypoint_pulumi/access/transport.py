"""HTTP for the access layer: it sends and bounds, the client interprets.

One pooled ``requests`` session per :class:`ConnectionSettings` value per process, the retry
policy (decided per call: ``retry=False`` sends once), the time and size bounds, and the errors of
a request that got no usable answer (:class:`TransportError`). What an answer *means* (a refused
login, an expired token, an HTML page instead of JSON) is the client's to say
(:mod:`.client`), as in google-auth, whose transport only sends and wraps.

:func:`transport_for` returns the process's :class:`Transport` for a settings value, creating it
on first use: every client, data function and provider operation with equal settings shares its
connection pool (thread-safe; at most :data:`POOL_SIZE` connections per host), so ten reads
open one connection, not ten. A session never keeps a token or credential between calls: there
is no session auth and the cookie jar accepts no cookie (Anypoint's login sets session cookies
that must never leak from one caller to another). Least recently used transports beyond
:data:`MAX_TRANSPORTS` are closed.

**Time.** Every request belongs to an operation (:mod:`.deadline`): its attempts, the waits
between them and the reading of each body all come out of the operation's budget
(``timeout_seconds``, kept as ``settings.retry.budget_seconds``), enforced on the clock by a
watchdog that cuts the sockets of a request still running at the deadline. When the budget is
spent the error says how long was waited and how many attempts were made.

**Size.** Bodies are read in chunks, decompressed a bounded amount at a time by urllib3 and
refused past :data:`~.limits.MAX_ANSWER_BYTES` (:mod:`.bodies`). Everything a server sends
that reaches a message (its words, its ``Location``, the text of a broken connection) is
scrubbed by :func:`~.redaction.excerpt`.

**Where.** The request is prepared first and the URL it will really be sent to is checked: its
scheme and host must be those of ``base_url``, or nothing is sent (the token only ever goes to
the control plane's own host).

**Environment.** The session does not read the environment itself (``trust_env`` is off): a
``~/.netrc`` entry never replaces the bearer token. What is taken, deliberately: the proxy
variables (``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) for HTTPS requests to a non-loopback host
only -- loopback is never proxied, so plain-HTTP traffic to a local emulator never leaves the
machine -- and ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` when neither ``ca_bundle`` nor
``verify_tls=False`` is given. Plain HTTP (allowed for loopback hosts only) is checked once more
when a connection is made: the peer must be a loopback address, whatever a name resolved to.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import math
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from .._version import __version__
from . import bodies, deadline, errors, limits
from .errors import ConfigurationError, TransportError
from .limits import POOL_SIZE, check_texts, token_problem
from .redaction import excerpt
from .settings import ConnectionSettings, is_loopback

__all__ = ["TRANSIENT", "Transport", "proxies_for", "reset_wait", "retry_after",
           "transport_for"]

log = logging.getLogger("anypoint_pulumi")

USER_AGENT = f"anypoint-pulumi/{__version__} python-requests/{requests.__version__}"
TRANSIENT = frozenset({429, 502, 503, 504})
"""The statuses retried (with connection errors): the server may answer the next attempt."""
_BUDGET_HINT = ("Anypoint (or something between) answers too slowly or not at all: retry later, "
                "or give the operation a larger time budget (timeout_seconds)")

Form = Mapping[str, str]
FormFactory = Callable[[], Form]
"""A form made afresh for each attempt (a JWT assertion is signed once per attempt)."""


# Connections under the deadline -------------------------------------------------------------------


class PeerNotLoopback(Exception):
    """A plain-HTTP connection reached a peer that is not a loopback address."""


def _loopback_address(sock: socket.socket) -> bool:
    try:
        address = sock.getpeername()[0]
        return ipaddress.ip_address(str(address).split("%")[0]).is_loopback
    except (OSError, ValueError, IndexError):
        return False


class _GuardedHTTPConnection(urllib3.connection.HTTPConnection):
    """A connection whose socket the running request's deadline guard can cut (see
    :mod:`.deadline`); plain HTTP ones talk to loopback peers only."""

    loopback_only = True

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        deadline.watch(sock, duplicate=True)  # a duplicate: TLS will take over the original
        if self.loopback_only and not _loopback_address(sock):
            sock.close()
            raise PeerNotLoopback(self.host)
        return sock

    def getresponse(self) -> Any:  # the header phase of a kept-alive connection too
        if self.sock is not None:
            deadline.watch(self.sock)
        return super().getresponse()


class _GuardedHTTPSConnection(_GuardedHTTPConnection, urllib3.connection.HTTPSConnection):
    loopback_only = False


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _Adapter(HTTPAdapter):
    """``requests``' adapter over the guarded connections (also through an HTTP proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def proxies_for(url: str) -> dict[str, str]:
    """The proxies from the environment for ``url``: for HTTPS to a non-loopback host only."""
    parts = urlsplit(url)
    if parts.scheme != "https" or is_loopback(parts.hostname or ""):
        return {}
    return dict(requests.utils.get_environ_proxies(url, no_proxy=None))


def _policy(settings: ConnectionSettings, *, retry: bool) -> Retry:
    """The retry schedule of one call as urllib3's ``Retry`` (counts, backoff), driven by
    :class:`Transport` itself so every attempt and wait stays under the operation's deadline.
    ``retry=False``: a single attempt, whatever happens (a POST that must not be sent twice)."""
    policy = settings.retry
    count = policy.retries if retry else 0
    return Retry(
        total=count, connect=count, read=count, status=count, other=0, redirect=0,
        allowed_methods=None,  # which calls may be retried is decided per call, above
        status_forcelist=TRANSIENT, backoff_factor=policy.backoff_factor,
        backoff_max=policy.backoff_max, backoff_jitter=0.1, respect_retry_after_header=True,
        raise_on_status=False, raise_on_redirect=False,
    )


def _next(retry: Retry, method: str, url: str, **outcome: Any) -> Retry | None:
    """The policy after one more failed attempt, or ``None`` when retries are over."""
    try:
        return retry.increment(method, url, **outcome)
    except Exception:  # MaxRetryError, or the error itself re-raised: nothing to keep of it
        return None


class _Failure:
    """An attempt that got no usable answer: what to say, and whether it may be retried."""

    def __init__(self, kind: str, reason: str, hint: str, *, retry_as: Exception | None = None,
                 budget: bool = False) -> None:
        self.kind, self.reason, self.hint = kind, reason, hint
        self.retry_as = retry_as
        """A urllib3 error for the retry policy to classify; ``None``: never retried."""
        self.budget = budget
        """The operation's deadline passed during the attempt."""
        self.next_wait: float | None = None
        """The backoff that would have overrun the budget, when that ended the retries."""


class Transport:
    """Requests to one control plane with one settings value, over a shared connection pool."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.base_url = settings.base_url
        self.host = settings.host
        session = requests.Session()
        session.trust_env = False  # no ~/.netrc, no proxy or CA variables but those we pick
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.headers.update({"User-Agent": settings.user_agent or USER_AGENT,
                                "Accept": "application/json",
                                "Accept-Encoding": "gzip, deflate"})
        session.verify = settings.ca_bundle if settings.ca_bundle else settings.verify_tls
        # No retries, redirects or body preloading inside urllib3: request() drives each
        # attempt itself, under the operation's deadline.
        adapter = _Adapter(max_retries=Retry(total=0, read=False, redirect=False,
                                             raise_on_status=False, raise_on_redirect=False),
                           pool_connections=4, pool_maxsize=POOL_SIZE)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session
        if not settings.verify_tls and not settings.ca_bundle and self.base_url.startswith(
                "https://"):
            log.warning("TLS certificates of %s are not verified (verify_tls=False): anyone on "
                        "the network path can read the credentials and tokens sent there",
                        self.host)

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the pooled connections (a later request opens new ones)."""
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Mapping[str, Any] | None = None,
        data: Form | FormFactory | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str | None] = (),
        retry: bool = True,
    ) -> requests.Response:
        """Send one request to ``base_url + path``, retried per the policy unless ``retry`` is
        false, within the running operation's deadline (or an operation of its own); the
        answer's body is read whole (bounded) before it returns. ``data`` may be a function
        called for each attempt. ``secrets`` is read when a message is made (it may grow while
        the attempts run). :class:`TransportError` when no usable answer came."""
        endpoint = f"{method} {path}"
        all_headers = dict(headers or {})
        if token is not None:
            problem = token_problem(token)
            if problem:  # http.client would fail on it, or worse
                raise errors.TokenRejectedError(
                    f"Malformed token: {problem}", host=self.host, endpoint=endpoint,
                    hint="Pass the access token unchanged, without spaces or line breaks")
            all_headers["Authorization"] = f"Bearer {token}"
        for values in (params, None if callable(data) else data, json_body, headers):
            if isinstance(values, Mapping):  # a lone surrogate: refused naming the field
                check_texts(values)
        with deadline.operation(self.settings.retry.budget_seconds) as clock:
            return self._retried(method, path, endpoint, clock, token, secrets, retry,
                                 params=params, data=data, json=json_body, headers=all_headers)

    def _prepared(self, method: str, path: str, send: dict[str, Any]) -> requests.PreparedRequest:
        """The request as it will go on the wire; refused unless its URL is on ``base_url``'s
        scheme and host (checked on the prepared URL: the one really sent)."""
        data = send["data"]
        request = requests.Request(method, self.base_url + path, params=send["params"],
                                   data=data() if callable(data) else data, json=send["json"],
                                   headers=send["headers"])
        problem = ""
        try:
            prepared = self._session.prepare_request(request)
        except Exception as exc:  # requests' own errors; the text may hold a value: not shown
            problem = type(exc).__name__
        if problem:
            raise ConfigurationError(f"{method} {path} could not be built as an HTTP request "
                                     f"({problem}): check params and the body")
        sent = urlsplit(prepared.url or "")
        base = urlsplit(self.base_url)
        if (sent.scheme, sent.netloc) != (base.scheme, base.netloc):
            raise ConfigurationError(f"path {path!r} leaves {self.host}: the token is only ever "
                                     "sent to the control plane's own host", field="path")
        return prepared

    def _retried(self, method: str, path: str, endpoint: str, clock: deadline.Deadline,
                 token: str | None, secrets: Sequence[str | None], retry_allowed: bool,
                 **send: Any) -> requests.Response:
        url = self.base_url + path
        retry = _policy(self.settings, retry=retry_allowed)
        while True:
            clock.attempts += 1
            started = time.monotonic()
            prepared = self._prepared(method, path, send)
            known = (token, *secrets)  # after _prepared: a fresh form's secrets are in
            answer = self._attempt(prepared, clock, known)
            if isinstance(answer, _Failure):
                failure = answer
                again = _next(retry, method, url, error=failure.retry_as) if (
                    not failure.budget and failure.retry_as is not None) else None
                if again is None:
                    raise self._failed(endpoint, failure, clock)
                retry, wait = again, again.get_backoff_time()
                if wait >= clock.remaining():
                    failure.next_wait = wait
                    raise self._failed(endpoint, failure, clock)
                time.sleep(wait)
                continue
            resp = answer
            log.debug("%s %s%s -> %s in %.0f ms", method, self.host, path, resp.status_code,
                      (time.monotonic() - started) * 1000)
            status = resp.status_code
            if status not in TRANSIENT or not retry.is_retry(
                    method, status, bool(resp.headers.get("Retry-After"))):
                return resp
            again = _next(retry, method, url, response=resp.raw)
            if again is None:
                return resp  # retries are over: the caller turns the answer into its error
            retry = again
            asked = _wait_for(resp)
            wait = retry.get_backoff_time() if asked is None else asked
            if wait >= clock.remaining():
                return resp  # waiting would overrun the budget: fail now, saying how long to wait
            time.sleep(wait)

    def _attempt(self, prepared: requests.PreparedRequest, clock: deadline.Deadline,
                 secrets: tuple[str | None, ...]) -> requests.Response | _Failure:
        """One request and its whole body, or the :class:`_Failure` that stopped it."""
        remaining = clock.remaining()
        if remaining <= 0:
            return _Failure("Timeout", "no time left", _BUDGET_HINT, budget=True)
        settings = self.settings
        timeout = (max(0.001, min(settings.connect_timeout, remaining)),
                   max(0.001, min(settings.read_timeout, remaining)))
        url = prepared.url or ""
        problem: BaseException | None = None
        refused = ""
        with deadline.guarding(clock) as guard:
            try:
                resp = self._session.send(
                    prepared, timeout=timeout, allow_redirects=False, stream=True,
                    verify=self._verify(), proxies=proxies_for(url))
            except Exception as exc:  # requests', urllib3's, OSError from a bad CA file...
                problem = exc
            else:
                try:
                    body = bodies.read_body(resp.raw, clock)
                except bodies.BodyRefused as exc:
                    refused = str(exc)
                except bodies.DeadlinePassed:
                    problem = TimeoutError("the answer was still arriving")
                except Exception as exc:
                    problem = exc
                if problem is not None or refused:
                    resp.close()
                else:
                    resp._content = body
                    resp._content_consumed = True  # type: ignore[attr-defined]
            fired = guard.fired
        # Outside the except blocks: no library exception is kept as __context__.
        if fired or isinstance(problem, bodies.DeadlinePassed) or (
                problem is not None and clock.expired):
            reason = _reason(problem, secrets) if problem is not None else ""
            return _Failure("Timeout", reason, _BUDGET_HINT, budget=True)
        if refused:
            error = errors.UnexpectedResponseError(
                f"Unexpected answer from Anypoint: {refused}", host=self.host,
                endpoint=f"{prepared.method} {urlsplit(url).path}", status=resp.status_code,
                hint="Check base_url points at an Anypoint control plane (not a proxy's or "
                "another server's page), then retry")
            raise error
        if problem is not None:
            return self._failure(problem, secrets)
        return resp

    def _verify(self) -> bool | str:
        """What TLS trusts: ``ca_bundle``; else nothing with ``verify_tls=False``; else the
        ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` file if set; else the default CAs."""
        settings = self.settings
        if settings.ca_bundle:
            return settings.ca_bundle
        if not settings.verify_tls:
            return False
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True

    def _failure(self, exc: BaseException, secrets: Iterable[str | None]) -> _Failure:
        """What a failed attempt was, and whether the retry policy may try again."""
        causes = _causes(exc)
        reason = _reason(exc, secrets)
        kind = type(exc).__name__
        retry_as = next((c for c in causes if isinstance(
            c, (ConnectTimeoutError, ReadTimeoutError, ProtocolError))), None)
        timed_out = any(isinstance(c, (requests.exceptions.Timeout, ReadTimeoutError,
                                       TimeoutError, socket.timeout)) for c in causes)
        if isinstance(exc, PeerNotLoopback):
            return _Failure("Refused", f"plain HTTP to {exc} reached an address that is not "
                            "loopback", "Plain http:// is allowed to loopback addresses only: "
                            "use https://, or a loopback address such as 127.0.0.1")
        if isinstance(exc, requests.exceptions.SSLError):
            return _Failure(kind, reason, _tls_hint(causes))
        if isinstance(exc, requests.exceptions.ProxyError) or any(
                isinstance(c, ProxyError) for c in causes):
            return _Failure(kind, reason, "The proxy refused the request: check HTTPS_PROXY "
                            "and NO_PROXY", retry_as=retry_as)
        if timed_out:
            return _Failure("Timeout", reason, "Anypoint did not answer in time (each read may "
                            f"take {self.settings.read_timeout:g} s): retry later, or raise "
                            "timeout_seconds", retry_as=retry_as)
        if not isinstance(exc, (requests.RequestException, urllib3.exceptions.HTTPError,
                                http.client.HTTPException)):
            return _Failure(kind, reason, "Check ca_bundle names a PEM file of CA "
                            "certificates, and the connection settings")
        return _Failure(kind, reason, "Check network access to the control plane (or "
                        "HTTPS_PROXY), and that region/base_url is right", retry_as=retry_as)

    def _failed(self, endpoint: str, failure: _Failure,
                clock: deadline.Deadline) -> TransportError:
        """The error of an operation whose last attempt failed."""
        attempts = "attempt" if clock.attempts == 1 else "attempts"
        said = f" (last: {failure.kind}: {failure.reason})" if failure.reason else ""
        if failure.budget:
            return TransportError(
                f"Could not get an answer from Anypoint within the time budget of "
                f"{clock.budget:g} s: waited {clock.elapsed():.1f} s over {clock.attempts} "
                f"{attempts}{said}", host=self.host, endpoint=endpoint, hint=_BUDGET_HINT)
        if failure.next_wait is not None:
            return TransportError(
                f"Could not reach Anypoint: {clock.attempts} {attempts} failed in "
                f"{clock.elapsed():.1f} s and the next wait ({failure.next_wait:.1f} s) would "
                f"overrun the time budget of {clock.budget:g} s{said}", host=self.host,
                endpoint=endpoint, hint=failure.hint)
        tried = (f" after {clock.attempts} {attempts} in {clock.elapsed():.1f} s"
                 if clock.attempts > 1 else "")
        return TransportError(
            f"Could not reach Anypoint ({failure.kind}: {failure.reason or 'no answer'}){tried}",
            host=self.host, endpoint=endpoint, hint=failure.hint)


_TRANSPORTS: OrderedDict[ConnectionSettings, Transport] = OrderedDict()
_LOCK = threading.Lock()


def transport_for(settings: ConnectionSettings) -> Transport:
    """The process's transport (and connection pool) for ``settings``; made on first use."""
    with _LOCK:
        found = _TRANSPORTS.get(settings)
        if found is not None:
            _TRANSPORTS.move_to_end(settings)
            return found
        found = _TRANSPORTS[settings] = Transport(settings)
        evicted = [_TRANSPORTS.popitem(last=False)[1]
                   for _ in range(len(_TRANSPORTS) - limits.MAX_TRANSPORTS)]
    for old in evicted:
        old.close()
    return found


def _tls_hint(causes: list[BaseException]) -> str:
    """What to do about a failed TLS handshake, by what failed."""
    said = " ".join(str(cause) for cause in causes).lower()
    if "wrong version number" in said or "wrong_version_number" in said or (
            "record layer failure" in said or "http_request" in said):
        return ("The server answered in plain HTTP, not TLS: this port speaks http://, not "
                "https:// (a local emulator without --tls, say); use http:// for a loopback "
                "server, or the control plane's HTTPS port")
    if "certificate" in said or "verify" in said:
        return ("TLS verification failed: the server's certificate is not signed by a CA this "
                "machine trusts; pass ca_bundle with your organization's CA, or set "
                "REQUESTS_CA_BUNDLE")
    return ("The TLS handshake failed: check that base_url names an HTTPS server, and for a "
            "TLS-inspecting proxy pass its CA as ca_bundle")


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions inside it, outermost first: urllib3 buries the useful part."""
    chain = [exc]
    while len(chain) < 16:
        last = chain[-1]
        inner = getattr(last, "reason", None) or last.__cause__ or last.__context__
        if not isinstance(inner, BaseException) or any(inner is seen for seen in chain):
            return chain
        chain.append(inner)
    return chain


def _reason(exc: BaseException, secrets: Iterable[str | None]) -> str:
    """The innermost cause's message, scrubbed like any server text (it may quote a server's
    status line, headers or the URL): one line, redacted, trimmed."""
    inner = _causes(exc)[-1]
    return excerpt(str(inner) or type(inner).__name__, secrets)


def _wait_for(resp: requests.Response) -> float | None:
    """How long the server asks to wait before the next attempt, if it says."""
    wait = retry_after(resp.headers)
    if wait is None and resp.status_code in (429, 503):
        wait = reset_wait(resp.headers)
    return wait


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date), or ``None``."""
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def reset_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (epoch seconds; small values read as a delay)."""
    try:
        value = float(headers.get("X-RateLimit-Reset", ""))
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return max(0.0, value - time.time() if value > 1e9 else value)
