"""The emulator's WSGI application: routing, the Access Management endpoints, faults, latency,
rate-limit headers and the request log.

Handlers run under the store lock and never sleep or read the network: the body is read and
latency and fault delays happen before, so a slow request never blocks the others.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import apis, jwtgrant, shapes
from .faults import Fault, FaultQueue
from .saml import SamlDecodeError, decode_response, read_assertion
from .samples import CLOCK_PATH, SAML_SAMPLE_PATH, saml_sample
from .samples import clock as clock_control
from .state import ConnectedApp, Environment, GrantKind, Organization, Store, Token, User

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
XHR = "XMLHttpRequest"

Handler = Callable[..., Response]


class _Dropped(ConnectionAbortedError):
    """Raised out of the WSGI app after closing the socket; werkzeug treats it as a hang-up."""


class _LimitedRequest(Request):
    max_content_length = MAX_BODY_BYTES
    max_form_memory_size = MAX_BODY_BYTES


def json_response(
    obj: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON answer."""
    return Response(
        json.dumps(obj), status=status, mimetype="application/json", headers=dict(headers or {})
    )


def error_response(status: int, message: str) -> Response:
    """Anypoint's ``{"status", "message"}`` error shape."""
    return json_response({"status": status, "message": message}, status)


def oauth_error(status: int, error: str, description: str) -> Response:
    """The OAuth ``{"error", "error_description"}`` error shape."""
    return json_response({"error": error, "error_description": description}, status)


def unauthorized() -> Response:
    """Anypoint's bare ``text/plain`` ``Unauthorized``."""
    return Response("Unauthorized", status=401, mimetype="text/plain")


def redirect(location: str) -> Response:
    """A browser redirect (what Anypoint sends when ``X-Requested-With`` is missing)."""
    return Response("", status=302, headers={"Location": location}, mimetype="text/html")


class _BadBody(ValueError):
    """The request body claims to be JSON but is not a JSON object."""


