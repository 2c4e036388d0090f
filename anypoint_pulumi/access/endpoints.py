"""The Access Management paths this package calls, in one place (every control plane serves the
same paths). Path segments taken from callers are percent-encoded here."""

from __future__ import annotations

from urllib.parse import quote

TOKEN_V2 = "/accounts/api/v2/oauth2/token"
TOKEN_LEGACY = "/accounts/oauth2/token"
LOGIN = "/accounts/login"
SAML = "/accounts/login/receive-id"
ME = "/accounts/api/me"
PROFILE = "/accounts/api/profile"
SESSION = "/accounts/api/session"
REVOKE = "/accounts/api/v2/oauth2/revoke"
LOGOUT = "/accounts/api/logout"


def segment(value: str) -> str:
    """``value`` as one path segment (``/`` and every other reserved character encoded)."""
    return quote(value, safe="")


def saml_org(org_domain: str, provider_id: str) -> str:
    """The organization-specific SAML endpoint."""
    return f"/accounts/login/{segment(org_domain)}/providers/{segment(provider_id)}/receive-id"


def organization(org_id: str) -> str:
    """``/accounts/api/organizations/{id}``."""
    return f"/accounts/api/organizations/{segment(org_id)}"


def environments(org_id: str) -> str:
    """``/accounts/api/organizations/{id}/environments``."""
    return organization(org_id) + "/environments"


def hierarchy(org_id: str) -> str:
    """``/accounts/api/organizations/{id}/hierarchy``."""
    return organization(org_id) + "/hierarchy"
