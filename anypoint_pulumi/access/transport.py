"""HTTP for the access layer: one pooled ``requests`` session per :class:`ConnectionSettings`
value per process, the retry policy, and the translation of every failure into our errors.

:func:`transport_for` returns the process's :class:`Transport` for a settings value, creating it
on first use: every client, data function and provider operation with equal settings shares its
connection pool (thread-safe; at most :data:`POOL_SIZE` connections per host), so ten reads
open one connection, not ten. A session never keeps a token or credential between calls: there
is no session auth and the cookie jar accepts no cookie (Anypoint's login sets session cookies
that must never leak from one caller to another). Least recently used transports beyond
:data:`MAX_TRANSPORTS` are closed.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, ReadTimeoutError
from urllib3.util.retry import Retry

from .._version import __version__
from . import errors
from .endpoints import TOKEN_LEGACY
from .errors import AnypointError, RateLimitedError, TransportError, redact
from .settings import ConnectionSettings

__all__ = ["MAX_TRANSPORTS", "POOL_SIZE", "Transport", "close_all", "transport_for"]

log = logging.getLogger("anypoint_pulumi")

USER_AGENT = f"anypoint-pulumi/{__version__} python-requests/{requests.__version__}"
POOL_SIZE = 8
"""Connections kept per host and settings: more than the provider process's four workers."""
MAX_TRANSPORTS = 32
"""Distinct settings values whose pools stay open at once."""

_TRANSIENT = frozenset({429, 502, 503, 504})
_INVALID = object()
_USABLE_TOKEN = re.compile(r"[\x21-\x7e]+")
_NOT_ALLOWED = re.compile(r"(?i)no user attached|not allowed|not permitted|insufficient scope")


