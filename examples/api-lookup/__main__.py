"""Read an id from another Anypoint API and give it to a resource.

A Mule app that API Manager governs is built with ``api.id``, the id of its API instance in the
environment it deploys to: an id no provider exposes. This program reads it from API Manager
(``get_api_response``) with a token fetched at run time (``get_access_token``: nothing kept in
state), finds the instance of an Exchange asset, and writes the app's autodiscovery properties
with a small resource (``LocalFile``, a dynamic resource defined below). Credentials come from
``anypoint-auth:*`` config or the ``ANYPOINT_*`` variables, as for ``AnypointToken``::

    pulumi config set anypoint-auth:clientId <client id>
    pulumi config set --secret anypoint-auth:clientSecret <client secret>
    pulumi config set assetId my-orders-api        # the Exchange asset (default demo-orders-api)
    pulumi config set environment Production       # optional: default Sandbox
"""

from pathlib import Path
from typing import Any

import pulumi
import pulumi.dynamic

from anypoint_pulumi import (
    get_access_token_output,
    get_api_response_output,
    get_environment_output,
    get_profile_output,
)

config = pulumi.Config()
asset_id = config.get("assetId") or "demo-orders-api"
environment_name = config.get("environment") or "Sandbox"

# A token for this run only: every preview and update logs in, and nothing is kept in state.
token = get_access_token_output()
connection = {"access_token": token.access_token, "base_url": token.base_url}
profile = get_profile_output(**connection, grant_type=token.grant_type)
environment = get_environment_output(name=environment_name,
                                     organization_id=profile.organization_id, **connection)

# API Manager's instances in that environment: an authenticated GET on the same control plane.
apis = get_api_response_output(
    path=pulumi.Output.format("/apimanager/api/v1/organizations/{0}/environments/{1}/apis",
                              profile.organization_id, environment.id),
    **connection)


def instance_of(body: Any) -> str:
    """The id of ``asset_id``'s API instance, from API Manager's answer."""
    for asset in body.get("assets", []):
        if asset.get("assetId") == asset_id and asset.get("apis"):
            return str(asset["apis"][0]["id"])
    found = sorted({asset.get("assetId") for asset in body.get("assets", [])})
    raise ValueError(f"API Manager has no instance of Exchange asset {asset_id!r} in "
                     f"{environment_name}: manage it there first (instances of: {found})")


api_id = apis.body.apply(instance_of)


class LocalFileProvider(pulumi.dynamic.ResourceProvider):
    """A file on this machine: written on create and update, removed on delete."""

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        Path(props["path"]).parent.mkdir(parents=True, exist_ok=True)
        Path(props["path"]).write_text(props["content"])
        return pulumi.dynamic.CreateResult(props["path"], props)

    def diff(self, _id: str, olds: dict[str, Any],
             news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(
            changes=olds.get("content") != news.get("content") or olds["path"] != news["path"],
            replaces=["path"] if olds["path"] != news["path"] else [])

    def update(self, _id: str, _olds: dict[str, Any],
               news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        Path(news["path"]).write_text(news["content"])
        return pulumi.dynamic.UpdateResult(news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        Path(props["path"]).unlink(missing_ok=True)


class LocalFile(pulumi.dynamic.Resource, module="local", name="File"):
    path: pulumi.Output[str]
    content: pulumi.Output[str]

    def __init__(self, name: str, path: str, content: pulumi.Input[str]) -> None:
        super().__init__(LocalFileProvider(), name, {"path": path, "content": content})


properties = LocalFile(
    "autodiscovery",
    path=str(Path(__file__).resolve().parent / "build" / "autodiscovery.properties"),
    content=pulumi.Output.format("# API Manager autodiscovery of {0} in {1}\napi.id={2}\n",
                                 asset_id, environment_name, api_id))

pulumi.export("apiId", api_id)
pulumi.export("environmentId", environment.id)
pulumi.export("propertiesFile", properties.path)
