"""The dynamic provider behind :class:`~anypoint_pulumi.AnypointToken`: what the engine runs.

The engine pickles one instance of :class:`TokenProvider` into each resource's ``__provider``
input and calls it from a separate process, up to four calls at once. The instance therefore
holds nothing (no session, no lock, no credential): it pickles by reference to this module to a
few dozen bytes that never change between releases. Keep the class at this import path forever,
or old stacks can no longer be refreshed or destroyed.

``check`` and ``diff`` never touch the network; ``create`` logs in; ``read`` validates; ``delete``
revokes, best effort.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .errors import (
    AnypointError,
    ConfigurationError,
    PermissionDeniedError,
    TokenRejectedError,
)
from .grants import AccessToken, GrantType
from .regions import normalize_base_url, resolve_base_url

if TYPE_CHECKING:
    from .client import AccessManagementClient

__all__ = ["TokenProvider", "flow_of"]

CREDENTIALS = (
    "client_id", "client_secret", "username", "password",
    "saml_response", "saml_org_domain", "saml_provider_id",
)
SECRET_INPUTS = ("client_secret", "password", "saml_response")
LOCATION = ("region", "base_url")
REPLACING = (*CREDENTIALS, "triggers")
SETTINGS = ("renew_before_seconds", "revoke_on_delete", "timeout_seconds", "ca_bundle",
            "verify_tls")
INPUTS = (*REPLACING, *LOCATION, *SETTINGS)
TOKEN_OUTPUTS = ("access_token", "token_type", "grant_type", "issued_at", "expires_at",
                 "base_url")
DEFAULTS: Mapping[str, Any] = {
    "renew_before_seconds": 600,
    "revoke_on_delete": True,
    "timeout_seconds": 30,
    "verify_tls": True,
}
MAX_RENEW_BEFORE = 86_400
MAX_TIMEOUT = 600

_VALID_COMBINATIONS = (
    "client_id + client_secret (client credentials, recommended); "
    "username + password + client_id + client_secret (a connected app acting for a user); "
    "username + password (legacy login; fails for MFA users); "
    "or saml_response (optionally with saml_org_domain + saml_provider_id)"
)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The provider's clock (tests move it by patching this function)."""
    return datetime.now(timezone.utc)


def _given(props: Mapping[str, Any], key: str) -> bool:
    value = props.get(key)
    return value is not None and value != ""


def _unknown(value: Any) -> bool:
    return isinstance(value, pulumi.output.Unknown) or (
        isinstance(value, str) and value == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    )


def flow_of(props: Mapping[str, Any]) -> GrantType | None:
    """Which login flow a set of inputs selects, or ``None`` when they select none."""
    has = {key: _given(props, key) for key in CREDENTIALS}
    if has["saml_response"]:
        return GrantType.SAML
    if has["username"] and has["password"]:
        if has["client_id"] and has["client_secret"]:
            return GrantType.PASSWORD
        return GrantType.LOGIN
    if has["client_id"] and has["client_secret"]:
        return GrantType.CLIENT_CREDENTIALS
    return None


def _credential_failures(props: Mapping[str, Any]) -> list[CheckFailure]:
    has = {key: _given(props, key) for key in CREDENTIALS}
    fail: list[CheckFailure] = []
    if has["saml_response"]:
        extra = [k for k in ("client_id", "client_secret", "username", "password") if has[k]]
        if extra:
            fail.append(CheckFailure(extra[0], f"{', '.join(extra)} cannot be combined with "
                                     f"saml_response: use one flow. Valid: {_VALID_COMBINATIONS}"))
        if has["saml_org_domain"] != has["saml_provider_id"]:
            missing = "saml_provider_id" if has["saml_org_domain"] else "saml_org_domain"
            fail.append(CheckFailure(missing, "saml_org_domain and saml_provider_id go together: "
                                     f"set {missing} too, or neither"))
        return fail
    for key in ("saml_org_domain", "saml_provider_id"):
        if has[key]:
            fail.append(CheckFailure(key, f"{key} is only used with saml_response: set "
                                     "saml_response or remove it"))
    if has["username"] != has["password"]:
        missing = "password" if has["username"] else "username"
        fail.append(CheckFailure(missing, f"{missing} is required with "
                                 f"{'username' if missing == 'password' else 'password'}. "
                                 f"Valid: {_VALID_COMBINATIONS}"))
    if has["client_id"] != has["client_secret"]:
        missing = "client_secret" if has["client_id"] else "client_id"
        fail.append(CheckFailure(missing, f"{missing} is required with "
                                 f"{'client_id' if missing == 'client_secret' else 'client_secret'}"
                                 f". Valid: {_VALID_COMBINATIONS}"))
    if not fail and flow_of(props) is None:
        fail.append(CheckFailure(
            "client_id",
            "no credentials given: set them as inputs, in Pulumi config (anypoint:clientId and "
            "`pulumi config set --secret anypoint:clientSecret`), or in the ANYPOINT_CLIENT_ID / "
            f"ANYPOINT_CLIENT_SECRET environment variables. Valid: {_VALID_COMBINATIONS}",
        ))
    return fail


