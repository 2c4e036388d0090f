"""The exceptions this package raises, and the scrubbing that keeps secrets out of them.

Plain classes, declared here once: ``except NotFoundError`` and ``type(e) is NotFoundError`` both
work, and every error pickles. Nothing here knows Pulumi: the Pulumi layer adds its own advice
with :meth:`AnypointError.with_context`, which returns a copy and never edits an error in place.

Every error names the control plane host, the endpoint, the HTTP status when there was one, and
what to do next. None ever carries a password, client secret, SAML response or token: messages
are built from our own words plus a trimmed extract of Anypoint's answer, scrubbed by
:mod:`anypoint_pulumi.access.redaction`, and
library exceptions are never chained (ours are raised outside the ``except`` block, so not even
``__context__`` keeps them) because their text and the request they hold are not ours to vet.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

__all__ = [
    "AnypointError",
    "BadCredentialsError",
    "ConfigurationError",
    "MfaRequiredError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "TokenRejectedError",
    "TransportError",
    "UnexpectedResponseError",
]

E = TypeVar("E", bound="AnypointError")


class AnypointError(Exception):
    """Base class of every error raised by anypoint-pulumi."""

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        endpoint: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.host = host
        self.endpoint = endpoint
        self.status = status
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.endpoint:
            where = f" ({self.endpoint} on {self.host})" if self.host else f" ({self.endpoint})"
        status = f" [HTTP {self.status}]" if self.status is not None else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{self.message}{where}{status}.{hint}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__str__()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the class, its message and its fields (so errors cross process borders)."""
        return (type(self), (self.message,), dict(self.__dict__))

    def __setstate__(self, state: dict[str, Any] | None) -> None:
        self.__dict__.update(state or {})
        self.args = (str(self),)

    def with_context(self: E, context: str, *, hint: str | None = None) -> E:
        """A copy of this error, of the same class, whose message starts with ``context`` (and
        whose ``hint`` is replaced when given): how a caller adds what it was doing."""
        new = copy.copy(self)
        new.message = f"{context}: {self.message}"
        if hint is not None:
            new.hint = hint
        new.args = (str(new),)
        return new


class ConfigurationError(AnypointError, ValueError):
    """An input is missing, conflicting or malformed; ``field`` names it."""

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        self.field = field
        super().__init__(message, hint=hint)


class BadCredentialsError(AnypointError):
    """Anypoint refused the credentials of a login (wrong, disabled or not allowed this grant)."""


class MfaRequiredError(BadCredentialsError):
    """The user must complete multi-factor authentication, which no API login can do."""


class TokenRejectedError(AnypointError):
    """Anypoint refused a bearer token: expired, revoked, or lacking permission (all are 401)."""


class PermissionDeniedError(TokenRejectedError):
    """The token is valid but may not do this (403, or a documented 401 for client tokens)."""


class NotFoundError(AnypointError):
    """The organization, environment or endpoint does not exist on this control plane."""


class RateLimitedError(AnypointError):
    """Anypoint kept answering 429 (or its empty-body 503) past the retry budget."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        host: str | None = None,
        endpoint: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, host=host, endpoint=endpoint, status=status, hint=hint)


class ServerError(AnypointError):
    """Anypoint answered with a 5xx error, after the retries allowed."""


class TransportError(AnypointError):
    """The request did not complete: DNS, connection, TLS, proxy or timeout."""


class UnexpectedResponseError(AnypointError):
    """Anypoint answered with something this client cannot use (HTML, bad JSON, no token)."""
