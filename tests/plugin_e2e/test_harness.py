"""The harness itself, with no provider: in every language a program that only exports a value
runs preview, up and destroy under the real engine, offline, with its toolchain from the cache.
When this fails, the scenario's failures are about the toolchain, not the plugin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import LANGUAGES
from .runners import Project, program_of


@pytest.mark.timeout(900)  # a cold toolchain: npm ci, or a first Go build (~3 min on 2 cores)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_program_that_exports_a_value_runs_in_every_language(
        language: str, project: Callable[..., Project]) -> None:
    stack = project(language, **program_of(language, "trivial"))
    stack.create({})
    preview = stack.preview()
    assert preview.ok, preview.text[-2000:]
    assert preview.changes == {"create": 1}
    up = stack.up()
    assert up.ok, up.text[-2000:]
    assert up.changes == {"create": 1}
    assert stack.outputs() == {"hello": "world"}
    again = stack.up()
    assert again.ok and again.changes == {"same": 1}
    done = stack.destroy()
    assert done.ok and done.changes == {"delete": 1}
    assert "warning" not in "".join(stack.output).lower()
