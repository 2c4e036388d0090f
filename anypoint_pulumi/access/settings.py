"""Where and how to connect: one resolved, validated :class:`ConnectionSettings` value.

The control plane (a region name or a custom base URL), TLS (``verify_tls``, ``ca_bundle``),
timeouts and the retry policy are checked here once, by the functions below that name the field
and the fix; the token resource and every data function build their settings through
:meth:`ConnectionSettings.resolve`, so they accept and refuse exactly the same values. The client
takes a ``ConnectionSettings`` as already valid. Nothing here knows Pulumi or loads ``requests``.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError
from .limits import (
    DEFAULT_BACKOFF_FACTOR,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_BACKOFF_FACTOR,
    MAX_BACKOFF_SECONDS,
    MAX_CONNECT_SECONDS,
    MAX_PATH_CHARS,
    MAX_RETRIES,
    MAX_TIMEOUT_SECONDS,
    MAX_USER_AGENT_CHARS,
    MIN_TIMEOUT_SECONDS,
    SHOWN_CHARS,
)
from .redaction import without_userinfo

__all__ = [
    "CONTROL_PLANES",
    "DEFAULT_REGION",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_TIMEOUT_SECONDS",
    "MIN_TIMEOUT_SECONDS",
    "PLANES",
    "ConnectionSettings",
    "ControlPlane",
    "RetryPolicy",
    "check_backoff_factor",
    "check_ca_bundle",
    "check_location",
    "check_place",
    "check_retries",
    "check_timeout",
    "check_user_agent",
    "check_verify_tls",
    "control_planes_table",
    "host_base_url",
    "is_loopback",
    "normalize_base_url",
    "region_base_url",
    "region_names",
    "resolve_base_url",
    "retry_policy",
]


@dataclass(frozen=True)
class ControlPlane:
    """One public Anypoint control plane: its region name, base URL and accepted aliases."""

    name: str
    base_url: str
    aliases: tuple[str, ...] = ()
    hyperforce: bool = False
    """Hosted on Hyperforce: its host is under ``platform.mulesoft.com``, not ``anypoint``."""


PLANES: tuple[ControlPlane, ...] = (
    ControlPlane("us", "https://anypoint.mulesoft.com", aliases=("us1",)),
    ControlPlane("eu", "https://eu1.anypoint.mulesoft.com", aliases=("eu1",)),
    ControlPlane("gov", "https://gov.anypoint.mulesoft.com", aliases=("gov1",)),
    ControlPlane("ca", "https://ca1.platform.mulesoft.com", hyperforce=True),
    ControlPlane("jp", "https://jp1.platform.mulesoft.com", hyperforce=True),
    ControlPlane("au", "https://au1.platform.mulesoft.com", hyperforce=True),
)
"""The public control planes, in the order the docs list them: the one list every region name,
alias, check, error message and docs table comes from. A new plane is one line here."""

CONTROL_PLANES: Mapping[str, str] = MappingProxyType({p.name: p.base_url for p in PLANES})
"""Region name → base URL (read-only), from :data:`PLANES`."""

DEFAULT_REGION = "us"

_LABEL = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,62}"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")

_ALIASES: Mapping[str, str] = MappingProxyType(
    {alias: p.name for p in PLANES for alias in p.aliases})


def region_names(last: str = "or") -> str:
    """The region names in words: ``us, eu, gov, ca, jp or au``."""
    names = list(CONTROL_PLANES)
    return f"{', '.join(names[:-1])} {last} {names[-1]}"


def control_planes_table() -> list[str]:
    """The docs' table of control planes (README, examples/control-planes), from :data:`PLANES`."""
    rows = ["| `region` | base URL | notes |", "|---|---|---|"]
    for plane in PLANES:
        notes = []
        if plane.name == DEFAULT_REGION:
            notes.append("default")
        if plane.aliases:
            notes.append("alias " + ", ".join(f"`{alias}`" for alias in plane.aliases))
        if plane.hyperforce:
            notes.append("Hyperforce (`platform.mulesoft.com`)")
        rows.append(f"| `{plane.name}` | `{plane.base_url}` | {'; '.join(notes) or '—'} |")
    return rows


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: 127.0.0.0/8, ``::1``, ``localhost`` or a name under
    ``.localhost`` (which RFC 6761 reserves for loopback). A name is not resolved here; the
    transport checks, when it connects over plain HTTP, that the peer really is a loopback
    address."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def region_base_url(region: str) -> str:
    """The base URL of a named control plane; raises :class:`ConfigurationError` for others."""
    name = region.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in CONTROL_PLANES:
        raise ConfigurationError(
            f"unknown region {region!r}: use one of {', '.join(CONTROL_PLANES)}, "
            "or set base_url to the full URL of a Private Cloud Edition control plane",
            field="region",
        )
    return CONTROL_PLANES[name]


