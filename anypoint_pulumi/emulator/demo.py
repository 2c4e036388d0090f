"""The demo organization every emulator starts with (unless ``seed=False``).

One root organization with Sandbox and Production environments, a business group with its own
environments, a plain user, an MFA user, a federated user and its identity provider, three
connected apps (client credentials; password grant on behalf of a user; JWT bearer grant with a
public key), and three answers of other Anypoint APIs (an API Manager instance, its Exchange
asset and a CloudHub application; see :mod:`.apis`). Secrets are random per emulator, so nothing
can come to depend on them, except the JWT app's key pair: RSA key generation is slow, so it is
made once per process (its private key in a file only this user can read,
:attr:`DemoCredentials.jwt_private_key_path`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .apis import DEMO_API_INSTANCE_ID, DEMO_APPLICATION, DEMO_ASSET_ID, seed_demo_apis
from .jwtgrant import demo_key_pair
from .state import Store


@dataclass(frozen=True)
class DemoCredentials:
    """Everything a test or demo needs to sign in to the demo organization."""

    organization_id: str
    organization_name: str
    client_id: str
    client_secret: str
    user_app_client_id: str
    user_app_client_secret: str
    username: str
    password: str
    mfa_username: str
    mfa_password: str
    saml_issuer: str
    saml_org_domain: str
    saml_provider_id: str
    saml_username: str
    jwt_client_id: str
    jwt_identity_provider_id: str
    jwt_username: str
    jwt_private_key_path: str
    api_instance_id: int
    exchange_asset_id: str
    cloudhub_application: str
    legacy_client_id: str
    legacy_client_secret: str
    business_group_id: str
    business_group_name: str
    sandbox_environment_id: str
    production_environment_id: str


DEMO_ORGANIZATION = "Demo Organization"
DEMO_BUSINESS_GROUP = "Demo Business Group"
DEMO_ORG_DOMAIN = "demo-org"
DEMO_ISSUER = "https://idp.example.com/saml/demo"


def seed_demo(store: Store) -> DemoCredentials:
    """Create the demo organization in ``store`` and return its credentials."""
    org_id = store.add_organization(DEMO_ORGANIZATION, domain=DEMO_ORG_DOMAIN)
    sandbox = store.add_environment(org_id, "Sandbox", type="sandbox")
    production = store.add_environment(org_id, "Production", type="production")
    group_id = store.add_organization(DEMO_BUSINESS_GROUP, parent_id=org_id)
    store.add_environment(group_id, "Sandbox", type="sandbox")
    store.add_environment(group_id, "Design", type="design")
    password, mfa_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    store.add_user("demo-user", password, org_id=org_id, first_name="Demo", last_name="User")
    store.add_user(
        "demo-mfa-user", mfa_password, org_id=org_id, mfa=True, first_name="Mfa", last_name="User"
    )
    provider_id = store.add_identity_provider(
        DEMO_ISSUER, org_id=org_id, org_domain=DEMO_ORG_DOMAIN
    )
    store.add_user(
        "demo-federated-user",
        secrets.token_urlsafe(12),
        org_id=org_id,
        first_name="Federated",
        last_name="User",
        identity_provider_id=provider_id,
    )
    client_id, client_secret = store.add_connected_app("Demo CI app", org_id=org_id)
    user_app_id, user_app_secret = store.add_connected_app(
        "Demo user app", org_id=org_id, grant_types=("password",)
    )
    keys = demo_key_pair()
    jwt_app_id, _ = store.add_connected_app(
        "Demo JWT app", org_id=org_id, grant_types=("jwt_bearer",), public_key=keys.public_pem
    )
    seed_demo_apis(store, org_id, sandbox)
    org = store.organizations[org_id]
    store.demo_saml_username = "demo-federated-user"
    return DemoCredentials(
        organization_id=org_id,
        organization_name=DEMO_ORGANIZATION,
        client_id=client_id,
        client_secret=client_secret,
        user_app_client_id=user_app_id,
        user_app_client_secret=user_app_secret,
        username="demo-user",
        password=password,
        mfa_username="demo-mfa-user",
        mfa_password=mfa_password,
        saml_issuer=DEMO_ISSUER,
        saml_org_domain=DEMO_ORG_DOMAIN,
        saml_provider_id=provider_id,
        saml_username="demo-federated-user",
        jwt_client_id=jwt_app_id,
        jwt_identity_provider_id=provider_id,
        jwt_username="demo-federated-user",
        jwt_private_key_path=keys.private_key_path,
        api_instance_id=DEMO_API_INSTANCE_ID,
        exchange_asset_id=DEMO_ASSET_ID,
        cloudhub_application=DEMO_APPLICATION,
        legacy_client_id=org.client_id,
        legacy_client_secret=org.client_secret,
        business_group_id=group_id,
        business_group_name=DEMO_BUSINESS_GROUP,
        sandbox_environment_id=sandbox,
        production_environment_id=production,
    )
