"""Calling any Anypoint API with a token: what may be sent, and what comes back.

``AccessManagementClient.request`` (:mod:`anypoint_pulumi.access.client`) sends a bearer token
to a *path* of the control plane the client talks to, never to a URL: the
checks here refuse anything that could take the token elsewhere (an absolute or scheme-relative
URL, a ``.``/``..`` segment, an encoded slash or backslash) before a request is built, and the
transport checks the prepared request's URL once more. ``params`` and ``json`` are checked
here too, naming the field (never an ``AttributeError`` from deep inside, never NaN sent as
"Could not reach Anypoint"). Only idempotent methods are retried. What comes back is masked by
the same :func:`~.redaction.redact` as every error (the token in any spelling: any case,
percent- or JSON-escaped, base64, base64 of ``id:token``). Nothing here knows Pulumi or loads
``requests``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from .errors import ConfigurationError
from .redaction import masker

__all__ = [
    "IDEMPOTENT",
    "KEPT_HEADERS",
    "METHODS",
    "check_header_id",
    "check_json",
    "check_method",
    "check_params",
    "check_path",
    "kept_headers",
    "masked",
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


def check_json(value: Any) -> None:
    """``json`` (a request body) if JSON can carry it: dicts with string keys, lists, strings,
    finite numbers, booleans and ``None``; else a :class:`ConfigurationError` naming ``json``
    (NaN and Infinity are not JSON: a server would refuse them, or worse, read them)."""
    if value is None:
        return
    problem = ""
    try:
        json.dumps(value, allow_nan=False)
    except ValueError as exc:  # NaN/Infinity, or a circular reference
        problem = ("it holds NaN or Infinity, which JSON does not allow" if "compliant" in
                   str(exc) else "it refers to itself")
    except TypeError as exc:
        problem = f"it holds a value JSON cannot carry ({str(exc).split(' is not ')[0][-40:]})"
    except RecursionError:
        problem = "it is nested too deep"
    if problem:
        raise ConfigurationError(f"json is not a JSON body: {problem}; give dicts, lists, "
                                 "strings, finite numbers, booleans and None", field="json")


_PARAM_VALUE = (str, int, float)


def check_params(value: Any) -> None:
    """``params`` (the query): a mapping of names to strings or numbers (or lists of them, for
    a repeated name); else a :class:`ConfigurationError` naming ``params``."""
    if value is None:
        return
    fix = "give a dict of names to strings or numbers, e.g. {'limit': 50}"
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"params must be a dict, not {type(value).__name__}: {fix}",
                                 field="params")
    for key, item in value.items():
        items = item if isinstance(item, (list, tuple)) else [item]
        if not isinstance(key, str) or not all(
                isinstance(one, _PARAM_VALUE) and not isinstance(one, bool) for one in items):
            raise ConfigurationError(f"params holds a {type(key).__name__} name or a value that is "
                                     f"not a string or number: {fix}", field="params")


def kept_headers(headers: Mapping[str, str], token: str) -> dict[str, str]:
    """The answer's :data:`KEPT_HEADERS`, lower-cased, the token masked (as :func:`masked`)."""
    mask = masker([token])
    return {name: mask(headers[name]) for name in KEPT_HEADERS if name in headers}


def masked(value: Any, token: str) -> Any:
    """``value`` (JSON or text) with the token masked in every string, keys too, by
    :func:`~.redaction.redact`: the one redaction policy of errors and answers."""
    return _masked(value, masker([token]))


def _masked(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_masked(item, mask) for item in value]
    if isinstance(value, dict):
        return {mask(key): _masked(item, mask) for key, item in value.items()}
    return value
