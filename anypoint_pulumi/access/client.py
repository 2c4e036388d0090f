"""An HTTP client for Anypoint Access Management: every login flow, the identity reads, revoke.

It knows nothing of Pulumi. It talks to the control plane a :class:`ConnectionSettings` names,
through that value's pooled :class:`~anypoint_pulumi.access.transport.Transport` (shared by
every client with equal settings in the process, safe between threads), and returns typed
models, never raw JSON. It keeps no token or credential between calls: each read takes its token
(a string or the :class:`AccessToken` a login returned).

The transport only sends; what an answer means is decided here (:func:`_failure`,
:func:`_json_object`): the error class of a status, the hint, Anypoint's own words (scrubbed),
and whether an answer is an HTML page instead of what was asked (:func:`_is_html`, one rule).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import unquote

import requests

from . import bodies, deadline, endpoints, errors
from .api_requests import (
    IDEMPOTENT,
    check_header_id,
    check_json,
    check_method,
    check_params,
    check_path,
    kept_headers,
    masked,
)
from .assertion import GRANT as JWT_GRANT
from .assertion import check_private_key, make_assertion, secret_parts
from .deadline import bounded_calls
from .endpoints import LOGIN, LOGOUT, ME, PROFILE, REVOKE, SAML, SESSION, TOKEN_LEGACY, TOKEN_V2
from .errors import (
    AnypointError,
    BadCredentialsError,
    ConfigurationError,
    MfaRequiredError,
    RateLimitedError,
    UnexpectedResponseError,
)
from .limits import (
    CHUNK_BYTES,
    DEFAULT_OAUTH_SECONDS,
    DEFAULT_SESSION_MINUTES,
    ENVIRONMENTS_PAGE,
    MAX_PAGES,
    MAX_TOKEN_TYPE_CHARS,
    clamp_expiry,
    lifetime_seconds,
    token_problem,
)
from .models import (
    AccessToken,
    ApiResponse,
    BusinessGroup,
    Environment,
    GrantType,
    MalformedAnswer,
    Me,
    Organization,
    SessionInfo,
    User,
    bearer,
)
from .redaction import excerpt, excerpt_url
from .settings import ConnectionSettings
from .transport import TRANSIENT, Transport, reset_wait, retry_after, transport_for

__all__ = ["AccessManagementClient", "AccessToken", "GrantType"]

log = logging.getLogger("anypoint_pulumi")

M = TypeVar("M")

Token = str | AccessToken
"""A bearer token: the string, or the :class:`AccessToken` a login returned."""

_MFA_HINT = (
    "This user must complete multi-factor authentication, which an API login cannot do: "
    "create a connected app that acts on behalf of a user and pass its client_id and "
    "client_secret with the username and password (the OAuth2 password grant), or use a "
    "client-credentials connected app"
)

_JWT_HINT = (
    "The JWT bearer grant works only for federated (SSO) users: username must be a user of the "
    "identity provider identity_provider_id names (its id in Access Management > Identity "
    "Providers), and client_id a connected app acting on behalf of a user with the JWT Bearer "
    "grant and the certificate of this private_key uploaded. Check the three, and that the "
    "clock of this machine is right (the assertion is valid for three minutes)"
)

_REFUSED_HINT = (
    "Check the method, the path, params and the body against the API's documentation, and that "
    "organization_id/environment_id (X-ANYPNT-ORG-ID/X-ANYPNT-ENV-ID) are given where the API "
    "needs them"
)


@bounded_calls(lambda client: client.settings.retry.budget_seconds)
class AccessManagementClient:
    """Talks to one Anypoint control plane.

    ``region`` is ``us`` (default), ``eu``, ``gov``, ``ca``, ``jp`` or ``au``; ``base_url`` is any
    full URL (Private Cloud Edition, the emulator) instead. Every call -- its attempts, waits and
    follow-up requests -- ends within ``timeout_seconds`` (default 30, from 1 to 600) in all, on
    the clock; transient failures (connection errors, 429, 502, 503, 504) are retried up to
    ``retries`` times (default 4) with backoff (``backoff_factor``, default 0.5 s) within it.
    TLS is verified unless ``verify_tls=False``; ``ca_bundle`` trusts a private CA. Proxies come
    from the usual ``HTTPS_PROXY``/``NO_PROXY`` environment variables. Every value is checked by
    :meth:`ConnectionSettings.resolve`, as the resource's inputs are; or pass ``settings``, a
    :class:`ConnectionSettings` already resolved, instead of all of these.

    Clients with equal settings share one connection pool per process; ``close()`` (and leaving a
    ``with`` block) closes it.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        base_url: str | None = None,
        timeout_seconds: float | None = None,
        retries: int | None = None,
        backoff_factor: float | None = None,
        verify_tls: bool = True,
        ca_bundle: str | None = None,
        user_agent: str | None = None,
        settings: ConnectionSettings | None = None,
    ) -> None:
        if settings is None:
            settings = ConnectionSettings.resolve(
                region=region, base_url=base_url, timeout_seconds=timeout_seconds,
                retries=retries, backoff_factor=backoff_factor, verify_tls=verify_tls,
                ca_bundle=ca_bundle, user_agent=user_agent)
        elif not isinstance(settings, ConnectionSettings):
            raise ConfigurationError(
                f"settings must be a ConnectionSettings (ConnectionSettings.resolve(...)), not "
                f"{type(settings).__name__}", field="settings")
        self.settings = settings
        self._http: Transport = transport_for(settings)
        self.base_url = settings.base_url
        self.host = settings.host

    def __enter__(self) -> AccessManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AccessManagementClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the pooled connections of these settings (the next call opens new ones)."""
        self._http.close()

    # Logins ------------------------------------------------------------------------------

    def client_credentials(
        self, client_id: str, client_secret: str, *, legacy: bool = False
    ) -> AccessToken:
        """Token for a connected app (OAuth2 client credentials).

        Uses ``/accounts/api/v2/oauth2/token``; the outdated ``/accounts/oauth2/token`` only when
        ``legacy=True`` or when v2 answers 404 (an older Private Cloud Edition).
        """
        _required(client_id=client_id, client_secret=client_secret)
        secrets = (client_secret,)
        form = {"grant_type": "client_credentials", "client_id": client_id,
                "client_secret": client_secret}
        if not legacy:
            resp = self._http.request("POST", TOKEN_V2, data=form, secrets=secrets)
            if resp.status_code != 404:
                return self._token(resp, TOKEN_V2, GrantType.CLIENT_CREDENTIALS, secrets)
            log.info("%s answered 404 on %s; falling back to %s", self.host, TOKEN_V2,
                     TOKEN_LEGACY)
        resp = self._http.request("POST", TOKEN_LEGACY, json_body=form, secrets=secrets)
        return self._token(resp, TOKEN_LEGACY, GrantType.CLIENT_CREDENTIALS, secrets)

    def password_grant(
        self, client_id: str, client_secret: str, username: str, password: str
    ) -> AccessToken:
        """User-context token through a connected app that acts on behalf of users (MFA-safe)."""
        _required(client_id=client_id, client_secret=client_secret, username=username,
                  password=password)
        secrets = (client_secret, password)
        form = {"grant_type": "password", "client_id": client_id,
                "client_secret": client_secret, "username": username, "password": password}
        resp = self._http.request("POST", TOKEN_V2, data=form, secrets=secrets)
        return self._token(resp, TOKEN_V2, GrantType.PASSWORD, secrets)

    def login(self, username: str, password: str) -> AccessToken:
        """Session token from ``/accounts/login``; :class:`MfaRequiredError` for MFA users."""
        _required(username=username, password=password)
        secrets = (password,)
        resp = self._http.request("POST", LOGIN, secrets=secrets,
                                  json_body={"username": username, "password": password})
        return self._token(resp, LOGIN, GrantType.LOGIN, secrets)

    def saml_login(
        self,
        saml_response: str,
        *,
        org_domain: str | None = None,
        provider_id: str | None = None,
    ) -> AccessToken:
        """Session token from a base64 SAML response (IdP-initiated), optionally org-specific."""
        _required(saml_response=saml_response)
        path = endpoints.saml_org(org_domain, provider_id) if org_domain and provider_id else SAML
        encoded = saml_response.strip()
        if "%" in encoded:  # base64 has no '%': this one was copied URL-encoded
            encoded = unquote(encoded)
        secrets = (saml_response, saml_response.strip(), encoded)
        resp = self._http.request(
            "POST",
            path,
            json_body={"SAMLResponse": encoded},
            headers={"X-Requested-With": "XMLHttpRequest"},
            secrets=secrets,
        )
        return self._token(resp, path, GrantType.SAML, secrets)

    def jwt_bearer(
        self,
        client_id: str,
        private_key: str,
        identity_provider_id: str,
        username: str,
    ) -> AccessToken:
        """User-context token for a *federated* (SSO) user through the JWT bearer grant.

        Signs a fresh assertion (RS256) for each attempt with the connected app's ``private_key``
        (PEM; the app holds its certificate): ``iss`` = ``client_id``, ``sub`` =
        ``v2|<identity_provider_id>|<username>``, ``aud`` = this plane's token endpoint, ``exp``
        three minutes ahead. No password and no MFA prompt: works in SSO/MFA organizations, for
        users of that identity provider only. Needs the ``jwt`` extra (PyJWT).
        """
        _required(client_id=client_id, identity_provider_id=identity_provider_id,
                  username=username)
        key = check_private_key(private_key)  # refused before anything is sent
        secrets = [*secret_parts(private_key)]  # and every assertion signed, as it is signed

        def form() -> dict[str, str]:
            """A freshly signed assertion (new jti, iat and exp) for each attempt: a retry never
            re-sends one that may have expired or whose jti was already seen."""
            assertion = make_assertion(private_key=key, client_id=client_id,
                                       identity_provider_id=identity_provider_id,
                                       username=username, audience=self.base_url + TOKEN_V2)
            secrets.append(assertion)
            return {"grant_type": JWT_GRANT, "assertion": assertion}

        resp = self._http.request("POST", TOKEN_V2, data=form, secrets=secrets)
        try:
            return self._token(resp, TOKEN_V2, GrantType.JWT_BEARER, secrets)
        except MfaRequiredError:
            raise
        except BadCredentialsError as exc:
            refused = exc.with_context("the JWT assertion was refused", hint=_JWT_HINT)
        raise refused

    # Reads -------------------------------------------------------------------------------

    def me(self, token: Token) -> Me:
        """``/accounts/api/me``: ``user`` and/or ``client`` by the token's kind."""
        return self._read(ME, token, Me.from_json)

    def profile(self, token: Token) -> User:
        """``/accounts/api/profile`` for user tokens (the token it echoes back is dropped)."""
        return self._read(PROFILE, token, User.from_json)

    def session(self, token: Token) -> SessionInfo:
        """``/accounts/api/session``: when the session behind a token ends."""
        return self._read(SESSION, token, SessionInfo.from_json)

    def organization(self, token: Token, org_id: str) -> Organization:
        """``/accounts/api/organizations/{id}``."""
        return self._read(endpoints.organization(org_id), token, Organization.from_json)

    def hierarchy(self, token: Token, org_id: str) -> BusinessGroup:
        """``/accounts/api/organizations/{id}/hierarchy``: the business-group tree."""
        return self._read(endpoints.hierarchy(org_id), token, BusinessGroup.from_json)

    def environments(
        self,
        token: Token,
        org_id: str,
        *,
        name: str | None = None,
        type: str | None = None,
        is_production: bool | None = None,
    ) -> list[Environment]:
        """Every environment of an organization (all pages), with Anypoint's filters."""
        path = endpoints.environments(org_id)
        params: dict[str, str | int] = {"limit": ENVIRONMENTS_PAGE}
        if name is not None:
            params["name"] = name
        if type is not None:
            params["type"] = type
        if is_production is not None:
            params["isProduction"] = "true" if is_production else "false"
        found: list[Environment] = []
        seen: set[Environment] = set()
        total, allowed = 0, MAX_PAGES
        for pages in range(1, MAX_PAGES + 1):
            body = self._get_json(path, _bearer(token), params={**params, "offset": len(found)})
            page = body.get("data")
            if not isinstance(page, list):
                raise self._unexpected(f"GET {path}", 200, "the answer has no 'data' list")
            fresh = [env for env in (Environment.from_json(item) for item in page
                                     if isinstance(item, dict)) if env not in seen]
            seen.update(fresh)
            found.extend(fresh)
            claimed = body.get("total")
            if not fresh or isinstance(claimed, bool) or not isinstance(claimed, int):
                return found  # the last page, or one that adds nothing new
            if pages == 1:  # the first answer's total and page size bound the whole listing
                total, allowed = claimed, min(MAX_PAGES, -(-claimed // len(page)) + 1)
            if len(found) >= total:
                return found
            if pages >= allowed:
                break
        raise self._unexpected(
            f"GET {path}", 200, f"the listing claims {total} environments but {pages} pages "
            f"gave {len(found)}: stopped rather than ask on without end")

    # Any Anypoint API --------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        token: Token,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        organization_id: str | None = None,
        environment_id: str | None = None,
    ) -> ApiResponse:
        """Call any Anypoint API of this control plane with a bearer token.

        ``path`` is a path on the control plane (``/apimanager/api/v1/…``), never a URL: absolute
        and scheme-relative URLs, ``.``/``..`` segments and encoded slashes are refused before
        anything is sent, so the token only ever goes to this client's host (redirects are not
        followed). Sends ``Authorization: Bearer``, and ``X-ANYPNT-ORG-ID`` /
        ``X-ANYPNT-ENV-ID`` when ``organization_id`` / ``environment_id`` are given; ``json`` is
        the body, ``params`` the query. Only idempotent methods (``GET``, ``HEAD``, ``PUT``,
        ``DELETE``, ``OPTIONS``) are retried, within the client's budget. A 2xx answer returns an
        :class:`ApiResponse`; anything else raises the package's errors (``NotFoundError``,
        ``TokenRejectedError``…), scrubbed of the token.
        """
        method = check_method(method)
        path = check_path(path)
        bearer_token = _bearer(token)
        headers = {name: value for name, value in (
            ("X-ANYPNT-ORG-ID", check_header_id("organization_id", organization_id)),
            ("X-ANYPNT-ENV-ID", check_header_id("environment_id", environment_id)))
            if value is not None}
        if json is not None and method in ("GET", "HEAD"):
            raise ConfigurationError(f"a {method} request has no body: drop json, or use POST",
                                     field="json")
        check_json(json)
        check_params(params)
        # Retried only when sending twice is harmless; the same pool either way.
        resp = self._http.request(method, path, token=bearer_token, params=params,
                                  json_body=json, headers=headers, retry=method in IDEMPOTENT)
        if not 200 <= resp.status_code < 300:
            failure = self._error(resp, path, (bearer_token,), bearer=True)
            if type(failure) is UnexpectedResponseError and 400 <= resp.status_code < 500:
                failure = failure.with_context("Anypoint refused the request", hint=_REFUSED_HINT)
            raise failure
        return ApiResponse(method=method, path=path, status=resp.status_code,
                           headers=kept_headers(resp.headers, bearer_token),
                           body=masked(self._body(resp, path), bearer_token))

    def _body(self, resp: requests.Response, path: str) -> Any:
        """An answer's JSON, else its text, else ``None`` (empty, or ``HEAD``)."""
        if resp.request.method == "HEAD" or not resp.content.strip():
            return None
        endpoint = f"{resp.request.method} {path}"
        if _is_html(resp):
            raise self._unexpected(endpoint, resp.status_code,
                                   "the answer is an HTML page, not an API answer",
                                   hint=_html_hint(resp))
        ctype = _content_type(resp)
        if ctype == "application/json" or ctype.endswith("+json"):
            try:  # bounded in depth and size, like every answer (see bodies.parse_json)
                return bodies.parse_json(resp.content)
            except bodies.MalformedJson as exc:
                problem = str(exc)
            raise self._unexpected(endpoint, resp.status_code, problem)
        return resp.content.decode(resp.encoding or "utf-8", errors="replace")

    # Ending ------------------------------------------------------------------------------

    def revoke(self, token: Token, *, client_id: str | None = None,
               client_secret: str | None = None) -> None:
        """Revoke an OAuth2 token (``/accounts/api/v2/oauth2/revoke``)."""
        token = _bearer(token)
        form = {"token": token, "token_type_hint": "access_token"}
        if client_id and client_secret:
            form.update(client_id=client_id, client_secret=client_secret)
        resp = self._http.request("POST", REVOKE, data=form, secrets=(token, client_secret))
        if resp.status_code >= 300:
            raise self._error(resp, REVOKE, (token, client_secret), bearer=True)

    def logout(self, token: Token) -> None:
        """End a user session (``/accounts/api/logout``)."""
        token = _bearer(token)
        resp = self._http.request("GET", LOGOUT, token=token,
                             headers={"X-Requested-With": "XMLHttpRequest"})
        if resp.status_code >= 300:
            raise self._error(resp, LOGOUT, (token,), bearer=True)

    # Internals ---------------------------------------------------------------------------

    def _read(self, path: str, token: Token, model: Callable[[dict[str, Any]], M]) -> M:
        body = self._get_json(path, _bearer(token))
        try:
            return model(body)
        except MalformedAnswer as exc:
            what = str(exc)
        except (ValueError, TypeError, OverflowError, RecursionError):  # values past any range
            what = "the answer holds values this client cannot read"
        raise self._unexpected(f"GET {path}", 200, what)

    def _get_json(
        self, path: str, token: str, *, params: Mapping[str, str | int] | None = None
    ) -> dict[str, Any]:
        resp = self._http.request("GET", path, token=token, params=params)
        if resp.status_code != 200:
            raise self._error(resp, path, (token,), bearer=True)
        return self._json_object(resp, path)

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
        body = self._json_object(resp, path)
        token = body.get("access_token")
        if not isinstance(token, str) or not token.strip():
            if "url" in body:
                raise MfaRequiredError(
                    "Anypoint asked for multi-factor verification instead of issuing a token",
                    host=self.host, endpoint=f"POST {path}", status=200, hint=_MFA_HINT,
                )
            raise self._unexpected(f"POST {path}", 200, "the answer has no access_token")
        problem = token_problem(token)
        if problem:  # it could not even be sent in a header, or it is absurd
            raise self._unexpected(f"POST {path}", 200,
                                        f"the access_token is not a usable bearer token: {problem}")
        token_type = body.get("token_type")
        token_type = token_type if isinstance(token_type, str) and token_problem(
            token_type) is None and len(token_type) <= MAX_TOKEN_TYPE_CHARS else "bearer"
        if grant.is_session:
            expires_at = self._session_expiry(token, issued_at)
        else:
            expires_at = issued_at + timedelta(seconds=lifetime_seconds(
                body.get("expires_in"), DEFAULT_OAUTH_SECONDS))
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
        if session.expires_at is not None:  # believed up to what Anypoint can issue
            return clamp_expiry(issued_at, session.expires_at, default)
        seconds = lifetime_seconds(session.lifetime_seconds, default=0.0)
        return issued_at + timedelta(seconds=seconds) if seconds else default

    # What an answer means ----------------------------------------------------------------

    def _unexpected(self, endpoint: str, status: int, what: str, *,
                    hint: str | None = None) -> UnexpectedResponseError:
        """The error for an answer this client cannot use."""
        return UnexpectedResponseError(
            f"Unexpected answer from Anypoint: {what}", host=self.host, endpoint=endpoint,
            status=status, hint=hint or "Check base_url points at an Anypoint control plane, "
            "then retry; report it if it persists")

    def _json_object(self, resp: requests.Response, path: str) -> dict[str, Any]:
        """The answer's JSON object, or :class:`UnexpectedResponseError` saying why not."""
        endpoint = f"{resp.request.method} {path}"
        if _is_html(resp):
            raise self._unexpected(endpoint, resp.status_code,
                                   "the answer is an HTML page, not JSON", hint=_html_hint(resp))
        try:
            body = bodies.parse_json(resp.content)
        except bodies.MalformedJson as exc:
            problem = str(exc)  # raised below, outside the handler
        else:
            problem = "" if isinstance(body, dict) else "the answer is not a JSON object"
        if problem:
            raise self._unexpected(endpoint, resp.status_code, problem)
        return body  # type: ignore[no-any-return]

    def _error(self, resp: requests.Response, path: str, secrets: Iterable[str | None], *,
               bearer: bool) -> AnypointError:
        """The error for a failed answer: its class, what happened and what to do."""
        known = tuple(secrets)
        status = resp.status_code
        detail = _detail(resp, known)
        said = f": Anypoint said {detail!r}" if detail else ""
        cls, what, hint = _classify(resp, path, known, bearer=bearer, detail=detail)
        clock = deadline.current()
        if clock is not None and clock.attempts > 1 and status in TRANSIENT:
            what += f" ({clock.attempts} attempts in {clock.elapsed():.1f} s)"
        endpoint = f"{resp.request.method} {path}"
        if cls is RateLimitedError:
            wait = retry_after(resp.headers) or reset_wait(resp.headers)
            when = f"wait about {math.ceil(wait)} s, then retry" if wait else "retry later"
            return RateLimitedError(what + said, retry_after=wait, host=self.host,
                                    endpoint=endpoint, status=status, hint=f"{hint}; {when}")
        return cls(what + said, host=self.host, endpoint=endpoint, status=status, hint=hint)


_NOT_ALLOWED = re.compile(r"(?i)no user attached|not allowed|not permitted|insufficient scope")


def _bearer(token: object) -> str:
    """The bearer string of ``token`` (a string or an :class:`AccessToken`); anything else,
    ``None`` or an empty string included, is refused before a request is sent."""
    value = bearer(token) if isinstance(token, (str, AccessToken)) else None
    if not isinstance(value, str) or not value.strip():
        got = "nothing" if token is None or token == "" else type(token).__name__
        raise ConfigurationError(f"token is required: give the access token (a string, or the "
                                 f"AccessToken a login returned), not {got}", field="token")
    return value


def _required(**values: object) -> None:
    """Each credential given, as a non-empty string: else a :class:`ConfigurationError` naming
    it, before anything is sent (``requests`` would drop a ``None`` from the form silently)."""
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            got = "nothing" if value is None or value == "" else (
                "blank" if isinstance(value, str) else f"a {type(value).__name__}")
            raise ConfigurationError(f"{name} is required for this login, as text; got {got}",
                                     field=name)


def _content_type(resp: requests.Response) -> str:
    return str(resp.headers.get("Content-Type", "")).split(";")[0].strip().lower()


def _is_html(resp: requests.Response) -> bool:
    """Whether an answer is an HTML page (a proxy's, a portal's, a wrong host's): its type says
    HTML, or its text starts with ``<`` and its type does not say XML. The one rule."""
    ctype = _content_type(resp)
    if "html" in ctype:
        return True
    return resp.content[:CHUNK_BYTES].lstrip()[:1] == b"<" and "xml" not in ctype


def _html_hint(resp: requests.Response) -> str:
    return ("A proxy, captive portal or wrong base_url answered instead of Anypoint: check "
            "base_url and HTTPS_PROXY" if resp.status_code < 500 else
            "Anypoint is failing; retry later")


def _detail(resp: requests.Response, secrets: Iterable[str | None]) -> str:
    """Anypoint's own words for an error: JSON message → error_description → error → text;
    scrubbed (:func:`~.redaction.excerpt`: bounded, redacted, printable, trimmed)."""
    if _is_html(resp):
        return "an HTML page" if resp.content[:CHUNK_BYTES].strip() else ""
    text = resp.content[:CHUNK_BYTES].decode("utf-8", errors="replace")
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
    return excerpt(text.strip(), secrets)


def _classify(resp: requests.Response, path: str, secrets: Iterable[str | None], *,
              bearer: bool, detail: str) -> tuple[type[AnypointError], str, str]:
    """Map an HTTP failure to (exception class, what happened, what to do)."""
    status = resp.status_code
    if status == 429 or (status == 503 and not resp.content.strip()):
        return (RateLimitedError, "Rate limited by Anypoint after retrying",
                "Anypoint allows about 500 logins a minute per organization")
    if status >= 500:
        retried = " after retrying" if status in TRANSIENT else ""
        return (errors.ServerError, f"Anypoint failed with a server error{retried}",
                "This is on Anypoint's side: retry later and check the MuleSoft status page")
    if 300 <= status < 400:
        return (UnexpectedResponseError,
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
