"""A real ``pulumi up`` through the Automation API, on a local file backend, against the emulator:
up, refresh, a second preview with no changes, the exported state (token and client secret
encrypted), and destroy (token revoked). The only layer where the engine itself applies
``additional_secret_outputs`` and encrypts state.

Runs where a ``pulumi`` CLI is on PATH; skipped with that reason elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import TOKEN_TYPE

pytestmark = [pytest.mark.cli, pytest.mark.timeout(600)]

PROJECT = "anypoint-token-cli-test"
STACK = "cli"
SECRET_SIG = "4dabf18193072939515e22adb298388d"

PROGRAM = '''\
"""An AnypointToken whose credentials and control plane come from anypoint:* config."""

import pulumi

from anypoint_pulumi import AnypointToken

token = AnypointToken("ci")

pulumi.export("accessToken", token.access_token)
pulumi.export("grantType", token.grant_type)
pulumi.export("expiresAt", token.expires_at)
pulumi.export("baseUrl", token.base_url)
'''


@pytest.fixture
def pulumi_cli() -> str:
    found = shutil.which("pulumi")
    if found is None:
        pytest.skip("pulumi CLI not found on PATH: install it (https://www.pulumi.com/docs/"
                    "install/) to run the real `pulumi up` test")
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A local Pulumi project whose program declares one AnypointToken."""
    work = tmp_path / "project"
    work.mkdir()
    (work / "Pulumi.yaml").write_text(textwrap.dedent(f"""\
        name: {PROJECT}
        description: AnypointToken against the local emulator (test)
        runtime:
          name: python
        """))
    (work / "__main__.py").write_text(PROGRAM)
    return work


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """A file backend in ``tmp_path``, a passphrase, and this interpreter for every process."""
    backend = tmp_path / "state"
    backend.mkdir()
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "cli-test-passphrase",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # The dynamic provider process (pulumi-resource-pulumi-python) runs `python3` from PATH.
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
    }


@pytest.fixture
def stack(pulumi_cli: str, project: Path, cli_env: dict[str, str],
          emulator: Emulator) -> Iterator[Any]:
    from pulumi import automation as auto

    stack = auto.create_stack(STACK, work_dir=str(project),
                              opts=auto.LocalWorkspaceOptions(env_vars=cli_env))
    stack.set_all_config({
        "anypoint:clientId": auto.ConfigValue(emulator.demo.client_id),
        "anypoint:clientSecret": auto.ConfigValue(emulator.demo.client_secret, secret=True),
        "anypoint:baseUrl": auto.ConfigValue(emulator.base_url),
    })
    try:
        yield stack
    finally:
        try:
            stack.destroy()
        finally:
            stack.workspace.remove_stack(STACK)


def ops(change_summary: Any) -> set[str]:
    """The operation names of a change summary (``{"same"}`` when nothing changes)."""
    return {getattr(op, "value", op) for op, count in (change_summary or {}).items() if count}


def export_without_secrets(pulumi_cli: str, project: Path, env: dict[str, str]) -> str:
    """``pulumi stack export`` as a user runs it (no ``--show-secrets``)."""
    done = subprocess.run([pulumi_cli, "stack", "export", "--stack", STACK],
                          cwd=project, env={**os.environ, **env}, capture_output=True,
                          text=True, check=True, timeout=120)
    return done.stdout


def test_up_refresh_preview_export_and_destroy(pulumi_cli: str, project: Path,
                                               cli_env: dict[str, str], emulator: Emulator,
                                               stack: Any, tmp_path: Path) -> None:
    # up: a real token, exported as a secret output
    up = stack.up(color="never")
    outputs = up.outputs
    token = outputs["accessToken"].value
    assert outputs["accessToken"].secret
    assert emulator.is_active(token)
    assert outputs["grantType"].value == "client_credentials"
    assert not outputs["expiresAt"].secret
    assert outputs["baseUrl"].value == emulator.base_url

    # refresh: Anypoint still accepts the token, nothing changes
    refresh = stack.refresh(color="never")
    assert ops(refresh.summary.resource_changes) <= {"same"}
    assert emulator.is_active(token)

    # a second preview: no changes (no spurious ~__provider, no renewal)
    emulator.clear_requests()
    preview = stack.preview(color="never")
    assert ops(preview.change_summary) == {"same"}
    assert emulator.count() == 0  # check and diff never touch the network

    # the state: the token and the client secret are ciphertext
    exported = export_without_secrets(pulumi_cli, project, cli_env)
    state = json.loads(exported)
    [resource] = [r for r in state["deployment"]["resources"] if r["type"] == TOKEN_TYPE]
    for key in ("access_token", "client_secret"):
        value = resource["outputs"][key]
        assert isinstance(value, dict) and value.get(SECRET_SIG), key
        assert "ciphertext" in value and "plaintext" not in value, key
    assert resource["id"] != token
    assert len(resource["outputs"]["__provider"]) <= 64
    on_disk = "".join(p.read_text(errors="replace") for p in (tmp_path / "state").rglob("*")
                      if p.is_file())
    for secret in (token, emulator.demo.client_secret):
        assert secret not in exported
        assert secret not in on_disk

    # destroy: the token is revoked
    stack.destroy(color="never")
    assert not emulator.is_active(token)
