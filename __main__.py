"""The quickstart program: log in to Anypoint, then learn who the token is and where it may act.

Credentials and the control plane come from the stack's ``anypoint-auth:*`` config (falling back to
the ``ANYPOINT_*`` environment variables)::

    pulumi config set anypoint-auth:clientId 0123456789abcdef0123456789abcdef
    pulumi config set --secret anypoint-auth:clientSecret
    pulumi config set anypoint-auth:region eu    # or anypoint-auth:baseUrl https://…; default us
    pulumi config set environment Sandbox           # optional: the environment to look up

``make demo`` runs this same program against the local emulator, passing the emulator's base URL
and demo credentials as that config.
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_environment_output, get_profile_output

config = pulumi.Config()
environment_name = config.get("environment") or "Sandbox"

# No credential inputs: AnypointToken reads anypoint-auth:clientId / anypoint-auth:clientSecret /
# anypoint-auth:region (or anypoint-auth:baseUrl) from config. Every `pulumi up` keeps the token
# working: it is replaced (new token first) when less than 10 minutes of validity remain.
token = AnypointToken("quickstart")

# Who the token belongs to (a connected app here) and an environment looked up by name.
profile = get_profile_output(token=token)
environment = get_environment_output(name=environment_name, token=token)

pulumi.export("accessToken", token.access_token)  # a secret: encrypted in state, masked in output
pulumi.export("expiresAt", token.expires_at)
pulumi.export("organizationId", profile.organization_id)
pulumi.export("environmentId", environment.id)
