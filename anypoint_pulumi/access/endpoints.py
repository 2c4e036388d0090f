"""The Access Management paths this package calls, in one place (every control plane serves the
same paths). Path segments taken from callers or from answers are checked and percent-encoded
here: a value that could step out of its segment (``..``, ``/``) is refused, never sent."""

from __future__ import annotations

from urllib.parse import quote

from .errors import ConfigurationError
from .limits import MAX_SEGMENT_CHARS

TOKEN_V2 = "/accounts/api/v2/oauth2/token"
TOKEN_LEGACY = "/accounts/oauth2/token"
LOGIN = "/accounts/login"
SAML = "/accounts/login/receive-id"
ME = "/accounts/api/me"
PROFILE = "/accounts/api/profile"
SESSION = "/accounts/api/session"
REVOKE = "/accounts/api/v2/oauth2/revoke"
LOGOUT = "/accounts/api/logout"

def segment_problem(value: object) -> str | None:
    """Why ``value`` cannot be one path segment, or ``None``: it must be a non-empty string of
    at most :data:`MAX_SEGMENT_CHARS` printable characters, neither ``.`` nor ``..``, without
    ``/`` or ``\\`` (which a server may decode and follow even when encoded)."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > MAX_SEGMENT_CHARS:
        return f"is longer than {MAX_SEGMENT_CHARS} characters"
    if value.strip() in (".", ".."):
        return "must not be '.' or '..' (it would name another path)"
    if "/" in value or "\\" in value:
        return "must not contain '/' or '\\' (it would name another path)"
    if not value.isprintable():
        return "must not contain control characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text (it holds a lone surrogate)"
    return None


def segment(value: str, field: str = "id") -> str:
    """``value`` as one path segment (every reserved character encoded); a value that could
    leave its segment is a :class:`ConfigurationError` naming ``field``."""
    problem = segment_problem(value)
    if problem:
        raise ConfigurationError(f"{field} {problem}: give the id (or domain) exactly as Anypoint "
                                 "shows it", field=field)
    return quote(value, safe="")


def saml_org(org_domain: str, provider_id: str) -> str:
    """The organization-specific SAML endpoint."""
    return (f"/accounts/login/{segment(org_domain, 'saml_org_domain')}/providers/"
            f"{segment(provider_id, 'saml_provider_id')}/receive-id")


def organization(org_id: str) -> str:
    """``/accounts/api/organizations/{id}``."""
    return f"/accounts/api/organizations/{segment(org_id, 'organization_id')}"


def environments(org_id: str) -> str:
    """``/accounts/api/organizations/{id}/environments``."""
    return organization(org_id) + "/environments"


def hierarchy(org_id: str) -> str:
    """``/accounts/api/organizations/{id}/hierarchy``."""
    return organization(org_id) + "/hierarchy"
