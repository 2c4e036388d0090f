"""A token that acts as a user: a connected app's password grant, or the legacy login.

Recommended (works for users with multi-factor authentication): a connected app of type
"App acts on behalf of a user", with the password grant enabled, plus the user's credentials::

    pulumi config set anypoint-auth:clientId <the app's client id>
    pulumi config set --secret anypoint-auth:clientSecret <the app's client secret>
    pulumi config set anypoint-auth:username <user>
    pulumi config set --secret anypoint-auth:password <password>

Without ``anypoint-auth:clientId``/``anypoint-auth:clientSecret`` the program uses the legacy
``/accounts/login`` instead. That login cannot complete multi-factor authentication, which
Anypoint requires of every non-SSO user unless an administrator exempts them: for such users it
fails with an error that says so. Use a connected app.
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_profile_output

anypoint = pulumi.Config("anypoint")

token = AnypointToken(
    "user",
    username=anypoint.require("username"),
    password=anypoint.require_secret("password"),
    # Both set: the OAuth2 password grant. Both unset: the legacy login.
    client_id=anypoint.get("clientId"),
    client_secret=anypoint.get_secret("clientSecret"),
    region=anypoint.get("region"),
    base_url=anypoint.get("baseUrl"),
)

profile = get_profile_output(token=token)

pulumi.export("accessToken", token.access_token)  # secret
pulumi.export("grantType", token.grant_type)  # "password" or "login"
pulumi.export("expiresAt", token.expires_at)
pulumi.export("username", profile.username)
pulumi.export("organizationId", profile.organization_id)
