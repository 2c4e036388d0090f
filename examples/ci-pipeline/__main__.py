"""The program a CI pipeline deploys: a token for the pipeline's connected app, and the ids the
next steps need.

In CI the credentials come from the pipeline's secret store as environment variables, the same
ones the Anypoint CLI and the Terraform provider read, so the stack needs no config at all::

    ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET     # the connected app
    ANYPOINT_CPLANE=eu  or  ANYPOINT_BASE_URL=...  # optional: the control plane (default us)

(``anypoint-auth:*`` stack config, when set, takes precedence over them; ``environment`` names the
environment, default ``Sandbox``.) ``deploy.sh`` runs ``pulumi up`` and hands ``accessToken``,
``organizationId``, ``environmentName``, ``environmentId`` and ``baseUrl`` to the next step as
``ANYPOINT_ACCESS_TOKEN``, ``ANYPOINT_ORG``, ``ANYPOINT_ENV``, ``ANYPOINT_ENV_ID`` and
``ANYPOINT_HOST``.
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_environment_output, get_profile_output

config = pulumi.Config()

# Renew when less than 30 minutes remain, so the next steps always get at least that long.
token = AnypointToken("pipeline", renew_before_seconds=1800)
profile = get_profile_output(token=token)
environment = get_environment_output(name=config.get("environment") or "Sandbox", token=token)

pulumi.export("accessToken", token.access_token)  # secret: read with --show-secrets only
pulumi.export("expiresAt", token.expires_at)
pulumi.export("baseUrl", token.base_url)
pulumi.export("organizationId", profile.organization_id)
pulumi.export("environmentName", environment.name)
pulumi.export("environmentId", environment.id)
