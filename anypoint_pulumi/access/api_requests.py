"""Calling any Anypoint API with a token: what may be sent, and what comes back.

``AccessManagementClient.request`` (:mod:`anypoint_pulumi.access.client`) sends a bearer token
to a *path* of the control plane the client talks to, never to a URL: the
checks here refuse anything that could take the token elsewhere (an absolute or scheme-relative
URL, a ``.``/``..`` segment, an encoded slash or backslash) before a request is built, and the
client checks the final URL's host once more. Only idempotent methods are retried. Nothing here
knows Pulumi or loads ``requests``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from .errors import REDACTED, ConfigurationError

__all__ = [
    "IDEMPOTENT",
    "KEPT_HEADERS",
    "METHODS",
    "check_header_id",
    "check_method",
    "check_path",
    "kept_headers",
    "scrub",
]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""The methods :meth:`~anypoint_pulumi.access.client.AccessManagementClient.request` sends."""
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
"""Methods safe to send twice: only these are retried (RFC 9110, 9.2.2)."""
KEPT_HEADERS = ("content-type", "etag", "last-modified", "link", "location", "retry-after",
                "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                "x-request-id", "x-total-count")
"""The answer headers a caller gets back (never ``Set-Cookie``)."""

_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_PATH_HINT = ("give a path on the control plane, e.g. "
              "/apimanager/api/v1/organizations/{org}/environments/{env}/apis")


def check_method(method: Any) -> str:
    """``method`` upper-cased, if it is one of :data:`METHODS`."""
    if not isinstance(method, str) or method.strip().upper() not in METHODS:
        raise ConfigurationError(f"method {method!r} is not an HTTP method this client sends: use "
                                 f"one of {', '.join(METHODS)}", field="method")
    return method.strip().upper()


def check_path(path: Any) -> str:
    """``path`` if it stays on the control plane: absolute (``/…``), no scheme or host, no
    ``.``/``..`` segment (also percent-encoded), no encoded ``/`` or ``\\``, no query or fragment
    (pass ``params=``), no whitespace or control character. Else a :class:`ConfigurationError`
    naming ``path`` and the fix."""
    if not isinstance(path, str) or not path.strip():
        raise ConfigurationError(f"path must be a non-empty string: {_PATH_HINT}", field="path")
    if _SCHEME.match(path) or path.startswith("//"):
        raise ConfigurationError(
            "path must be a path on the control plane, not a URL: drop the scheme and host (the "
            "token is only ever sent to the control plane's own host; choose it with region or "
            "base_url)", field="path")
    if not path.startswith("/"):
        raise ConfigurationError(f"path must start with '/': {_PATH_HINT}", field="path")
    if "?" in path or "#" in path:
        raise ConfigurationError("path must not carry a query or fragment: pass the query as "
                                 "params={...}", field="path")
    if _UNSAFE.search(path):
        raise ConfigurationError("path must not contain whitespace, control characters or "
                                 "backslashes: percent-encode them", field="path")
    for segment in path.split("/")[1:]:
        decoded = _decoded(segment)
        if decoded in (".", "..") or "/" in decoded or "\\" in decoded:
            raise ConfigurationError(
                "path must not contain '.' or '..' segments or encoded slashes (also "
                "percent-encoded): it must stay below the control plane's base URL; write the "
                "path it resolves to", field="path")
    return path


def _decoded(segment: str) -> str:
    """A path segment percent-decoded until it stops changing (``%252e`` is ``.`` twice over)."""
    for _ in range(5):
        decoded = unquote(segment)
        if decoded == segment:
            break
        segment = decoded
    return segment


def check_header_id(name: str, value: Any) -> str | None:
    """An organization or environment id for an ``X-ANYPNT-*`` header (``None`` when unset)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or not value.strip().isprintable() or (
            not value.strip().isascii()):
        raise ConfigurationError(f"{name} must be an id (printable ASCII, e.g. a UUID), or unset",
                                 field=name)
    return value.strip()


def kept_headers(headers: Mapping[str, str], token: str) -> dict[str, str]:
    """The answer's :data:`KEPT_HEADERS`, lower-cased, the token masked."""
    return {name: scrub(headers[name], token) for name in KEPT_HEADERS if name in headers}


def scrub(value: Any, token: str) -> Any:
    """``value`` (JSON or text) with every occurrence of ``token`` replaced by ``***``."""
    if isinstance(value, str):
        return value.replace(token, REDACTED) if token else value
    if isinstance(value, list):
        return [scrub(item, token) for item in value]
    if isinstance(value, dict):
        return {scrub(key, token): scrub(item, token) for key, item in value.items()}
    return value
