"""An Anypoint access token that renews itself, and the organization it belongs to.

Credentials and control plane come from the provider's config, which ``pulumi new`` prompted for::

    pulumi config set anypoint-auth:clientId <client id>
    pulumi config set --secret anypoint-auth:clientSecret <client secret>
    pulumi config set anypoint-auth:region eu        (or anypoint-auth:baseUrl for PCE)
"""

import pulumi
import pulumi_anypoint_auth as anypoint

token = anypoint.Token("token")

profile = anypoint.get_profile_output(access_token=token.access_token,
                                      base_url=token.base_url)

# access_token is a secret output: `pulumi stack output accessToken --show-secrets` hands it over.
pulumi.export("accessToken", token.access_token)
pulumi.export("expiresAt", token.expires_at)
pulumi.export("organizationId", profile.organization_id)
