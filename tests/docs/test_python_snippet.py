"""``docs/snippets/python-token`` (the Python program ``docs/_index.md`` shows, generated from
this file) runs under the real engine with the generated SDK and the plugin, against the
emulator: ``up`` gives a working secret token and its organization, ``destroy`` revokes it."""

from __future__ import annotations

import runpy
from collections.abc import Callable
from pathlib import Path

import pytest

from anypoint_pulumi.emulator import Emulator
from tests.plugin_e2e.runners import Project

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "docs" / "snippets" / "python-token"


@pytest.mark.cli
@pytest.mark.timeout(600)
def test_the_python_snippet_runs_up_and_destroy(project: Callable[..., Project],
                                                emulator: Emulator) -> None:
    def program() -> None:
        runpy.run_path(str(SNIPPET / "__main__.py"), run_name="__main__")

    stack = project("python", source=SNIPPET, inline=program)
    stack.create({"anypoint-auth:clientId": (emulator.demo.client_id, False),
                  "anypoint-auth:clientSecret": (emulator.demo.client_secret, True),
                  "anypoint-auth:baseUrl": (emulator.base_url, False)})
    up = stack.up()
    assert up.ok, up.text[-3000:]
    assert stack.outputs()["accessToken"] == "[secret]"
    shown = stack.outputs(show_secrets=True)
    assert emulator.is_active(shown["accessToken"])
    assert shown["organizationId"] == emulator.demo.organization_id
    done = stack.destroy()
    assert done.ok, done.text[-3000:]
    assert not emulator.is_active(shown["accessToken"])
    printed = "\n".join(stack.output) + stack.backend_text()
    assert shown["accessToken"] not in printed
    assert emulator.demo.client_secret not in printed
