"""One source for the descriptions: the declarations in ``anypoint_pulumi/core`` (inputs and
outputs in ``inputs.py``, functions in ``functions.py``, results' field docstrings in
``results.py``) give both the Python names' docstrings and the schema's descriptions, which the
code generator turns into every SDK's docstrings. The Token and getProfile descriptions end with
an Example Usage copied from the programs the tests run."""

from __future__ import annotations

import dataclasses
import importlib.util
import pydoc
import sys
from pathlib import Path
from typing import Any

import pytest

from anypoint_pulumi import AnypointToken, AnypointTokenArgs
from anypoint_pulumi.core import inputs
from anypoint_pulumi.core.functions import FUNCTIONS
from anypoint_pulumi.plugin import schema as plugin_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = plugin_schema.schema()
TOKEN = SCHEMA["resources"]["anypoint-auth:index:Token"]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("docs_generator_d", ROOT / "scripts" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


HELP_TOKEN = _flat(pydoc.render_doc(AnypointToken))
HELP_ARGS = _flat(pydoc.render_doc(AnypointTokenArgs))


@pytest.mark.parametrize("spec", inputs.INPUTS, ids=lambda s: s.name)
def test_each_input_has_one_description_in_python_and_in_the_schema(spec: inputs.Input) -> None:
    assert _flat(spec.doc) in HELP_TOKEN and _flat(spec.doc) in HELP_ARGS
    described = TOKEN["inputProperties"][plugin_schema.camel(spec.name)]["description"]
    assert described.startswith(plugin_schema.describe(spec.doc))


@pytest.mark.parametrize("out", inputs.OUTPUTS, ids=lambda o: o.name)
def test_each_output_has_one_description_in_python_and_in_the_schema(out: Any) -> None:
    assert _flat(out.doc) in HELP_TOKEN
    assert TOKEN["properties"][plugin_schema.camel(out.name)]["description"] == \
        plugin_schema.describe(out.doc)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_each_function_and_result_field_is_described_from_the_declaration(function: Any) -> None:
    described = SCHEMA["functions"][f"anypoint-auth:index:{plugin_schema.camel(function.name)}"]
    assert described["description"].startswith(plugin_schema.describe(function.doc))
    docs = plugin_schema.field_docs(function.result)
    outputs = described["outputs"]["properties"]
    for field in dataclasses.fields(function.result):
        if field.name.startswith("_") or plugin_schema.camel(field.name) not in outputs:
            continue
        assert field.name in docs, f"{function.result.__name__}.{field.name} has no docstring"
        assert outputs[plugin_schema.camel(field.name)]["description"] == \
            plugin_schema.describe(docs[field.name])


def test_token_and_get_profile_carry_the_example_in_every_language() -> None:
    example = _generator().example_usage()
    profile = SCHEMA["functions"]["anypoint-auth:index:getProfile"]["description"]
    for description in (TOKEN["description"], profile):
        assert description.endswith(example)
        for fence in ("```typescript\n", "```python\n", "```go\n", "```yaml\n"):
            assert fence in description
    others = [name for name, f in SCHEMA["functions"].items()
              if name != "anypoint-auth:index:getProfile" and "{{% examples %}}" in
              f["description"]]
    assert not others


@pytest.mark.parametrize(("path", "own", "foreign"), [
    ("sdk/python/pulumi_anypoint_auth/token.py", "```python", "```typescript"),
    ("sdk/nodejs/token.ts", "```typescript", "```python"),
    ("sdk/go/anypointauth/token.go", "```go", "```typescript"),
    ("sdk/python/pulumi_anypoint_auth/get_profile.py", "```python", "```go"),
])
def test_each_generated_sdk_shows_its_own_language_only(path: str, own: str,
                                                        foreign: str) -> None:
    text = (ROOT / path).read_text()
    assert own in text and foreign not in text and "{{% example" not in text
