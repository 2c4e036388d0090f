"""The Python programs of the plugin's end-to-end tests (inline, through ``pulumi.automation``),
the same as the other languages' (``node/programs``, ``go/programs``, ``yaml``)."""

from __future__ import annotations

import pulumi


def scenario() -> None:
    """A Token from the stack's config; getProfile only when ``profile`` is set, since a
    function reads on every run."""
    import pulumi_anypoint_auth as anypoint  # the generated SDK (sdk/python)

    config = pulumi.Config()
    token = anypoint.Token("ci", client_id=config.require("clientId"),
                           client_secret=config.require_secret("clientSecret"),
                           base_url=config.require("baseUrl"))
    pulumi.export("accessToken", token.access_token)
    pulumi.export("grantType", token.grant_type)
    pulumi.export("expiresAt", token.expires_at)
    if config.get_bool("profile"):
        profile = anypoint.get_profile_output(access_token=token.access_token,
                                              base_url=config.require("baseUrl"))
        pulumi.export("organizationId", profile.organization_id)