class _AnypointRetry(Retry):
    """urllib3 ``Retry`` that also honours ``X-RateLimit-Reset`` and a total time budget.

    Anypoint documents no ``Retry-After``: over the limit it sends 429 (or an empty 503) with
    ``X-RateLimit-Reset``, the epoch second the window ends. A wait that would overrun the budget
    ends the retries at once so the caller gets a clear error instead of a long hang.
    """

    def __init__(self, *args: Any, budget: float = 60.0, started: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.started = started

    def new(self, **kw: Any) -> _AnypointRetry:
        new = super().new(**kw)
        new.budget = self.budget
        new.started = self.started if self.started is not None else time.monotonic()
        return new

    def get_retry_after(self, response: Any) -> float | None:
        try:
            after = super().get_retry_after(response)
        except InvalidHeader:  # a malformed Retry-After: back off as if it were absent
            after = None
        if after is None and response.status in (429, 503):
            after = _reset_wait(response.headers)
        return after

    def sleep(self, response: Any = None) -> None:
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        time.sleep(max(0.0, min(wait, self._remaining())))

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or self._remaining() <= 0

    def increment(self, *args: Any, **kwargs: Any) -> _AnypointRetry:
        new: _AnypointRetry = super().increment(*args, **kwargs)
        response = kwargs.get("response")
        wait = new.get_retry_after(response) if response is not None else None
        if wait is not None and wait > new._remaining():
            raise _budget_exceeded(kwargs.get("_pool"), kwargs.get("url") or "", response)
        return new

    def _remaining(self) -> float:
        if self.started is None:
            return self.budget
        return self.budget - (time.monotonic() - self.started)


def _budget_exceeded(pool: Any, url: str, response: Any) -> Exception:
    from urllib3.exceptions import MaxRetryError, ResponseError

    return MaxRetryError(pool, url, ResponseError(f"retry wait exceeds budget ({response.status})"))


class Transport:
    """Requests to one control plane with one settings value, over a shared connection pool."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.base_url = settings.base_url
        self.host = settings.host
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.headers.update({"User-Agent": settings.user_agent or USER_AGENT,
                                "Accept": "application/json"})
        session.verify = settings.ca_bundle if settings.ca_bundle else settings.verify_tls
        policy = settings.retry
        retry = _AnypointRetry(
            total=policy.retries,
            connect=policy.retries,
            read=policy.retries,
            status=policy.retries,
            other=0,
            allowed_methods=None,
            status_forcelist=_TRANSIENT,
            backoff_factor=policy.backoff_factor,
            backoff_max=policy.backoff_max,
            backoff_jitter=0.1,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            budget=policy.budget_seconds,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=POOL_SIZE)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session

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
        """Send one request (retried per the policy); :class:`TransportError` when it fails."""
        all_headers = dict(headers or {})
        if token is not None:
            if not _USABLE_TOKEN.fullmatch(token):  # http.client would fail on it, or worse
                raise errors.TokenRejectedError(
                    "Malformed token: a bearer token is visible ASCII characters only",
                    host=self.host, endpoint=f"{method} {path}",
                    hint="Pass the access token unchanged, without spaces or line breaks",
                )
            all_headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        failure: TransportError | None = None
        try:
            resp = self._session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                json=json_body,
                headers=all_headers,
                timeout=self.settings.timeout,
                allow_redirects=False,
                # Explicit, because requests lets REQUESTS_CA_BUNDLE override the session's
                # verify (turning verify_tls=False back on, or replacing ca_bundle).
                verify=self._session.verify,
            )
        except requests.RequestException as exc:
            failure = self._transport_error(f"{method} {path}", exc, (token, *secrets))
        if failure is not None:
            # Raised outside the except block so the library exception (which holds the
            # request, body and all) is not even kept as __context__.
            raise failure
        log.debug("%s %s%s -> %s in %.0f ms", method, self.host, path, resp.status_code,
                  (time.monotonic() - started) * 1000)
        return resp

    def json_object(
        self, resp: requests.Response, path: str, secrets: Iterable[str | None]
    ) -> dict[str, Any]:
        """The answer's JSON object, or :class:`errors.UnexpectedResponseError`."""
        endpoint = f"{resp.request.method} {path}"
        if _looks_html(resp):
            raise self.unexpected(endpoint, resp.status_code,
                                  "the answer is an HTML page, not JSON", hint=_html_hint(resp))
        try:
            body = resp.json()
        except (ValueError, UnicodeDecodeError):
            body = _INVALID  # raised below, outside the handler: the parse error holds the body
        if body is _INVALID:
            raise self.unexpected(endpoint, resp.status_code, "the answer is not valid JSON")
        if not isinstance(body, dict):
            raise self.unexpected(endpoint, resp.status_code, "the answer is not a JSON object")
        return body

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
        status = resp.status_code
        detail = _detail(resp, secrets)
        said = f": Anypoint said {detail!r}" if detail else ""
        cls, what, hint = _classify(status, resp, path, bearer=bearer, detail=detail)
        endpoint = f"{resp.request.method} {path}"
        if cls is RateLimitedError:
            wait = _retry_after(resp.headers) or _reset_wait(resp.headers)
            when = f"wait about {math.ceil(wait)} s, then retry" if wait else "retry later"
            return RateLimitedError(what + said, retry_after=wait, host=self.host,
                                    endpoint=endpoint, status=status, hint=f"{hint}; {when}")
        return cls(what + said, host=self.host, endpoint=endpoint, status=status, hint=hint)

    def _transport_error(
        self, endpoint: str, exc: requests.RequestException, secrets: Iterable[str | None]
    ) -> TransportError:
        causes = _causes(exc)
        reason = redact(_text(causes[-1]), secrets)
        kind = type(exc).__name__
        # After the last retry requests reports a read timeout as a ConnectionError: look inside.
        # (urllib3's connection-refused error subclasses its connect-timeout one: not this.)
        timed_out = any(isinstance(c, (requests.exceptions.Timeout, ReadTimeoutError,
                                       TimeoutError)) for c in causes)
        if isinstance(exc, requests.exceptions.SSLError):
            hint = ("TLS verification failed: pass ca_bundle with your organization's CA, or "
                    "set REQUESTS_CA_BUNDLE")
        elif isinstance(exc, requests.exceptions.ProxyError):
            hint = "The proxy refused the request: check HTTPS_PROXY and NO_PROXY"
        elif timed_out:
            kind = "Timeout"
            hint = "Anypoint did not answer in time: raise the timeout or retry later"
        else:
            hint = ("Check network access to the control plane (or HTTPS_PROXY), and that "
                    "region/base_url is right")
        return TransportError(
            f"Could not reach Anypoint ({kind}: {reason})",
            host=self.host, endpoint=endpoint, hint=hint,
        )


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
    status: int, resp: requests.Response, path: str, *, bearer: bool, detail: str = ""
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
                f"Anypoint redirected to {resp.headers.get('Location', '?')!r}",
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
    return "html" in ctype or resp.content.lstrip()[:1] == b"<"


def _html_hint(resp: requests.Response) -> str:
    return ("A proxy, captive portal or wrong base_url answered instead of Anypoint: check "
            "base_url and HTTPS_PROXY" if resp.status_code < 500 else
            "Anypoint is failing; retry later")


def _detail(resp: requests.Response, secrets: Iterable[str | None], limit: int = 200) -> str:
    """Anypoint's own words for an error: JSON message → error_description → error → text."""
    if _looks_html(resp):
        return "an HTML page" if resp.content.strip() else ""
    text = resp.content.decode("utf-8", errors="replace").strip()
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                text = value.strip()
                break
    # Redact before collapsing whitespace: a secret may itself contain spaces or line breaks.
    text = " ".join(redact(text, secrets).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions inside it, outermost first: urllib3 buries the useful part."""
    chain = [exc]
    while True:
        last = chain[-1]
        inner = getattr(last, "reason", None) or last.__cause__ or last.__context__
        if not isinstance(inner, BaseException) or any(inner is seen for seen in chain):
            return chain
        chain.append(inner)


def _text(exc: BaseException) -> str:
    """An exception's message on one line, trimmed."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


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
