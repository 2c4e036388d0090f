"""The package schema: generated from the one declaration, camelCase, secrets marked, every
resource, function and property described, and valid for the SDK generators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from anypoint_pulumi import __version__
from anypoint_pulumi.plugin import schema

SPEC = schema.schema()
TOKEN = SPEC["resources"]["anypoint-auth:index:Token"]
FUNCTIONS = ("getProfile", "getEnvironments", "getEnvironment", "getOrganization",
             "getBusinessGroups", "getAccessToken", "getApiResponse")


def properties(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of the schema, with where it sits."""
    for section in ("config",):
        for name, prop in spec[section]["variables"].items():
            yield f"config.{name}", prop
    for token, resource in [*spec["resources"].items(), ("provider", spec["provider"])]:
        for kind in ("inputProperties", "properties"):
            for name, prop in resource.get(kind, {}).items():
                yield f"{token}.{kind}.{name}", prop
    for token, function in spec["functions"].items():
        for kind in ("inputs", "outputs"):
            for name, prop in function[kind]["properties"].items():
                yield f"{token}.{kind}.{name}", prop
    for token, type_ in spec["types"].items():
        for name, prop in type_["properties"].items():
            yield f"{token}.{name}", prop


def test_camel_is_the_one_conversion() -> None:
    assert schema.camel("client_id") == "clientId"
    assert schema.camel("get_business_groups") == "getBusinessGroups"
    assert schema.camel("verify_tls") == "verifyTls"
    assert schema.camel("region") == "region"


def test_name_version_and_language_sections() -> None:
    assert SPEC["name"] == "anypoint-auth"
    assert SPEC["version"] == __version__
    for language in ("nodejs", "python", "go"):
        assert SPEC["language"][language]["respectSchemaVersion"] is True
    assert SPEC["language"]["python"]["packageName"] == "pulumi_anypoint_auth"
    assert SPEC["language"]["nodejs"]["packageName"] == "@anypoint-pulumi/anypoint-auth"


def test_token_inputs_and_outputs_come_from_the_declaration() -> None:
    assert list(TOKEN["inputProperties"]) == [schema.camel(s.name) for s in schema.INPUTS]
    assert set(TOKEN["properties"]) == set(TOKEN["inputProperties"]) | {
        schema.camel(o.name) for o in schema.OUTPUTS}
    assert list(TOKEN["inputProperties"]) == [
        "clientId", "clientSecret", "username", "password", "samlResponse", "samlOrgDomain",
        "samlProviderId", "privateKey", "identityProviderId", "baseUrl", "region",
        "renewBeforeSeconds", "triggers", "revokeOnDelete", "timeoutSeconds", "caBundle",
        "verifyTls"]


def test_secrets_are_marked() -> None:
    secret_inputs = {k for k, p in TOKEN["inputProperties"].items() if p.get("secret")}
    assert secret_inputs == {"clientSecret", "password", "samlResponse", "privateKey"}
    secret_outputs = {k for k, p in TOKEN["properties"].items() if p.get("secret")}
    assert secret_outputs == secret_inputs | {"accessToken"}
    assert SPEC["config"]["variables"]["clientSecret"]["secret"] is True
    get_token = SPEC["functions"]["anypoint-auth:index:getAccessToken"]
    assert get_token["outputs"]["properties"]["accessToken"]["secret"] is True
    for function in SPEC["functions"].values():
        if "accessToken" in function["inputs"]["properties"]:
            assert function["inputs"]["properties"]["accessToken"]["secret"] is True


def test_provider_config_holds_the_input_keys() -> None:
    keys = {spec.config_key for spec in schema.INPUTS if spec.config_key}
    assert set(SPEC["config"]["variables"]) == keys
    assert set(SPEC["provider"]["inputProperties"]) == keys
    assert {"clientId", "clientSecret", "region", "baseUrl"} <= keys


def test_functions_and_their_arguments() -> None:
    assert list(SPEC["functions"]) == [f"anypoint-auth:index:{name}" for name in FUNCTIONS]
    profile = SPEC["functions"]["anypoint-auth:index:getProfile"]
    assert {"accessToken", "region", "baseUrl", "timeoutSeconds", "caBundle",
            "verifyTls"} <= set(profile["inputs"]["properties"])
    assert "organizationId" in profile["outputs"]["properties"]
    environment = SPEC["functions"]["anypoint-auth:index:getEnvironment"]
    assert environment["inputs"]["required"] == ["name"]
    assert environment["outputs"]["properties"]["isProduction"] == {
        "type": "boolean", "description": "Whether it is a production environment."}
    login = SPEC["functions"]["anypoint-auth:index:getAccessToken"]
    assert "clientSecret" in login["inputs"]["properties"]
    assert "renewBeforeSeconds" not in login["inputs"]["properties"]
    api = SPEC["functions"]["anypoint-auth:index:getApiResponse"]
    assert api["outputs"]["properties"]["body"] == {
        "$ref": "pulumi.json#/Any", "description": "The parsed JSON, the text, or `null`."}
    # The Python-only arguments (an AnypointToken object, invoke options) are not in the schema.
    for function in SPEC["functions"].values():
        assert not {"token", "opts"} & set(function["inputs"]["properties"])


def test_every_resource_function_and_property_is_described() -> None:
    assert TOKEN["description"] and SPEC["provider"]["description"]
    for token, function in SPEC["functions"].items():
        assert function["description"], token
    for where, prop in properties(SPEC):
        assert prop.get("description"), where


def test_names_are_camel_case_everywhere() -> None:
    for where, _ in properties(SPEC):
        name = where.rsplit(".", 1)[-1]
        assert "_" not in name, where
    text = json.dumps(SPEC)
    # Descriptions name properties the way users write them, values stay as they are.
    assert "client_secret" not in text and "saml_provider_id" not in text
    assert "`client_credentials`" in text


def test_schema_json_is_deterministic() -> None:
    assert schema.schema_json() == schema.schema_json()
    assert json.loads(schema.schema_json()) == SPEC
