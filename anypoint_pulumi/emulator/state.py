"""The emulator's in-memory world: organizations, environments, users, apps, identity providers,
tokens, its clock, the rate-limit window and the request log.

One :class:`Store` holds everything behind a single re-entrant lock. The WSGI handlers run under
that lock (they are short and never sleep), so every answer sees one consistent state.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from ..access.models import ENVIRONMENT_TYPES, Kind
from .replay import SeenOnce, kept_assertions

GrantKind = Literal["client_credentials", "password", "login", "saml", "legacy", "jwt_bearer"]
TokenKind = Kind

NATIVE_IDENTITY_PROVIDER = "prod-anypoint"
"""``idprovider_id`` of users with an Anypoint password (ASSUMED, from public samples)."""


MAX_SESSION_TIMEOUT_MINUTES = 365 * 24 * 60
"""The longest session timeout an organization may have in the emulator (a year): beyond the
real setting's range, short enough that every expiry stays a date (ASSUMED bound)."""
MAX_TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600
"""The longest ``expires_in`` the emulator issues (a year; clients clamp far sooner)."""
MAX_CLOCK_OFFSET_SECONDS = 100 * 365 * 24 * 3600
"""How far (a century, either way) the emulator's clock may be moved from real time."""


def whole_number(name: str, value: object, low: int, high: int) -> int:
    """``value`` when it is an ``int`` (not a ``bool``) from ``low`` to ``high``; otherwise a
    :class:`ValueError` naming ``name`` and the range."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {shown}")
    return value


def new_id() -> str:
    """A fresh UUID4 string: the format of every Anypoint id and token."""
    return str(uuid.uuid4())


def new_client_id() -> str:
    """32 lowercase hex characters: the format of client ids and connected-app secrets."""
    return secrets.token_hex(16)


def slug(name: str) -> str:
    """An organization domain made from its name (lowercase letters, digits and hyphens)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "org"


@dataclass
class Organization:
    """A root organization or a business group (``parent_id`` set)."""

    id: str
    name: str
    parent_id: str | None
    client_id: str
    client_secret: str
    session_timeout_minutes: int
    domain: str
    created_at: datetime
    updated_at: datetime
    owner_id: str | None = None
    is_federated: bool = False
    identity_provider_id: str | None = None


@dataclass
class Environment:
    """An environment of one organization; its client id/secret work on the legacy endpoint."""

    id: str
    name: str
    organization_id: str
    type: str
    is_production: bool
    client_id: str
    client_secret: str


@dataclass
class User:
    """A platform user; ``identity_provider_id`` set means federated (SAML only)."""

    id: str
    username: str
    password: str
    organization_id: str
    mfa: bool
    enabled: bool
    first_name: str
    last_name: str
    email: str
    created_at: datetime
    updated_at: datetime
    phone_number: str = ""
    last_login: datetime | None = None
    identity_provider_id: str | None = None


@dataclass
class ConnectedApp:
    """A connected app: its own client credentials and the grants it may use; ``public_key``
    (PEM: a public key or certificate) checks its JWT bearer assertions."""

    client_id: str
    client_secret: str
    name: str
    organization_id: str
    grant_types: tuple[str, ...]
    public_key: str | None = None


@dataclass
class IdentityProvider:
    """A SAML identity provider of one organization, known by its issuer."""

    id: str
    issuer: str
    organization_id: str
    org_domain: str


@dataclass(frozen=True)
class ApiAnswer:
    """One read-only path: its JSON ``body``, the organization whose tokens may read it (``None``:
    any valid token), and the environment it belongs to (``environment_header``: selected by
    ``X-ANYPNT-ENV-ID``, as CloudHub does, instead of by the path)."""

    path: str
    body: Any
    organization_id: str | None = None
    environment_id: str | None = None
    environment_header: bool = False


