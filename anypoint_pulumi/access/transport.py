"""HTTP for the access layer: one pooled ``requests`` session per :class:`ConnectionSettings`
value per process, the retry policy, the time and size bounds, and the translation of every
failure into our errors.

:func:`transport_for` returns the process's :class:`Transport` for a settings value, creating it
on first use: every client, data function and provider operation with equal settings shares its
connection pool (thread-safe; at most :data:`POOL_SIZE` connections per host), so ten reads
open one connection, not ten. A session never keeps a token or credential between calls: there
is no session auth and the cookie jar accepts no cookie (Anypoint's login sets session cookies
that must never leak from one caller to another). Least recently used transports beyond
:data:`MAX_TRANSPORTS` are closed.

**Time.** Every request belongs to an operation (:mod:`.deadline`): its attempts, the waits
between them and the reading of each body all come out of the operation's budget
(``settings.retry.budget_seconds``), enforced on the clock by a watchdog that cuts the sockets of
a request still running at the deadline. When the budget is spent the error says how long was
waited and how many attempts were made.

**Size and shape.** Bodies are read in chunks, decompressed a bounded amount at a time and
refused past :data:`~.limits.MAX_ANSWER_BYTES`; JSON nested or repeated beyond any real answer is
refused (:mod:`.answers`). Everything a server sends that reaches a message (its words, its
``Location``, the text of a broken connection) is scrubbed by :func:`~.redaction.excerpt`.

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
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
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
from . import bodies, deadline, errors
from .endpoints import TOKEN_LEGACY
from .errors import AnypointError, RateLimitedError, TransportError
from .limits import check_texts, token_problem
from .redaction import excerpt, excerpt_url
from .settings import ConnectionSettings, is_loopback

__all__ = ["MAX_TRANSPORTS", "POOL_SIZE", "Transport", "close_all", "proxies_for",
           "transport_for"]

log = logging.getLogger("anypoint_pulumi")

USER_AGENT = f"anypoint-pulumi/{__version__} python-requests/{requests.__version__}"
POOL_SIZE = 8
"""Connections kept per host and settings: more than the provider process's four workers."""
MAX_TRANSPORTS = 32
"""Distinct settings values whose pools stay open at once."""

_TRANSIENT = frozenset({429, 502, 503, 504})
_USABLE_TOKEN = re.compile(r"[\x21-\x7e]+")
_NOT_ALLOWED = re.compile(r"(?i)no user attached|not allowed|not permitted|insufficient scope")
_BUDGET_HINT = ("Anypoint (or something between) answers too slowly or not at all: retry later, "
                "or give the operation a larger time budget (timeout_seconds; retry_budget for "
                "AccessManagementClient)")


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


