"""The plugin's examples (``examples/yaml-token``, ``typescript-token``, ``go-token``) under the
real engine against the emulator, from copies in a temp dir (``examples/`` is never written):
``up`` gives a working secret token and its organization, a no-change ``preview`` logs in
nowhere (getProfile still reads, as functions do on every run), ``destroy`` revokes. Credentials
come from the provider's config (``anypoint-auth:*``), as each README tells users to set them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from anypoint_pulumi.emulator import Emulator

from . import toolchains
from .conftest import require_tools
from .runners import PLUGIN_DIR, ROOT, Project

EXAMPLES = ROOT / "examples"
CASES = {"yaml-token": "yaml", "typescript-token": "typescript", "go-token": "go"}
TOKEN_PATH = "/accounts/api/v2/oauth2/token"


def provider_config(emulator: Emulator) -> dict[str, tuple[str, bool]]:
    return {"anypoint-auth:clientId": (emulator.demo.client_id, False),
            "anypoint-auth:clientSecret": (emulator.demo.client_secret, True),
            "anypoint-auth:baseUrl": (emulator.base_url, False)}


def test_every_example_in_another_language_is_run_here() -> None:
    found = {p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").is_file()
             and not (p / "__main__.py").is_file()}
    assert found == set(CASES)


@pytest.mark.parametrize("example", sorted(CASES))
def test_example_names_the_plugin_by_path_in_the_checkout(example: str) -> None:
    settings = (EXAMPLES / example / "Pulumi.yaml").read_text()
    found = re.search(r"- name: anypoint-auth\n\s+path: (\S+)", settings)
    assert found, "Pulumi.yaml names no plugin path"
    assert (EXAMPLES / example / found.group(1)).resolve() == (ROOT / ".venv" / "bin").resolve()
    assert (EXAMPLES / example / "README.md").is_file()


def test_typescript_example_names_the_local_sdk() -> None:
    package = json.loads((EXAMPLES / "typescript-token" / "package.json").read_text())
    sdk = json.loads((toolchains.SDK_NODEJS / "package.json").read_text())
    local = package["dependencies"][sdk["name"]]
    assert local.startswith("file:")
    assert (EXAMPLES / "typescript-token" / local[5:]).resolve() == toolchains.SDK_NODEJS


@pytest.mark.timeout(600)
def test_typescript_example_installs_as_users_install_it_and_type_checks(
        tmp_path: Path) -> None:
    """``npm ci`` of the example's own lock file (the SDK from ``file:../../sdk/nodejs``, which
    compiles itself in its postinstall), then ``tsc --noEmit``: what a user with a Node.js
    language host runs before ``pulumi up``. From a copy with the same layout."""
    require_tools("typescript")
    copy = tmp_path / "examples" / "typescript-token"
    shutil.copytree(EXAMPLES / "typescript-token", copy,
                    ignore=shutil.ignore_patterns("node_modules"))
    shutil.copytree(toolchains.SDK_NODEJS, tmp_path / "sdk" / "nodejs",
                    ignore=shutil.ignore_patterns("node_modules", "bin"))
    npm = subprocess.run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund",
                          "--loglevel=error"], cwd=copy, capture_output=True, text=True,
                         check=False, timeout=540)
    assert npm.returncode == 0, ("npm ci failed (after an SDK change, run `npm install` in "
                                 f"examples/typescript-token to refresh its lock):\n"
                                 f"{npm.stderr[-2000:]}")
    pulumis = list((copy / "node_modules").rglob("@pulumi/pulumi/package.json"))
    assert len(pulumis) == 1, pulumis
    tsc = subprocess.run([str(copy / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", "."],
                         cwd=copy, capture_output=True, text=True, check=False, timeout=120)
    assert tsc.returncode == 0, tsc.stdout[-2000:]


@pytest.mark.timeout(900)  # cold module and build caches: ~3.5 min on 2 cores
def test_go_example_builds_as_a_program_of_its_own() -> None:
    """``main.go`` + ``program.go`` with the example's own go.mod/go.sum (the test below runs
    ``Program`` inline through the driver)."""
    require_tools("go")
    done = subprocess.run(["go", "build", "-o", os.devnull, "."], cwd=EXAMPLES / "go-token",
                          env={**os.environ, **toolchains.go_env()}, capture_output=True,
                          text=True, check=False, timeout=880)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.timeout(900)  # a cold toolchain (first npm ci or Go build)
@pytest.mark.parametrize("example", sorted(CASES))
def test_example_runs_up_a_no_change_preview_and_destroy(
        example: str, project: Callable[..., Project], emulator: Emulator) -> None:
    stack = project(CASES[example], source=EXAMPLES / example)
    stack.create(provider_config(emulator))
    assert f"path: {PLUGIN_DIR}" in (stack.work_dir / "Pulumi.yaml").read_text()
    up = stack.up()
    assert up.ok, up.text[-3000:]
    assert stack.outputs()["accessToken"] == "[secret]"
    shown = stack.outputs(show_secrets=True)
    token = shown["accessToken"]
    assert emulator.is_active(token)
    assert shown["organizationId"] == emulator.demo.organization_id
    emulator.clear_requests()
    preview = stack.preview()
    assert preview.ok and "create" not in preview.changes and "replace" not in preview.changes
    assert emulator.count(TOKEN_PATH) == 0, "a no-change preview logged in"
    done = stack.destroy()
    assert done.ok, done.text[-3000:]
    assert not emulator.is_active(token)
    printed = "\n".join(stack.output) + stack.backend_text()
    assert token not in printed and emulator.demo.client_secret not in printed
    assert not (EXAMPLES / example / "Pulumi.e2e.yaml").exists()  # examples/ is never written
