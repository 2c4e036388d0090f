"""The dynamic provider behind :class:`~anypoint_pulumi.AnypointToken`: what the engine runs.

The engine pickles one instance of :class:`TokenProvider` into each resource's ``__provider``
input and calls it from a separate process, up to four calls at once. The instance therefore
holds nothing (no session, no lock, no credential): it pickles as the reference
``anypoint_pulumi.PROVIDER``, 60 base64 characters that never change between releases. Keep that
name forever, or old stacks can no longer be refreshed or destroyed (the class itself may move).

It is thin: the checks are :func:`anypoint_pulumi.token.schema.check`, the connection is the
pooled client of :func:`~anypoint_pulumi.token.schema.connection_settings`. ``check`` and ``diff``
never touch the network; ``create`` logs in; ``read`` validates; ``delete`` revokes, best effort.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from ..access.errors import (
    AnypointError,
    ConfigurationError,
    PermissionDeniedError,
    TokenRejectedError,
)
from ..access.models import AccessToken, GrantType, rfc3339
from . import schema
from .schema import DEFAULTS, REPLACING, SETTINGS, TOKEN_OUTPUTS, flow_of, is_unknown

if TYPE_CHECKING:
    from ..access.client import AccessManagementClient

__all__ = ["TOKEN_PROVIDER", "TokenProvider", "client_for", "flow_of", "login"]

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The provider's clock (tests move it by patching this function)."""
    return datetime.now(timezone.utc)


_iso = rfc3339


def _parse_time(value: Any) -> datetime | None:
    """An RFC 3339 time from state, in UTC; ``None`` when absent or unreadable (state edited by
    hand, or damaged: the provider must still diff, read and delete)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(
            timezone.utc)
    except (ValueError, OverflowError):
        return None


def _seconds(value: Any) -> float | None:
    """A number of seconds from inputs or state, or ``None`` when it is not a usable one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def warn_if_insecure(props: Mapping[str, Any]) -> None:
    """Every operation that would talk without verifying TLS says so in the Pulumi output."""
    if props.get("verify_tls") is not False or props.get("ca_bundle"):
        return
    try:
        where = schema.base_url_of(props)
    except ConfigurationError:
        where = "the control plane"
    if where.startswith("http://"):
        return  # plain HTTP, to loopback only: there is no certificate to verify
    pulumi.log.warn(
        f"verify_tls is false: the TLS certificate of {where} is not verified, so anyone on the "
        "network path can read the credentials and the token. Set ca_bundle to the PEM file of "
        "the CA that signed it instead (a TLS-inspecting proxy's, or Private Cloud Edition's).")


def client_for(props: Mapping[str, Any]) -> AccessManagementClient:
    """A client with the connection settings ``props`` name (the pool of those settings)."""
    from ..access.client import AccessManagementClient

    return AccessManagementClient(settings=schema.connection_settings(props))


def login(client: AccessManagementClient, props: Mapping[str, Any]) -> AccessToken:
    """Log in with the flow checked inputs select (the provider's ``create`` and
    ``get_access_token`` both log in here)."""
    flow = flow_of(props)
    if flow is GrantType.CLIENT_CREDENTIALS:
        return client.client_credentials(props["client_id"], props["client_secret"])
    if flow is GrantType.PASSWORD:
        return client.password_grant(props["client_id"], props["client_secret"],
                                     props["username"], props["password"])
    if flow is GrantType.LOGIN:
        return client.login(props["username"], props["password"])
    if flow is GrantType.JWT_BEARER:
        return client.jwt_bearer(props["client_id"], props["private_key"],
                                 props["identity_provider_id"], props["username"])
    if flow is GrantType.SAML:
        return client.saml_login(props["saml_response"],
                                 org_domain=props.get("saml_org_domain") or None,
                                 provider_id=props.get("saml_provider_id") or None)
    raise ConfigurationError("no login flow selected: give credentials", field="client_id")


def _inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {key: props[key] for key in schema.NAMES if key in props}


class TokenProvider(ResourceProvider):
    """Logs in to Anypoint, keeps the token fresh, and ends it on delete."""

    serialize_as_secret_always = False

    def __reduce__(self) -> str:
        """Pickle as a reference to ``anypoint_pulumi.PROVIDER``: no credential, 60 base64
        characters in state, and the same bytes in every release of the package."""
        return "PROVIDER"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs and fill defaults, without the network (see :func:`schema.check`)."""
        inputs, failures = schema.check(news)
        if not failures:
            warn_if_insecure(inputs)
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
        if is_unknown(news.get("region")) or is_unknown(news.get("base_url")):
            return True
        try:
            return schema.base_url_of(news) != olds.get("base_url")
        except ConfigurationError:
            return True

    def _needs_renewal(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        expires_at = _parse_time(olds.get("expires_at"))
        if expires_at is None and olds.get("expires_at") is None:
            return bool(olds.get("access_token") is None)
        renew_before = _seconds(news.get("renew_before_seconds"))
        if renew_before is None:  # unknown in a preview, or not a number: the old, else default
            renew_before = _seconds(olds.get("renew_before_seconds"))
        if renew_before is None:
            renew_before = float(DEFAULTS["renew_before_seconds"])
        # An expiry that cannot be read is treated as past: the token is renewed.
        left = (expires_at - utcnow()).total_seconds() if expires_at is not None else -1.0
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
            warn_if_insecure(props)
            try:
                client_for(props).me(token)
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
        session = props.get("grant_type") in {g.value for g in GrantType if g.is_session}
        warn_if_insecure(props)
        try:  # within the budget of timeout_seconds, never longer: a destroy must not hang
            client = client_for(props)
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
            return login(client_for(props), props)
        except AnypointError as exc:
            failure = exc.with_context(f"{flow.label if flow else 'login'} failed")
        raise failure


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
    if is_unknown(new):
        return True
    if old in (None, "", {}) and new in (None, "", {}):
        return False
    return bool(old != new)


TOKEN_PROVIDER = TokenProvider()
"""The one instance every resource uses. State refers to it as ``anypoint_pulumi.PROVIDER``: keep
that name for as long as stacks exist, or they cannot be read."""
TOKEN_PROVIDER.__module__ = "anypoint_pulumi"
