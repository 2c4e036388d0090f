"""The token's lifecycle, as plain functions over plain values: what every provider does.

Both providers (the Python dynamic provider behind ``AnypointToken`` and the ``anypoint-auth``
plugin's ``Token``) are thin adapters over these: they turn their wire format into snake_case
dicts (``UNKNOWN`` for values not known yet), call one function, and turn the result back,
showing :class:`~.messages.Problem` and :class:`~.messages.Notice` their own way.

- :func:`check` validates and fills defaults, without the network;
- :func:`diff` says what a change replaces (credentials, control plane, triggers, a token
  within ``renew_before_seconds`` of its end) and what it updates in place;
- :func:`create` logs in (:func:`~anypoint_pulumi.access.login.log_in`); :func:`update` keeps the
  token; :func:`read` asks Anypoint whether the stored token still works; :func:`delete`
  revokes it, best effort.

:func:`token_outputs` is the one place a token becomes output fields, and :func:`stored_token`
the one place they become a token again.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..access.errors import AnypointError, ConfigurationError, PermissionDeniedError
from ..access.errors import TokenRejectedError as _Rejected
from ..access.login import log_in
from ..access.models import AccessToken, GrantType, parse_rfc3339, rfc3339
from . import inputs as declared
from .inputs import DEFAULTS, NAMES, REPLACING, SETTINGS, TOKEN_OUTPUTS, is_unknown
from .messages import UNKNOWN, Notice, Problem

if TYPE_CHECKING:
    from ..access.client import AccessManagementClient
    from ..access.settings import ConnectionSettings

__all__ = [
    "Checked",
    "Created",
    "Diff",
    "Refreshed",
    "check",
    "client_for",
    "create",
    "delete",
    "diff",
    "preview_outputs",
    "read",
    "stored_token",
    "token_outputs",
    "update",
    "utcnow",
]


def utcnow() -> datetime:
    """The lifecycle's clock (tests move it by patching this function)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Checked:
    """Validated inputs, defaults filled; ``problems`` empty when they are usable."""

    inputs: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    """What a change does: ``replaces`` asks for a new token (created before the old one is
    revoked); ``updates`` alone keeps the token."""

    replaces: list[str]
    updates: list[str]
    notices: list[Notice] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.replaces or self.updates)


@dataclass(frozen=True)
class Created:
    """A new token: its id and the outputs (the inputs, and the token's fields)."""

    id: str
    outputs: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True)
class Refreshed:
    """What a refresh found: the outputs to keep, the inputs they imply."""

    outputs: dict[str, Any]
    inputs: dict[str, Any]
    notices: list[Notice] = field(default_factory=list)


def client_for(settings: ConnectionSettings) -> AccessManagementClient:
    """A client with these settings (the one place the lifecycle makes one: tests replace it)."""
    from ..access.client import AccessManagementClient

    return AccessManagementClient(settings=settings)


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: props[key] for key in NAMES if key in props}


def token_outputs(token: AccessToken) -> dict[str, Any]:
    """A token as output fields: the one place (the resource, ``get_access_token`` and the CLI
    all show a token this way)."""
    return {
        "access_token": token.access_token,
        "token_type": token.token_type,
        "grant_type": token.grant_type.value,
        "issued_at": rfc3339(token.issued_at),
        "expires_at": rfc3339(token.expires_at),
        "base_url": token.base_url,
    }


def stored_token(state: Mapping[str, Any]) -> AccessToken | None:
    """The token stored outputs describe, or ``None`` when they hold none or cannot be read
    (state edited by hand, or damaged: the provider must still diff, read and delete)."""
    token, expires_at = state.get("access_token"), parse_rfc3339(state.get("expires_at"))
    try:
        grant = GrantType(state.get("grant_type"))
    except ValueError:
        return None
    if not isinstance(token, str) or not token or expires_at is None:
        return None
    issued_at = parse_rfc3339(state.get("issued_at")) or expires_at
    base_url = state.get("base_url")
    return AccessToken(token, str(state.get("token_type") or "bearer"), grant, issued_at,
                       expires_at, base_url if isinstance(base_url, str) else "")