def _type_failures(props: Mapping[str, Any]) -> list[CheckFailure]:
    fail: list[CheckFailure] = []
    for key in (*CREDENTIALS, *LOCATION, "ca_bundle"):
        value = props.get(key)
        if value is None or _unknown(value):
            continue
        if not isinstance(value, str):
            fail.append(CheckFailure(key, f"{key} must be a string, not {type(value).__name__}"))
        elif value != "" and not value.strip():
            fail.append(CheckFailure(key, f"{key} is blank: give a value or leave it unset"))
        elif value == "" and key not in ("ca_bundle",):
            fail.append(CheckFailure(key, f"{key} is an empty string: give a value or leave it "
                                     "unset"))
    for key in ("revoke_on_delete", "verify_tls"):
        value = props.get(key)
        if value is not None and not _unknown(value) and not isinstance(value, bool):
            fail.append(CheckFailure(key, f"{key} must be true or false, not {value!r}"))
    fail += _number_failure(props, "renew_before_seconds", 0, MAX_RENEW_BEFORE,
                            "seconds of validity left at which to renew (default 600)")
    fail += _number_failure(props, "timeout_seconds", 1, MAX_TIMEOUT,
                            "seconds to wait for Anypoint (default 30)")
    triggers = props.get("triggers")
    if triggers is not None and not _unknown(triggers):
        if not isinstance(triggers, Mapping):
            fail.append(CheckFailure("triggers", "triggers must be a map of strings, e.g. "
                                     "{\"rotation\": \"2026-11\"}"))
        else:
            for name, value in triggers.items():
                if not _unknown(value) and not isinstance(value, str):
                    fail.append(CheckFailure(
                        "triggers", f"triggers[{name!r}] must be a string, not "
                        f"{type(value).__name__}: wrap it in str(...)"))
    return fail


def _number_failure(
    props: Mapping[str, Any], key: str, low: float, high: float, meaning: str
) -> list[CheckFailure]:
    value = props.get(key)
    if value is None or _unknown(value):
        return []
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))):  # ints: no overflow
        return [CheckFailure(key, f"{key} must be a number of {meaning}, not {value!r}")]
    if not low <= value <= high:
        return [CheckFailure(key, f"{key} must be between {low} and {high} ({meaning}); "
                             f"got {value!r}")]
    return []


def _location_failures(props: Mapping[str, Any]) -> list[CheckFailure]:
    region, base_url = props.get("region"), props.get("base_url")
    if _unknown(region) or _unknown(base_url):
        return []
    if not isinstance(region, (str, type(None))) or not isinstance(base_url, (str, type(None))):
        return []
    try:
        resolve_base_url(region or None, base_url or None)
    except ConfigurationError as exc:
        return [CheckFailure(exc.field or "base_url", exc.message)]
    return []


def _file_failures(props: Mapping[str, Any]) -> list[CheckFailure]:
    ca_bundle = props.get("ca_bundle")
    if (isinstance(ca_bundle, str) and ca_bundle and not _unknown(ca_bundle)
            and not Path(ca_bundle).is_file()):
        return [CheckFailure("ca_bundle", f"ca_bundle {ca_bundle!r} is not a readable file: "
                                 "give the path of a PEM bundle of trusted CA certificates")]
    return []


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _where(props: Mapping[str, Any]) -> str:
    """The base URL a set of inputs or outputs points at (outputs hold it resolved)."""
    if props.get("base_url"):
        return normalize_base_url(props["base_url"])
    return resolve_base_url(props.get("region") or None)


