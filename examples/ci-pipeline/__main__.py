"""The program a CI pipeline deploys: a token for the pipeline's connected app.

In CI the credentials come from the pipeline's secret store as environment variables, the same
ones the Anypoint CLI and the Terraform provider read, so the stack needs no config at all::

    ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET     # the connected app
    ANYPOINT_CPLANE=eu  or  ANYPOINT_BASE_URL=...  # optional: the control plane (default us)

(``anypoint:*`` stack config, when set, takes precedence over them.) ``deploy.sh`` runs
``pulumi up`` and hands ``accessToken`` to the next step.
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_profile_output

# Renew when less than 30 minutes remain, so the next steps always get at least that long.
token = AnypointToken("pipeline", renew_before_seconds=1800)
profile = get_profile_output(token=token)

pulumi.export("accessToken", token.access_token)  # secret: read with --show-secrets only
pulumi.export("expiresAt", token.expires_at)
pulumi.export("organizationId", profile.organization_id)