def _seconds(value: Any) -> float | None:
    """A number of seconds from inputs or state, or ``None`` when it is not a usable one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _insecure(settings: ConnectionSettings) -> list[Notice]:
    notice = declared.insecure_notice(settings)
    return [notice] if notice else []


def _notices_of_settings(props: Mapping[str, Any]) -> list[Notice]:
    try:
        settings = declared.connection_settings(props)
    except ConfigurationError:
        return []
    return _insecure(settings)


# The lifecycle -------------------------------------------------------------------------------


def check(news: Mapping[str, Any]) -> Checked:
    """Validate inputs and fill defaults, without the network."""
    inputs, problems = declared.check(news)
    known = not any(is_unknown(inputs.get(key)) for key in ("verify_tls", "ca_bundle",
                                                            "region", "base_url"))
    notices = _notices_of_settings(inputs) if not problems and known else []
    return Checked(inputs, problems, notices)


def _changed(old: Any, new: Any) -> bool:
    if is_unknown(new):
        return True
    if old in (None, "", {}) and new in (None, "", {}):
        return False
    return bool(old != new)


def _moved(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    if is_unknown(news.get("region")) or is_unknown(news.get("base_url")):
        return True
    try:
        return declared.base_url_of(news) != olds.get("base_url")
    except ConfigurationError:
        return True


def _renewal_margin(olds: Mapping[str, Any], news: Mapping[str, Any]) -> float:
    """``renew_before_seconds``: the new one; unknown in a preview (or unusable), the old one;
    else the default."""
    for props in (news, olds):
        margin = _seconds(props.get("renew_before_seconds"))
        if margin is not None:
            return margin
    return float(DEFAULTS["renew_before_seconds"])


def _renewal(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[bool, list[Notice]]:
    """Whether the stored token must be renewed now, and what to tell the user."""
    if olds.get("expires_at") is None:  # no token stored: one is due only if none is there
        return olds.get("access_token") is None, []
    token = stored_token(olds)
    margin = _renewal_margin(olds, news)
    now = utcnow()
    if token is not None and not token.needs_renewal(margin, now):
        return False, []
    # A token whose state cannot be read is treated as expired: a new one mends the state.
    left = token.seconds_left(now) if token is not None else -1.0
    when = f"{int(left // 60)} min" if left > 0 else ""
    if olds.get("grant_type") == GrantType.SAML.value:
        state = "expired" if left <= 0 else f"expires in {when}"
        return False, [Notice("warning", (
            f"The SAML token {state} ({olds.get('expires_at')}). A SAML assertion can be used "
            "only once: supply a fresh saml_response (capture one as described in the docs) to "
            "renew it; until then the stored token is kept."))]
    state = "has expired" if left <= 0 else f"expires in {when}"
    return True, [Notice("info", (
        f"The Anypoint token {state} ({olds.get('expires_at')}), within renew_before_seconds "
        f"({margin:g} s): it is replaced by a new token, created before the old one is "
        "revoked."))]


def diff(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Diff:
    """Replace on a changed credential, control plane or trigger, or when the token nears its
    end; update in place when only a setting changed. ``olds`` are the stored outputs."""
    replaces = [key for key in REPLACING if _changed(olds.get(key), news.get(key))]
    if _moved(olds, news):
        replaces.append("base_url")
    updates = [key for key in SETTINGS if _changed(olds.get(key), news.get(key))]
    notices: list[Notice] = []
    if not replaces:
        renew, notices = _renewal(olds, news)
        if renew:
            replaces.append("expires_at")
    return Diff(replaces, updates, notices)


def _lifetime_notice(token: AccessToken, props: Mapping[str, Any]) -> list[Notice]:
    """A token that lives no longer than the renewal margin would be replaced on every run."""
    margin = _seconds(props.get("renew_before_seconds", DEFAULTS["renew_before_seconds"]))
    if token.grant_type is GrantType.SAML or margin is None:
        return []  # a SAML token is never renewed on expiry (diff warns instead)
    lifetime = round(token.lifetime_seconds)
    if lifetime > margin:
        return []
    return [Notice("warning", (
        f"The new Anypoint token is valid for {lifetime} s, which is not more than "
        f"renew_before_seconds ({margin:g}): every `pulumi up` will replace it. Set "
        f"renew_before_seconds below {lifetime} (e.g. {lifetime // 4})."))]


def create(props: Mapping[str, Any]) -> Created:
    """Log in with the flow the (checked) inputs select; the outputs hold the token."""
    spec = declared.login_spec(props)
    token = log_in(spec, client_for(spec.settings))
    outputs = {**_inputs(props), **token_outputs(token)}
    return Created(str(uuid.uuid4()), outputs,
                   _insecure(spec.settings) + _lifetime_notice(token, props))


def preview_outputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs of a create in a preview: the inputs, and the token's fields unknown (no
    login happens in a preview)."""
    return {**_inputs(props), **dict.fromkeys(TOKEN_OUTPUTS, UNKNOWN)}


