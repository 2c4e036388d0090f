"""Login flows (grant types) and the token each yields: plain data, no HTTP.

Kept apart from the client so that the Pulumi layer can name flows without loading ``requests``
(``import anypoint_pulumi`` stays cheap; the HTTP stack loads on the first real call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

__all__ = ["AccessToken", "GrantType"]


class GrantType(str, Enum):
    """How a token was obtained; session tokens (login, SAML) end with the user's session."""

    CLIENT_CREDENTIALS = "client_credentials"
    PASSWORD = "password"
    LOGIN = "login"
    SAML = "saml"

    @property
    def is_session(self) -> bool:
        """Whether the token is a platform session (ended by logout, not by revoke)."""
        return self in (GrantType.LOGIN, GrantType.SAML)


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and what is known about it. ``repr`` never shows the token."""

    access_token: str = field(repr=False)
    token_type: str
    grant_type: GrantType
    issued_at: datetime
    expires_at: datetime
    base_url: str

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds of validity left at ``now`` (negative once expired)."""
        return (self.expires_at - (now or datetime.now(timezone.utc))).total_seconds()
