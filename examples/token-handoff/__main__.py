"""Hand the token to another resource: a command that calls an Anypoint API with it.

The token travels in the command's *environment*, never in its command line: the engine shows
command lines in previews and logs, while an environment built from a secret output stays a
secret (encrypted in state, masked on the console). The command reads it as
``$ANYPOINT_ACCESS_TOKEN`` (the name other tools read, such as the community Terraform provider).

Credentials come from ``anypoint-auth:*`` config, as in the client-credentials example.
"""

import pulumi
import pulumi_command as command

from anypoint_pulumi import AnypointToken, get_environment_output

config = pulumi.Config()

token = AnypointToken("deployer")  # credentials and control plane from anypoint-auth:* config
environment = get_environment_output(name=config.get("environment") or "Sandbox", token=token)

# Any Anypoint API works the same way; /accounts/api/me answers for every kind of token.
who_am_i = command.local.Command(
    "who-am-i",
    create='curl --silent --show-error --fail '
           '--header "Authorization: Bearer $ANYPOINT_ACCESS_TOKEN" '
           '"$ANYPOINT_BASE_URL/accounts/api/me"',
    environment={
        "ANYPOINT_ACCESS_TOKEN": token.access_token,  # secret in, secret kept
        "ANYPOINT_BASE_URL": token.base_url,
        "ANYPOINT_ENV_ID": environment.id,
    },
    # Run again whenever the token is replaced (renewal gives the resource a new id).
    triggers=[token.id],
)

pulumi.export("accessToken", token.access_token)
pulumi.export("environmentId", environment.id)
pulumi.export("whoAmI", who_am_i.stdout)
