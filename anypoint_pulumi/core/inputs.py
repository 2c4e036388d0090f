"""The one declaration of the token's inputs and outputs, and what derives from it.

Each :class:`Input` says its name, group (credential, location or setting), type, whether it is
secret, its default and bounds, its config key and environment variables, whether a change asks
for a new token, and what it means. From :data:`INPUTS` come the secret lists, the defaults, the
checks (:func:`check`), the typed login spec (:func:`login_spec`), the config/environment
fallback (:mod:`.sources`), the Python signatures' docs, the provider plugin's schema and the
docs' tables. Nothing here knows Pulumi: values are plain snake_case dicts, and a value not
known yet is :data:`~.messages.UNKNOWN`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..access import login
from ..access.assertion import check_private_key
from ..access.endpoints import segment_problem
from ..access.errors import ConfigurationError
from ..access.limits import check_text
from ..access.models import GrantType
from ..access.settings import (
    DEFAULT_REGION,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
    MIN_TIMEOUT_SECONDS,
    ConnectionSettings,
    check_ca_bundle,
    check_location,
    check_place,
    check_timeout,
    check_verify_tls,
    normalize_base_url,
    region_names,
)
from .messages import UNKNOWN, Notice, Problem

__all__ = [
    "CONFIG_NAMESPACE",
    "INPUTS",
    "LOGIN_NAMES",
    "OUTPUTS",
    "SECRET_INPUTS",
    "SECRET_OUTPUTS",
    "Group",
    "Input",
    "Output",
    "check",
    "flow_of",
    "insecure_notice",
    "is_unknown",
    "login_spec",
]

CONFIG_NAMESPACE = "anypoint-auth"
"""Our config namespace, shared by the dynamic resource and the provider plugin (whose package
is ``anypoint-auth``); ``anypoint:`` is read after it, group by group (see :mod:`.sources`)."""


class Group(str, Enum):
    """How inputs fall back to config and environment: each group as a whole, never mixed."""

    CREDENTIAL = "credential"
    LOCATION = "location"
    SETTING = "setting"


@dataclass(frozen=True)
class Input:
    """One input of ``AnypointToken``."""

    name: str
    group: Group
    type: type
    doc: str
    secret: bool = False
    default: Any = None
    bounds: tuple[float, float] | None = None
    config_key: str | None = None
    env_vars: tuple[str, ...] = ()
    replaces: bool = False
    """A change asks for a new token (else the token is kept and the setting updated)."""
    selects_flow: bool = False
    """Giving it means the program chose its credentials (no config/environment fallback)."""
    fallback: str | None = None
    """What applies when nothing gives a value (the input itself stays unset)."""
    state_only: bool = False
    """Means something only for a token kept in state (renewal, triggers, revocation): the
    ``get_access_token`` data function, which logs in on every run, does not take it."""


@dataclass(frozen=True)
class Output:
    """One output the provider adds to the inputs."""

    name: str
    doc: str
    secret: bool = False


def _credential(name: str, doc: str, *, secret: bool = False, config: str | None = None,
                env: str | None = None, selects: bool = True) -> Input:
    return Input(name, Group.CREDENTIAL, str, doc, secret=secret, config_key=config,
                 env_vars=(env,) if env else (), replaces=True, selects_flow=selects)


INPUTS: tuple[Input, ...] = (
    _credential("client_id", "Connected app's client id.", config="clientId",
                env="ANYPOINT_CLIENT_ID"),
    _credential("client_secret", "Connected app's client secret (always stored as a secret).",
                secret=True, config="clientSecret", env="ANYPOINT_CLIENT_SECRET"),
    _credential("username", "Anypoint user name, for the password grant or the legacy login.",
                config="username", env="ANYPOINT_USERNAME"),
    _credential("password", "The user's password (always stored as a secret).", secret=True,
                config="password", env="ANYPOINT_PASSWORD"),
    _credential("saml_response", "A base64 SAML response of an IdP-initiated login (single use; "
                "stored as a secret).", secret=True),
    _credential("saml_org_domain", "Organization domain for the org-specific SAML endpoint "
                "(with saml_provider_id).", selects=False),
    _credential("saml_provider_id", "Identity provider id for the org-specific SAML endpoint "
                "(with saml_org_domain).", selects=False),
    _credential("private_key", "PEM private key of a connected app with the JWT bearer grant "
                "(its certificate uploaded to the app); with identity_provider_id, username and "
                "client_id (always stored as a secret; needs the jwt extra).", secret=True,
                config="privateKey", env="ANYPOINT_PRIVATE_KEY"),
    _credential("identity_provider_id", "Id of the identity provider that federates username, "
                "for the JWT bearer grant (with private_key).", config="identityProviderId",
                env="ANYPOINT_IDENTITY_PROVIDER_ID"),
    # base_url before region: the first environment variable set wins, in this order.
    Input("base_url", Group.LOCATION, str, "Full base URL instead of region (Private Cloud "
          "Edition, the emulator); https except for loopback hosts.", config_key="baseUrl",
          env_vars=("ANYPOINT_BASE_URL", "ANYPOINT_HOST"), replaces=True),
    Input("region", Group.LOCATION, str, f"Control plane: {region_names()}.",
          config_key="region", env_vars=("ANYPOINT_CPLANE",), replaces=True,
          fallback=DEFAULT_REGION),
    Input("renew_before_seconds", Group.SETTING, float, "Renew once less than this much "
          "validity remains.", default=600, bounds=(0, 86_400), state_only=True),
    Input("triggers", Group.SETTING, dict, "Map of strings; any change forces a new token (like "
          "keepers in pulumi-random).", replaces=True, state_only=True),
    Input("revoke_on_delete", Group.SETTING, bool, "Revoke (OAuth) or log out (sessions) the "
          "token when the resource is deleted or replaced.", default=True, state_only=True),
    Input("timeout_seconds", Group.SETTING, float, "Time budget of each operation (login, "
          "refresh, revoke) in seconds, its retries and waits included.",
          default=int(DEFAULT_TIMEOUT_SECONDS), bounds=(MIN_TIMEOUT_SECONDS,
                                                        MAX_TIMEOUT_SECONDS),
          config_key="timeoutSeconds"),
    Input("ca_bundle", Group.SETTING, str, "Path of a PEM bundle of CAs to trust (TLS-inspecting "
          "proxies, Private Cloud Edition).", config_key="caBundle"),
    Input("verify_tls", Group.SETTING, bool, "Verify TLS certificates; turn off only in a lab.",
          default=True, config_key="verifyTls"),
)
"""Every input, in the order the docs list them."""

OUTPUTS: tuple[Output, ...] = (
    Output("access_token", "The bearer token for ``Authorization: Bearer …``.", secret=True),
    Output("token_type", "The token type Anypoint reported (``bearer``)."),
    Output("grant_type", "The flow that produced the token: "
           + ", ".join(f"``{g.value}``" for g in GrantType) + "."),
    Output("issued_at", "When the token was issued (RFC 3339, UTC)."),
    Output("expires_at", "When the token stops working (RFC 3339, UTC)."),
    Output("base_url", "The control plane the token belongs to (resolved from region)."),
)
"""What the provider adds to the inputs (``base_url`` is an input too, resolved here)."""

BY_NAME: Mapping[str, Input] = {spec.name: spec for spec in INPUTS}
NAMES = tuple(BY_NAME)
LOGIN_NAMES = tuple(spec.name for spec in INPUTS if not spec.state_only)
"""The inputs of a login: credentials, location and connection settings (``get_access_token``)."""
CONNECTION_NAMES = tuple(spec.name for spec in INPUTS
                         if spec.group is Group.SETTING and not spec.state_only)
"""How to connect (``timeout_seconds``, ``ca_bundle``, ``verify_tls``): what a data function given
``token=`` inherits from the token."""
SECRET_INPUTS = tuple(spec.name for spec in INPUTS if spec.secret)
SECRET_OUTPUTS = (*(out.name for out in OUTPUTS if out.secret), *SECRET_INPUTS)
"""The resource's ``additional_secret_outputs``."""
TOKEN_OUTPUTS = tuple(out.name for out in OUTPUTS)
CREDENTIALS = tuple(spec.name for spec in INPUTS if spec.group is Group.CREDENTIAL)
REPLACING = tuple(spec.name for spec in INPUTS if spec.replaces and spec.group
                  is not Group.LOCATION)
