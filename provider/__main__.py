"""The plugin's entry point when the Python language host runs this directory
(``PulumiPlugin.yaml``): the same server as the ``pulumi-resource-anypoint-auth`` script."""

from anypoint_pulumi.plugin import main

main()