def _policy(settings: ConnectionSettings) -> Retry:
    """The retry schedule as urllib3's ``Retry`` (counts, backoff), driven by :class:`Transport`
    itself so every attempt and wait stays under the operation's deadline."""
    policy = settings.retry
    return Retry(
        total=policy.retries, connect=policy.retries, read=policy.retries,
        status=policy.retries, other=0, redirect=0, allowed_methods=None,
        status_forcelist=_TRANSIENT, backoff_factor=policy.backoff_factor,
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
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        json_body: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str | None] = (),
    ) -> requests.Response:
        """Send one request, retried per the policy, within the running operation's deadline
        (or an operation of its own); the answer's body is read whole (bounded) before it
        returns. :class:`TransportError` when no usable answer came."""
        endpoint = f"{method} {path}"
        all_headers = dict(headers or {})
        if token is not None:
            problem = token_problem(token)
            if problem:  # http.client would fail on it, or worse
                raise errors.TokenRejectedError(
                    f"Malformed token: {problem}", host=self.host, endpoint=endpoint,
                    hint="Pass the access token unchanged, without spaces or line breaks")
            all_headers["Authorization"] = f"Bearer {token}"
        for values in (params, data, json_body, headers):
            check_texts(values)  # a lone surrogate: refused naming the field, never the value
        known = (token, *secrets)
        with deadline.operation(self.settings.retry.budget_seconds) as clock:
            return self._retried(method, path, endpoint, clock, known, params=params, data=data,
                                 json=json_body, headers=all_headers)

    def _retried(self, method: str, path: str, endpoint: str, clock: deadline.Deadline,
                 secrets: tuple[str | None, ...], **send: Any) -> requests.Response:
        url = self.base_url + path
        retry = _policy(self.settings)
        while True:
            clock.attempts += 1
            started = time.monotonic()
            answer = self._attempt(method, url, clock, secrets, send)
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
            if status not in _TRANSIENT or not retry.is_retry(
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

    def _attempt(self, method: str, url: str, clock: deadline.Deadline,
                 secrets: tuple[str | None, ...], send: dict[str, Any],
                 ) -> requests.Response | _Failure:
        """One request and its whole body, or the :class:`_Failure` that stopped it."""
        remaining = clock.remaining()
        if remaining <= 0:
            return _Failure("Timeout", "no time left", _BUDGET_HINT, budget=True)
        settings = self.settings
        timeout = (max(0.001, min(settings.connect_timeout, remaining)),
                   max(0.001, min(settings.read_timeout, remaining)))
        problem: BaseException | None = None
        refused = ""
        with deadline.guarding(clock) as guard:
            try:
                resp = self._session.request(
                    method, url, timeout=timeout, allow_redirects=False, stream=True,
                    verify=self._verify(), proxies=proxies_for(url), **send)
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
                endpoint=f"{method} {urlsplit(url).path}", status=resp.status_code,
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
            return _Failure(kind, reason, "TLS verification failed: pass ca_bundle with your "
                            "organization's CA, or set REQUESTS_CA_BUNDLE")
        if isinstance(exc, requests.exceptions.ProxyError) or any(
                isinstance(c, ProxyError) for c in causes):
            return _Failure(kind, reason, "The proxy refused the request: check HTTPS_PROXY "
                            "and NO_PROXY", retry_as=retry_as)
        if timed_out:
            return _Failure("Timeout", reason, "Anypoint did not answer in time (each read may "
                            f"take {self.settings.read_timeout:g} s): retry later, or raise the "
                            "timeout", retry_as=retry_as)
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

    def json_object(
        self, resp: requests.Response, path: str, secrets: Iterable[str | None]
    ) -> dict[str, Any]:
        """The answer's JSON object, or :class:`errors.UnexpectedResponseError`."""
        endpoint = f"{resp.request.method} {path}"
        if _looks_html(resp):
            raise self.unexpected(endpoint, resp.status_code,
                                  "the answer is an HTML page, not JSON", hint=_html_hint(resp))
        try:
            body = bodies.parse_json(resp.content)
        except bodies.MalformedJson as exc:
            problem = str(exc)  # raised below, outside the handler
        else:
            problem = "" if isinstance(body, dict) else "the answer is not a JSON object"
        if problem:
            raise self.unexpected(endpoint, resp.status_code, problem)
        return body  # type: ignore[no-any-return]

    def unexpected(self, endpoint: str, status: int, what: str, *,
                   hint: str | None = None) -> errors.UnexpectedResponseError:
        """The error for an answer this client cannot use."""
        return errors.UnexpectedResponseError(
            f"Unexpected answer from Anypoint: {what}",
            host=self.host, endpoint=endpoint, status=status,
            hint=hint or "Check base_url points at an Anypoint control plane, then retry; "
            "report it if it persists",
        )

    def error(
        self,
        resp: requests.Response,
        path: str,
        secrets: Iterable[str | None],
        *,
        bearer: bool,
    ) -> AnypointError:
        """The error for a failed answer: its class, what happened and what to do."""
        known = tuple(secrets)
        status = resp.status_code
        detail = _detail(resp, known)
        said = f": Anypoint said {detail!r}" if detail else ""
        cls, what, hint = _classify(status, resp, path, known, bearer=bearer, detail=detail)
        clock = deadline.current()
        if clock is not None and clock.attempts > 1 and status in _TRANSIENT:
            what += f" ({clock.attempts} attempts in {clock.elapsed():.1f} s)"
        endpoint = f"{resp.request.method} {path}"
        if cls is RateLimitedError:
            wait = _retry_after(resp.headers) or _reset_wait(resp.headers)
            when = f"wait about {math.ceil(wait)} s, then retry" if wait else "retry later"
            return RateLimitedError(what + said, retry_after=wait, host=self.host,
                                    endpoint=endpoint, status=status, hint=f"{hint}; {when}")
        return cls(what + said, host=self.host, endpoint=endpoint, status=status, hint=hint)


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
                   for _ in range(len(_TRANSPORTS) - MAX_TRANSPORTS)]
    for old in evicted:
        old.close()
    return found


def close_all() -> None:
    """Close every pooled connection of this process (tests; a long-lived process at exit)."""
    with _LOCK:
        transports = list(_TRANSPORTS.values())
        _TRANSPORTS.clear()
    for transport in transports:
        transport.close()


