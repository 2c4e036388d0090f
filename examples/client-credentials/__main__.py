"""Client credentials: the recommended way for a Pulumi program to log in to Anypoint.

Create a connected app in Access Management ("App acts on its own behalf (client credentials)"),
give it the scopes your program needs, then::

    pulumi config set anypoint-auth:clientId <the app's client id>
    pulumi config set --secret anypoint-auth:clientSecret <the app's client secret>
    pulumi config set anypoint-auth:region eu          # optional: us (default), eu, gov, ca, jp
    pulumi config set environment Production      # optional: the environment to look up
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_environment_output, get_profile_output

anypoint = pulumi.Config("anypoint")
config = pulumi.Config()

token = AnypointToken(
    "ci",
    client_id=anypoint.require("clientId"),
    client_secret=anypoint.require_secret("clientSecret"),
    region=anypoint.get("region"),
    base_url=anypoint.get("baseUrl"),
)

# A connected app has no user profile: get_profile answers from /accounts/api/me instead,
# in one request, because the token knows its grant type.
profile = get_profile_output(token=token)
environment = get_environment_output(name=config.get("environment") or "Sandbox", token=token)

pulumi.export("accessToken", token.access_token)  # secret
pulumi.export("grantType", token.grant_type)
pulumi.export("expiresAt", token.expires_at)
pulumi.export("clientName", profile.client_name)
pulumi.export("organizationId", profile.organization_id)
pulumi.export("environmentId", environment.id)
