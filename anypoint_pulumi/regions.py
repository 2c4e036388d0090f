"""Anypoint control planes: region names to base URLs, and checks on custom base URLs.

Every control plane serves the same paths, and a token is valid only on the plane that issued it.
Private Cloud Edition installs have a host of their own, so any full ``https`` base URL is accepted.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

from .errors import ConfigurationError

CONTROL_PLANES: Mapping[str, str] = MappingProxyType(
    {
        "us": "https://anypoint.mulesoft.com",
        "eu": "https://eu1.anypoint.mulesoft.com",
        "gov": "https://gov.anypoint.mulesoft.com",
        "ca": "https://ca1.platform.mulesoft.com",
        "jp": "https://jp1.platform.mulesoft.com",
    }
)
"""Region name → base URL. The Hyperforce planes (``ca``, ``jp``) live under ``platform``."""

DEFAULT_REGION = "us"

_LABEL = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,62}"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")

_ALIASES: Mapping[str, str] = MappingProxyType({"us1": "us", "eu1": "eu", "gov1": "gov"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8 or ``::1``)."""
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


def normalize_base_url(base_url: str) -> str:
    """Validate a custom base URL and return it without a trailing slash.

    ``https`` is required, except for loopback hosts (the emulator, a local proxy), so that
    credentials never cross a network in clear text.
    """
    text = base_url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(
            f"base_url {text!r} is not an absolute http(s) URL: "
            "give the control plane's address, e.g. https://anypoint.mulesoft.com",
            field="base_url",
        )
    if not _valid_host(parts.hostname):
        raise ConfigurationError(
            f"base_url {text!r} has an invalid host name: use letters, digits, '-' and '.', "
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
            f"base_url {text!r} has an invalid port", field="base_url"
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
