"""An HTTP client for Anypoint Access Management: every login flow, the identity reads, revoke.

It knows nothing of Pulumi. One :class:`AccessManagementClient` is safe to share between threads:
it holds a ``requests`` session whose connection pool is thread-safe and whose cookie jar is
disabled (Anypoint's login sets session cookies that must never leak from one caller to another).
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, ReadTimeoutError
from urllib3.util.retry import Retry

from ._version import __version__
from .errors import (
    AnypointError,
    BadCredentialsError,
    MfaRequiredError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TokenRejectedError,
    TransportError,
    UnexpectedResponseError,
    redact,
)
from .grants import AccessToken, GrantType
from .regions import resolve_base_url

__all__ = ["AccessManagementClient", "AccessToken", "GrantType"]

log = logging.getLogger("anypoint_pulumi")

USER_AGENT = f"anypoint-pulumi/{__version__} python-requests/{requests.__version__}"
DEFAULT_SESSION_MINUTES = 60
DEFAULT_OAUTH_SECONDS = 3600
MAX_LIFETIME_SECONDS = 366 * 86_400  # a longer token lifetime is garbage: use the default
ENVIRONMENTS_PAGE = 500

TOKEN_V2 = "/accounts/api/v2/oauth2/token"
TOKEN_LEGACY = "/accounts/oauth2/token"
LOGIN = "/accounts/login"
SAML = "/accounts/login/receive-id"
ME = "/accounts/api/me"
PROFILE = "/accounts/api/profile"
SESSION = "/accounts/api/session"
REVOKE = "/accounts/api/v2/oauth2/revoke"
LOGOUT = "/accounts/api/logout"

_TRANSIENT = frozenset({429, 502, 503, 504})
_INVALID = object()
_USABLE_TOKEN = re.compile(r"[\x21-\x7e]+")
_NOT_ALLOWED = re.compile(r"(?i)no user attached|not allowed|not permitted|insufficient scope")
_MFA_HINT = (
    "This user must complete multi-factor authentication, which an API login cannot do: "
    "create a connected app that acts on behalf of a user and pass its client_id and "
    "client_secret with the username and password (the OAuth2 password grant), or use a "
    "client-credentials connected app"
)


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


class AccessManagementClient:
    """Talks to one Anypoint control plane.

    ``region`` is ``us`` (default), ``eu``, ``gov``, ``ca`` or ``jp``; ``base_url`` is any full URL
    (Private Cloud Edition, the emulator) instead. Requests time out after ``timeout`` seconds
    (or a ``(connect, read)`` pair) and transient failures (connection errors, 429, 502, 503, 504)
    are retried up to ``retries`` times with backoff, within ``retry_budget`` seconds in all.
    TLS is verified unless ``verify_tls=False``; ``ca_bundle`` trusts a private CA. Proxies come
    from the usual ``HTTPS_PROXY``/``NO_PROXY`` environment variables.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | tuple[float, float] = (10.0, 30.0),
        retries: int = 4,
        retry_budget: float = 60.0,
        backoff_factor: float = 0.5,
        verify_tls: bool = True,
        ca_bundle: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.base_url = resolve_base_url(region, base_url)
        self.host = urlsplit(self.base_url).netloc
        self.timeout = timeout
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.headers.update({"User-Agent": user_agent or USER_AGENT,
                                "Accept": "application/json"})
        session.verify = ca_bundle if ca_bundle else verify_tls
        retry = _AnypointRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            allowed_methods=None,
            status_forcelist=_TRANSIENT,
            backoff_factor=backoff_factor,
            backoff_max=10.0,
            backoff_jitter=0.1,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            budget=retry_budget,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self._session = session

    def __enter__(self) -> AccessManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AccessManagementClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    # Logins ------------------------------------------------------------------------------

    def client_credentials(
        self, client_id: str, client_secret: str, *, legacy: bool = False
    ) -> AccessToken:
        """Token for a connected app (OAuth2 client credentials).

        Uses ``/accounts/api/v2/oauth2/token``; the outdated ``/accounts/oauth2/token`` only when
        ``legacy=True`` or when v2 answers 404 (an older Private Cloud Edition).
        """
        secrets = (client_secret,)
        form = {"grant_type": "client_credentials", "client_id": client_id,
                "client_secret": client_secret}
        if not legacy:
            resp = self._post_token(TOKEN_V2, data=form, secrets=secrets)
            if resp.status_code != 404:
                return self._token(resp, TOKEN_V2, GrantType.CLIENT_CREDENTIALS, secrets)
            log.info("%s answered 404 on %s; falling back to %s", self.host, TOKEN_V2,
                     TOKEN_LEGACY)
        resp = self._post_token(TOKEN_LEGACY, json_body=form, secrets=secrets)
        return self._token(resp, TOKEN_LEGACY, GrantType.CLIENT_CREDENTIALS, secrets)

    def password_grant(
        self, client_id: str, client_secret: str, username: str, password: str
    ) -> AccessToken:
        """User-context token through a connected app that acts on behalf of users (MFA-safe)."""
        secrets = (client_secret, password)
        form = {"grant_type": "password", "client_id": client_id,
                "client_secret": client_secret, "username": username, "password": password}
        resp = self._post_token(TOKEN_V2, data=form, secrets=secrets)
        return self._token(resp, TOKEN_V2, GrantType.PASSWORD, secrets)

    def login(self, username: str, password: str) -> AccessToken:
        """Session token from ``/accounts/login``; :class:`MfaRequiredError` for MFA users."""
        secrets = (password,)
        resp = self._post_token(LOGIN, json_body={"username": username, "password": password},
                                secrets=secrets)
        return self._token(resp, LOGIN, GrantType.LOGIN, secrets)

    def saml_login(
        self,
        saml_response: str,
        *,
        org_domain: str | None = None,
        provider_id: str | None = None,
    ) -> AccessToken:
        """Session token from a base64 SAML response (IdP-initiated), optionally org-specific."""
        path = SAML
        if org_domain and provider_id:
            path = (f"/accounts/login/{quote(org_domain, safe='')}/providers/"
                    f"{quote(provider_id, safe='')}/receive-id")
        encoded = saml_response.strip()
        if "%" in encoded:  # base64 has no '%': this one was copied URL-encoded
            encoded = unquote(encoded)
        secrets = (saml_response, saml_response.strip(), encoded)
        resp = self._post_token(
            path,
            json_body={"SAMLResponse": encoded},
            headers={"X-Requested-With": "XMLHttpRequest"},
            secrets=secrets,
        )
        return self._token(resp, path, GrantType.SAML, secrets)

    # Reads -------------------------------------------------------------------------------

    def me(self, token: str) -> dict[str, Any]:
        """``/accounts/api/me``: ``user`` and/or ``client`` by the token's kind."""
        return self._get_json(ME, token)

    def profile(self, token: str) -> dict[str, Any]:
        """``/accounts/api/profile`` for user tokens, without the token it echoes back."""
        body = self._get_json(PROFILE, token)
        body.pop("access_token", None)
        return body

    def session(self, token: str) -> dict[str, Any]:
        """``/accounts/api/session``: the session behind a token, without a token it echoes."""
        body = self._get_json(SESSION, token)
        body.pop("access_token", None)
        return body

    def organization(self, token: str, org_id: str) -> dict[str, Any]:
        """``/accounts/api/organizations/{id}``."""
        return self._get_json(f"/accounts/api/organizations/{_segment(org_id)}", token)

    def hierarchy(self, token: str, org_id: str) -> dict[str, Any]:
        """``/accounts/api/organizations/{id}/hierarchy``: the business-group tree."""
        return self._get_json(f"/accounts/api/organizations/{_segment(org_id)}/hierarchy", token)

    def environments(
        self,
        token: str,
        org_id: str,
        *,
        name: str | None = None,
        type: str | None = None,
        is_production: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Every environment of an organization (all pages), with Anypoint's filters."""
        path = f"/accounts/api/organizations/{_segment(org_id)}/environments"
        params: dict[str, str | int] = {"limit": ENVIRONMENTS_PAGE}
        if name is not None:
            params["name"] = name
        if type is not None:
            params["type"] = type
        if is_production is not None:
            params["isProduction"] = "true" if is_production else "false"
        found: list[dict[str, Any]] = []
        while True:
            body = self._get_json(path, token, params={**params, "offset": len(found)})
            page = body.get("data")
            if not isinstance(page, list):
                raise self._unexpected(f"GET {path}", 200, "the answer has no 'data' list")
            found.extend(item for item in page if isinstance(item, dict))
            total = body.get("total")
            if not page or not isinstance(total, int) or len(found) >= total:
                return found

    # Ending ------------------------------------------------------------------------------

    def revoke(self, token: str, *, client_id: str | None = None,
               client_secret: str | None = None) -> None:
        """Revoke an OAuth2 token (``/accounts/api/v2/oauth2/revoke``)."""
        form = {"token": token, "token_type_hint": "access_token"}
        if client_id and client_secret:
            form.update(client_id=client_id, client_secret=client_secret)
        resp = self._request("POST", REVOKE, data=form, secrets=(token, client_secret))
        if resp.status_code >= 300:
            raise self._error(resp, REVOKE, (token, client_secret), bearer=True)

    def logout(self, token: str) -> None:
        """End a user session (``/accounts/api/logout``)."""
        resp = self._request("GET", LOGOUT, token=token,
                             headers={"X-Requested-With": "XMLHttpRequest"})
        if resp.status_code >= 300:
            raise self._error(resp, LOGOUT, (token,), bearer=True)

    # Internals ---------------------------------------------------------------------------

    def _post_token(
        self,
        path: str,
        *,
        data: Mapping[str, str] | None = None,
        json_body: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str | None] = (),
    ) -> requests.Response:
        return self._request("POST", path, data=data, json_body=json_body, headers=headers,
                             secrets=secrets)

    def _request(
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
        all_headers = dict(headers or {})
        if token is not None:
            if not _USABLE_TOKEN.fullmatch(token):  # http.client would fail on it, or worse
                raise TokenRejectedError(
                    "Malformed token: a bearer token is visible ASCII characters only",
                    host=self.host, endpoint=f"{method} {path}",
                    hint="Pass the access_token output of an AnypointToken (or another "
                    "Anypoint access token) unchanged, without spaces or line breaks",
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
                timeout=self.timeout,
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

    def _get_json(
        self, path: str, token: str, *, params: Mapping[str, str | int] | None = None
    ) -> dict[str, Any]:
        resp = self._request("GET", path, token=token, params=params)
        if resp.status_code != 200:
            raise self._error(resp, path, (token,), bearer=True)
        return self._json_object(resp, path, (token,))

    def _token(
        self,
        resp: requests.Response,
        path: str,
        grant: GrantType,
        secrets: Iterable[str | None],
    ) -> AccessToken:
        issued_at = datetime.now(timezone.utc)
        if resp.status_code != 200:
            raise self._error(resp, path, secrets, bearer=False)
        body = self._json_object(resp, path, secrets)
        token = body.get("access_token")
        if not isinstance(token, str) or not token.strip():
            if "url" in body:
                raise MfaRequiredError(
                    "Anypoint asked for multi-factor verification instead of issuing a token",
                    host=self.host, endpoint=f"POST {path}", status=200, hint=_MFA_HINT,
                )
            raise self._unexpected(f"POST {path}", 200, "the answer has no access_token")
        if not _USABLE_TOKEN.fullmatch(token):  # it could not even be sent in a header
            raise self._unexpected(f"POST {path}", 200, "the access_token is not a usable "
                                   "bearer token (visible ASCII characters only)")
        token_type = str(body.get("token_type") or "bearer")
        if grant.is_session:
            expires_at = self._session_expiry(token, issued_at)
        else:
            expires_at = issued_at + timedelta(seconds=_positive_seconds(body.get("expires_in")))
        log.info("obtained a %s token from %s (expires %s)", grant.value, self.host,
                 expires_at.isoformat())
        return AccessToken(token, token_type, grant, issued_at, expires_at, self.base_url)

    def _session_expiry(self, token: str, issued_at: datetime) -> datetime:
        """When a session token ends: from ``/accounts/api/session``, else the 60-min default."""
        default = issued_at + timedelta(minutes=DEFAULT_SESSION_MINUTES)
        try:
            session = self.session(token)
        except AnypointError as exc:
            log.info("session lifetime unavailable (%s); assuming %d minutes", exc.status,
                     DEFAULT_SESSION_MINUTES)
            return default
        return session_expiry(session, issued_at) or default

    def _json_object(
        self, resp: requests.Response, path: str, secrets: Iterable[str | None]
    ) -> dict[str, Any]:
        endpoint = f"{resp.request.method} {path}"
        if _looks_html(resp):
            raise self._unexpected(endpoint, resp.status_code,
                                   "the answer is an HTML page, not JSON", hint=_html_hint(resp))
        try:
            body = resp.json()
        except (ValueError, UnicodeDecodeError):
            body = _INVALID  # raised below, outside the handler: the parse error holds the body
        if body is _INVALID:
            raise self._unexpected(endpoint, resp.status_code, "the answer is not valid JSON")
        if not isinstance(body, dict):
            raise self._unexpected(endpoint, resp.status_code, "the answer is not a JSON object")
        return body

    def _unexpected(self, endpoint: str, status: int, what: str, *,
                    hint: str | None = None) -> UnexpectedResponseError:
        return UnexpectedResponseError(
            f"Unexpected answer from Anypoint: {what}",
            host=self.host, endpoint=endpoint, status=status,
            hint=hint or "Check base_url points at an Anypoint control plane, then retry; "
            "report it if it persists",
        )

    def _error(
        self,
        resp: requests.Response,
        path: str,
        secrets: Iterable[str | None],
        *,
        bearer: bool,
    ) -> AnypointError:
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


def _classify(
    status: int, resp: requests.Response, path: str, *, bearer: bool, detail: str = ""
) -> tuple[type[AnypointError], str, str]:
    """Map an HTTP failure to (exception class, what happened, what to do)."""
    if status == 429 or (status == 503 and not resp.content.strip()):
        return (RateLimitedError, "Rate limited by Anypoint after retrying",
                "Anypoint allows about 500 logins a minute per organization")
    if status >= 500:
        retried = " after retrying" if status in _TRANSIENT else ""
        return (ServerError, f"Anypoint failed with a server error{retried}",
                "This is on Anypoint's side: retry later and check the MuleSoft status page")
    if 300 <= status < 400:
        return (UnexpectedResponseError,
                f"Anypoint redirected to {resp.headers.get('Location', '?')!r}",
                "Check base_url (a proxy or load balancer may be redirecting)")
    if bearer and status == 401 and _NOT_ALLOWED.search(detail):
        # Anypoint's 401 for a valid token of the wrong kind (profile or hierarchy with a
        # client-credentials token): renewing the token would not help.
        return (PermissionDeniedError, "Token rejected: not allowed on this resource",
                "Use a user token (login, SAML or the password grant) here, or grant the "
                "connected app the scopes it needs")
    if bearer and status == 401:
        return (TokenRejectedError, "Token rejected: expired, revoked, or lacking permission",
                "Run `pulumi up --refresh` to renew an expired or revoked AnypointToken; if it "
                "persists, grant the connected app or user the needed permission")
    if bearer and status == 403:
        return (PermissionDeniedError, "Permission denied",
                "Grant the connected app (scopes) or the user (roles) access to this organization")
    if status == 404:
        return (NotFoundError, "Not found",
                "Check the organization id, base_url, and that the token belongs to this "
                "control plane")
    if not bearer and path == TOKEN_LEGACY and status == 422:
        return (BadCredentialsError, "The legacy token endpoint refused these credentials",
                "Connected-app credentials work only on /accounts/api/v2/oauth2/token: drop the "
                "legacy option (if this control plane has no v2 endpoint, use the organization's "
                "or an environment's client id and secret)")
    if not bearer and status in (400, 401, 403, 422):
        return (BadCredentialsError, "Login refused",
                "Check the credentials, that the user or connected app is enabled and has this "
                "grant type, and the region/base_url: credentials are valid only on the control "
                "plane that issued them")
    return (UnexpectedResponseError, "Unexpected HTTP status from Anypoint",
            "Check base_url and retry; report it if it persists")


def session_expiry(session: Mapping[str, Any], issued_at: datetime) -> datetime | None:
    """Read a session's end from ``/accounts/api/session`` (shape assumed; lenient)."""
    for key in ("expiresAt", "expires_at", "expirationDate"):
        value = session.get(key)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return (parsed.astimezone(timezone.utc) if parsed.tzinfo
                        else parsed.replace(tzinfo=timezone.utc))
            except (ValueError, OverflowError):  # not a date, or out of datetime's range
                continue
    for key, unit in (("expires_in", 1), ("expiresIn", 1), ("sessionTimeout", 60)):
        value = session.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = _positive_seconds(value * unit, default=0.0)
            if seconds:
                return issued_at + timedelta(seconds=seconds)
    return None


def _positive_seconds(value: object, default: float = DEFAULT_OAUTH_SECONDS) -> float:
    """A lifetime in seconds, or ``default`` when absent, not positive or implausibly long."""
    if isinstance(value, bool):
        return default
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
    return seconds if math.isfinite(seconds) and 0 < seconds <= MAX_LIFETIME_SECONDS else default


def _segment(value: str) -> str:
    return quote(value, safe="")


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
