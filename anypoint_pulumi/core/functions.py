"""The data functions, declared once, and what they read: Pulumi-free.

Each :class:`Function` names its arguments (with their docs), its result and its read. Front ends
are thin: the Python ``get_x``/``get_x_output`` pairs (:mod:`anypoint_pulumi.functions`) and the
provider plugin's ``anypoint-auth:index:getX`` both resolve their arguments to plain snake_case
values and call :func:`invoke`, which reaches Anypoint and returns the typed result.

A function either takes a token (``access_token`` with ``region``/``base_url``, or
``ANYPOINT_ACCESS_TOKEN`` handed over by a pipeline, and then ``organization_id`` defaults to
``ANYPOINT_ORG``), or logs in itself (``get_access_token``, from the token's login inputs).
Results never hold a credential, except ``get_access_token``'s, which is the token (and
always secret). Every request of one call shares one time budget: ``timeout_seconds``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..access import endpoints
from ..access.api_requests import check_method
from ..access.deadline import operation
from ..access.endpoints import ME, segment_problem
from ..access.errors import (
    AnypointError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    TokenRejectedError,
    UnexpectedResponseError,
)
from ..access.login import log_in
from ..access.models import (
    ENVIRONMENT_TYPES,
    AccessToken,
    App,
    BusinessGroup,
    GrantType,
    Kind,
    Me,
    User,
)
from ..access.redaction import excerpt
from ..access.settings import ConnectionSettings, check_timeout, region_names
from . import inputs as declared
from .messages import Notice
from .results import (
    AccessTokenResult,
    ApiResponse,
    BusinessGroupTree,
    Environment,
    Environments,
    Organization,
    Profile,
)
from .token import token_outputs

if TYPE_CHECKING:
    from ..access.client import AccessManagementClient

__all__ = [
    "CONNECTION_ARGUMENTS",
    "ENV_ORGANIZATION",
    "ENV_TOKEN",
    "FUNCTIONS",
    "REJECTED_HINT",
    "Argument",
    "Call",
    "Function",
    "carries_secrecy",
    "invoke",
]

ENV_TOKEN = "ANYPOINT_ACCESS_TOKEN"
"""The environment variable a pipeline hands a token over in (read when no token is given)."""
ENV_ORGANIZATION = "ANYPOINT_ORG"
"""The organization id that goes with it (anypoint-cli-v4's name)."""

REJECTED_HINT = (
    "With an AnypointToken, run `pulumi up --refresh`: the refresh notices the expired or revoked "
    "token and the update renews it (a token passed as access_token must be replaced by a fresh "
    "one). If it persists, grant the connected app (scopes) or the user (roles) the permission"
)
"""What to do about a rejected token (Anypoint answers 401 for expired, revoked and forbidden)."""


@dataclass(frozen=True)
class Argument:
    """One argument of a data function."""

    name: str
    type: type
    doc: str
    required: bool = False
    secret: bool = False


_CONNECTION = (
    Argument("access_token", str, "The bearer token (an AnypointToken's access_token); "
             f"default: the {ENV_TOKEN} environment variable.", secret=True),
    Argument("region", str, f"Control plane of the token: {region_names()}; default "
             "from config and the environment, else us."),
    Argument("base_url", str, "Full base URL instead of region (Private Cloud Edition, the "
             "emulator)."),
    Argument("timeout_seconds", float, "Time budget of the whole call in seconds, retries and "
             "waits included (default 30)."),
    Argument("ca_bundle", str, "Path of a PEM bundle of CAs to trust."),
    Argument("verify_tls", bool, "Verify TLS certificates (default true); turn off only in a "
             "lab."),
)
_GRANT_TYPE = Argument("grant_type", str, "The flow that produced the token ("
                       + ", ".join(g.value for g in GrantType) + "): saves a request for "
                       "client tokens.")
CONNECTION_ARGUMENTS = (*(a.name for a in _CONNECTION), _GRANT_TYPE.name)
"""The arguments every token-taking function uses to reach Anypoint."""
_ORGANIZATION = Argument("organization_id", str, "The organization (or business group) id; "
                         f"default: the token's own (or {ENV_ORGANIZATION} with a handed-over "
                         "token).")


@dataclass(frozen=True)
class Call:
    """What a read gets: the client, the token, its kind when known, and the function's own
    arguments (plain values); ``issued`` is the token a login function got."""

    client: AccessManagementClient
    token: str
    kind: Kind | None
    args: Mapping[str, Any]
    issued: AccessToken | None = None

    def organization_id(self) -> str:
        """The ``organization_id`` argument, or else the token's own organization (``/me``)."""
        given = self.args.get("organization_id")
        if given is not None:
            if not isinstance(given, str) or not given.strip():
                raise ConfigurationError("organization_id must be a non-empty string, or unset "
                                         "for the token's own organization",
                                         field="organization_id")
            return given.strip()
        found = self.client.me(self.token).organization_id
        if not found or segment_problem(found):
            what = "no organization" if not found else "an organization id no URL can hold"
            raise UnexpectedResponseError(
                f"Unexpected answer from Anypoint: /me names {what} for this token",
                host=self.client.host, endpoint=f"GET {ME}", status=200,
                hint="Pass organization_id explicitly")
        return found


def _read_profile(call: Call) -> Profile:
    if call.kind == "client":
        return _from_me(call, call.client.me(call.token))
    if call.kind == "user":
        return _from_user(call.client.profile(call.token), None)
    try:
        return _from_user(call.client.profile(call.token), None)
    except TokenRejectedError as exc:
        if exc.status != 401:
            raise
    # A client-credentials token ("no user attached"), or a rejected one: /me tells them apart.
    return _from_me(call, call.client.me(call.token))


def _from_me(call: Call, me: Me) -> Profile:
    if me.user is not None:
        return _from_user(me.user, me.client)
    if me.client is None:
        raise UnexpectedResponseError(
            "Unexpected answer from Anypoint: /me has neither a user nor a client",
            host=call.client.host, endpoint=f"GET {ME}", status=200,
            hint="Check base_url points at an Anypoint control plane",
        )
    app = me.client
    return Profile(kind="client", id=app.client_id, username=None, first_name=None,
                   last_name=None, email=None, organization_id=app.organization_id,
                   organization_name=None, member_of_organizations=(),
                   client_id=app.client_id, client_name=app.name)


def _from_user(user: User, app: App | None) -> Profile:
    return Profile(kind="user", id=user.id, username=user.username,
                   first_name=user.first_name, last_name=user.last_name, email=user.email,
                   organization_id=user.organization_id,
                   organization_name=user.organization_name,
                   member_of_organizations=user.member_of_organizations,
                   client_id=app.client_id if app else None,
                   client_name=app.name if app else None)



_LISTED = 30
"""At most this many existing names in the error of a name that is not there."""


def _read_all(call: Call) -> Environments:
    name, kind, production = (call.args.get(key) for key in ("name", "type", "is_production"))
    if name is not None and not isinstance(name, str):
        raise ConfigurationError("name must be a string", field="name")
    if kind is not None and kind not in ENVIRONMENT_TYPES:
        raise ConfigurationError(
            f"type {kind!r} is not an environment type: use one of "
            f"{', '.join(ENVIRONMENT_TYPES)} (lower case), or leave it unset", field="type")
    if production is not None and not isinstance(production, bool):
        raise ConfigurationError("is_production must be true or false", field="is_production")
    organization_id = call.organization_id()
    found = call.client.environments(call.token, organization_id, name=name, type=kind,
                                     is_production=production)
    return Environments(organization_id, tuple(found))


def _read_one(call: Call) -> Environment:
    name = call.args.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigurationError("name must be the environment's name (e.g. 'Sandbox')",
                                 field="name")
    organization_id = call.organization_id()
    matches = [env for env in call.client.environments(call.token, organization_id, name=name)
               if env.name == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(excerpt(env.id, (call.token,), 60) for env in matches[:_LISTED])
        raise ConfigurationError(
            f"{len(matches)} environments are called {name!r} in organization "
            f"{organization_id!r} (ids {ids})",
            field="name", hint="Use get_environments and choose by id",
        )
    raise _missing(call, organization_id, name)


def _missing(call: Call, organization_id: str, name: str) -> NotFoundError:
    """The error for a name that is not there, listing the names that are."""
    # Names are the server's words: scrubbed (bounded, redacted, printable) before shown.
    names = sorted(excerpt(env.name, (call.token,), 80)
                   for env in call.client.environments(call.token, organization_id))
    if not names:
        hint = "The organization has no environment this token can see"
    else:
        listed = ", ".join(repr(n) for n in names[:_LISTED])
        more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
        hint = f"Existing environments: {listed}{more} (names are case-sensitive)"
        folded = name.casefold()
        close = ([n for n in names if n.casefold() == folded]
                 or [n for n in names if n.casefold().startswith(folded)]
                 or difflib.get_close_matches(name, names, n=1, cutoff=0.6))
        if close:
            hint += f". Did you mean {close[0]!r}?"
    return NotFoundError(
        f"no environment named {name!r} in organization {organization_id!r}",
        host=call.client.host, endpoint=f"GET {endpoints.environments(organization_id)}",
        hint=hint,
    )



HIERARCHY_REFUSED_HINT = (
    "Anypoint does not let client-credentials tokens (a connected app acting on its own behalf) "
    "read the business-group hierarchy. Use a user token: an AnypointToken with username and "
    "password plus the client_id and client_secret of a connected app that acts on behalf of a "
    "user (MFA-safe), or a login/SAML token. get_organization works with this token and lists "
    "the organization's sub_organization_ids"
)


def _read_organization(call: Call) -> Organization:
    return call.client.organization(call.token, call.organization_id())


def _read_tree(call: Call) -> BusinessGroupTree:
    return BusinessGroupTree(_hierarchy(call, call.organization_id()))


def _hierarchy(call: Call, organization_id: str) -> BusinessGroup:
    """``/hierarchy``, telling a refused client token from a rejected or powerless one."""
    try:
        return call.client.hierarchy(call.token, organization_id)
    except TokenRejectedError as exc:
        if exc.status != 401 or call.kind == "user":
            raise
        refused = exc
    confirmed = call.kind == "client"
    if not isinstance(refused, PermissionDeniedError):
        # A bare 401: a rejected token, or a client token refused without saying so.
        me = call.client.me(call.token)  # raises TokenRejectedError when the token is rejected
        if me.user is not None or me.client is None:
            raise refused
        confirmed = True
    kind = ("this client-credentials token" if confirmed
            else "this token (a client-credentials token?)")
    raise PermissionDeniedError(
        f"Anypoint refused to read the business-group hierarchy of organization "
        f"{organization_id!r} with {kind}",
        host=refused.host, endpoint=refused.endpoint, status=refused.status,
        hint=HIERARCHY_REFUSED_HINT,
    )



READ_METHODS = ("GET", "HEAD", "POST")
"""What a data function may send: reads, and POST for query endpoints (it runs on every run)."""


def _read_api_response(call: Call) -> ApiResponse:
    args = call.args
    method = check_method(args.get("method") or "GET")
    if method not in READ_METHODS:
        raise ConfigurationError(
            f"get_api_response is for reads (GET, HEAD, or POST to a query endpoint): a data "
            f"function runs on every preview and update, so a {method} would be repeated each "
            "time. Change things with a resource (a dynamic resource calling "
            "AccessManagementClient.request, or pulumi_command)", field="method")
    params = args.get("params")
    if params is not None and not isinstance(params, Mapping):
        raise ConfigurationError("params must be a map of query parameters, e.g. "
                                 "{\"limit\": 10}", field="params")
    if not isinstance(args.get("secret", False), bool):
        raise ConfigurationError("secret must be true or false", field="secret")
    return call.client.request(method, args["path"], token=call.token,
                               json=args.get("json"), params=params,
                               organization_id=args.get("organization_id"),
                               environment_id=args.get("environment_id"))



def _read_access_token(call: Call) -> AccessTokenResult:
    assert call.issued is not None  # a login function's call carries the token it got
    return AccessTokenResult(**token_outputs(call.issued))




@dataclass(frozen=True)
class Function:
    """One data function: its name, doc, arguments, result and read."""

    name: str
    doc: str
    read: Callable[[Call], Any]
    result: type
    arguments: tuple[Argument, ...]
    shown: tuple[str, ...] = ()
    """Arguments its errors name (``get_environment(name='Sandbox')``)."""
    logs_in: bool = False
    """It logs in itself from the token's login inputs instead of taking a token; its result is
    the token, always secret."""
    secret_argument: str | None = None
    """An argument that, when true, makes the result secret."""
    env_organization: bool = False
    """``organization_id`` defaults to ``ANYPOINT_ORG`` when the token came from
    ``ANYPOINT_ACCESS_TOKEN``."""

    @property
    def takes(self) -> tuple[str, ...]:
        """The names of its arguments."""
        return tuple(argument.name for argument in self.arguments)

    def result_is_secret(self, values: Mapping[str, Any], secret_arguments: Iterable[str]) -> bool:
        """Whether its result must be secret: a login function's always (it is the token), else
        when ``secret`` is true or any argument arrived secret, but the token and how to reach
        Anypoint (no result holds them)."""
        return (self.logs_in or (self.secret_argument is not None
                                 and values.get(self.secret_argument) is True)
                or any(carries_secrecy(name) for name in secret_arguments))


def carries_secrecy(argument: str) -> bool:
    """Whether a secret argument makes a result secret: all do but the token and how to reach
    Anypoint, which no result holds."""
    return argument not in (*CONNECTION_ARGUMENTS, "token")


_LOGIN_ARGUMENTS = tuple(Argument(spec.name, spec.type, spec.doc, secret=spec.secret)
                         for spec in declared.INPUTS if not spec.state_only)

PROFILE = Function(
    "get_profile", "Who a token belongs to: a user, or a connected app acting on its own behalf.",
    _read_profile, Profile, (*_CONNECTION, _GRANT_TYPE))
ENVIRONMENTS = Function(
    "get_environments", "The environments of an organization (every page), filtered by name, "
    "type or is_production.", _read_all, Environments,
    (_ORGANIZATION,
     Argument("name", str, "Only the environment of this exact name."),
     Argument("type", str, "Only environments of this type: " + ", ".join(ENVIRONMENT_TYPES)
              + "."),
     Argument("is_production", bool, "Only production (true) or non-production (false) "
              "environments."),
     *_CONNECTION),
    shown=("organization_id", "name", "type", "is_production"), env_organization=True)
ENVIRONMENT = Function(
    "get_environment", "The environment of an organization called name (exactly); fails "
    "listing the names that exist when there is none.", _read_one, Environment,
    (Argument("name", str, "The environment's name (e.g. Sandbox).", required=True),
     _ORGANIZATION, *_CONNECTION),
    shown=("name", "organization_id"), env_organization=True)
ORGANIZATION = Function(
    "get_organization", "An organization (default: the token's own).", _read_organization,
    Organization, (_ORGANIZATION, *_CONNECTION), shown=("organization_id",),
    env_organization=True)
BUSINESS_GROUPS = Function(
    "get_business_groups", "The business-group tree below an organization (needs a user "
    "token).", _read_tree, BusinessGroupTree, (_ORGANIZATION, *_CONNECTION, _GRANT_TYPE),
    shown=("organization_id",), env_organization=True)
ACCESS_TOKEN = Function(
    "get_access_token", "Log in on every run and return the token, kept in state only if "
    "exported or passed to a resource (as a secret).", _read_access_token, AccessTokenResult,
    _LOGIN_ARGUMENTS, logs_in=True)
API_RESPONSE = Function(
    "get_api_response", "Read any Anypoint API of the token's control plane (GET, HEAD, or POST "
    "to a query endpoint); the token is masked wherever the answer echoes it.",
    _read_api_response, ApiResponse,
    (Argument("path", str, "A path on the control plane, e.g. /apimanager/api/v1/…",
              required=True),
     Argument("method", str, "GET (default), HEAD or POST."),
     Argument("json", object, "The JSON body (POST)."),
     Argument("params", dict, "The query parameters."),
     Argument("organization_id", str, "Sent as X-ANYPNT-ORG-ID."),
     Argument("environment_id", str, "Sent as X-ANYPNT-ENV-ID."),
     Argument("secret", bool, "Make the result secret (it is whenever an argument is)."),
     *_CONNECTION),
    shown=("method", "path"), secret_argument="secret")

FUNCTIONS: tuple[Function, ...] = (PROFILE, ENVIRONMENTS, ENVIRONMENT, ORGANIZATION,
                                   BUSINESS_GROUPS, ACCESS_TOKEN, API_RESPONSE)
"""Every data function, in the order the docs list them."""


# Invoking -----------------------------------------------------------------------------------


def _grant_type(value: Any) -> GrantType | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"grant_type must be a string, not {type(value).__name__}",
                                 field="grant_type")
    try:
        return GrantType(value.strip().lower())
    except ValueError:
        raise ConfigurationError(
            f"unknown grant_type {value!r}: use one of {', '.join(g.value for g in GrantType)} "
            "(the flow that produced the token), or leave it unset",
            field="grant_type",
        ) from None


def _token_call(values: Mapping[str, Any], notify: Callable[[Notice], None]) -> Call:
    """Validate the connection values and make the :class:`Call` of the given token."""
    from ..access.client import AccessManagementClient

    token = values.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise ConfigurationError(
            "access_token is empty: pass the access_token output of an AnypointToken (or "
            "token=the AnypointToken itself), or another Anypoint access token",
            field="access_token",
        )
    settings = ConnectionSettings.resolve(
        region=values.get("region"), base_url=values.get("base_url"),
        timeout_seconds=values.get("timeout_seconds"), ca_bundle=values.get("ca_bundle"),
        verify_tls=values.get("verify_tls"))
    grant = _grant_type(values.get("grant_type"))
    notice = declared.insecure_notice(settings)
    if notice:
        notify(notice)
    args = {key: value for key, value in values.items() if key not in CONNECTION_ARGUMENTS}
    return Call(AccessManagementClient(settings=settings), token.strip(),
                grant.kind if grant else None, args)


def _login_call(values: Mapping[str, Any], notify: Callable[[Notice], None]) -> Call:
    """Log in with the login inputs (checked as the token resource checks them)."""
    spec = declared.checked_login(values)
    notice = declared.insecure_notice(spec.settings)
    if notice:
        notify(notice)
    client = spec.client()
    issued = log_in(spec, client)
    return Call(client, issued.access_token, issued.grant_type.kind, {}, issued)


def handed_over(values: Mapping[str, Any], function: Function,
                environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``values`` with a pipeline's hand-over filled in when no token is given: the token from
    ``ANYPOINT_ACCESS_TOKEN`` and, for organization-scoped functions, ``organization_id`` from
    ``ANYPOINT_ORG``."""
    environ = os.environ if environ is None else environ
    if values.get("access_token") is not None or function.logs_in:
        return dict(values)
    found = dict(values, access_token=environ.get(ENV_TOKEN, "").strip() or None)
    if (function.env_organization and found.get("organization_id") is None
            and environ.get(ENV_ORGANIZATION, "").strip()):
        found["organization_id"] = environ[ENV_ORGANIZATION].strip()
    return found


def invoke(function: Function, values: Mapping[str, Any],
           notify: Callable[[Notice], None] = lambda notice: None) -> Any:
    """Run ``function`` with plain snake_case ``values`` (its arguments, resolved) and return
    its result. Every request shares one budget (``timeout_seconds``); an error names the
    function and what it was asked (never a secret)."""
    shown = ", ".join(f"{key}={values[key]!r}" for key in function.shown
                      if values.get(key) is not None)
    context = f"{function.name}({shown})"
    try:
        with operation(check_timeout(values.get("timeout_seconds"))):
            call = (_login_call(values, notify) if function.logs_in
                    else _token_call(values, notify))
            return function.read(call)
    except AnypointError as exc:
        rejected = isinstance(exc, TokenRejectedError) and not isinstance(
            exc, PermissionDeniedError)
        failure = exc.with_context(context, hint=REJECTED_HINT if rejected else None)
    raise failure