def _classify(
    status: int, resp: requests.Response, path: str, secrets: Iterable[str | None] = (), *,
    bearer: bool, detail: str = ""
) -> tuple[type[AnypointError], str, str]:
    """Map an HTTP failure to (exception class, what happened, what to do)."""
    if status == 429 or (status == 503 and not resp.content.strip()):
        return (RateLimitedError, "Rate limited by Anypoint after retrying",
                "Anypoint allows about 500 logins a minute per organization")
    if status >= 500:
        retried = " after retrying" if status in _TRANSIENT else ""
        return (errors.ServerError, f"Anypoint failed with a server error{retried}",
                "This is on Anypoint's side: retry later and check the MuleSoft status page")
    if 300 <= status < 400:
        return (errors.UnexpectedResponseError,
                "Anypoint redirected to "
                f"{excerpt_url(resp.headers.get('Location', '?'), secrets)!r}",
                "Check base_url (a proxy or load balancer may be redirecting)")
    if bearer and status == 401 and _NOT_ALLOWED.search(detail):
        # Anypoint's 401 for a valid token of the wrong kind (profile or hierarchy with a
        # client-credentials token): renewing the token would not help.
        return (errors.PermissionDeniedError, "Token rejected: not allowed on this resource",
                "Use a user token (login, SAML or the password grant) here, or grant the "
                "connected app the scopes it needs")
    if bearer and status == 401:
        return (errors.TokenRejectedError,
                "Token rejected: expired, revoked, or lacking permission",
                "Get a fresh token (an expired or revoked one cannot be reused); if it persists, "
                "grant the connected app or user the needed permission")
    if bearer and status == 403:
        return (errors.PermissionDeniedError, "Permission denied",
                "Grant the connected app (scopes) or the user (roles) access to this organization")
    if status == 404:
        return (errors.NotFoundError, "Not found",
                "Check the organization id, base_url, and that the token belongs to this "
                "control plane")
    if not bearer and path == TOKEN_LEGACY and status == 422:
        return (errors.BadCredentialsError, "The legacy token endpoint refused these credentials",
                "Connected-app credentials work only on /accounts/api/v2/oauth2/token: drop the "
                "legacy option (if this control plane has no v2 endpoint, use the organization's "
                "or an environment's client id and secret)")
    if not bearer and status in (400, 401, 403, 422):
        return (errors.BadCredentialsError, "Login refused",
                "Check the credentials, that the user or connected app is enabled and has this "
                "grant type, and the region/base_url: credentials are valid only on the control "
                "plane that issued them")
    return (errors.UnexpectedResponseError, "Unexpected HTTP status from Anypoint",
            "Check base_url and retry; report it if it persists")


def _looks_html(resp: requests.Response) -> bool:
    ctype = resp.headers.get("Content-Type", "").lower()
    return "html" in ctype or resp.content[:4096].lstrip()[:1] == b"<"


def _html_hint(resp: requests.Response) -> str:
    return ("A proxy, captive portal or wrong base_url answered instead of Anypoint: check "
            "base_url and HTTPS_PROXY" if resp.status_code < 500 else
            "Anypoint is failing; retry later")


def _detail(resp: requests.Response, secrets: Iterable[str | None], limit: int = 200) -> str:
    """Anypoint's own words for an error: JSON message → error_description → error → text;
    scrubbed (:func:`~.redaction.excerpt`: bounded, redacted, printable, trimmed)."""
    if _looks_html(resp):
        return "an HTML page" if resp.content[:4096].strip() else ""
    text = resp.content[: bodies.CHUNK_BYTES].decode("utf-8", errors="replace")
    try:
        body = bodies.parse_json(resp.content)
    except bodies.MalformedJson:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                text = value
                break
    return excerpt(text.strip(), secrets, limit)


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
    return excerpt(str(inner) or type(inner).__name__, secrets, 200)


def _wait_for(resp: requests.Response) -> float | None:
    """How long the server asks to wait before the next attempt, if it says."""
    wait = _retry_after(resp.headers)
    if wait is None and resp.status_code in (429, 503):
        wait = _reset_wait(resp.headers)
    return wait


def _retry_after(headers: Mapping[str, str]) -> float | None:
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


def _reset_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (epoch seconds; small values read as a delay)."""
    try:
        value = float(headers.get("X-RateLimit-Reset", ""))
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return max(0.0, value - time.time() if value > 1e9 else value)
