"""Every limit of the access layer in one place: what it accepts from callers, what it believes
of a server, and the budgets and sizes it works within, with the checks that enforce them.

A server's answer is believed only within what Anypoint can really send: at most
:data:`MAX_ANSWER_BYTES` after decompression, JSON nested at most :data:`MAX_JSON_DEPTH` deep,
tokens of at most :data:`MAX_TOKEN_CHARS` visible ASCII characters, lifetimes of at most
:data:`MAX_LIFETIME_SECONDS`, at most :data:`MAX_PAGES` pages of a listing, path segments of at
most :data:`MAX_SEGMENT_CHARS`. Each bound is far above any real Access Management answer and far
below what could hurt the process. Callers' values are checked before anything is sent, and a
refusal names the field and the fix.

This module imports nothing of the package at load time (:mod:`.errors` imports
:mod:`.redaction`, which takes its bounds from here), so every other module can use it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "ASSERTION_SECONDS",
    "CHUNK_BYTES",
    "DEFAULT_BACKOFF_FACTOR",
    "DEFAULT_OAUTH_SECONDS",
    "DEFAULT_RETRIES",
    "DEFAULT_SESSION_MINUTES",
    "DEFAULT_TIMEOUT_SECONDS",
    "ENVIRONMENTS_PAGE",
    "MAX_ANSWER_BYTES",
    "MAX_BACKOFF_FACTOR",
    "MAX_BACKOFF_SECONDS",
    "MAX_CONNECT_SECONDS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_LIFETIME_SECONDS",
    "MAX_PAGES",
    "MAX_PATH_CHARS",
    "MAX_PRIVATE_KEY_CHARS",
    "MAX_RETRIES",
    "MAX_SEGMENT_CHARS",
    "MAX_TIMEOUT_SECONDS",
    "MAX_TOKEN_CHARS",
    "MAX_TOKEN_TYPE_CHARS",
    "MAX_TRANSPORTS",
    "MAX_USER_AGENT_CHARS",
    "MIN_MASKED_CHARS",
    "MIN_RSA_BITS",
    "MIN_TIMEOUT_SECONDS",
    "POOL_SIZE",
    "SHOWN_CHARS",
    "SHOWN_WINDOW",
    "check_text",
    "check_texts",
    "clamp_expiry",
    "lifetime_seconds",
    "token_problem",
]

# Time ---------------------------------------------------------------------------------------------

DEFAULT_TIMEOUT_SECONDS = 30.0
"""``timeout_seconds``, the time budget of one operation (a client call, a data function, a
provider operation), unless told otherwise: every attempt, wait and follow-up request included."""
MIN_TIMEOUT_SECONDS = 1.0
MAX_TIMEOUT_SECONDS = 600.0
MAX_CONNECT_SECONDS = 10.0
"""A connection that takes longer than this is not coming: fail (and retry) sooner."""
DEFAULT_RETRIES = 4
"""More attempts after a transient failure (connection error, 429, 502, 503, 504)."""
MAX_RETRIES = 100
DEFAULT_BACKOFF_FACTOR = 0.5
MAX_BACKOFF_FACTOR = 60.0
MAX_BACKOFF_SECONDS = 10.0
"""The longest backoff between two attempts (a server's ``Retry-After`` may ask for more)."""
ASSERTION_SECONDS = 180
"""How long a JWT bearer assertion is valid (``exp`` - ``iat``); a fresh one is signed for every
attempt."""

# Connections --------------------------------------------------------------------------------------

POOL_SIZE = 8
"""Connections kept per host and settings: more than the provider process's four workers."""
MAX_TRANSPORTS = 32
"""Distinct settings values whose pools stay open at once."""
CHUNK_BYTES = 64 * 1024
"""The most read from the network at once."""

# What a caller may send ---------------------------------------------------------------------------

MAX_USER_AGENT_CHARS = 256
MAX_SEGMENT_CHARS = 256
"""The longest path segment accepted (ids are UUIDs; organization domains are short names)."""
MAX_PATH_CHARS = 4096
"""The longest text taken for a file path (a private key given as a path, a CA bundle)."""
MAX_PRIVATE_KEY_CHARS = 64 * 1024
"""The longest ``private_key`` read: an RSA-16384 key in PEM is about 12 KiB, with a certificate
chain before it a few KiB more. Checked before any parsing, so a huge value costs nothing."""
MIN_RSA_BITS = 2048
"""The smallest RSA key that may sign an assertion (NIST SP 800-131A: 1024 bits is no longer
acceptable for signatures)."""

# What a server is believed ------------------------------------------------------------------------

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
ENVIRONMENTS_PAGE = 500
"""Environments asked per page."""
MAX_TOKEN_CHARS = 8192
"""The longest token believed (Anypoint's are UUIDs or JWTs of a few hundred characters; most
servers refuse request headers past 8 KiB anyway)."""
MAX_TOKEN_TYPE_CHARS = 32
"""The longest ``token_type`` believed (it is ``bearer``); a longer one is read as ``bearer``."""
MAX_LIFETIME_SECONDS = 86_400
"""The longest token lifetime believed: Anypoint's OAuth tokens last an hour and its sessions
the organization's session timeout (60 minutes by default). A server claiming more is believed
for a day, so the token is renewed after a day at the latest."""
DEFAULT_OAUTH_SECONDS = 3600
"""An OAuth token's lifetime when the answer does not say."""
DEFAULT_SESSION_MINUTES = 60
"""A session token's lifetime when ``/accounts/api/session`` does not say."""

# What a message shows -----------------------------------------------------------------------------

SHOWN_WINDOW = 8192
"""Characters of a server text that :func:`~.redaction.excerpt` reads (plus room for a secret
at its end): redacting even a 200 MB body costs no more than redacting a few kilobytes."""
SHOWN_CHARS = 200
"""The most characters of a server's words quoted in a message."""
MIN_MASKED_CHARS = 4
"""Secrets at least this long are masked where they appear; shorter ones withhold the text."""


# Text ---------------------------------------------------------------------------------------------


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
        from .errors import ConfigurationError  # see the module docstring

        raise ConfigurationError(
            f"{field} is not valid Unicode text: it holds a lone surrogate (U+D800 to U+DFFF) at "
            f"character {at + 1}; pass the value as it was issued, without damaged characters",
            field=field)
    return value


def check_texts(values: Mapping[str, Any] | None) -> None:
    """:func:`check_text` on every string value of a form, query or header set."""
    for key, value in (values or {}).items():
        if isinstance(value, str):
            check_text(value, str(key))


# What a server says -------------------------------------------------------------------------------


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
