"""Another control plane: the EU cloud by name, or Private Cloud Edition by URL.

A token is valid only on the control plane that issued it, and each plane has its own connected
apps. Set the credentials for the plane you use::

    # EU cloud (https://eu1.anypoint.mulesoft.com)
    pulumi config set region eu
    # ...or a Private Cloud Edition install (https required), with its private CA if any
    pulumi config set baseUrl https://anypoint.pce.example.com
    pulumi config set caBundle /etc/ssl/certs/pce-ca.pem

    pulumi config set anypoint-auth:clientId <client id on that plane>
    pulumi config set --secret anypoint-auth:clientSecret <client secret>

``region`` and ``baseUrl`` are exclusive; with neither the US cloud is used.
"""

import pulumi

from anypoint_pulumi import AnypointToken, get_profile_output

config = pulumi.Config()
anypoint = pulumi.Config("anypoint")

token = AnypointToken(
    "plane",
    client_id=anypoint.require("clientId"),
    client_secret=anypoint.require_secret("clientSecret"),
    region=config.get("region"),  # us, eu, gov, ca, jp, au
    base_url=config.get("baseUrl"),  # Private Cloud Edition
    ca_bundle=config.get("caBundle"),  # PEM bundle of the CAs that signed its certificate
    timeout_seconds=config.get_float("timeoutSeconds"),
)
profile = get_profile_output(token=token)

pulumi.export("accessToken", token.access_token)  # secret
pulumi.export("baseUrl", token.base_url)  # the plane the token belongs to
pulumi.export("organizationId", profile.organization_id)