def _valid_host(host: str) -> bool:
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return False
        return True
    return _HOST.fullmatch(host) is not None


def _shown(url: str) -> str:
    """A URL as a message may quote it: without user information (a password may sit there,
    even in a URL too malformed to parse), at most 200 characters."""
    text = without_userinfo(url)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


def normalize_base_url(base_url: str) -> str:
    """Validate a custom base URL and return it without a trailing slash.

    ``https`` is required, except for loopback hosts (the emulator, a local proxy), so that
    credentials never cross a network in clear text.
    """
    text = base_url.strip()
    shown = _shown(text)
    try:
        text.encode("utf-8")  # a lone surrogate could never be sent
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"base_url {shown!r} is not an absolute http(s) URL: "
            "give the control plane's address, e.g. https://anypoint.mulesoft.com",
            field="base_url",
        )
    if not _valid_host(parts.hostname):
        raise ConfigurationError(
            f"base_url {shown!r} has an invalid host name: use letters, digits, '-' and '.', "
            "an IPv4 address or a bracketed IPv6 address",
            field="base_url",
        )
    if parts.username or parts.password:
        raise ConfigurationError(
            "base_url must not contain user information: pass credentials as inputs instead",
            field="base_url",
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            f"base_url {parts.scheme}://{parts.netloc}{parts.path} must not carry a query "
            "or fragment: give only the scheme, host and optional path prefix",
            field="base_url",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"base_url uses http:// for non-loopback host {parts.hostname!r}: use https:// "
            "(plain http is allowed only for loopback hosts such as the local emulator)",
            field="base_url",
        )
    try:
        parts.port  # noqa: B018  (raises ValueError for a malformed port)
    except ValueError:
        raise ConfigurationError(
            f"base_url {shown!r} has an invalid port", field="base_url"
        ) from None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def resolve_base_url(region: str | None = None, base_url: str | None = None) -> str:
    """The base URL for a region name or a custom base URL (not both); ``us`` when neither."""
    if region and base_url:
        raise ConfigurationError(
            "region and base_url are both set: give only one (region for the public control "
            "planes, base_url for Private Cloud Edition or the emulator)",
            field="base_url",
        )
    if base_url:
        return normalize_base_url(base_url)
    return region_base_url(region or DEFAULT_REGION)


def host_base_url(host: str) -> str:
    """A base URL from a bare host name, as the Anypoint CLI's ``ANYPOINT_HOST`` gives it."""
    host = host.strip()
    if "://" in host:
        return normalize_base_url(host)
    scheme = "http" if is_loopback(host.rsplit(":", 1)[0]) else "https"
    return normalize_base_url(f"{scheme}://{host}")


def check_timeout(value: Any) -> float:
    """``timeout_seconds`` as a float (the default when ``None``); refused outside 1-600. It is
    the whole budget of an operation: every attempt, wait and follow-up request included."""
    if value is None:
        return DEFAULT_TIMEOUT_SECONDS
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise ConfigurationError(
            f"timeout_seconds must be a number of seconds an operation may take (default "
            f"{DEFAULT_TIMEOUT_SECONDS:g}), not {_echo(value)}", field="timeout_seconds")
    if not MIN_TIMEOUT_SECONDS <= value <= MAX_TIMEOUT_SECONDS:
        raise ConfigurationError(
            f"timeout_seconds must be between {MIN_TIMEOUT_SECONDS:g} and "
            f"{MAX_TIMEOUT_SECONDS:g} (seconds an operation may take); got {_echo(value)}",
            field="timeout_seconds")
    return float(value)


def check_verify_tls(value: Any) -> bool:
    """``verify_tls`` as a bool (``True`` when ``None``); anything but a bool is refused."""
    if value is None:
        return True
    if not isinstance(value, bool):
        raise ConfigurationError(f"verify_tls must be true or false, not {value!r}",
                                 field="verify_tls")
    return value


def check_ca_bundle(value: Any) -> str | None:
    """``ca_bundle``: the path of a readable PEM file, or ``None`` (unset or empty)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"ca_bundle must be a string, not {type(value).__name__}",
                                 field="ca_bundle")
    if not value.strip():
        raise ConfigurationError("ca_bundle is blank: give a value or leave it unset",
                                 field="ca_bundle")
    try:
        readable = len(value) <= MAX_PATH_CHARS and Path(value).is_file()
    except (OSError, ValueError):  # a name too long, a folder we may not enter, a NUL byte
        readable = False
    if not readable:
        named = repr(value if len(value) <= 120 else value[:119] + "…")
        raise ConfigurationError(f"ca_bundle {named} is not a readable file: give the path of "
                                 "a PEM bundle of trusted CA certificates", field="ca_bundle")
    return value


def check_place(name: str, value: Any) -> str | None:
    """``region`` or ``base_url`` (named by ``name``) on its own: a non-blank string, or unset."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string, not {type(value).__name__}",
                                 field=name)
    if not value.strip():
        raise ConfigurationError(
            f"{name} is blank: give a value or leave it unset" if value else
            f"{name} is an empty string: give a value or leave it unset", field=name)
    return value


