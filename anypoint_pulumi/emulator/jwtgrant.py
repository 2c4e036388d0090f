"""The JWT bearer grant as the emulator checks it, and the demo key pair.

An assertion is accepted when it is a JWT signed RS256 (verified here with ``cryptography``, not
with the client's PyJWT, so the two implementations check each other) by the private key of a
connected app that has the ``jwt_bearer`` grant and holds the matching public key; ``iss`` is
that app's client id; ``aud`` is the emulator's token endpoint; ``exp`` is a finite number of
seconds that lies ahead, at most :data:`MAX_LIFETIME_SECONDS` away; ``iat`` and ``nbf``, when
present, are finite numbers not in the future (no clock skew is allowed: the emulator runs on
the caller's own clock); the assertion was not exchanged before (its ``jti``, or the whole
assertion when it has none, is remembered until ``exp``, in a bounded memory); and ``sub`` is
``v2|<identity provider id>|<username>`` of a *federated* user of that identity provider in the
app's organization tree. A non-federated user is refused as the real service refuses one
("non-federated user is not supported"). The error bodies (OAuth ``{"error",
"error_description"}``), the five-minute bound and the refusal of a replayed ``jti`` are ASSUMED
(RFC 7523 lets a server refuse a replay; the client signs a fresh assertion, with a fresh
``jti``, for every login).
"""

from __future__ import annotations

import atexit
import base64
import binascii
import json
import math
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .state import ConnectedApp, Store, User, public_key_of

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
APP_GRANT = "jwt_bearer"
"""How a connected app's ``grant_types`` name the grant (and ``token_grant`` the tokens)."""
MAX_LIFETIME_SECONDS = 300
"""An assertion whose ``exp`` lies further ahead is refused (ASSUMED: "a short exp")."""
MAX_ASSERTION_CHARS = 16 * 1024
"""A longer assertion is refused unread (a real one is about a kilobyte)."""
_SUBJECT = re.compile(r"v2\|([^|]+)\|(.+)")


@dataclass(frozen=True)
class Refusal:
    """Why an assertion is refused: the HTTP status and the OAuth error body."""

    status: int
    error: str
    description: str


@dataclass(frozen=True)
class Accepted:
    """An accepted assertion: the connected app and the federated user it stands for."""

    app: ConnectedApp
    user: User


def _segment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_segment(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(_segment(text))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):  # nested past depth
        return None
    return value if isinstance(value, dict) else None


