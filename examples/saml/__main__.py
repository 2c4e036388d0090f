"""A token from a SAML response, for organizations that sign in through an identity provider.

Capture a response (README.md in this folder has the steps), then::

    pulumi config set --secret samlResponse "$(cat saml-response.b64)"
    pulumi config set samlOrgDomain my-org           # optional, with samlProviderId: the
    pulumi config set samlProviderId <IdP id>        # organization-specific endpoint

A SAML response is single use and short lived: the token cannot be renewed with the same one.
When it nears expiry, `pulumi up` warns and keeps it; set a fresh response to renew it.
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_profile_output

config = pulumi.Config()
anypoint = pulumi.Config("anypoint")

token = AnypointToken(
    "saml",
    saml_response=config.require_secret("samlResponse"),
    saml_org_domain=config.get("samlOrgDomain"),
    saml_provider_id=config.get("samlProviderId"),
    region=anypoint.get("region"),
    base_url=anypoint.get("baseUrl"),
)

profile = get_profile_output(token=token)

pulumi.export("accessToken", token.access_token)  # secret
pulumi.export("grantType", token.grant_type)  # "saml"
pulumi.export("expiresAt", token.expires_at)
pulumi.export("username", profile.username)
pulumi.export("organizationId", profile.organization_id)