"""Inputs whose change asks for a new token (the location is compared resolved)."""
SETTINGS = tuple(spec.name for spec in INPUTS if not spec.replaces)
"""Inputs updated in place: the token is kept."""
DEFAULTS: Mapping[str, Any] = {spec.name: spec.default for spec in INPUTS
                               if spec.default is not None}

_VALID_COMBINATIONS = (
    "client_id + client_secret (client credentials, recommended); "
    "username + password + client_id + client_secret (a connected app acting for a user); "
    "private_key + identity_provider_id + username + client_id (JWT bearer grant, federated "
    "users); username + password (legacy login; fails for MFA users); "
    "or saml_response (optionally with saml_org_domain + saml_provider_id)"
)
PATH_SEGMENTS = ("saml_org_domain", "saml_provider_id")
"""Inputs that become a segment of a URL path (checked: no ``..``, ``/`` and the like)."""


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is not known yet (in a preview)."""
    return value is UNKNOWN


def given(props: Mapping[str, Any], key: str) -> bool:
    """Whether ``props`` sets ``key`` to something (unknown counts; ``""`` does not)."""
    value = props.get(key)
    return value is not None and value != ""


def _place(props: Mapping[str, Any]) -> tuple[Any, Any]:
    """``(region, base_url)``; stored outputs hold both, and their resolved base_url wins."""
    base_url = props.get("base_url")
    return (None, base_url) if base_url else (props.get("region"), None)


def base_url_of(props: Mapping[str, Any]) -> str:
    """The base URL that inputs (or stored outputs) point at."""
    return check_location(*_place(props))


def connection_settings(props: Mapping[str, Any]) -> ConnectionSettings:
    """The connection settings that inputs (or stored outputs) name, validated: the one way
    inputs become :class:`ConnectionSettings`."""
    region, base_url = _place(props)
    return ConnectionSettings.resolve(
        region=region, base_url=base_url, timeout_seconds=props.get("timeout_seconds"),
        ca_bundle=props.get("ca_bundle"), verify_tls=props.get("verify_tls"))


def _credentials(props: Mapping[str, Any]) -> login.Credentials:
    flow = flow_of(props)
    if flow is GrantType.CLIENT_CREDENTIALS:
        return login.ClientCredentials(props["client_id"], props["client_secret"])
    if flow is GrantType.PASSWORD:
        return login.PasswordGrant(props["client_id"], props["client_secret"], props["username"],
                             props["password"])
    if flow is GrantType.LOGIN:
        return login.UserLogin(props["username"], props["password"])
    if flow is GrantType.JWT_BEARER:
        return login.JwtBearer(props["client_id"], props["private_key"],
                         props["identity_provider_id"], props["username"])
    if flow is GrantType.SAML:
        return login.Saml(props["saml_response"], props.get("saml_org_domain") or None,
                    props.get("saml_provider_id") or None)
    raise ConfigurationError("no login flow selected: give credentials", field="client_id")


def login_spec(props: Mapping[str, Any]) -> login.LoginSpec:
    """The typed login of checked inputs (or of stored outputs, which hold them)."""
    return login.LoginSpec(_credentials(props), connection_settings(props))


def checked_login(values: Mapping[str, Any], *,
                  environment_only: bool = False) -> login.LoginSpec:
    """:func:`check` then :func:`login_spec`, for callers that stop at the first problem (a data
    function, the CLI): a :class:`ConfigurationError` names the input and the fix
    (``environment_only``: the caller reads no input and no config, only ``ANYPOINT_*``)."""
    inputs, problems = check({key: value for key, value in values.items()
                              if key in LOGIN_NAMES}, environment_only=environment_only)
    if problems:
        raise ConfigurationError("; ".join(problem.reason for problem in problems),
                                 field=problems[0].field)
    return login_spec(inputs)


def insecure_notice(settings: ConnectionSettings) -> Notice | None:
    """The warning of every operation that talks to a control plane without verifying TLS."""
    if settings.verify_tls or settings.ca_bundle or not settings.base_url.startswith("https://"):
        return None  # verified, or plain HTTP to loopback: no certificate to verify
    return Notice("warning", (
        f"verify_tls is false: the TLS certificate of {settings.base_url} is not verified, so "
        "anyone on the network path can read the credentials and the token. Set ca_bundle to "
        "the PEM file of the CA that signed it instead (a TLS-inspecting proxy's, or Private "
        "Cloud Edition's)."))


# Checks -------------------------------------------------------------------------------------------


def flow_of(props: Mapping[str, Any]) -> GrantType | None:
    """Which login flow a set of inputs selects, or ``None`` when they select none."""
    has = {key: given(props, key) for key in CREDENTIALS}
    if has["saml_response"]:
        return GrantType.SAML
    if has["private_key"]:
        return GrantType.JWT_BEARER
    if has["username"] and has["password"]:
        if has["client_id"] and has["client_secret"]:
            return GrantType.PASSWORD
        return GrantType.LOGIN
    if has["client_id"] and has["client_secret"]:
        return GrantType.CLIENT_CREDENTIALS
    return None


_CONNECTION_CHECKS: Mapping[str, Callable[[Any], Any]] = {
    "region": lambda value: check_place("region", value),
    "base_url": lambda value: check_place("base_url", value),
    "timeout_seconds": check_timeout,
    "ca_bundle": check_ca_bundle,
    "verify_tls": check_verify_tls,
}


def _check_identity_provider(value: Any) -> str | None:
    if isinstance(value, str) and "|" in value:
        raise ConfigurationError("identity_provider_id must not contain '|' (the assertion's sub "
                                 "is v2|<identity provider id>|<username>): give the provider's "
                                 "id from Access Management > Identity Providers",
                                 field="identity_provider_id")
    return None


_VALUE_CHECKS: Mapping[str, Callable[[Any], Any]] = {
    "private_key": check_private_key,
    "identity_provider_id": _check_identity_provider,
}
"""Checks beyond the type, for inputs whose value has a format of its own."""


def _field_failure(spec: Input, value: Any) -> str | None:
    """What is wrong with one known value, by its declaration (``None`` when nothing)."""
    if spec.name in _CONNECTION_CHECKS:
        try:
            _CONNECTION_CHECKS[spec.name](value)
        except ConfigurationError as exc:
            return exc.message
        return None
    reason = _type_failure(spec, value)
    if reason is None and spec.name in _VALUE_CHECKS:
        try:
            _VALUE_CHECKS[spec.name](value)
        except ConfigurationError as exc:
            return exc.message
    return reason


def _type_failure(spec: Input, value: Any) -> str | None:
    """What is wrong with a value's type (and blankness), by its declaration."""
    if spec.type is str:
        if not isinstance(value, str):
            return f"{spec.name} must be a string, not {type(value).__name__}"
        if not value.strip():
            return (f"{spec.name} is blank: give a value or leave it unset" if value else
                    f"{spec.name} is an empty string: give a value or leave it unset")
        try:
            check_text(value, spec.name)
        except ConfigurationError as exc:
            return exc.message
        if spec.name in PATH_SEGMENTS and segment_problem(value):
            return (f"{spec.name} {segment_problem(value)}: give it exactly as Anypoint shows "
                    "it (it becomes part of the login URL)")
    elif spec.type is bool:
        if not isinstance(value, bool):
            return f"{spec.name} must be true or false, not {value!r}"
    elif spec.type is float:
        return _number_failure(spec, value)
    elif spec.type is dict:
        return _map_failure(spec, value)
    return None