def check_location(region: Any, base_url: Any) -> str:
    """The base URL that ``region`` or ``base_url`` name (strings or ``None``; not both)."""
    return resolve_base_url(check_place("region", region), check_place("base_url", base_url))


def _echo(value: Any) -> str:
    """A caller's value as an error may quote it: its repr, trimmed."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def check_retries(value: Any) -> int:
    """``retries`` (more attempts after a transient failure): a whole number from 0 to
    :data:`~.limits.MAX_RETRIES`; the default when ``None``."""
    if value is None:
        return DEFAULT_RETRIES
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
        raise ConfigurationError(f"retries must be a whole number from 0 to {MAX_RETRIES}; got "
                                 f"{_echo(value)}", field="retries")
    return value


def check_backoff_factor(value: Any) -> float:
    """``backoff_factor`` (seconds; the n-th wait is about factor * 2**(n-1)): from 0 to
    :data:`~.limits.MAX_BACKOFF_FACTOR`; the default when ``None``."""
    if value is None:
        return DEFAULT_BACKOFF_FACTOR
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
            0 <= value <= MAX_BACKOFF_FACTOR):  # NaN compares false: refused too
        raise ConfigurationError(f"backoff_factor must be a number of seconds from 0 to "
                                 f"{MAX_BACKOFF_FACTOR:g}; got {_echo(value)}",
                                 field="backoff_factor")
    return float(value)


def check_user_agent(value: Any) -> str | None:
    """``user_agent``: printable ASCII without line breaks, or ``None`` for the default."""
    if value is None:
        return None
    if (not isinstance(value, str) or not value.strip() or len(value) > MAX_USER_AGENT_CHARS
            or any(not (" " <= ch <= "~") for ch in value)):
        raise ConfigurationError(
            f"user_agent must be printable ASCII text of at most {MAX_USER_AGENT_CHARS} "
            "characters (no line breaks), or None for the default", field="user_agent")
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures (connection errors, 429, 502, 503, 504) are retried: up to
    ``retries`` more attempts with exponential backoff. ``budget_seconds`` is the whole time of
    one operation (``timeout_seconds``): every attempt, wait and follow-up request included;
    the transport enforces it on the clock, not per read."""

    retries: int = DEFAULT_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR
    backoff_max: float = MAX_BACKOFF_SECONDS
    budget_seconds: float = DEFAULT_TIMEOUT_SECONDS


def retry_policy(timeout_seconds: float) -> RetryPolicy:
    """The default retry policy for an operation budget of ``timeout_seconds``."""
    return RetryPolicy(budget_seconds=timeout_seconds)


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to reach one control plane: resolved, validated, hashable.

    Equal settings share one pooled HTTP session per process (see
    :mod:`anypoint_pulumi.access.transport`). Build one with :meth:`resolve`, the one
    constructor that checks every value (the client's keyword arguments go through it too).
    """

    base_url: str
    connect_timeout: float = MAX_CONNECT_SECONDS
    read_timeout: float = DEFAULT_TIMEOUT_SECONDS
    """The longest wait for one read of an answer (the budget bounds the whole operation)."""
    verify_tls: bool = True
    ca_bundle: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str | None = None

    @classmethod
    def resolve(
        cls,
        *,
        region: Any = None,
        base_url: Any = None,
        timeout_seconds: Any = None,
        ca_bundle: Any = None,
        verify_tls: Any = None,
        retries: Any = None,
        backoff_factor: Any = None,
        user_agent: Any = None,
    ) -> ConnectionSettings:
        """Validate user-given values (each as the token's input of that name; ``None`` is the
        default) and resolve them; :class:`~anypoint_pulumi.ConfigurationError` names the first
        bad field and the fix. ``timeout_seconds`` is the whole budget of each operation."""
        timeout = check_timeout(timeout_seconds)
        location = check_location(region, base_url)
        retry = retry_policy(timeout)
        if retries is not None:
            retry = RetryPolicy(check_retries(retries), retry.backoff_factor, retry.backoff_max,
                                retry.budget_seconds)
        if backoff_factor is not None:
            retry = RetryPolicy(retry.retries, check_backoff_factor(backoff_factor),
                                retry.backoff_max, retry.budget_seconds)
        return cls(
            base_url=location,
            connect_timeout=min(MAX_CONNECT_SECONDS, timeout),
            read_timeout=timeout,
            verify_tls=check_verify_tls(verify_tls),
            ca_bundle=check_ca_bundle(ca_bundle),
            retry=retry,
            user_agent=check_user_agent(user_agent),
        )

    @property
    def host(self) -> str:
        """``host[:port]`` of the control plane, as errors name it."""
        return urlsplit(self.base_url).netloc
