"""The Pulumi package schema of the ``anypoint-auth`` provider, generated from the one declaration.

Nothing here is written twice: the resource ``anypoint-auth:index:Token`` and the provider
configuration come from the core's declaration of the token's inputs and outputs
(:data:`INPUTS`, :data:`OUTPUTS`), the functions from its declaration of the data functions
(:data:`~anypoint_pulumi.core.functions.FUNCTIONS`). Every
name goes through :func:`camel` (``client_id`` -> ``clientId``), the one conversion the plugin
uses on the wire too (:func:`token_names`). Secrets carry ``"secret": true``, and every resource,
function and property has a description: they become every SDK's docstrings.

``make sdks`` dumps this schema (``python -m anypoint_pulumi.plugin.schema``) and generates
``sdk/nodejs``, ``sdk/python`` and ``sdk/go`` from it.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import sys
import textwrap
import types
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Literal, Union

from .._version import __version__

# The one declaration of the token's inputs and outputs, and of the data functions.
from ..core.functions import FUNCTIONS, Argument, Function
from ..core.inputs import INPUTS, OUTPUTS

__all__ = [
    "CONFIG_NAMESPACE",
    "FUNCTION_PREFIX",
    "INPUTS",
    "OUTPUTS",
    "PACKAGE",
    "TOKEN",
    "Argument",
    "Function",
    "camel",
    "camel_text",
    "functions",
    "schema",
    "schema_json",
    "token_names",
]

PACKAGE = "anypoint-auth"
"""The package name: plugin ``pulumi-resource-anypoint-auth``, config ``anypoint-auth:*``."""
CONFIG_NAMESPACE = PACKAGE
TOKEN = f"{PACKAGE}:index:Token"
FUNCTION_PREFIX = f"{PACKAGE}:index:"
GO_MODULE = "anypoint-pulumi/sdk/go"
"""The Go SDK's module path: no dot in its first element, so the go command never looks it up
on a module proxy; programs use it through a ``replace`` pointing at ``sdk/go``."""


def camel(name: str) -> str:
    """``client_id`` -> ``clientId``, ``get_profile`` -> ``getProfile``: the one conversion of
    Python names to the names of the schema, the wire and every SDK."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_TOKEN_DOC = (
    "A working Anypoint Platform access token, kept in state as a secret. Logs in with the "
    "credentials given (client credentials, a connected app acting for a user, the JWT bearer "
    "grant, the legacy username/password login, or a SAML response), else with those of the "
    "`anypoint-auth:*` provider configuration, else of the `ANYPOINT_*` environment variables "
    "(each group whole, never mixed). No login happens during preview, nor on a no-change "
    "preview or update. A new token replaces the old one (created first, then the old one "
    "revoked) when a credential, the control plane or a trigger changes, or when the stored "
    "token has less than `renewBeforeSeconds` left; a failed renewal keeps the old token. "
    "Refresh notices a token Anypoint rejects; delete revokes it (best effort). A SAML response "
    "is single use: renewing a SAML token needs a fresh one."
)
# The Example Usage of the Token and getProfile descriptions: the token program in TypeScript,
# Python, Go and YAML, copied from examples/*-token and docs/snippets/python-token (programs the
# tests run) by scripts/docs.py; tests/docs fails when it differs.
# generated: schema-examples (.venv/bin/python scripts/docs.py)
_EXAMPLE_USAGE = (
    '\n'
    '\n'
    '{{% examples %}}\n'
    '## Example Usage\n'
    '{{% example %}}\n'
    "### A token, its owner's organization, and the token as a secret stack output\n"
    '\n'
    '```typescript\n'
    '// An Anypoint access token that renews itself, and the organization it belongs to.\n'
    '//\n'
    "// Credentials and location come from the provider's config:\n"
    '//   pulumi config set anypoint-auth:clientId <client id>\n'
    '//   pulumi config set --secret anypoint-auth:clientSecret <client secret>\n'
    '//   pulumi config set anypoint-auth:region eu        (or anypoint-auth:baseUrl for PCE)\n'
    'import * as anypoint from "@anypoint-pulumi/anypoint-auth";\n'
    '\n'
    'const token = new anypoint.Token("token");\n'
    '\n'
    'const profile = anypoint.getProfileOutput({\n'
    '    accessToken: token.accessToken,\n'
    '    baseUrl: token.baseUrl,\n'
    '});\n'
    '\n'
    '// accessToken is a secret output: `pulumi stack output accessToken --show-secrets` hands it over.\n'  # noqa: E501
    'export const accessToken = token.accessToken;\n'
    'export const expiresAt = token.expiresAt;\n'
    'export const organizationId = profile.organizationId;\n'
    '```\n'
    '```python\n'
    '# An Anypoint access token that renews itself, and the organization it belongs to.\n'
    '#\n'
    "# Credentials and location come from the provider's config:\n"
    '#   pulumi config set anypoint-auth:clientId <client id>\n'
    '#   pulumi config set --secret anypoint-auth:clientSecret <client secret>\n'
    '#   pulumi config set anypoint-auth:region eu        (or anypoint-auth:baseUrl for PCE)\n'
    '\n'
    'import pulumi\n'
    'import pulumi_anypoint_auth as anypoint\n'
    '\n'
    'token = anypoint.Token("token")\n'
    '\n'
    'profile = anypoint.get_profile_output(access_token=token.access_token,\n'
    '                                      base_url=token.base_url)\n'
    '\n'
    '# accessToken is a secret output: `pulumi stack output accessToken --show-secrets` hands it over.\n'  # noqa: E501
    'pulumi.export("accessToken", token.access_token)\n'
    'pulumi.export("expiresAt", token.expires_at)\n'
    'pulumi.export("organizationId", profile.organization_id)\n'
    '```\n'
    '```go\n'
    'package main\n'
    '\n'
    'import (\n'
    '\t"anypoint-pulumi/sdk/go/anypointauth"\n'
    '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n'
    ')\n'
    '\n'
    "// Program declares the token and reads its owner's organization.\n"
    '//\n'
    "// Credentials and location come from the provider's config:\n"
    '//\n'
    '//\tpulumi config set anypoint-auth:clientId <client id>\n'
    '//\tpulumi config set --secret anypoint-auth:clientSecret <client secret>\n'
    '//\tpulumi config set anypoint-auth:region eu        (or anypoint-auth:baseUrl for PCE)\n'
    'func Program(ctx *pulumi.Context) error {\n'
    '\ttoken, err := anypointauth.NewToken(ctx, "token", &anypointauth.TokenArgs{})\n'
    '\tif err != nil {\n'
    '\t\treturn err\n'
    '\t}\n'
    '\tprofile := anypointauth.GetProfileOutput(ctx, anypointauth.GetProfileOutputArgs{\n'
    '\t\tAccessToken: token.AccessToken,\n'
    '\t\tBaseUrl:     token.BaseUrl,\n'
    '\t})\n'
    '\t// accessToken is a secret output: `pulumi stack output accessToken --show-secrets`.\n'
    '\tctx.Export("accessToken", token.AccessToken)\n'
    '\tctx.Export("expiresAt", token.ExpiresAt)\n'
    '\tctx.Export("organizationId", profile.OrganizationId())\n'
    '\treturn nil\n'
    '}\n'
    '```\n'
    '```yaml\n'
    'name: anypoint-yaml-token\n'
    "description: An Anypoint token and its owner's organization from a YAML program, through the anypoint-auth provider plugin.\n"  # noqa: E501
    'runtime: yaml\n'
    'plugins:\n'
    '  providers:\n'
    "    # The plugin is this package's console script pulumi-resource-anypoint-auth: here, the\n"
    "    # checkout's virtualenv (`make .venv/.installed`). In your project, the bin directory of the\n"  # noqa: E501
    '    # virtualenv where you installed anypoint-pulumi (relative to this file, or absolute).\n'
    '    - name: anypoint-auth\n'
    '      path: ../../.venv/bin\n'
    'resources:\n'
    "  # Credentials and location come from the provider's config (anypoint-auth:clientId,\n"
    '  # anypoint-auth:clientSecret set with --secret, anypoint-auth:baseUrl or region).\n'
    '  token:\n'
    '    type: anypoint-auth:index:Token\n'
    'variables:\n'
    '  profile:\n'
    '    fn::invoke:\n'
    '      function: anypoint-auth:index:getProfile\n'
    '      arguments:\n'
    '        accessToken: ${token.accessToken}\n'
    '        baseUrl: ${token.baseUrl}\n'
    'outputs:\n'
    '  accessToken: ${token.accessToken}\n'
    '  expiresAt: ${token.expiresAt}\n'
    '  organizationId: ${profile.organizationId}\n'
    '```\n'
    '{{% /example %}}\n'
    '{{% /examples %}}\n'
)
# end generated
_PACKAGE_DOC = ("Log in to MuleSoft Anypoint Platform: a token resource that renews itself, and "
                "identity data functions (profile, organization, environments, business groups, "
                "any Anypoint API).")