def _number_failure(spec: Input, value: Any) -> str | None:
    meaning = f"{spec.doc[0].lower()}{spec.doc[1:-1]} (default {spec.default})"
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))):  # ints: no overflow
        return f"{spec.name} must be a number ({meaning}), not {value!r}"
    low, high = spec.bounds or (-math.inf, math.inf)
    if not low <= value <= high:
        return f"{spec.name} must be between {low:g} and {high:g} ({meaning}); got {value!r}"
    return None


def _map_failure(spec: Input, value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return f"{spec.name} must be a map of strings, e.g. {{\"rotation\": \"2026-11\"}}"
    for key, item in value.items():
        if not is_unknown(item) and not isinstance(item, str):
            return (f"{spec.name}[{key!r}] must be a string, not {type(item).__name__}: "
                    "wrap it in str(...)")
    return None


def _credential_failures(props: Mapping[str, Any], environment_only: bool) -> list[Problem]:
    has = {key: given(props, key) for key in CREDENTIALS}
    fail: list[Problem] = []
    if has["saml_response"]:
        extra = [k for k in ("client_id", "client_secret", "username", "password",
                             "private_key", "identity_provider_id") if has[k]]
        if extra:
            fail.append(Problem(extra[0], f"{', '.join(extra)} cannot be combined with "
                                     f"saml_response: use one flow. Valid: {_VALID_COMBINATIONS}"))
        if has["saml_org_domain"] != has["saml_provider_id"]:
            missing = "saml_provider_id" if has["saml_org_domain"] else "saml_org_domain"
            fail.append(Problem(missing, "saml_org_domain and saml_provider_id go together: "
                                     f"set {missing} too, or neither"))
        return fail
    for key in ("saml_org_domain", "saml_provider_id"):
        if has[key]:
            fail.append(Problem(key, f"{key} is only used with saml_response: set "
                                     "saml_response or remove it"))
    if has["private_key"] or has["identity_provider_id"]:
        return fail + _jwt_failures(has)
    for first, second in (("username", "password"), ("client_id", "client_secret")):
        if has[first] != has[second]:
            missing, present = (second, first) if has[first] else (first, second)
            fail.append(Problem(missing, f"{missing} is required with {present}: "
                                f"{where_to_set(missing, environment_only)}. Valid: "
                                f"{_VALID_COMBINATIONS}"))
    if not fail and flow_of(props) is None:
        keys = [s for s in INPUTS if s.name in ("client_id", "client_secret")]
        variables = f"the {' / '.join(v for s in keys for v in s.env_vars)} environment variables"
        places = (f"set {variables}" if environment_only else
                  f"set them as inputs, in Pulumi config ({_config_hint(keys)}), or in {variables}")
        fail.append(Problem("client_id", f"no credentials given: {places}. "
                                         f"Valid: {_VALID_COMBINATIONS}"))
    return fail


_JWT_INPUTS = ("private_key", "identity_provider_id", "username", "client_id")
"""What the JWT bearer grant needs, all of it."""


def _jwt_failures(has: Mapping[str, bool]) -> list[Problem]:
    """The JWT bearer grant's combination: all four inputs, and no secret of another flow."""
    if not has["private_key"]:
        return [Problem("private_key", "identity_provider_id is only used with private_key "
                             "(the JWT bearer grant): set private_key, username and client_id "
                             f"too, or remove it. Valid: {_VALID_COMBINATIONS}")]
    fail = [Problem(key, f"{key} cannot be combined with private_key: the JWT bearer grant "
                         "signs an assertion with the private key instead; remove "
                         f"{key} (from config and ANYPOINT_* too), or private_key")
            for key in ("client_secret", "password") if has[key]]
    fail += [Problem(key, f"{key} is required with private_key (the JWT bearer grant needs "
                          f"{' + '.join(_JWT_INPUTS)}). Valid: {_VALID_COMBINATIONS}")
             for key in _JWT_INPUTS if not has[key]]
    return fail


def where_to_set(name: str, environment_only: bool = False) -> str:
    """Where an input can be given: as an input, its config key and its environment variable
    (``environment_only``: the variable alone, for a caller that reads nothing else)."""
    spec = BY_NAME[name]
    if environment_only and spec.env_vars:
        return f"set the {' or '.join(spec.env_vars)} environment variable"
    places = [f"set {name} as an input"]
    if spec.config_key:
        places.append(f"`pulumi config set {'--secret ' if spec.secret else ''}"
                      f"{CONFIG_NAMESPACE}:{spec.config_key}`")
    places += [f"the {var} environment variable" for var in spec.env_vars]
    return ", ".join(places[:-1]) + f" or {places[-1]}" if len(places) > 1 else places[0]


def _config_hint(specs: list[Input]) -> str:
    return " and ".join(
        f"`pulumi config set --secret {CONFIG_NAMESPACE}:{s.config_key}`" if s.secret
        else f"{CONFIG_NAMESPACE}:{s.config_key}" for s in specs)


def _location_failures(props: Mapping[str, Any]) -> list[Problem]:
    region, base_url = props.get("region"), props.get("base_url")
    if is_unknown(region) or is_unknown(base_url):
        return []
    try:
        check_location(region, base_url)
    except ConfigurationError as exc:
        return [Problem(exc.field or "base_url", exc.message)]
    return []


def check(news: Mapping[str, Any], *,
          environment_only: bool = False) -> tuple[dict[str, Any], list[Problem]]:
    """Defaults filled, values validated and normalized (no network).

    Every value is judged by its declaration first; only when all are well formed are the
    combinations judged (which flow, which control plane). Unknown values pass; names that are
    not inputs fail. ``environment_only``: a missing credential is said to come from its
    ``ANYPOINT_*`` variable only (``anypoint-token`` reads no inputs and no config).
    """
    inputs = {key: value for key, value in news.items() if value is not None}
    for key, default in DEFAULTS.items():
        inputs.setdefault(key, default)
    failures = [Problem(key, f"{key} is not an input of the token: use one of "
                        f"{', '.join(NAMES)}") for key in inputs if key not in BY_NAME]
    for spec in INPUTS:
        value = inputs.get(spec.name)
        if value is not None and not is_unknown(value):
            reason = _field_failure(spec, value)
            if reason:
                failures.append(Problem(spec.name, reason))
    if not failures:
        failures = _credential_failures(inputs, environment_only) + _location_failures(inputs)
    if not failures:
        base_url, region = inputs.get("base_url"), inputs.get("region")
        if isinstance(base_url, str) and base_url:
            inputs["base_url"] = normalize_base_url(base_url)
        if isinstance(region, str):
            inputs["region"] = region.strip().lower()
    return inputs, failures


# Docs ---------------------------------------------------------------------------------------------


def _shown_default(spec: Input) -> str:
    value = spec.default if spec.default is not None else spec.fallback
    if value is None:
        return "—"
    return f"`{str(value).lower()}`" if isinstance(value, (bool, str)) else str(value)


def markdown_table() -> list[str]:
    """The docs' table of inputs (docs/anypoint-token.md, written by scripts/docs.py): group,
    secret, default, bounds, config key, env vars."""
    rows = ["| input | group | secret | default | bounds | config key | environment | meaning |",
            "|---|---|---|---|---|---|---|---|"]
    for spec in INPUTS:
        bounds = f"{spec.bounds[0]:g} to {spec.bounds[1]:g}" if spec.bounds else "—"
        config = f"`{CONFIG_NAMESPACE}:{spec.config_key}`" if spec.config_key else "—"
        env = ", ".join(f"`{var}`" for var in spec.env_vars) or "—"
        rows.append(f"| `{spec.name}` | {spec.group.value} | {'yes' if spec.secret else 'no'} | "
                    f"{_shown_default(spec)} | {bounds} | {config} | {env} | {spec.doc} |")
    return rows


def describe_inputs() -> str:
    """The inputs as text, for ``help(AnypointToken)``."""
    lines = []
    for spec in INPUTS:
        shown = _shown_default(spec).strip("`")
        extra = [f"default {shown}"] if shown != "—" else []
        if spec.config_key:
            extra.append(f"config {CONFIG_NAMESPACE}:{spec.config_key}")
        extra += [f"env {var}" for var in spec.env_vars]
        if spec.secret:
            extra.append("secret")
        suffix = f" [{'; '.join(extra)}]" if extra else ""
        lines.append(f"    {spec.name} ({spec.group.value}): {spec.doc}{suffix}")
    return "\n".join(lines)
