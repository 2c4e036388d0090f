"""The one declaration of the token's inputs (``anypoint_pulumi.core.inputs``) is the truth the
explicit typed surfaces, the docs and the helpers are held to."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import pydoc
from pathlib import Path

import pytest

import anypoint_pulumi.token.resource as resource_module
from anypoint_pulumi import AnypointToken, AnypointTokenArgs
from anypoint_pulumi.core import inputs as schema
from anypoint_pulumi.testing import TOKEN_TYPE
from anypoint_pulumi.token import resource
from anypoint_pulumi.token.resource import AnypointTokenInputs
from tests.support.provider_server import TYPE

ROOT = Path(__file__).resolve().parents[2]


def overload_keywords() -> list[str]:
    """What ``**kwargs`` of each ``@overload`` of ``AnypointToken.__init__`` is annotated with."""
    tree = ast.parse(Path(resource_module.__file__).read_text())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "AnypointToken"]
    return [ast.unparse(fn.args.kwarg.annotation) if fn.args.kwarg and fn.args.kwarg.annotation
            else "" for fn in cls.body
            if isinstance(fn, ast.FunctionDef) and fn.name == "__init__"
            and any(getattr(d, "id", None) == "overload" for d in fn.decorator_list)]


def test_args_fields_are_the_declared_inputs_in_order() -> None:
    assert [f.name for f in dataclasses.fields(AnypointTokenArgs)] == list(schema.NAMES)


@pytest.mark.parametrize("spec", schema.INPUTS, ids=lambda spec: spec.name)
def test_args_field_types_follow_the_declaration(spec: schema.Input) -> None:
    annotation = {f.name: str(f.type) for f in dataclasses.fields(AnypointTokenArgs)}[spec.name]
    expected = {str: "pulumi.Input[str]", bool: "pulumi.Input[bool]",
                float: "pulumi.Input[float]", dict: "pulumi.Input[Mapping["}[spec.type]
    assert annotation.startswith(expected), annotation


def test_the_keyword_overload_takes_every_declared_input() -> None:
    assert [names for names in overload_keywords() if names] == ["Unpack[AnypointTokenInputs]"]
    assert set(AnypointTokenInputs.__annotations__) == set(schema.NAMES)


def test_the_args_overload_takes_no_keyword_input() -> None:
    assert "" in overload_keywords()


def test_help_documents_every_input_and_output() -> None:
    text = pydoc.render_doc(AnypointToken, renderer=pydoc.plaintext)

    for spec in schema.INPUTS:
        assert spec.name in text and spec.doc in text
    for out in schema.OUTPUTS:
        assert out.name in text


def test_every_output_and_non_secret_input_has_a_typed_attribute() -> None:
    annotated = set(inspect.get_annotations(AnypointToken))
    expected = set(schema.TOKEN_OUTPUTS) | {s.name for s in schema.INPUTS
                                            if (not s.secret and s.group is not
                                            schema.Group.CREDENTIAL) or s.name in (
                                                "client_id", "username")}
    assert expected <= annotated


def test_an_unknown_keyword_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="client_secrt"):
        AnypointToken("t", client_id="i", client_secrt="s")  # type: ignore[call-overload]


def test_secret_outputs_are_the_token_and_every_secret_input() -> None:
    assert schema.SECRET_OUTPUTS == ("access_token", "client_secret", "password",
                                     "saml_response", "private_key")


def test_helpers_name_the_type_the_resource_registers_with() -> None:
    # test_secrecy.py finds a real AnypointToken's registration under this same type token.
    assert TOKEN_TYPE == TYPE == resource.TOKEN_TYPE