def body_fields(request: Request) -> dict[str, str]:
    """String fields of a JSON object or form body; other JSON values are ignored."""
    if request.mimetype == "application/x-www-form-urlencoded":
        return request.form.to_dict()
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    if request.is_json or data.lstrip()[:1] == b"{":
        try:
            parsed = json.loads(data)
        except RecursionError:  # deeply nested: a 400 like any other bad body, not a 500
            raise _BadBody("the request body is nested too deeply") from None
        except (ValueError, UnicodeDecodeError):
            raise _BadBody("the request body is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise _BadBody("the request body must be a JSON object")
        return {k: v for k, v in parsed.items() if isinstance(v, str)}
    return request.form.to_dict()


ROUTES: tuple[tuple[str, str, str], ...] = (
    ("POST", "/accounts/api/v2/oauth2/token", "oauth_token"),
    ("POST", "/accounts/api/v2/oauth2/revoke", "revoke"),
    ("POST", "/accounts/oauth2/token", "legacy_token"),
    ("POST", "/accounts/login", "login"),
    ("POST", "/accounts/api/login", "login"),
    ("POST", "/accounts/login/receive-id", "saml"),
    ("POST", "/accounts/login/<org_domain>/providers/<provider_id>/receive-id", "saml"),
    ("GET", "/accounts/api/me", "me"),
    ("GET", "/accounts/api/profile", "profile"),
    ("GET", "/accounts/api/session", "session"),
    ("GET", "/accounts/api/logout", "logout"),
    ("GET", "/accounts/api/organizations/<org_id>", "organization"),
    ("GET", "/accounts/api/organizations/<org_id>/environments", "environments"),
    ("GET", "/accounts/api/organizations/<org_id>/hierarchy", "hierarchy"),
    ("GET", SAML_SAMPLE_PATH, "saml_sample"),
    ("GET", CLOCK_PATH, "clock"),
    ("POST", CLOCK_PATH, "clock"),
)
"""Method, path and handler of every endpoint the emulator serves (written out here, not taken
from the client's endpoints, so that a wrong path in the client fails the tests)."""


_URL_MAP: list[Map] = []
_URL_MAP_LOCK = threading.Lock()


def _url_map() -> Map:
    """The routing map, built once per process and shared (read-only) by every emulator.

    Building it compiles each rule with ``ast``; CPython 3.11 before 3.11.8 can fail that with
    "AST constructor recursion depth mismatch" when two threads do it at once, so it happens once.
    """
    with _URL_MAP_LOCK:
        if not _URL_MAP:
            _URL_MAP.append(Map([Rule(path, endpoint=endpoint, methods=[method])
                                 for method, path, endpoint in ROUTES],
                                strict_slashes=False, merge_slashes=False))
        return _URL_MAP[0]


class EmulatorApp:
    """The WSGI callable; one per :class:`~anypoint_pulumi.emulator.Emulator`."""

    def __init__(self, store: Store, faults: FaultQueue, stopping: threading.Event) -> None:
        self.store = store
        self.faults = faults
        self.stopping = stopping
        self.base_url = ""
        self.log_requests = False
        self._urls = _url_map()
        self._handlers: dict[str, Handler] = {
            endpoint: getattr(self, endpoint) for _, _, endpoint in ROUTES}

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        request = _LimitedRequest(environ)
        if self.store.latency > 0:
            self.stopping.wait(self.store.latency)
        fault = self.faults.take(request.method, request.path)
        if fault is not None and fault.delay > 0:
            self.stopping.wait(fault.delay)
        if fault is not None and fault.drop:
            self._drop(request, environ)
        if fault is not None and fault.status is not None:
            response = self._fault_response(fault)
        else:
            response = self._dispatch(request)
        self.store.record(request.method, request.path, response.status_code)
        return response(environ, start_response)

    def _drop(self, request: Request, environ: WSGIEnvironment) -> None:
        """Close the connection with no answer; raising ``ConnectionError`` keeps werkzeug quiet."""
        with contextlib.suppress(HTTPException):
            request.get_data()
        self.store.record(request.method, request.path, 0)
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise _Dropped("connection dropped by an injected fault")

    def _fault_response(self, fault: Fault) -> Response:
        response = Response(fault.body, status=fault.status, content_type=fault.content_type)
        for name, value in fault.headers.items():
            response.headers.add(name, value)
        if fault.rate_limit_reset_in is not None:
            reset = int(self.store.now().timestamp()) + fault.rate_limit_reset_in
            response.headers["X-RateLimit-Reset"] = str(reset)
        return response

    def _dispatch(self, request: Request) -> Response:
        window = self.store.hit_rate_limit()
        if self.store.rate_limit_enforced and window.exceeded:
            response = error_response(429, "Too Many Requests")
        else:
            response = self._route(request)
        response.headers["X-RateLimit-Limit"] = str(window.limit)
        response.headers["X-RateLimit-Remaining"] = str(window.remaining)
        response.headers["X-RateLimit-Reset"] = str(window.reset_epoch)
        return response

    def _route(self, request: Request) -> Response:
        adapter = self._urls.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            request.get_data(cache=True)
            with self.store.lock:
                return self._handlers[str(endpoint)](request, **values)
        except NotFound:
            with self.store.lock:
                answer = apis.serve(self.store, request, self._bearer, lambda token, org_id:
                                    self._in_tree(token.organization_id, org_id))
            return answer if answer is not None else error_response(404, "Not found")
        except MethodNotAllowed as exc:
            response = error_response(405, "Method not allowed")
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods or ()))
            return response
        except _BadBody as exc:
            return error_response(400, str(exc))
        except HTTPException as exc:
            code = exc.code or 500
            return error_response(code, exc.description or exc.name)
        except Exception:
            log.exception("emulator handler failed")
            return error_response(500, "Internal emulator error")

    def _bearer(self, request: Request) -> Token | None:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            return None
        return self.store.active_token(value.strip())

    def _session_answer(self, grant: GrantKind, person: User, redirect_url: str) -> Response:
        """A session token for ``person`` (login, SAML), lasting the organization's timeout."""
        token = self.store.issue_token(
            grant,
            organization_id=person.organization_id,
            lifetime_seconds=self.store.organizations[person.organization_id]
            .session_timeout_minutes * 60.0,
            user_id=person.id,
        )
        return json_response(
            {"access_token": token.value, "token_type": "bearer", "redirectUrl": redirect_url}
        )

    def _client_credentials(self, request: Request, fields: Mapping[str, str]) -> tuple[str, str]:
        client_id, client_secret = fields.get("client_id", ""), fields.get("client_secret", "")
        if not client_id and request.authorization and request.authorization.type == "basic":
            client_id = request.authorization.username or ""
            client_secret = request.authorization.password or ""
        return client_id, client_secret

    def oauth_token(self, request: Request) -> Response:
        """``POST /accounts/api/v2/oauth2/token``: client_credentials, password and JWT bearer."""
        fields = body_fields(request)
        grant = fields.get("grant_type", "")
        client_id, client_secret = self._client_credentials(request, fields)
        if not grant:
            return oauth_error(400, "invalid_request", "grant_type is required")
        if grant == jwtgrant.GRANT:
            return self._jwt_bearer(fields.get("assertion", ""))
        if grant not in ("client_credentials", "password"):
            return oauth_error(
                400, "unsupported_grant_type", f"grant type {grant!r} is not supported"
            )
        if not client_id or not client_secret:
            return oauth_error(400, "invalid_request", "client_id and client_secret are required")
        app = self.store.apps.get(client_id)
        if app is None or not secrets.compare_digest(app.client_secret, client_secret):
            return oauth_error(401, "invalid_client", "Invalid client credentials")
        if grant not in app.grant_types:
            return oauth_error(
                400, "unauthorized_client", f"this client may not use the {grant} grant"
            )
        if grant == "client_credentials":
            token = self.store.issue_token(
                "client_credentials",
                organization_id=app.organization_id,
                lifetime_seconds=self.store.token_lifetime_seconds,
                client_id=app.client_id,
                client_name=app.name,
            )
            return self._oauth_answer(token)
        return self._password_grant(app, fields)

    def _password_grant(self, app: ConnectedApp, fields: Mapping[str, str]) -> Response:
        username, password = fields.get("username", ""), fields.get("password", "")
        if not username or not password:
            return oauth_error(400, "invalid_request", "username and password are required")
        person = self.store.user_by_username(username)
        if (
            person is None
            or person.identity_provider_id is not None
            or not secrets.compare_digest(person.password, password)
            or not self._in_tree(app.organization_id, person.organization_id)
        ):
            return oauth_error(400, "invalid_grant", "Invalid username or password")
        if not person.enabled:
            return oauth_error(403, "access_denied", "User is disabled")
        token = self.store.issue_token(
            "password",
            organization_id=person.organization_id,
            lifetime_seconds=self.store.token_lifetime_seconds,
            user_id=person.id,
            client_id=app.client_id,
            client_name=app.name,
        )
        return self._oauth_answer(token)

    def _jwt_bearer(self, assertion: str) -> Response:
        """The JWT bearer grant: a user token for the federated user the assertion names."""
        if not assertion:
            return oauth_error(400, "invalid_request", "assertion is required")
        if len(assertion) <= jwtgrant.MAX_ASSERTION_CHARS:  # bounded: kept for leak sweeps
            self.store.jwt_assertions.append(assertion)
        judged = jwtgrant.verify(self.store, assertion,
                                 self.base_url + "/accounts/api/v2/oauth2/token", self.store.now())
        if isinstance(judged, jwtgrant.Refusal):
            return oauth_error(judged.status, judged.error, judged.description)
        token = self.store.issue_token(
            "jwt_bearer",
            organization_id=judged.user.organization_id,
            lifetime_seconds=self.store.token_lifetime_seconds,
            user_id=judged.user.id,
            client_id=judged.app.client_id,
            client_name=judged.app.name,
        )
        return self._oauth_answer(token)

    def _oauth_answer(self, token: Token) -> Response:
        return json_response(
            {
                "access_token": token.value,
                "token_type": "bearer",
                "expires_in": self.store.token_lifetime_seconds,
            }
        )

    def _in_tree(self, root_id: str, org_id: str) -> bool:
        """Whether ``org_id`` is ``root_id`` or one of its business groups."""
        return org_id == root_id or root_id in self.store.ancestors(org_id)

    def legacy_token(self, request: Request) -> Response:
        """``POST /accounts/oauth2/token``: organization/environment credentials only."""
        fields = body_fields(request)
        client_id, client_secret = self._client_credentials(request, fields)
        app = self.store.apps.get(client_id)
        if app is not None and secrets.compare_digest(app.client_secret, client_secret):
            return error_response(
                422, "Connected app credentials are not accepted here: use the v2 token endpoint"
            )
        owner = self.store.credential_owner(client_id) if client_id else None
        if owner is None or not secrets.compare_digest(owner.client_secret, client_secret):
            return unauthorized()
        if fields.get("grant_type", "client_credentials") != "client_credentials":
            return error_response(400, "Only the client_credentials grant is supported")
        org_id = owner.organization_id if isinstance(owner, Environment) else owner.id
        token = self.store.issue_token(
            "legacy",
            organization_id=org_id,
            lifetime_seconds=self.store.token_lifetime_seconds,
            client_id=owner.client_id,
            client_name=owner.name,
        )
        return json_response({"access_token": token.value, "token_type": "bearer"})

    def login(self, request: Request) -> Response:
        """``POST /accounts/login``: username and password; MFA users get no token."""
        fields = body_fields(request)
        person = self.store.user_by_username(fields.get("username", ""))
        password = fields.get("password", "")
        if (
            person is None
            or person.identity_provider_id is not None
            or not password
            or not secrets.compare_digest(person.password, password)
        ):
            return unauthorized()
        if not person.enabled:
            return error_response(403, "User is disabled")
        if person.mfa:
            state = secrets.token_urlsafe(16)
            response = json_response(
                {"url": f"{self.base_url}/accounts/mfa/verify?state={quote(state)}"}
            )
            response.set_cookie(
                "mulesoft.vaas.sess", secrets.token_urlsafe(24), path="/", httponly=True
            )
            return response
        return self._session_answer("login", person, "/home/")

    def saml(
        self, request: Request, org_domain: str | None = None, provider_id: str | None = None
    ) -> Response:
        """``POST /accounts/login[/{domain}/providers/{id}]/receive-id``: IdP-initiated SAML."""
        if request.headers.get("X-Requested-With", "") != XHR:
            return redirect("/login/signin")
        encoded = body_fields(request).get("SAMLResponse", "")
        if not encoded:
            return error_response(400, "SAMLResponse is required")
        try:
            assertion = read_assertion(decode_response(encoded))
        except SamlDecodeError as exc:
            return error_response(400, str(exc))
        now = self.store.now()
        if (
            assertion is None
            or assertion.in_response_to
            or (assertion.status is not None and not assertion.status.endswith(":Success"))
            or any(limit <= now for limit in assertion.not_on_or_after)
            or any(start > now for start in assertion.not_before)  # no clock skew
        ):
            return unauthorized()
        if assertion.response_id is None:
            return error_response(400, "SAMLResponse has no ID: every SAML 2.0 Response has one "
                                       "(it makes the response single use)")
        provider = self.store.identity_provider_by_issuer(assertion.issuer or "")
        if provider is None or (
            provider_id is not None
            and (provider.id != provider_id or provider.org_domain != org_domain)
        ):
            return unauthorized()
        person = self.store.user_by_username(assertion.name_id or "")
        if (
            person is None
            or not person.enabled
            or not self._in_tree(provider.organization_id, person.organization_id)
        ):
            return unauthorized()
        if person.identity_provider_id != provider.id:
            return error_response(401, "SAML signs in only users that the response's identity "
                                       "provider federates: this user is not federated by it")
        keys = [f"response:{assertion.response_id}",
                *(f"assertion:{i}" for i in assertion.assertion_ids)]
        until = min(assertion.not_on_or_after, default=None)
        if not self.store.used_saml_ids.use(
                *keys, until=until.timestamp() if until else float("inf"), now=now.timestamp()):
            return error_response(401, "SAML response already used: a response signs in once; "
                                       "get a fresh one from the identity provider")
        return self._session_answer("saml", person, "/exchange/login")

    def saml_sample(self, request: Request) -> Response:
        """``GET /emulator/saml-response``: a fresh SAML response (emulator only; see samples)."""
        return saml_sample(self.store, request)

    def clock(self, request: Request) -> Response:
        """``GET``/``POST /emulator/clock``: the emulator's clock, read or moved (see samples)."""
        return clock_control(self.store, request)

    def revoke(self, request: Request) -> Response:
        """``POST /accounts/api/v2/oauth2/revoke``: 200 whether or not the token was known."""
        value = body_fields(request).get("token", "")
        if not value:
            return oauth_error(400, "invalid_request", "token is required")
        self.store.revoke(value)
        return json_response({})

    def me(self, request: Request) -> Response:
        """``GET /accounts/api/me``: ``user``, ``client`` or both, by token kind."""
        token = self._bearer(request)
        if token is None:
            return unauthorized()
        body: dict[str, Any] = {}
        if token.client_id is not None:
            body["client"] = shapes.client(token, self.store.apps.get(token.client_id))
        if token.user_id is not None:
            body["user"] = shapes.user(self.store, self.store.users[token.user_id])
        return json_response(body)

    def profile(self, request: Request) -> Response:
        """``GET /accounts/api/profile``: the flat user, echoing the caller's token."""
        token = self._bearer(request)
        if token is None:
            return unauthorized()
        if token.user_id is None:
            return error_response(401, "There is no user attached to the token")
        body = shapes.user(self.store, self.store.users[token.user_id])
        body["access_token"] = token.value
        body["permissions"] = []
        return json_response(body)

    def session(self, request: Request) -> Response:
        """``GET /accounts/api/session``: when the caller's token was issued and expires."""
        token = self._bearer(request)
        if token is None:
            return unauthorized()
        return json_response(shapes.session(self.store, token))

    def logout(self, request: Request) -> Response:
        """``GET /accounts/api/logout``: ends the session for XHR callers, redirects others."""
        if request.headers.get("X-Requested-With", "") != XHR:
            return redirect("/login/signin?logout=true")
        token = self._bearer(request)
        if token is None:
            return unauthorized()
        self.store.revoke(token.value)
        return json_response({})

    def _readable_org(self, request: Request, org_id: str) -> tuple[Token, Organization] | Response:
        """The caller's token and the organization, or the 401/404/403 answer."""
        token = self._bearer(request)
        if token is None:
            return unauthorized()
        org = self.store.organizations.get(org_id)
        if org is None:
            return error_response(404, "Organization not found")
        if not self._in_tree(token.organization_id, org_id):
            return error_response(403, "You do not have access to this organization")
        return token, org

    def organization(self, request: Request, org_id: str) -> Response:
        """``GET /accounts/api/organizations/{id}``."""
        found = self._readable_org(request, org_id)
        if isinstance(found, Response):
            return found
        _, org = found
        return json_response(shapes.organization(self.store, org))

    def environments(self, request: Request, org_id: str) -> Response:
        """``GET /accounts/api/organizations/{id}/environments``: filtered and paged."""
        found = self._readable_org(request, org_id)
        if isinstance(found, Response):
            return found
        _, org = found
        args = request.args
        try:
            offset = int(args.get("offset", "0"))
            limit = min(int(args.get("limit", "25")), 500)
        except ValueError:
            return error_response(400, "offset and limit must be integers")
        if offset < 0 or limit < 0:
            return error_response(400, "offset and limit must not be negative")
        production = args.get("isProduction")
        if production is not None and production.lower() not in ("true", "false"):
            return error_response(400, "isProduction must be true or false")
        matches = [
            env
            for env in self.store.environments_of(org.id)
            if ("name" not in args or env.name == args["name"])
            and ("type" not in args or env.type == args["type"])
            and (production is None or env.is_production == (production.lower() == "true"))
        ]
        page = matches[offset : offset + limit]
        return json_response(
            {"data": [shapes.environment(env) for env in page], "total": len(matches)}
        )

    def hierarchy(self, request: Request, org_id: str) -> Response:
        """``GET /accounts/api/organizations/{id}/hierarchy``: refuses client tokens by default."""
        found = self._readable_org(request, org_id)
        if isinstance(found, Response):
            return found
        token, org = found
        if token.user_id is None and not self.store.hierarchy_allows_clients:
            return error_response(401, "Client credentials are not allowed on this resource")
        return json_response(shapes.hierarchy(self.store, org))

