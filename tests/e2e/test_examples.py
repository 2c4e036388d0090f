"""Every example and the quickstart under the real engine: ``up``, a no-change ``preview`` that
logs in nowhere (data functions still read, as on every run), then ``destroy``. Each runs from a
copy in a temp dir (``examples/`` is never written), with its own ``Pulumi.yaml`` and config."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Case:
    """An example: its folder, its config, and whether it keeps an ``AnypointToken`` (exported
    as ``accessToken``) or logs in on every run with ``get_access_token`` (nothing in state)."""

    source: Path
    config: Callable[[Emulator, str], Config]
    keeps_token: bool = True


CASES: dict[str, Case] = {
    "quickstart": Case(ROOT, quickstart),
    "client-credentials": Case(EXAMPLES / "client-credentials", client_app),
    "user-context": Case(EXAMPLES / "user-context", user_context),
    "saml": Case(EXAMPLES / "saml", saml),
    "control-planes": Case(EXAMPLES / "control-planes", control_planes),
    "testing": Case(EXAMPLES / "testing", for_testing_example),
    "ci-pipeline": Case(EXAMPLES / "ci-pipeline", ci_pipeline),
    "token-handoff": Case(EXAMPLES / "token-handoff", client_app),
    "api-lookup": Case(EXAMPLES / "api-lookup", client_app, keeps_token=False),
}


def test_every_example_has_a_case() -> None:
    found = {p.name for p in EXAMPLES.iterdir() if (p / "Pulumi.yaml").is_file()}
    plugin = {"yaml-token", "typescript-token", "go-token"}  # tests/plugin_e2e/test_examples.py
    assert found - plugin == set(CASES) - {"quickstart"}


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
    case = CASES[name]
    if name == "token-handoff":
        if shutil.which("curl") is None:
            pytest.fail("the token-handoff example's command needs curl")
        monkeypatch.setitem(sys.modules, "pulumi_command", local_command_module())
    if name == "ci-pipeline":
        monkeypatch.setenv("ANYPOINT_CLIENT_ID", emulator.demo.client_id)
        monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", emulator.demo.client_secret)
        monkeypatch.setenv("ANYPOINT_BASE_URL", emulator.base_url)
    deployment = deploy(source=case.source)
    deployment.set_config(case.config(emulator, deployment.project))

    up = deployment.up()
    if case.keeps_token:
        token = up.outputs["accessToken"].value
        assert up.outputs["accessToken"].secret and emulator.is_active(token)
    for issued in issued_tokens(emulator):
        assert issued not in deployment.backend_text()

    emulator.clear_requests()
    preview = deployment.preview()
    assert set(ops(preview.change_summary)) == {"same"}
    logins = [r for r in emulator.requests if r.method != "GET"]
    # A kept token logs in nowhere; a token for this run logs in once per run (only reads else).
    assert [(r.method, r.path) for r in logins] == (
        [] if case.keeps_token else [("POST", "/accounts/api/v2/oauth2/token")])

    deployment.destroy()
    assert deployment.export()["deployment"].get("resources") in (None, [])
    if case.keeps_token and name != "saml":
        assert not emulator.is_active(token)
    assert not list((ROOT / "examples").rglob("Pulumi.e2e.yaml"))


def issued_tokens(emulator: Emulator) -> list[str]:
    """Every token the emulator minted (none may show in state in plaintext)."""
    with emulator._store.lock:
        return list(emulator._store.tokens)


def test_api_lookup_writes_the_api_instance_id_it_read_and_previews_no_change(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    deployment = deploy(source=EXAMPLES / "api-lookup")
    deployment.set_config(client_app(emulator, deployment.project))

    up = deployment.up()

    written = Path(up.outputs["propertiesFile"].value)
    assert written.is_relative_to(deployment.work_dir)
    assert f"api.id={emulator.demo.api_instance_id}" in written.read_text().splitlines()
    assert up.outputs["apiId"].value == str(emulator.demo.api_instance_id)
    assert not up.outputs["apiId"].secret
    deployment.preview(expect_no_changes=True)
    deployment.destroy()
    assert not written.exists()


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


def test_the_saml_example_runs_from_the_shell_with_a_response_the_cli_emulator_mints(
        deploy: Callable[..., Deployment], tmp_path: Path) -> None:
    bash, curl = shutil.which("bash"), shutil.which("curl")
    if bash is None or curl is None:
        pytest.fail("this test runs the shell lines of docs/emulator.md: it needs bash and curl")
    emulator_cli = subprocess.Popen([sys.executable, "-m", "anypoint_pulumi.emulator",
                                     "--port", "0"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
    try:
        assert emulator_cli.stdout is not None
        base_url = emulator_cli.stdout.readline().strip().removeprefix("base_url=")
        assert base_url.startswith("http://127.0.0.1:"), base_url
        deployment = deploy(source=EXAMPLES / "saml")
        shell = ('pulumi config set anypoint-auth:baseUrl "$BASE_URL" --stack e2e && '
                 'pulumi config set --secret samlResponse '
                 '"$(curl -sf "$BASE_URL/emulator/saml-response")" --stack e2e')
        done = subprocess.run([bash, "-c", shell], cwd=deployment.work_dir,
                              env={**os.environ, **deployment.env(), "BASE_URL": base_url},
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr

        up = deployment.up()

        assert up.outputs["grantType"].value == "saml"
        assert up.outputs["username"].value == "demo-federated-user"
        deployment.destroy()
    finally:
        emulator_cli.send_signal(signal.SIGINT)
        emulator_cli.communicate(timeout=20)
