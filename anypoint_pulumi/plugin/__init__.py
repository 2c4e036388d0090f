"""The ``anypoint-auth`` provider plugin: the token resource and the data functions for every
Pulumi language, served by this package (``pulumi-resource-anypoint-auth``)."""
