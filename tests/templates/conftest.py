"""The ``pulumi new`` templates (``templates/``): generated offline with the real engine, then
deployed against the emulator with the plugin's end-to-end runners (``tests/plugin_e2e``), whose
fixtures these tests share: ``engine_bin`` (the engine and the YAML host ``make engine`` builds)
and ``project`` (a runner per language, destroyed and removed at the end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugin_e2e.conftest import engine_bin, project  # noqa: F401  (shared fixtures)

ENGINE_TESTS = ("test_generate_", "test_deploy_", "test_go_template_builds",
                "test_typescript_template_installs")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that run the engine (or a toolchain) are marked ``cli``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents and item.name.startswith(ENGINE_TESTS):
            item.add_marker(pytest.mark.cli)