# The data functions ---------------------------------------------------------------------------


def functions() -> tuple[Function, ...]:
    """The data functions the plugin serves: the core's declaration, in its order."""
    return FUNCTIONS


def _optional_of(hint: Any) -> Any:
    """``X | None`` -> ``X``; anything else as it is."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        members = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return hint


@cache
def field_docs(cls: type) -> Mapping[str, str]:
    """The docstrings written under a dataclass's fields (``x: int`` then ``\"\"\"...\"\"\"``),
    its bases' included."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if "__dataclass_fields__" not in klass.__dict__:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        body = ast.parse(source).body[0]
        assert isinstance(body, ast.ClassDef)
        for first, second in zip(body.body, body.body[1:], strict=False):
            if (isinstance(first, ast.AnnAssign) and isinstance(first.target, ast.Name)
                    and isinstance(second, ast.Expr) and isinstance(second.value, ast.Constant)
                    and isinstance(second.value.value, str)):
                docs[first.target.id] = " ".join(second.value.value.split())
    return docs


# From declarations to schema ------------------------------------------------------------------


_NAMES = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


@cache
def _identifiers() -> frozenset[str]:
    """The snake_case names the schema shows in camelCase (values such as
    ``client_credentials`` stay as they are)."""
    names = {spec.name for spec in INPUTS} | {out.name for out in OUTPUTS}
    for function in functions():
        names |= {function.name, *(arg.name for arg in function.arguments)}
        names |= {item.name for item in dataclasses.fields(function.result)}
    return frozenset(names)


