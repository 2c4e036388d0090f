"""A program with logic worth testing: the environments a deployment may target.

``environments`` (a list, default ``["Sandbox"]``) names the targets; a production environment is
refused unless ``allowProduction`` is true. Credentials come from ``anypoint-auth:*`` config::

    pulumi config set --path 'environments[0]' Sandbox
    pulumi config set allowProduction false

The logic lives in ``targets.py``; ``test_targets.py`` tests it with the emulator and
``anypoint_pulumi.testing`` (run ``pytest`` in this folder).
"""

import pulumi
from targets import deployment_targets

from anypoint_pulumi import AnypointToken

config = pulumi.Config()
names = config.get_object("environments") or ["Sandbox"]
allow_production = config.get_bool("allowProduction") or False

token = AnypointToken("deployer")  # credentials and control plane from anypoint-auth:* config

pulumi.export("accessToken", token.access_token)  # secret
pulumi.export("targets", deployment_targets(token, names, allow_production=allow_production))