def _client(props: Mapping[str, Any]) -> AccessManagementClient:
    from .client import AccessManagementClient

    timeout = float(props.get("timeout_seconds") or DEFAULTS["timeout_seconds"])
    return AccessManagementClient(
        base_url=_where(props),
        timeout=(min(10.0, timeout), timeout),
        retry_budget=max(timeout, 30.0),
        verify_tls=props.get("verify_tls") is not False,
        ca_bundle=props.get("ca_bundle") or None,
    )


def _login(client: AccessManagementClient, props: Mapping[str, Any]) -> AccessToken:
    flow = flow_of(props)
    if flow is GrantType.CLIENT_CREDENTIALS:
        return client.client_credentials(props["client_id"], props["client_secret"])
    if flow is GrantType.PASSWORD:
        return client.password_grant(props["client_id"], props["client_secret"],
                                     props["username"], props["password"])
    if flow is GrantType.LOGIN:
        return client.login(props["username"], props["password"])
    if flow is GrantType.SAML:
        return client.saml_login(props["saml_response"],
                                 org_domain=props.get("saml_org_domain") or None,
                                 provider_id=props.get("saml_provider_id") or None)
    raise ConfigurationError(f"no login flow selected. Valid: {_VALID_COMBINATIONS}",
                             field="client_id")


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: props[key] for key in INPUTS if key in props}


def _flow_name(flow: GrantType | None) -> str:
    return {
        GrantType.CLIENT_CREDENTIALS: "client-credentials login",
        GrantType.PASSWORD: "password-grant login (connected app acting for a user)",
        GrantType.LOGIN: "username/password login",
        GrantType.SAML: "SAML login",
    }.get(flow, "login") if flow else "login"


