"""The JWT bearer grant's assertion: checked, signed, never shown.

Anypoint's token endpoint accepts ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``
with an ``assertion``: a JWT signed RS256 with the private key of a connected app whose
certificate (public key) is uploaded to the app, claiming ``iss`` = the app's client id, ``sub`` =
``v2|<identity provider id>|<username>``, ``aud`` = the token endpoint's URL and a short ``exp``.
It works only for users federated by that identity provider (SSO users): the one
non-interactive user-context login of organizations that enforce SSO or MFA.

Signing uses PyJWT with ``cryptography``, the package's optional ``jwt`` extra, loaded only when
an assertion is checked or made; without it the error says which extra to install. Nothing here
knows Pulumi. The private key and the assertion are secrets: errors name them, never show them.
"""

from __future__ import annotations

import importlib
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from .._version import __version__
from .errors import ConfigurationError
from .limits import ASSERTION_SECONDS, MAX_PATH_CHARS, MAX_PRIVATE_KEY_CHARS, MIN_RSA_BITS

__all__ = [
    "ASSERTION_SECONDS",
    "EXTRA",
    "GRANT",
    "check_private_key",
    "make_assertion",
    "secret_parts",
    "subject",
]

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
"""The OAuth2 ``grant_type`` of the JWT bearer grant (RFC 7523)."""
EXTRA = "jwt"
"""The package extra that brings PyJWT and cryptography."""

_KEYS = ("PRIVATE KEY", "RSA PRIVATE KEY")
_LABEL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
_KEY_FIX = ("give the PEM text of the connected app's private key (-----BEGIN PRIVATE KEY----- "
            "or -----BEGIN RSA PRIVATE KEY-----), e.g. `pulumi config set --secret "
            "anypoint:privateKey < key.pem` or ANYPOINT_PRIVATE_KEY=\"$(cat key.pem)\"")


def subject(identity_provider_id: str, username: str) -> str:
    """The ``sub`` claim Anypoint expects: ``v2|<identity provider id>|<username>``."""
    return f"v2|{identity_provider_id}|{username}"


def secret_parts(private_key: str) -> tuple[str, ...]:
    """What to mask wherever ``private_key`` might be echoed: the key as given, trimmed and
    normalized, and each line of its base64 body (so a partial or reflowed echo is masked too)."""
    text = _normalized(private_key) if isinstance(private_key, str) else ""
    lines = tuple(line.strip() for line in text.splitlines()
                  if line.strip() and not line.startswith("-----"))
    return (private_key, private_key.strip(), text, *lines)


def _extra_missing(what: str) -> ConfigurationError:
    return ConfigurationError(
        f"the JWT bearer grant needs {what}, part of anypoint-pulumi's '{EXTRA}' extra, which "
        f"is not installed: install the package with it, e.g. pip install "
        f"'anypoint_pulumi-{__version__}-py3-none-any.whl[{EXTRA}]' (or '/path/to/checkout"
        f"[{EXTRA}]'; once published, 'anypoint-pulumi[{EXTRA}]')",
        field="private_key")


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _pyjwt() -> ModuleType:
    """PyJWT, or the error naming the extra (a different ``jwt`` package counts as missing)."""
    found = _module("jwt")
    if found is None or not callable(getattr(found, "encode", None)):
        raise _extra_missing("PyJWT")
    if _module("cryptography.hazmat.primitives.serialization") is None:
        raise _extra_missing("cryptography")
    return found


def _normalized(value: str) -> str:
    """The PEM text as given, with literal ``\\n`` (a key squeezed onto one line, as CI secret
    stores and ``.env`` files often hold it) turned back into line breaks."""
    text = value.strip()
    if "\n" not in text and "\\n" in text:
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n")
    return text.replace("\r\n", "\n")


def _is_file(text: str) -> bool:
    try:
        return len(text) < MAX_PATH_CHARS and Path(text).is_file()
    except (OSError, ValueError):  # too long a name, a NUL byte...
        return False


def _blocks(text: str) -> list[tuple[str, str]]:
    """The ``(label, base64 body)`` of each PEM block of ``text``, in order, read in one pass
    over its lines (linear in its length: no pattern that could backtrack)."""
    blocks: list[tuple[str, str]] = []
    label: str | None = None
    body: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if label is None:
            name = line[11:-5] if line.startswith("-----BEGIN ") and line.endswith(
                "-----") and len(line) > 16 else ""
            if name and set(name) <= _LABEL_CHARS:
                label, body = name, []
        elif line == f"-----END {label}-----":
            blocks.append((label, "\n".join(body)))
            label = None
        else:
            body.append(line)
    return blocks