@dataclass
class Token:
    """An issued bearer token and what it stands for."""

    value: str
    grant: GrantKind
    kind: TokenKind
    organization_id: str
    issued_at: datetime
    expires_at: datetime
    user_id: str | None = None
    client_id: str | None = None
    client_name: str | None = None
    revoked: bool = False


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator received: ``status`` is 0 when the connection was dropped."""

    method: str
    path: str
    status: int


@dataclass(frozen=True)
class RateWindow:
    """The rate-limit figures for one response."""

    limit: int
    remaining: int
    reset_epoch: int
    exceeded: bool


@dataclass
class Clock:
    """Real UTC time shifted by an offset that tests move forward with :meth:`advance`."""

    offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        """The emulator's current time (UTC, aware)."""
        return datetime.now(timezone.utc) + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock by ``seconds`` (negative moves it back); :class:`ValueError` when that
        is not a finite number or would move it more than :data:`MAX_CLOCK_OFFSET_SECONDS` from
        real time."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ValueError(f"seconds must be a number, not {type(seconds).__name__}")
        try:
            total = self.offset.total_seconds() + float(seconds)
        except OverflowError:  # an int too large for a float
            total = math.inf
        if not math.isfinite(total) or abs(total) > MAX_CLOCK_OFFSET_SECONDS:
            raise ValueError(f"the clock may move at most {MAX_CLOCK_OFFSET_SECONDS} seconds "
                             f"(a century) from real time; it is {self.offset.total_seconds():g} "
                             f"s off now, and {seconds!r:.40} more is too far")
        self.offset = timedelta(seconds=total)