class TokenProvider(ResourceProvider):
    """Logs in to Anypoint, keeps the token fresh, and ends it on delete."""

    serialize_as_secret_always = False

    def __reduce__(self) -> str:
        """Pickle as a reference to ``anypoint_pulumi.PROVIDER``: no credential, 60 base64
        characters in state, and the same bytes in every release of the package."""
        return "PROVIDER"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs and fill defaults, without the network."""
        inputs = {key: value for key, value in news.items() if value is not None}
        for key, default in DEFAULTS.items():
            inputs.setdefault(key, default)
        failures = _type_failures(inputs)
        if not failures:
            failures = _credential_failures(inputs) + _location_failures(inputs)
            failures += _file_failures(inputs)
        base_url = inputs.get("base_url")
        if not failures and isinstance(base_url, str) and base_url and not _unknown(base_url):
            inputs["base_url"] = normalize_base_url(base_url)
        if not failures and isinstance(inputs.get("region"), str) and not _unknown(
            inputs["region"]
        ):
            inputs["region"] = inputs["region"].strip().lower()
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Replace on a changed credential, location or trigger, or when the token nears expiry."""
        replaces = [key for key in REPLACING if _changed(olds.get(key), news.get(key))]
        if self._moved(olds, news):
            replaces.append("base_url")
        updates = [key for key in SETTINGS if _changed(olds.get(key), news.get(key))]
        if not replaces and self._needs_renewal(olds, news):
            replaces.append("expires_at")
        return DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            delete_before_replace=False,
        )

    def _moved(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        if _unknown(news.get("region")) or _unknown(news.get("base_url")):
            return True
        try:
            return _where(news) != olds.get("base_url")
        except ConfigurationError:
            return True

    def _needs_renewal(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        expires_at = _parse_time(olds.get("expires_at"))
        if expires_at is None:
            return bool(olds.get("access_token") is None)
        renew_before = news.get("renew_before_seconds")
        if _unknown(renew_before) or not isinstance(renew_before, (int, float)):
            renew_before = olds.get("renew_before_seconds", DEFAULTS["renew_before_seconds"])
        left = (expires_at - utcnow()).total_seconds()
        if left >= float(renew_before):
            return False
        if olds.get("grant_type") == GrantType.SAML.value:
            state = "expired" if left <= 0 else f"expires in {max(0, int(left // 60))} min"
            pulumi.log.warn(
                f"The SAML token {state} ({olds.get('expires_at')}). A SAML assertion can be used "
                "only once: supply a fresh saml_response (capture one as described in the README) "
                "to renew it; until then the stored token is kept."
            )
            return False
        when = "has expired" if left <= 0 else f"expires in {int(left // 60)} min"
        pulumi.log.info(
            f"The Anypoint token {when} ({olds.get('expires_at')}), within renew_before_seconds "
            f"({float(renew_before):g} s): it is replaced by a new token, created before the old "
            "one is revoked."
        )
        return True

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Log in with the selected flow and return the token as an output."""
        token = self._login(props)
        outs = {**_inputs(props), **_token_outputs(token)}
        _warn_if_always_renewed(token, props)
        return CreateResult(str(uuid.uuid4()), outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Apply setting changes (no new token): keep the token, take the new settings."""
        kept = {key: olds[key] for key in TOKEN_OUTPUTS if key in olds}
        return UpdateResult({**_inputs(news), **kept})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh: ask Anypoint whether the stored token still works."""
        outs = dict(props)
        outs.pop("__provider", None)
        token = props.get("access_token")
        if isinstance(token, str) and token:
            try:
                with _client(props) as client:
                    client.me(token)
            except TokenRejectedError as exc:
                pulumi.log.warn(f"The stored Anypoint token was rejected ({exc.message}); it is "
                                "recorded as expired and the next `pulumi up` renews it.")
                outs["expires_at"] = _iso(utcnow())
            except AnypointError as exc:
                pulumi.log.warn(f"Could not validate the stored Anypoint token; keeping it. {exc}")
        inputs = _inputs(props)
        if inputs.get("region"):
            inputs.pop("base_url", None)
        return ReadResult(id_, outs, inputs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Revoke (OAuth) or log out (session) when asked to; a failure only warns."""
        token = props.get("access_token")
        if props.get("revoke_on_delete") is False or not isinstance(token, str) or not token:
            return
        expires_at = _parse_time(props.get("expires_at"))
        if expires_at is not None and expires_at <= utcnow():
            return  # already over (expired, or found revoked by a refresh): nothing to end
        session = props.get("grant_type") in (GrantType.LOGIN.value, GrantType.SAML.value)
        try:
            with _client(props) as client:
                if session:
                    client.logout(token)
                else:
                    client.revoke(token, client_id=props.get("client_id"),
                                  client_secret=props.get("client_secret"))
        except AnypointError as exc:
            ended = isinstance(exc, TokenRejectedError) and not isinstance(
                exc, PermissionDeniedError)
            if session and ended:
                return  # logout refused the token: the session has ended already
            pulumi.log.warn(f"Could not revoke the Anypoint token (it will expire on its own at "
                            f"{props.get('expires_at')}): {exc}")
        except Exception as exc:
            pulumi.log.warn(f"Could not revoke the Anypoint token ({type(exc).__name__}); it "
                            f"will expire on its own at {props.get('expires_at')}.")

    def _login(self, props: Mapping[str, Any]) -> AccessToken:
        flow = flow_of(props)
        try:
            with _client(props) as client:
                return _login(client, props)
        except AnypointError as exc:
            exc.message = f"{_flow_name(flow)} failed: {exc.message}"
            exc.args = (str(exc),)
            raise exc from None


def _warn_if_always_renewed(token: AccessToken, props: Mapping[str, Any]) -> None:
    """Warn when a token lives no longer than the renewal margin: every run would replace it."""
    if token.grant_type is GrantType.SAML:
        return  # never renewed on expiry (diff warns instead)
    renew_before = props.get("renew_before_seconds", DEFAULTS["renew_before_seconds"])
    if not isinstance(renew_before, (int, float)) or isinstance(renew_before, bool):
        return
    lifetime = round((token.expires_at - token.issued_at).total_seconds())
    if lifetime <= renew_before:
        pulumi.log.warn(
            f"The new Anypoint token is valid for {lifetime} s, which is not more than "
            f"renew_before_seconds ({renew_before:g}): every `pulumi up` will replace it. Set "
            f"renew_before_seconds below {lifetime} (e.g. {lifetime // 4})."
        )


def _token_outputs(token: AccessToken) -> dict[str, Any]:
    return {
        "access_token": token.access_token,
        "token_type": token.token_type,
        "grant_type": token.grant_type.value,
        "issued_at": _iso(token.issued_at),
        "expires_at": _iso(token.expires_at),
        "base_url": token.base_url,
    }


def _changed(old: Any, new: Any) -> bool:
    if _unknown(new):
        return True
    if old in (None, "", {}) and new in (None, "", {}):
        return False
    return bool(old != new)


TOKEN_PROVIDER = TokenProvider()
"""The one instance every resource uses. State refers to it as ``anypoint_pulumi.PROVIDER``: keep
that name for as long as stacks exist, or they cannot be read."""
TOKEN_PROVIDER.__module__ = "anypoint_pulumi"
