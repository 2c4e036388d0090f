"""Every limit of the access layer in one place: what it accepts from callers and what it
believes of a server, with the checks that enforce them.

A server's answer is believed only within what Anypoint can really send: at most
:data:`MAX_ANSWER_BYTES` after decompression, JSON nested at most :data:`MAX_JSON_DEPTH` deep,
tokens of at most :data:`MAX_TOKEN_CHARS` visible ASCII characters, lifetimes of at most
:data:`MAX_LIFETIME_SECONDS`, at most :data:`MAX_PAGES` pages of a listing (path segments are
checked in :mod:`.endpoints`). Each bound is far
above any real Access Management answer and far below what could hurt the process. Callers'
values are checked before anything is sent, and a refusal names the field and the fix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .errors import ConfigurationError
from .settings import (
    MAX_TIMEOUT_SECONDS,
    ConnectionSettings,
    RetryPolicy,
    check_ca_bundle,
    check_place,
    check_verify_tls,
    resolve_base_url,
)

__all__ = [
    "MAX_ANSWER_BYTES",
    "MAX_BUDGET_SECONDS",
    "MAX_JSON_DEPTH",
    "MAX_LIFETIME_SECONDS",
    "MAX_PAGES",
    "MAX_RETRIES",
    "MAX_TOKEN_CHARS",
    "check_client_options",
    "check_text",
    "check_texts",
    "clamp_expiry",
    "lifetime_seconds",
    "token_problem",
]

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""The most an answer may hold after decompression (4 MiB; the largest real Access Management
answers, a page of 500 environments or a big business-group tree, are a few hundred KiB)."""
MAX_JSON_DEPTH = 64
"""The deepest nesting of an answer's JSON (Anypoint's deepest, the hierarchy, is a few levels
per business-group level)."""
MAX_JSON_VALUES = 250_000
"""The most JSON values one answer may hold (counted as its ``,``, ``{`` and ``[``): parsed,
each costs tens of bytes for the few it takes on the wire (``1.5,`` becomes a 32-byte float), so
more would let a small answer fill the memory. A real answer has one per 30 bytes or so."""
MAX_PAGES = 100
"""The most pages of one listing, whatever total a server claims."""
MAX_TOKEN_CHARS = 8192
"""The longest token believed (Anypoint's are UUIDs or JWTs of a few hundred characters; most
servers refuse request headers past 8 KiB anyway)."""
MAX_LIFETIME_SECONDS = 86_400
"""The longest token lifetime believed: Anypoint's OAuth tokens last an hour and its sessions
the organization's session timeout (60 minutes by default). A server claiming more is believed
for a day, so the token is renewed after a day at the latest."""
MAX_RETRIES = 100
MAX_BUDGET_SECONDS = 3600.0
MAX_BACKOFF_FACTOR = 60.0
MAX_USER_AGENT_CHARS = 256


# Text ------------------------------------------------------------------------------------------


def _surrogate_at(value: str) -> int | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def check_text(value: str, field: str) -> str:
    """``value`` if it is valid Unicode (UTF-8 encodable): a lone surrogate is refused naming
    ``field`` and the position, never the value (it may be a secret)."""
    at = _surrogate_at(value)
    if at is not None:
        raise ConfigurationError(
            f"{field} is not valid Unicode text: it holds a lone surrogate (U+D800 to U+DFFF) at "
            f"character {at + 1}; pass the value as it was issued, without damaged characters",
            field=field)
    return value


def check_texts(values: Mapping[str, Any] | None) -> None:
    """:func:`check_text` on every string value of a form, JSON body, query or header set."""
    for key, value in (values or {}).items():
        if isinstance(value, str):
            check_text(value, str(key))


# Client options ---------------------------------------------------------------------------------


