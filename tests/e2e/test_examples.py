"""Every example and the quickstart under the real engine: ``up``, a no-change ``preview`` that
logs in nowhere (data functions still read, as on every run), then ``destroy``. Each runs from a
copy in a temp dir (``examples/`` is never written), with its own ``Pulumi.yaml`` and config."""

from __future__ import annotations

import shutil
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import certifi
import pulumi
import pulumi.dynamic
import pytest

from anypoint_pulumi.emulator import Emulator

from .conftest import ROOT, SECRET_SIG, Deployment, emulator_config, ops

EXAMPLES = ROOT / "examples"
Config = dict[str, tuple[str, bool]]


def client_app(emu: Emulator, project: str) -> Config:
    return emulator_config(emu)


def quickstart(emu: Emulator, project: str) -> Config:
    return {**emulator_config(emu), f"{project}:environment": ("Sandbox", False)}


def user_context(emu: Emulator, project: str) -> Config:
    return {"anypoint:baseUrl": (emu.base_url, False),
            "anypoint:username": (emu.demo.username, False),
            "anypoint:password": (emu.demo.password, True),
            "anypoint:clientId": (emu.demo.user_app_client_id, False),
            "anypoint:clientSecret": (emu.demo.user_app_client_secret, True)}


def saml(emu: Emulator, project: str) -> Config:
    return {"anypoint:baseUrl": (emu.base_url, False),
            f"{project}:samlResponse": (emu.saml_response(emu.demo.saml_username), True)}


def control_planes(emu: Emulator, project: str) -> Config:
    return {"anypoint:clientId": (emu.demo.client_id, False),
            "anypoint:clientSecret": (emu.demo.client_secret, True),
            f"{project}:baseUrl": (emu.base_url, False),
            f"{project}:caBundle": (certifi.where(), False)}


def for_testing_example(emu: Emulator, project: str) -> Config:
    return {**emulator_config(emu), f"{project}:environments": ('["Sandbox"]', False)}


def ci_pipeline(emu: Emulator, project: str) -> Config:
    return {}  # the pipeline's credentials come from ANYPOINT_* variables (set in the test)


CASES: dict[str, tuple[Path, Callable[[Emulator, str], Config]]] = {
    "quickstart": (ROOT, quickstart),
    "client-credentials": (EXAMPLES / "client-credentials", client_app),
    "user-context": (EXAMPLES / "user-context", user_context),
    "saml": (EXAMPLES / "saml", saml),
    "control-planes": (EXAMPLES / "control-planes", control_planes),
    "testing": (EXAMPLES / "testing", for_testing_example),
    "ci-pipeline": (EXAMPLES / "ci-pipeline", ci_pipeline),
    "token-handoff": (EXAMPLES / "token-handoff", client_app),
}


def test_every_example_has_a_case() -> None:
    found = {p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").is_file()}
    assert found == set(CASES) - {"quickstart"}


def local_command_module() -> types.ModuleType:
    """``pulumi_command.local.Command`` as a dynamic resource that really runs the command.

    The pulumi-command provider plugin is a Go binary that this machine cannot download; the
    program, its secret environment and the engine are real, only the plugin is replaced."""

    class Runner(pulumi.dynamic.ResourceProvider):
        def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
            import os
            import subprocess

            done = subprocess.run(["bash", "-c", props["create"]], capture_output=True,
                                  text=True, check=True, timeout=60,
                                  env={**os.environ, **props.get("environment", {})})
            return pulumi.dynamic.CreateResult("command", {**props, "stdout": done.stdout})

    class Command(pulumi.dynamic.Resource, module="command", name="Command"):
        stdout: pulumi.Output[str]

        def __init__(self, name: str, *, create: str, environment: Any = None,
                     triggers: Any = None) -> None:
            super().__init__(Runner(), name, {"create": create, "environment": environment,
                                              "triggers": triggers, "stdout": None})

    module = types.ModuleType("pulumi_command")
    module.local = types.SimpleNamespace(Command=Command)  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_up_no_change_preview_and_destroy(
        name: str, deploy: Callable[..., Deployment], emulator: Emulator,
        monkeypatch: pytest.MonkeyPatch) -> None:
    source, config_of = CASES[name]
    if name == "token-handoff":
        if shutil.which("curl") is None:
            pytest.fail("the token-handoff example's command needs curl")
        monkeypatch.setitem(sys.modules, "pulumi_command", local_command_module())
    if name == "ci-pipeline":
        monkeypatch.setenv("ANYPOINT_CLIENT_ID", emulator.demo.client_id)
        monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", emulator.demo.client_secret)
        monkeypatch.setenv("ANYPOINT_BASE_URL", emulator.base_url)
    deployment = deploy(source=source)
    deployment.set_config(config_of(emulator, deployment.project))

    up = deployment.up()
    token = up.outputs["accessToken"].value
    assert up.outputs["accessToken"].secret and emulator.is_active(token)
    assert token not in deployment.backend_text()

    emulator.clear_requests()
    preview = deployment.preview()
    assert set(ops(preview.change_summary)) == {"same"}
    assert [r for r in emulator.requests if r.method != "GET"] == []  # no login, only reads

    deployment.destroy()
    assert deployment.export()["deployment"].get("resources") in (None, [])
    if name != "saml":
        assert not emulator.is_active(token)
    assert not list((ROOT / "examples").rglob("Pulumi.e2e.yaml"))


def test_token_handoff_runs_curl_with_the_token_from_a_secret_environment(
        deploy: Callable[..., Deployment], emulator: Emulator,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("curl") is None:
        pytest.fail("the token-handoff example's command needs curl")
    monkeypatch.setitem(sys.modules, "pulumi_command", local_command_module())
    deployment = deploy(source=EXAMPLES / "token-handoff")
    deployment.set_config(client_app(emulator, deployment.project))
    up = deployment.up()
    assert emulator.demo.client_id in up.outputs["whoAmI"].value
    [command] = deployment.resources("command:Command")
    env = command["inputs"]["environment"]
    assert set(env["ANYPOINT_ACCESS_TOKEN"]) == {SECRET_SIG, "ciphertext"}  # stays secret
    assert env["ANYPOINT_BASE_URL"] == emulator.base_url  # the rest stays readable
    assert up.outputs["accessToken"].value not in deployment.backend_text()