def _signature_ok(app: ConnectedApp, signed: str, signature: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        public_key_of(app.public_key or "").verify(
            _segment(signature), signed.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


class _BadTime(ValueError):
    """A time claim that is not a finite number of seconds."""


def _time(claims: dict[str, Any], name: str) -> float | None:
    """The claim ``name`` as epoch seconds, ``None`` when absent; :class:`_BadTime` when it is not
    a finite number (NaN, Infinity, a string, a boolean, an integer too large for a float)."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            seconds = math.inf
        if math.isfinite(seconds):
            return seconds
    raise _BadTime(f"assertion {name} must be a finite number of seconds since the epoch")


def verify(store: Store, assertion: str, audience: str, now: datetime) -> Accepted | Refusal:
    """Judge one assertion against the store (call with the store lock held)."""
    if len(assertion) > MAX_ASSERTION_CHARS:
        return Refusal(400, "invalid_grant", "assertion is too large (more than "
                                             f"{MAX_ASSERTION_CHARS} characters): not a JWT "
                                             "bearer assertion")
    parts = assertion.strip().split(".")
    if len(parts) != 3:
        return Refusal(400, "invalid_grant", "assertion is not a JWT (header.payload.signature)")
    header, claims = _json_segment(parts[0]), _json_segment(parts[1])
    if header is None or claims is None:
        return Refusal(400, "invalid_grant", "assertion is not a JWT: unreadable header or claims")
    if header.get("alg") != "RS256":
        return Refusal(400, "invalid_grant", "assertion must be signed with RS256")
    app = store.apps.get(str(claims.get("iss") or ""))
    if app is None:
        return Refusal(401, "invalid_client", "unknown client id (iss)")
    if APP_GRANT not in app.grant_types or not app.public_key:
        return Refusal(400, "unauthorized_client", f"this client may not use this grant ({GRANT})")
    if not _signature_ok(app, f"{parts[0]}.{parts[1]}", parts[2]):
        return Refusal(401, "invalid_grant", "invalid assertion signature: the JWT was not "
                                             "signed by this client's key")
    aud = claims.get("aud")
    if not (aud == audience or (isinstance(aud, list) and audience in aud)):
        return Refusal(400, "invalid_grant", f"invalid audience: aud must be {audience}")
    moment = now.timestamp()
    try:
        exp, iat, nbf = (_time(claims, name) for name in ("exp", "iat", "nbf"))
    except _BadTime as exc:
        return Refusal(400, "invalid_grant", str(exc))
    if exp is None:
        return Refusal(400, "invalid_grant", "assertion has no exp")
    if exp <= moment:
        return Refusal(400, "invalid_grant", "assertion expired")
    if exp > moment + MAX_LIFETIME_SECONDS:
        return Refusal(400, "invalid_grant", "assertion exp is too far ahead (at most "
                                             f"{MAX_LIFETIME_SECONDS // 60} minutes)")
    for name, at in (("iat", iat), ("nbf", nbf)):
        if at is not None and at > moment:
            return Refusal(400, "invalid_grant", f"assertion {name} is in the future")
    judged = _federated_user(store, app, str(claims.get("sub") or ""))
    if isinstance(judged, Accepted):
        jti = claims.get("jti")
        key = f"jti:{app.client_id}:{jti}" if isinstance(jti, str) and jti else assertion.strip()
        if not store.used_jwt_ids.use(key, until=exp, now=moment):
            return Refusal(400, "invalid_grant", "assertion already used (its jti was seen "
                                                 "before): sign a fresh assertion, with a new "
                                                 "jti, for every login")
    return judged


def _federated_user(store: Store, app: ConnectedApp, sub: str) -> Accepted | Refusal:
    found = _SUBJECT.fullmatch(sub)
    if found is None:
        return Refusal(400, "invalid_grant", "sub must be v2|<identity provider id>|<username>")
    provider = store.identity_providers.get(found.group(1))
    tree = {app.organization_id, *store.descendants(app.organization_id)}
    if provider is None or provider.organization_id not in tree:
        return Refusal(400, "invalid_grant", "unknown identity provider in sub")
    user = store.user_by_username(found.group(2))
    if user is None or user.organization_id not in tree:
        return Refusal(400, "invalid_grant", "user not found")
    if user.identity_provider_id is None:
        return Refusal(400, "invalid_grant", "non-federated user is not supported")
    if user.identity_provider_id != provider.id:
        return Refusal(400, "invalid_grant", "user is not federated by this identity provider")
    if not user.enabled:
        return Refusal(403, "access_denied", "User is disabled")
    return Accepted(app, user)


# The demo key pair ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """An RSA key pair: the public key (PEM) for the app, the private key's file for the user."""

    public_pem: str
    private_key_path: str


_DEMO: KeyPair | None = None
_DEMO_LOCK = threading.Lock()


def demo_key_pair() -> KeyPair:
    """The demo JWT app's key pair: made once per process (RSA key generation is slow), its
    private key written to a file only this user can read, removed when the process exits."""
    global _DEMO
    with _DEMO_LOCK:
        if _DEMO is None:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import rsa

            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            folder = Path(tempfile.mkdtemp(prefix="anypoint-emulator-jwt-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "demo-jwt-app.key.pem"
            path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
            path.chmod(0o600)
            public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
            _DEMO = KeyPair(public.decode("ascii"), str(path))
        return _DEMO