def update(olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
    """Apply setting changes (no new token): the new settings, the stored token."""
    kept = {key: olds[key] for key in TOKEN_OUTPUTS if key in olds}
    return {**_inputs(news), **kept}


def read(state: Mapping[str, Any]) -> Refreshed:
    """Ask Anypoint whether the stored token still works. A rejected token is recorded as
    expired (the next update renews it); one that cannot be checked is kept."""
    outputs = dict(state)
    notices: list[Notice] = []
    token = state.get("access_token")
    if isinstance(token, str) and token:
        try:
            settings = declared.connection_settings(state)
            notices += _insecure(settings)
            client_for(settings).me(token)
        except _Rejected as exc:
            notices.append(Notice("warning", (
                f"The stored Anypoint token was rejected ({exc.message}); it is recorded as "
                "expired and the next `pulumi up` renews it.")))
            outputs["expires_at"] = rfc3339(utcnow())
        except AnypointError as exc:
            notices.append(Notice("warning", (
                f"Could not validate the stored Anypoint token; keeping it. {exc}")))
    inputs = _inputs(state)
    if inputs.get("region"):
        inputs.pop("base_url", None)
    return Refreshed(outputs, inputs, notices)


def delete(state: Mapping[str, Any]) -> list[Notice]:
    """Revoke (OAuth) or log out (session) the stored token when asked to; never raises: a
    failure is a warning, and the destroy goes on."""
    token = stored_token(state)
    raw = state.get("access_token")
    if state.get("revoke_on_delete") is False or not isinstance(raw, str) or not raw:
        return []
    if token is not None and token.seconds_left(utcnow()) <= 0:
        return []  # already over (expired, or found revoked by a refresh): nothing to end
    session = state.get("grant_type") in {g.value for g in GrantType if g.is_session}
    notices: list[Notice] = []
    try:  # within the budget of timeout_seconds, never longer: a destroy must not hang
        settings = declared.connection_settings(state)
        notices += _insecure(settings)
        client = client_for(settings)
        if session:
            client.logout(raw)
        else:
            client.revoke(raw, client_id=state.get("client_id"),
                          client_secret=state.get("client_secret"))
    except AnypointError as exc:
        ended = isinstance(exc, _Rejected) and not isinstance(exc, PermissionDeniedError)
        if not (session and ended):  # logout refused the token: the session has ended already
            notices.append(Notice("warning", (
                f"Could not revoke the Anypoint token (it will expire on its own at "
                f"{state.get('expires_at')}): {exc}")))
    except Exception as exc:  # never block a destroy
        notices.append(Notice("warning", (
            f"Could not revoke the Anypoint token ({type(exc).__name__}); it will expire on its "
            f"own at {state.get('expires_at')}.")))
    return notices