class Store:
    """Every entity, token and counter of one emulator, guarded by :attr:`lock`."""

    def __init__(self, *, token_lifetime_seconds: int = 3600, latency: float = 0.0) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.token_lifetime_seconds = whole_number(
            "token_lifetime_seconds", token_lifetime_seconds, 1, MAX_TOKEN_LIFETIME_SECONDS)
        self.latency = latency
        self.hierarchy_allows_clients = False
        self.rate_limit = 500
        self.rate_limit_enforced = False
        self.organizations: dict[str, Organization] = {}
        self.environments: dict[str, Environment] = {}
        self.users: dict[str, User] = {}
        self.apps: dict[str, ConnectedApp] = {}
        self.identity_providers: dict[str, IdentityProvider] = {}
        self.tokens: dict[str, Token] = {}
        self.log: list[RequestRecord] = []
        self.api_answers: dict[tuple[str, str | None], ApiAnswer] = {}
        """Read-only answers of other Anypoint APIs, by (path, header environment id)."""
        self.jwt_assertions: deque[str] = kept_assertions()
        """The last JWT bearer assertions received, at most
        :data:`~.replay.MAX_KEPT_ASSERTIONS` (tests sweep them for leaks: they are secrets)."""
        self.used_jwt_ids = SeenOnce()
        """``jti`` (or whole assertions without one) already exchanged: a replay is refused."""
        self.used_saml_ids = SeenOnce()
        """IDs of SAML responses and assertions already used: each signs in once."""
        self.demo_saml_username: str | None = None
        """Whom ``/emulator/saml-response`` asserts by default (the demo federated user)."""
        self._window = -1
        self._window_count = 0

    def now(self) -> datetime:
        """The emulator's current time."""
        return self.clock.now()

    def add_organization(
        self,
        name: str,
        *,
        parent_id: str | None = None,
        session_timeout_minutes: int = 60,
        organization_id: str | None = None,
        domain: str | None = None,
    ) -> str:
        """Create an organization (a business group when ``parent_id`` is given)."""
        if not name:
            raise ValueError("an organization needs a name")
        whole_number("session_timeout_minutes", session_timeout_minutes, 1,
                     MAX_SESSION_TIMEOUT_MINUTES)
        with self.lock:
            if parent_id is not None:
                self.organization(parent_id)
            org_id = organization_id or new_id()
            if org_id in self.organizations:
                raise ValueError(f"organization {org_id} already exists")
            now = self.now()
            parent_owner = self.organizations[parent_id].owner_id if parent_id else None
            self.organizations[org_id] = Organization(
                id=org_id,
                name=name,
                parent_id=parent_id,
                client_id=new_client_id(),
                client_secret=new_client_id(),
                session_timeout_minutes=session_timeout_minutes,
                domain=domain or self._free_domain(slug(name)),
                created_at=now,
                updated_at=now,
                owner_id=parent_owner,
            )
            return org_id

    def _free_domain(self, base: str) -> str:
        taken = {org.domain for org in self.organizations.values()}
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def add_environment(
        self,
        org_id: str,
        name: str,
        *,
        type: str = "sandbox",
        is_production: bool | None = None,
        environment_id: str | None = None,
    ) -> str:
        """Create an environment in ``org_id``; ``is_production`` follows ``type`` by default."""
        if type not in ENVIRONMENT_TYPES:
            raise ValueError(f"environment type must be one of {', '.join(ENVIRONMENT_TYPES)}")
        if not name:
            raise ValueError("an environment needs a name")
        with self.lock:
            self.organization(org_id)
            env_id = environment_id or new_id()
            if env_id in self.environments:
                raise ValueError(f"environment {env_id} already exists")
            self.environments[env_id] = Environment(
                id=env_id,
                name=name,
                organization_id=org_id,
                type=type,
                is_production=type == "production" if is_production is None else is_production,
                client_id=new_client_id(),
                client_secret=new_client_id(),
            )
            return env_id

    def add_user(
        self,
        username: str,
        password: str,
        *,
        org_id: str,
        mfa: bool = False,
        enabled: bool = True,
        first_name: str = "",
        last_name: str = "",
        email: str | None = None,
        user_id: str | None = None,
        identity_provider_id: str | None = None,
    ) -> str:
        """Create a user of ``org_id``; the first user of an organization becomes its owner."""
        if not username:
            raise ValueError("a user needs a username")
        with self.lock:
            org = self.organization(org_id)
            if self.user_by_username(username) is not None:
                raise ValueError(f"username {username!r} is taken")
            uid = user_id or new_id()
            if uid in self.users:
                raise ValueError(f"user {uid} already exists")
            now = self.now()
            self.users[uid] = User(
                id=uid,
                username=username,
                password=password,
                organization_id=org_id,
                mfa=mfa,
                enabled=enabled,
                first_name=first_name,
                last_name=last_name,
                email=email if email is not None else f"{username}@example.com",
                created_at=now,
                updated_at=now,
                identity_provider_id=identity_provider_id,
            )
            if org.owner_id is None:
                for sub_id in [org_id, *self.descendants(org_id)]:
                    sub = self.organizations[sub_id]
                    if sub.owner_id is None:
                        sub.owner_id = uid
            return uid

    def add_connected_app(
        self,
        name: str,
        *,
        org_id: str,
        grant_types: Iterable[str] = ("client_credentials",),
        client_id: str | None = None,
        client_secret: str | None = None,
        public_key: str | None = None,
    ) -> tuple[str, str]:
        """Create a connected app; returns its ``(client_id, client_secret)``. The
        ``jwt_bearer`` grant needs ``public_key`` (PEM public key or certificate)."""
        grants = tuple(grant_types)
        if not grants:
            raise ValueError("a connected app needs at least one grant type")
        if ("jwt_bearer" in grants) != (public_key is not None):
            raise ValueError("the jwt_bearer grant and public_key go together: an app checks "
                             "JWT assertions with the public key (or certificate) it holds")
        if public_key is not None:

            public_key_of(public_key)  # ValueError when it is not an RSA public key
        with self.lock:
            self.organization(org_id)
            cid = client_id or new_client_id()
            if cid in self.apps or self.credential_owner(cid) is not None:
                raise ValueError(f"client id {cid} is taken")
            app = ConnectedApp(
                client_id=cid,
                client_secret=client_secret or new_client_id(),
                name=name,
                organization_id=org_id,
                grant_types=grants,
                public_key=public_key,
            )
            self.apps[cid] = app
            return app.client_id, app.client_secret

    def add_identity_provider(
        self,
        issuer: str,
        *,
        org_id: str,
        org_domain: str | None = None,
        provider_id: str | None = None,
    ) -> str:
        """Register a SAML identity provider; ``org_domain`` also becomes the org's domain."""
        if not issuer:
            raise ValueError("an identity provider needs an issuer")
        with self.lock:
            org = self.organization(org_id)
            if self.identity_provider_by_issuer(issuer) is not None:
                raise ValueError(f"issuer {issuer!r} is already registered")
            pid = provider_id or new_id()
            if pid in self.identity_providers:
                raise ValueError(f"identity provider {pid} already exists")
            if org_domain:
                org.domain = org_domain
            org.is_federated = True
            org.identity_provider_id = org.identity_provider_id or pid
            self.identity_providers[pid] = IdentityProvider(
                id=pid, issuer=issuer, organization_id=org_id, org_domain=org.domain
            )
            return pid

    def set_session_timeout(self, org_id: str, minutes: int) -> None:
        """Change the session length (minutes) of tokens issued from now on to the org's users."""
        whole_number("minutes", minutes, 1, MAX_SESSION_TIMEOUT_MINUTES)
        with self.lock:
            org = self.organization(org_id)
            org.session_timeout_minutes = minutes
            org.updated_at = self.now()

    def organization(self, org_id: str) -> Organization:
        """The organization ``org_id``; raises :class:`KeyError` naming it when unknown."""
        try:
            return self.organizations[org_id]
        except KeyError:
            raise KeyError(f"unknown organization {org_id}") from None

    def ancestors(self, org_id: str) -> list[str]:
        """Ids of the organization's ancestors, root first."""
        chain: list[str] = []
        parent = self.organizations[org_id].parent_id
        while parent is not None:
            chain.append(parent)
            parent = self.organizations[parent].parent_id
        return chain[::-1]

    def children(self, org_id: str) -> list[str]:
        """Ids of the direct business groups of an organization, in creation order."""
        return [o.id for o in self.organizations.values() if o.parent_id == org_id]

    def descendants(self, org_id: str) -> list[str]:
        """Ids of every business group below an organization, depth first."""
        found: list[str] = []
        for child in self.children(org_id):
            found.append(child)
            found.extend(self.descendants(child))
        return found

    def root_of(self, org_id: str) -> str:
        """Id of the root organization above (or equal to) ``org_id``."""
        chain = self.ancestors(org_id)
        return chain[0] if chain else org_id

    def environments_of(self, org_id: str) -> list[Environment]:
        """The organization's environments in creation order."""
        return [e for e in self.environments.values() if e.organization_id == org_id]

    def user_by_username(self, username: str) -> User | None:
        """The user with exactly this username, if any."""
        return next((u for u in self.users.values() if u.username == username), None)

    def identity_provider_by_issuer(self, issuer: str) -> IdentityProvider | None:
        """The identity provider registered for ``issuer``, if any."""
        return next((p for p in self.identity_providers.values() if p.issuer == issuer), None)

    def credential_owner(self, client_id: str) -> Organization | Environment | None:
        """The organization or environment whose own client id is ``client_id``."""
        for org in self.organizations.values():
            if org.client_id == client_id:
                return org
        for env in self.environments.values():
            if env.client_id == client_id:
                return env
        return None

    def issue_token(
        self,
        grant: GrantKind,
        *,
        organization_id: str,
        lifetime_seconds: float,
        user_id: str | None = None,
        client_id: str | None = None,
        client_name: str | None = None,
    ) -> Token:
        """Mint a token valid for ``lifetime_seconds`` of emulator time."""
        with self.lock:
            now = self.now()
            value = new_id()
            while value in self.tokens:
                value = new_id()
            token = Token(
                value=value,
                grant=grant,
                kind="user" if user_id is not None else "client",
                organization_id=organization_id,
                issued_at=now,
                expires_at=now + timedelta(seconds=lifetime_seconds),
                user_id=user_id,
                client_id=client_id,
                client_name=client_name,
            )
            self.tokens[value] = token
            if user_id is not None:
                self.users[user_id].last_login = now
            return token

    def active_token(self, value: str) -> Token | None:
        """The token if it exists, is not revoked and has not expired."""
        with self.lock:
            token = self.tokens.get(value)
            if token is None or token.revoked or token.expires_at <= self.now():
                return None
            return token

    def revoke(self, value: str) -> bool:
        """End a token; ``False`` when it was unknown."""
        with self.lock:
            token = self.tokens.get(value)
            if token is None:
                return False
            token.revoked = True
            return True

    def expire(self, value: str) -> bool:
        """Make a token expire now; ``False`` when it was unknown."""
        with self.lock:
            token = self.tokens.get(value)
            if token is None:
                return False
            token.expires_at = min(token.expires_at, self.now())
            return True

    def hit_rate_limit(self) -> RateWindow:
        """Count one request in the current one-minute window and report the figures."""
        with self.lock:
            epoch = int(self.now().timestamp())
            window = epoch // 60
            if window != self._window:
                self._window, self._window_count = window, 0
            self._window_count += 1
            return RateWindow(
                limit=self.rate_limit,
                remaining=max(0, self.rate_limit - self._window_count),
                reset_epoch=(window + 1) * 60,
                exceeded=self._window_count > self.rate_limit,
            )

    def record(self, method: str, path: str, status: int) -> None:
        """Append one entry to the request log."""
        with self.lock:
            self.log.append(RequestRecord(method=method, path=path, status=status))


def public_key_of(pem: str) -> Any:
    """The RSA public key in ``pem`` (a public key or a certificate); :class:`ValueError` else."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    data = pem.strip().encode()
    key: Any = (x509.load_pem_x509_certificate(data).public_key() if b"CERTIFICATE" in data
                else serialization.load_pem_public_key(data))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("a connected app's JWT key must be an RSA public key or certificate")
    return key