def camel_text(text: str) -> str:
    """``text`` with the names of inputs, outputs, functions and their arguments and results in
    camelCase (``client_secret is required`` -> ``clientSecret is required``)."""
    known = _identifiers()
    return _NAMES.sub(lambda found: camel(found.group(0)) if found.group(0) in known
                      else found.group(0), text)


def describe(text: str) -> str:
    """A Python docstring as schema text: ``code`` -> `code`, ``None`` -> `null`, names in
    camelCase (:func:`camel_text`)."""
    text = text.replace("``None``", "`null`").replace("``", "`")
    return camel_text(text.replace(":func:", "").replace(":class:", ""))


def _type_of(hint: Any, types_: dict[str, Any]) -> dict[str, Any]:
    """The schema type of a Python type (registering object types in ``types_``)."""
    hint = _optional_of(hint)
    origin = typing.get_origin(hint)
    if hint is str or origin is Literal:
        return {"type": "string"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is Any or hint is object:
        return {"$ref": "pulumi.json#/Any"}
    if hint is dict or origin in (dict, Mapping):
        args = typing.get_args(hint)
        value = args[1] if len(args) == 2 else Any
        return {"type": "object", "additionalProperties": _type_of(value, types_)}
    if origin in (tuple, list):
        return {"type": "array", "items": _type_of(typing.get_args(hint)[0], types_)}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        token = f"{PACKAGE}:index:{hint.__name__}"
        if token not in types_:
            types_[token] = None  # recursion (a business group holds business groups)
            properties, required = _properties_of(hint, types_)
            types_[token] = {"type": "object", "description": describe(
                (inspect.getdoc(hint) or hint.__name__).split("\n\n")[0]),
                "properties": properties, "required": required}
        return {"$ref": f"#/types/{token}"}
    raise TypeError(f"no schema type for {hint!r}")


def _properties_of(cls: type, types_: dict[str, Any],
                   secret: Iterable[str] = ()) -> tuple[dict[str, Any], list[str]]:
    """A result dataclass's fields as schema properties, and the required (never ``None``)."""
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    properties, required = {}, []
    for item in dataclasses.fields(cls):
        hint = hints[item.name]
        prop = {**_type_of(hint, types_),
                "description": describe(docs.get(item.name) or item.name.replace("_", " "))}
        if item.name in secret:
            prop["secret"] = True
        properties[camel(item.name)] = prop
        if _optional_of(hint) is hint and hint is not Any:
            required.append(camel(item.name))
    return properties, sorted(required)


_INPUT_TYPES: Mapping[type, dict[str, Any]] = {
    str: {"type": "string"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    dict: {"type": "object", "additionalProperties": {"type": "string"}},
}


def _input_property(spec: Any) -> dict[str, Any]:
    doc = describe(spec.doc)
    shown = spec.default if spec.default is not None else getattr(spec, "fallback", None)
    if shown is not None:
        doc += f" Default: `{str(shown).lower() if isinstance(shown, bool) else shown}`."
    where = []
    if spec.config_key:
        where.append(f"config `{CONFIG_NAMESPACE}:{spec.config_key}`")
    where += [f"`{var}`" for var in spec.env_vars]
    if where:
        doc += " When not given: " + ", then ".join(where) + "."
    prop = {**_INPUT_TYPES[spec.type], "description": doc}
    if spec.secret:
        prop["secret"] = True
    return prop


def _token_resource() -> dict[str, Any]:
    inputs = {camel(spec.name): _input_property(spec) for spec in INPUTS}
    outputs = dict(inputs)
    for out in OUTPUTS:
        prop: dict[str, Any] = {"type": "string", "description": describe(out.doc)}
        if out.secret:
            prop["secret"] = True
        outputs[camel(out.name)] = prop
    always = [camel(out.name) for out in OUTPUTS] + [
        camel(spec.name) for spec in INPUTS if spec.default is not None]
    return {"description": _TOKEN_DOC + _EXAMPLE_USAGE, "inputProperties": inputs,
            "properties": outputs, "required": sorted(set(always))}


def _function(function: Function, types_: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for arg in function.arguments:
        prop = {**_type_of(arg.type, types_), "description": describe(arg.doc)}
        if arg.secret:
            prop["secret"] = True
        properties[camel(arg.name)] = prop
    required = sorted(camel(arg.name) for arg in function.arguments if arg.required)
    secret = {"access_token"} if function.logs_in else set()
    outputs, out_required = _properties_of(function.result, types_, secret)
    example = _EXAMPLE_USAGE if function.name == "get_profile" else ""
    spec: dict[str, Any] = {"description": describe(function.doc) + example,
                            "inputs": {"properties": properties},
                            "outputs": {"properties": outputs, "required": out_required}}
    if required:
        spec["inputs"]["required"] = required
    return spec


def schema() -> dict[str, Any]:
    """The package schema, as a JSON-ready dict (the same every time)."""
    config = {camel(spec.name): _input_property(spec) for spec in INPUTS if spec.config_key}
    types_: dict[str, Any] = {}
    functions_ = {FUNCTION_PREFIX + camel(f.name): _function(f, types_) for f in functions()}
    return {
        "name": PACKAGE,
        "displayName": "Anypoint Auth",
        "version": __version__,
        "description": _PACKAGE_DOC,
        "keywords": ["pulumi", "anypoint", "mulesoft", "category/utility"],
        "license": "Apache-2.0",
        # supportPack: the Go SDK gets its own go.mod (module GO_MODULE).
        "meta": {"moduleFormat": "(.*)", "supportPack": True},
        "config": {"variables": config},
        "provider": {
            "description": "The anypoint-auth provider. Its settings are defaults for every "
                           "Token and `getAccessToken` that does not give its own credentials "
                           "or location (`anypoint-auth:clientId`, "
                           "`pulumi config set --secret anypoint-auth:clientSecret`, ...).",
            "inputProperties": config,
        },
        "resources": {TOKEN: _token_resource()},
        "functions": functions_,
        "types": {token: types_[token] for token in sorted(types_)},
        "language": {
            "nodejs": {"packageName": "@anypoint-pulumi/anypoint-auth",
                       "packageDescription": _PACKAGE_DOC, "respectSchemaVersion": True},
            "python": {"packageName": "pulumi_anypoint_auth", "respectSchemaVersion": True,
                       "pyproject": {"enabled": True}},
            "go": {"importBasePath": f"{GO_MODULE}/anypointauth", "modulePath": GO_MODULE,
                   "respectSchemaVersion": True},
        },
    }


def schema_json() -> str:
    """The schema as the plugin's ``GetSchema`` returns it and ``make sdks`` reads it."""
    return json.dumps(schema(), indent=2, sort_keys=False) + "\n"


@cache
def token_names() -> Mapping[str, str]:
    """camelCase wire name -> snake_case name, for every input and output of the Token."""
    return {camel(spec.name): spec.name for spec in INPUTS} | {
        camel(out.name): out.name for out in OUTPUTS}


if __name__ == "__main__":
    sys.stdout.write(schema_json())
