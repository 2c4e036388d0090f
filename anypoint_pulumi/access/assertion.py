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
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from .._version import __version__
from .errors import ConfigurationError

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
ASSERTION_SECONDS = 180
"""How long an assertion is valid (``exp`` - ``iat``): a fresh one is made for every login."""
EXTRA = "jwt"
"""The package extra that brings PyJWT and cryptography."""

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.+?)-----END \1-----", re.S)
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
        return len(text) < 4096 and Path(text).is_file()
    except (OSError, ValueError):  # too long a name, a NUL byte...
        return False


def _shape_failure(text: str) -> str | None:
    """What is wrong with the PEM's outline (without parsing the key), or ``None``."""
    found = _PEM.search(text)
    if found is None:
        if "\n" not in text and (text.endswith((".pem", ".key")) or _is_file(text)):
            return ("private_key looks like a file path, not a key: " + _KEY_FIX)
        return "private_key is not a PEM-encoded private key: " + _KEY_FIX
    label = found.group(1)
    if label == "ENCRYPTED PRIVATE KEY":
        return ("private_key is encrypted with a passphrase: give it decrypted "
                "(`openssl pkey -in key.pem -out plain.pem`), kept as a secret")
    if label in ("PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE"):
        return (f"private_key holds a {label.lower()}, not the private key: the connected app "
                "keeps the certificate (public key); give the private key that signs for it")
    if label not in ("PRIVATE KEY", "RSA PRIVATE KEY"):
        return f"private_key is a {label} block: an RSA private key is needed (RS256)"
    return None


def check_private_key(value: Any) -> str:
    """``private_key`` as PEM text of an RSA private key, ready to sign; else a
    :class:`ConfigurationError` naming the field and the fix (never the key). Needs the extra."""
    return _key(value)[0]


def _key(value: Any) -> tuple[str, Any]:
    """The normalized PEM text and the key object it holds."""
    if not isinstance(value, str):
        raise ConfigurationError(f"private_key must be a string, not {type(value).__name__}",
                                 field="private_key")
    text = _normalized(value)
    failure = _shape_failure(text)
    if failure is not None:
        raise ConfigurationError(failure, field="private_key")
    return text + "\n", _load(text)


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