def _key_block(text: str) -> tuple[str | None, str | None]:
    """The PEM text of the private key among the blocks of ``text`` (a certificate may come
    before it, as in a combined PEM file), or ``None`` and what is wrong instead."""
    blocks = _blocks(text)
    for label, body in blocks:
        if label in _KEYS:
            return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n", None
    if not blocks:
        if "\n" not in text and (text.endswith((".pem", ".key")) or _is_file(text)):
            return None, "private_key looks like a file path, not a key: " + _KEY_FIX
        return None, "private_key is not a PEM-encoded private key: " + _KEY_FIX
    labels = [label for label, _ in blocks]
    if "ENCRYPTED PRIVATE KEY" in labels:
        return None, ("private_key is encrypted with a passphrase: give it decrypted "
                      "(`openssl pkey -in key.pem -out plain.pem`), kept as a secret")
    label = labels[0]
    if label in ("PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE"):
        return None, (f"private_key holds a {label.lower()}, not the private key: the connected "
                      "app keeps the certificate (public key); give the private key that signs "
                      "for it")
    return None, f"private_key is a {label} block: an RSA private key is needed (RS256)"


def check_private_key(value: Any) -> str:
    """``private_key`` as PEM text of an RSA private key, ready to sign; else a
    :class:`ConfigurationError` naming the field and the fix (never the key). Needs the extra."""
    return _key(value)[0]


def _key(value: Any) -> tuple[str, Any]:
    """The PEM text of the key (without what came around it) and the key object it holds."""
    if not isinstance(value, str):
        raise ConfigurationError(f"private_key must be a string, not {type(value).__name__}",
                                 field="private_key")
    if len(value) > MAX_PRIVATE_KEY_CHARS:  # before any parsing: a huge value costs nothing
        raise ConfigurationError(
            f"private_key is {len(value)} characters long, more than any RSA private key in PEM "
            f"({MAX_PRIVATE_KEY_CHARS}): " + _KEY_FIX, field="private_key")
    pem, failure = _key_block(_normalized(value))
    if pem is None:
        raise ConfigurationError(failure or _KEY_FIX, field="private_key")
    return pem, _load(pem)


def _load(text: str) -> Any:
    """The RSA private key object, or the error (raised outside ``except``: the parser's
    exception is not ours to show, and it must not be chained to ours)."""
    _pyjwt()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    if key is None:
        raise ConfigurationError(
            "private_key is not a readable PEM private key (malformed, truncated, or protected "
            "by a passphrase): " + _KEY_FIX, field="private_key")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(
            f"private_key is a {type(key).__name__.removesuffix('PrivateKey')} key: Anypoint's "
            "JWT bearer grant is RS256, which needs an RSA private key", field="private_key")
    if key.key_size < MIN_RSA_BITS:
        raise ConfigurationError(
            f"private_key is an RSA key of {key.key_size} bits, too weak to sign for a login: use "
            f"one of at least {MIN_RSA_BITS} bits (`openssl genpkey -algorithm RSA -pkeyopt "
            "rsa_keygen_bits:2048`) and upload its certificate to the connected app",
            field="private_key")
    return key


def make_assertion(
    *,
    private_key: str,
    client_id: str,
    identity_provider_id: str,
    username: str,
    audience: str,
    issued_at: datetime | None = None,
    lifetime_seconds: float = ASSERTION_SECONDS,
) -> str:
    """A signed assertion (RS256) for one login: ``iss`` = ``client_id``, ``sub`` =
    :func:`subject`, ``aud`` = ``audience`` (the token endpoint's URL), ``iat`` now, ``exp``
    ``lifetime_seconds`` later, and a unique ``jti``."""
    for name, value in (("client_id", client_id), ("identity_provider_id", identity_provider_id),
                        ("username", username)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{name} is required for the JWT bearer grant",
                                     field=name)
    if "|" in identity_provider_id:
        raise ConfigurationError("identity_provider_id must not contain '|' (it is a field of "
                                 "the assertion's sub claim): give the provider's id",
                                 field="identity_provider_id")
    key = _key(private_key)[1]
    now = issued_at or datetime.now(timezone.utc)
    claims = {
        "iss": client_id.strip(),
        "sub": subject(identity_provider_id.strip(), username.strip()),
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime_seconds)).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    signed = _pyjwt().encode(claims, key, algorithm="RS256")
    return signed if isinstance(signed, str) else bytes(signed).decode("ascii")
