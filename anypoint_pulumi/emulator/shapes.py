"""The JSON documents the emulator answers with, one function per resource shape.

Field names follow the Access Management API as public clients see it. Shapes the public record
does not pin down are marked ASSUMED and kept in one function each, so they are easy to change.
Call these with the store lock held.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .state import (
    NATIVE_IDENTITY_PROVIDER,
    ConnectedApp,
    Environment,
    Organization,
    Store,
    Token,
    User,
)

JSON = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 with milliseconds and ``Z``, as Anypoint writes timestamps."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def environment(env: Environment) -> JSON:
    """An entry of ``/organizations/{id}/environments``."""
    return {
        "id": env.id,
        "name": env.name,
        "organizationId": env.organization_id,
        "isProduction": env.is_production,
        "type": env.type,
        "clientId": env.client_id,
    }


def organization_summary(store: Store, org: Organization) -> JSON:
    """The organization object embedded in a user (``me.user.organization``)."""
    return {
        "id": org.id,
        "name": org.name,
        "createdAt": iso(org.created_at),
        "updatedAt": iso(org.updated_at),
        "ownerId": org.owner_id,
        "clientId": org.client_id,
        "domain": org.domain,
        "idprovider_id": org.identity_provider_id or NATIVE_IDENTITY_PROVIDER,
        "isFederated": org.is_federated,
        "parentOrganizationIds": store.ancestors(org.id),
        "subOrganizationIds": store.descendants(org.id),
        "tenantOrganizationIds": [],
        "isRoot": org.parent_id is None,
        "isMaster": org.parent_id is None,
        "subscription": {"category": "Trial", "type": "Trial", "expiration": None},
        "entitlements": {"createEnvironments": True, "createSubOrgs": True, "hybrid": {}},
        "properties": {},
    }


def organization_reference(org: Organization) -> JSON:
    """The short form in ``memberOfOrganizations`` and ``contributorOfOrganizations``."""
    return {
        "id": org.id,
        "name": org.name,
        "parentId": org.parent_id,
        "domain": org.domain,
        "isMaster": org.parent_id is None,
        "clientId": org.client_id,
    }


def user(store: Store, person: User) -> JSON:
    """The user object of ``/me`` (wrapped in ``user``) and ``/profile`` (flat)."""
    org = store.organizations[person.organization_id]
    member_of = [org.id, *store.descendants(org.id)]
    return {
        "id": person.id,
        "createdAt": iso(person.created_at),
        "updatedAt": iso(person.updated_at),
        "lastLogin": iso(person.last_login),
        "firstName": person.first_name,
        "lastName": person.last_name,
        "email": person.email,
        "phoneNumber": person.phone_number,
        "username": person.username,
        "enabled": person.enabled,
        "deleted": False,
        "idprovider_id": person.identity_provider_id or NATIVE_IDENTITY_PROVIDER,
        "type": "host",
        "organizationId": org.id,
        "organization": organization_summary(store, org),
        "memberOfOrganizations": [
            organization_reference(store.organizations[oid]) for oid in member_of
        ],
        "contributorOfOrganizations": [],
        "organizationPreferences": {},
        "properties": {},
        "mfaVerificationExcluded": not person.mfa,
    }


def owner(store: Store, org: Organization) -> JSON | None:
    """The ``owner`` of an organization: a short user object, or ``None`` when it has none."""
    person = store.users.get(org.owner_id) if org.owner_id else None
    if person is None:
        return None
    return {
        "id": person.id,
        "createdAt": iso(person.created_at),
        "updatedAt": iso(person.updated_at),
        "organizationId": person.organization_id,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "email": person.email,
        "username": person.username,
        "enabled": person.enabled,
        "deleted": False,
        "idprovider_id": person.identity_provider_id or NATIVE_IDENTITY_PROVIDER,
    }


def organization(store: Store, org: Organization) -> JSON:
    """``GET /accounts/api/organizations/{id}``."""
    parent = store.organizations.get(org.parent_id) if org.parent_id else None
    return {
        **organization_summary(store, org),
        "parentId": org.parent_id,
        "parentName": parent.name if parent else None,
        "sessionTimeout": org.session_timeout_minutes,
        "environments": [environment(env) for env in store.environments_of(org.id)],
        "owner": owner(store, org),
    }


def hierarchy(store: Store, org: Organization) -> JSON:
    """``GET /accounts/api/organizations/{id}/hierarchy``: the org with nested business groups."""
    return {
        "id": org.id,
        "name": org.name,
        "parentId": org.parent_id,
        "parentOrganizationIds": store.ancestors(org.id),
        "subOrganizationIds": store.descendants(org.id),
        "tenantOrganizationIds": [],
        "clientId": org.client_id,
        "domain": org.domain,
        "isFederated": org.is_federated,
        "isRoot": org.parent_id is None,
        "isMaster": org.parent_id is None,
        "sessionTimeout": org.session_timeout_minutes,
        "environments": [environment(env) for env in store.environments_of(org.id)],
        "subOrganizations": [
            hierarchy(store, store.organizations[child]) for child in store.children(org.id)
        ],
    }


def client(token: Token, app: ConnectedApp | None) -> JSON:
    """The ``client`` object of ``/me`` for tokens obtained with client credentials."""
    return {
        "client_id": token.client_id,
        "name": app.name if app else token.client_name,
        "org_id": token.organization_id,
    }


def session(store: Store, token: Token) -> JSON:
    """``GET /accounts/api/session`` (shape ASSUMED: the public record does not document it)."""
    lifetime = (token.expires_at - token.issued_at).total_seconds()
    return {
        "issuedAt": iso(token.issued_at),
        "expiresAt": iso(token.expires_at),
        "sessionTimeout": max(1, round(lifetime / 60)),
        "type": token.kind,
    }