def _echo(value: Any) -> str:
    """A caller's value as an error may quote it: its repr, trimmed."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _number(name: str, value: Any, low: float, high: float, *, low_open: bool = True,
            unit: str = "seconds") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{name} must be a number of {unit}, not {type(value).__name__}",
                                 field=name)
    number = float(value) if abs(value) < 1e300 else math.inf
    below = number <= low if low_open else number < low
    if not math.isfinite(number) or below or number > high:
        bound = "above" if low_open else "at least"
        raise ConfigurationError(f"{name} must be {bound} {low:g} and at most {high:g} {unit}; "
                                 f"got {_echo(value)}", field=name)
    return number


def _timeouts(value: Any) -> tuple[float, float]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ConfigurationError(
            "timeout must be seconds, or a (connect, read) pair of seconds, e.g. (10, 30)",
            field="timeout")
    connect, read = (_number("timeout", v, 0.0, MAX_TIMEOUT_SECONDS) for v in pair)
    return connect, read


def _user_agent(value: Any) -> str | None:
    if value is None:
        return None
    if (not isinstance(value, str) or not value.strip() or len(value) > MAX_USER_AGENT_CHARS
            or any(not (" " <= ch <= "~") for ch in value)):
        raise ConfigurationError(
            f"user_agent must be printable ASCII text of at most {MAX_USER_AGENT_CHARS} "
            "characters (no line breaks), or None for the default", field="user_agent")
    return value


def check_client_options(
    *,
    region: Any,
    base_url: Any,
    timeout: Any,
    retries: Any,
    retry_budget: Any,
    backoff_factor: Any,
    verify_tls: Any,
    ca_bundle: Any,
    user_agent: Any,
) -> ConnectionSettings:
    """The :class:`ConnectionSettings` of ``AccessManagementClient``'s keyword arguments, each
    checked: a wrong type or value is a :class:`ConfigurationError` naming it, never an
    ``AttributeError`` or ``OverflowError`` from deep inside."""
    connect, read = _timeouts(timeout)
    if isinstance(retries, bool) or not isinstance(retries, int) or not (
            0 <= retries <= MAX_RETRIES):
        raise ConfigurationError(f"retries must be a whole number from 0 to {MAX_RETRIES}; got "
                                 f"{_echo(retries)}", field="retries")
    return ConnectionSettings(
        base_url=resolve_base_url(check_place("region", region),
                                  check_place("base_url", base_url)),
        connect_timeout=connect,
        read_timeout=read,
        verify_tls=check_verify_tls(verify_tls),
        ca_bundle=check_ca_bundle(ca_bundle),
        retry=RetryPolicy(
            retries=retries,
            backoff_factor=_number("backoff_factor", backoff_factor, 0.0, MAX_BACKOFF_FACTOR,
                                   low_open=False),
            budget_seconds=_number("retry_budget", retry_budget, 0.0, MAX_BUDGET_SECONDS)),
        user_agent=_user_agent(user_agent),
    )


# What a server says ------------------------------------------------------------------------------


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be a bearer token, or ``None``: visible ASCII only, and no longer
    than :data:`MAX_TOKEN_CHARS` (a 4 MiB "token" is garbage, and no server would take it)."""
    if len(token) > MAX_TOKEN_CHARS:
        return (f"it is {len(token)} characters long, more than any Anypoint token "
                f"({MAX_TOKEN_CHARS})")
    if not token or any(not ("!" <= ch <= "~") for ch in token):
        return "a bearer token is visible ASCII characters only"
    return None


def lifetime_seconds(value: object, default: float) -> float:
    """A lifetime in seconds from an answer: ``default`` when absent, not a number or not
    positive; at most :data:`MAX_LIFETIME_SECONDS`."""
    if isinstance(value, bool):
        return default
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
    if math.isnan(seconds) or seconds <= 0:
        return default
    return min(seconds, MAX_LIFETIME_SECONDS)


def clamp_expiry(issued_at: datetime, expires_at: datetime | None, default: datetime) -> datetime:
    """When a token ends: ``expires_at`` as a server said it, but not after
    :data:`MAX_LIFETIME_SECONDS` from ``issued_at``; ``default`` when absent or not after
    ``issued_at``."""
    if expires_at is None or expires_at <= issued_at:
        return default
    return min(expires_at, issued_at + timedelta(seconds=MAX_LIFETIME_SECONDS))
