"""The ``pulumi new`` templates (``templates/anypoint-auth-<language>``): each prompts for the
provider's config (the client secret as a secret), names the plugin by path and the SDK the way a
user without a registry does; ``pulumi new <template> --generate-only --yes`` writes the project
offline with our engine; the generated project deploys against the emulator under the real
engine: ``up`` gives a working secret token and its organization, a no-change ``preview`` logs in
nowhere, ``destroy`` revokes; neither the token nor the client secret shows anywhere.

YAML runs as the generated project directory with plain CLI commands. These machines have no
Node.js, Python or Go language host, so ``pulumi new`` stops after writing those projects
(asserted to be the only complaint), and their programs run inline through each language's
Automation API (``tests/plugin_e2e/runners.py``), in the directory ``pulumi new`` wrote, with the
``Pulumi.yaml`` it wrote."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing.local import run_file
from tests.plugin_e2e import toolchains
from tests.plugin_e2e.conftest import require_tools
from tests.plugin_e2e.runners import PLUGIN_DIR, Project, project_name
from tests.secrets import new_canary, spellings

from .generate import (
    CLONE,
    ROOT,
    RUNTIMES,
    TEMPLATES,
    Generated,
    generate,
    host_available,
    missing_host_error,
    template_dir,
)

LANGUAGES = sorted(RUNTIMES)
TOKEN_PATH = "/accounts/api/v2/oauth2/token"
PROMPTS = ("anypoint-auth:clientId", "anypoint-auth:clientSecret", "anypoint-auth:region")


def settings(language: str) -> dict[str, Any]:
    return yaml.safe_load((template_dir(language) / "Pulumi.yaml").read_text())  # type: ignore[no-any-return]


def runtime_name(project: dict[str, Any]) -> str:
    runtime = project["runtime"]
    return runtime if isinstance(runtime, str) else str(runtime["name"])


# -- the templates as files ------------------------------------------------------------------------

def test_every_template_is_tested_here() -> None:
    found = {p.name for p in TEMPLATES.iterdir() if (p / "Pulumi.yaml").is_file()}
    assert found == {template_dir(language).name for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_prompts_for_the_provider_config_with_the_secret_as_a_secret(
        language: str) -> None:
    project = settings(language)
    assert runtime_name(project) == RUNTIMES[language]
    assert (project["name"], project["description"]) == ("${PROJECT}", "${DESCRIPTION}")
    prompts = project["template"]["config"]
    assert tuple(prompts) == PROMPTS
    assert prompts["anypoint-auth:clientSecret"].get("secret") is True
    assert not any(prompts[key].get("secret") for key in PROMPTS[::2])
    assert all(prompt.get("description") for prompt in prompts.values())
    assert "default" not in prompts["anypoint-auth:clientSecret"]
    assert "venv/bin" in project["template"]["description"] or language == "python"


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_names_the_plugin_by_a_path_that_exists_when_generated(language: str) -> None:
    """``pulumi new`` (even ``--generate-only``) refuses a plugin path that does not exist: the
    template ships the directory, and its README says what to install there."""
    providers = settings(language)["plugins"]["providers"]
    assert providers == [{"name": "anypoint-auth", "path": "venv/bin"}]
    placeholder = template_dir(language) / "venv" / "bin" / "README.md"
    assert placeholder.is_file()
    # The template's own .gitignore (venv/) hides it from `git add`: it must be tracked anyway,
    # or a clone has no venv/bin and `pulumi new` fails.
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", str(placeholder)], cwd=ROOT,
                             capture_output=True, text=True, check=False, timeout=60)
    assert tracked.returncode == 0, f"{placeholder.relative_to(ROOT)} is not in git"
    readme = (template_dir(language) / "README.md").read_text()
    assert "venv/bin" in readme and "pulumi-resource-anypoint-auth" in readme
    assert "venv/" in (template_dir(language) / ".gitignore").read_text().split()


# -- pulumi new --generate-only --------------------------------------------------------------------

def check_generated(language: str, generated: Generated, engine_bin: Path) -> None:
    """The project is written; ``pulumi new`` succeeded, or (no language host here) stopped only
    because the host is missing."""
    text = generated.text
    assert f"Created project '{generated.name}'" in text, text[-2000:]
    path = os.environ.get("PATH", "")
    runtime = RUNTIMES[language]
    if host_available(engine_bin, runtime, f"{engine_bin}{os.pathsep}{path}"):
        assert generated.returncode == 0, text[-2000:]
    else:
        assert generated.returncode != 0
        errors = [line for line in text.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0].startswith(missing_host_error(runtime)), text[-2000:]
    assert "no folder at path" not in text
    written = yaml.safe_load((generated.directory / "Pulumi.yaml").read_text())
    assert written["name"] == generated.name
    assert "template" not in written, "pulumi new keeps the template section"
    assert written["plugins"]["providers"] == [{"name": "anypoint-auth", "path": "venv/bin"}]
    assert (generated.directory / "venv" / "bin").is_dir()
    readme = (generated.directory / "README.md").read_text()
    assert readme.startswith(f"# {generated.name}\n")
    assert "${PROJECT}" not in "".join(p.read_text() for p in generated.directory.rglob("*")
                                       if p.is_file())


def sdk_paths(language: str, directory: Path, name: str) -> dict[Path, Path]:
    """Each path to a clone of anypoint-pulumi the generated project names, with what it must
    resolve to (the clone beside the project is a link to this checkout)."""
    if language == "typescript":
        package = json.loads((directory / "package.json").read_text())
        sdk = json.loads((toolchains.SDK_NODEJS / "package.json").read_text())
        assert package["name"] == name
        local = package["dependencies"][sdk["name"]]
        assert local.startswith("file:")
        return {directory / local[5:]: toolchains.SDK_NODEJS}
    if language == "python":
        lines = [line.split("#")[0].strip()
                 for line in (directory / "requirements.txt").read_text().splitlines()]
        local = [line for line in lines if line.startswith(".")]
        assert local == [f"../{CLONE}", f"../{CLONE}/sdk/python"]
        return {directory / local[0]: ROOT, directory / local[1]: ROOT / "sdk" / "python"}
    if language == "go":
        gomod = (directory / "go.mod").read_text()
        assert gomod.startswith(f"module {name}\n")
        replace = re.search(r"^replace anypoint-pulumi/sdk/go => (\S+)$", gomod, re.M)
        assert replace, "go.mod replaces no SDK"
        return {directory / replace.group(1): toolchains.SDK_GO}
    return {}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("language", LANGUAGES)
def test_generate_only_writes_the_project_offline_and_saves_no_secret(
        language: str, engine_bin: Path, tmp_path: Path) -> None:
    secret = new_canary("client-secret")
    generated = generate(engine_bin, tmp_path, language, "my-token",
                         {"anypoint-auth:clientId": "some-client",
                          "anypoint-auth:clientSecret": secret})
    check_generated(language, generated, engine_bin)
    for path, target in sdk_paths(language, generated.directory, generated.name).items():
        assert path.resolve() == target.resolve(), path
    files = "\n".join(p.read_text(errors="replace") for p in generated.directory.rglob("*")
                      if p.is_file())
    state = "\n".join(p.read_text(errors="replace") for p in (tmp_path / "state").rglob("*")
                      if p.is_file())
    for spelling in spellings(secret):
        assert spelling not in files + state + generated.text


@pytest.mark.timeout(300)
def test_generate_in_full_saves_a_config_flag_secret_as_given_and_stops_at_install(
        engine_bin: Path, tmp_path: Path) -> None:
    """What the templates' READMEs warn about, measured with YAML, so that they are revised when
    the engine changes: without ``--generate-only``, a ``--config`` value of a ``secret: true``
    prompt is saved in plain text, and ``pulumi new`` ends looking the plugin up online (after
    making the stack and saving the config)."""
    secret = new_canary("client-secret")
    generated = generate(engine_bin, tmp_path, "yaml", "my-token",
                         {"anypoint-auth:clientId": "some-client",
                          "anypoint-auth:clientSecret": secret}, stack="dev")
    assert generated.returncode != 0
    errors = [line for line in generated.text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, generated.text[-2000:]
    assert errors[0].startswith("error: installing packages: could not find latest version "
                                "for provider anypoint-auth"), errors
    saved = yaml.safe_load((generated.directory / "Pulumi.dev.yaml").read_text())["config"]
    assert saved["anypoint-auth:clientSecret"] == secret, "the engine now encrypts it: revise "\
        "templates/*/README.md"
    assert saved["anypoint-auth:region"] == "us"


@pytest.mark.timeout(300)
def test_go_template_builds_as_a_program_of_its_own(engine_bin: Path, tmp_path: Path) -> None:
    """The generated module (its own go.mod, go.sum and ``replace`` of the SDK beside it)
    builds; the deploy test runs its ``Program`` inline through the driver."""
    require_tools("go")
    generated = generate(engine_bin, tmp_path, "go", "my-token", {})
    done = subprocess.run(["go", "build", "-o", os.devnull, "."], cwd=generated.directory,
                          env={**os.environ, **toolchains.go_env()}, capture_output=True,
                          text=True, check=False, timeout=280)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.timeout(600)
def test_typescript_template_installs_as_users_install_it_and_type_checks(
        engine_bin: Path, tmp_path: Path) -> None:
    """``npm ci`` of the generated project's lock file (the SDK from the clone beside it, a copy
    thanks to ``.npmrc`` ``install-links=true``, compiling itself in its postinstall), then
    ``tsc --noEmit``: what a user with a Node.js language host runs before ``pulumi up``."""
    require_tools("typescript")
    generated = generate(engine_bin, tmp_path, "typescript", "my-token", {})
    check_generated("typescript", generated, engine_bin)
    npm = subprocess.run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund",
                          "--loglevel=error"], cwd=generated.directory, capture_output=True,
                         text=True, check=False, timeout=540)
    assert npm.returncode == 0, ("npm ci failed (after an SDK change, refresh the template's "
                                 f"package-lock.json):\n{npm.stderr[-2000:]}")
    pulumis = list((generated.directory / "node_modules").rglob("@pulumi/pulumi/package.json"))
    assert len(pulumis) == 1, pulumis
    tsc = subprocess.run([str(generated.directory / "node_modules" / ".bin" / "tsc"), "--noEmit",
                          "-p", "."], cwd=generated.directory, capture_output=True, text=True,
                         check=False, timeout=120)
    assert tsc.returncode == 0, tsc.stdout[-2000:]


# -- the generated project under the real engine ---------------------------------------------------

def typecheck(stack: Project) -> None:
    """``tsc --noEmit`` over the generated ``index.ts`` with the generated ``tsconfig.json``
    (``tsx`` runs it without checking types)."""
    tsc = stack.work_dir / "node_modules" / ".bin" / "tsc"
    done = subprocess.run([str(tsc), "--noEmit", "-p", str(stack.work_dir)],
                          cwd=stack.work_dir, capture_output=True, text=True, check=False,
                          timeout=280)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def adopt(stack: Project, config: dict[str, tuple[str, bool]]) -> None:
    """``Project.create`` for a project already in the runner's ``work_dir`` (generated there):
    the same set-up without copying the project or rewriting its plugin path."""
    stack.backend.mkdir(parents=True, exist_ok=True)
    stack.clock_file.write_text("0")
    stack.project = project_name((stack.work_dir / "Pulumi.yaml").read_text())
    stack.cli("stack", "init")
    stack.prepare()
    stack.set_config(config)


@pytest.mark.timeout(900)  # a cold toolchain (first npm ci or Go build)
@pytest.mark.parametrize("language", LANGUAGES)
def test_deploy_generated_project_up_no_change_preview_and_destroy(
        language: str, engine_bin: Path, project: Callable[..., Project],
        emulator: Emulator) -> None:
    """The project runs where ``pulumi new`` wrote it, with its ``Pulumi.yaml`` as written: its
    ``venv`` is a virtualenv holding anypoint-pulumi (this checkout's, linked), as the README
    tells users to make it, so ``plugins: providers: path: venv/bin`` finds the plugin."""
    secret = new_canary("client-secret")
    client_id, _ = emulator.add_connected_app("template-test", client_secret=secret)
    stack = project(language)
    generated = generate(engine_bin, stack.root, language, "my-token",
                         {"anypoint-auth:clientId": client_id,
                          "anypoint-auth:clientSecret": secret},
                         directory=stack.work_dir.name)
    check_generated(language, generated, engine_bin)
    assert generated.directory == stack.work_dir
    timings = {"generate": generated.seconds}
    settings_written = (stack.work_dir / "Pulumi.yaml").read_text()
    venv = stack.work_dir / "venv"
    shutil.rmtree(venv)
    venv.symlink_to(PLUGIN_DIR.parent, target_is_directory=True)

    stack.source = stack.work_dir  # the program is the project's own (index.ts, program.go)
    if language == "python":
        stack.inline = run_file(stack.work_dir / "__main__.py")  # type: ignore[attr-defined]
    # What `pulumi new` saves from the prompts (the region's default included); then the
    # emulator's address as the README tells a Private Cloud Edition user to give it.
    adopt(stack, {"anypoint-auth:clientId": (client_id, False),
                  "anypoint-auth:clientSecret": (secret, True),
                  "anypoint-auth:region": ("us", False)})
    stack.cli("config", "rm", "anypoint-auth:region")
    stack.set_config({"anypoint-auth:baseUrl": (emulator.base_url, False)})
    if language == "typescript":
        typecheck(stack)

    started = time.monotonic()
    up = stack.up()
    timings["up"] = time.monotonic() - started
    assert up.ok, up.text[-3000:]
    assert up.changes == {"create": 2}, up.changes  # the stack and the token
    assert stack.outputs()["accessToken"] == "[secret]"
    shown = stack.outputs(show_secrets=True)
    token = shown["accessToken"]
    assert emulator.is_active(token)
    assert shown["organizationId"] == emulator.demo.organization_id
    assert set(shown) == {"accessToken", "expiresAt", "organizationId"}
    [state] = stack.tokens()
    assert state["outputs"]["accessToken"].get("ciphertext"), "the token is not a secret in state"

    emulator.clear_requests()
    started = time.monotonic()
    preview = stack.preview()
    timings["preview"] = time.monotonic() - started
    assert preview.ok, preview.text[-3000:]
    assert set(preview.changes) == {"same"}, preview.changes
    assert emulator.count(TOKEN_PATH) == 0, "a no-change preview logged in"

    started = time.monotonic()
    done = stack.destroy()
    timings["destroy"] = time.monotonic() - started
    assert done.ok, done.text[-3000:]
    assert done.changes == {"delete": 2}, done.changes
    assert not emulator.is_active(token)

    printed = "\n".join([generated.text, *stack.output]) + stack.backend_text()
    assert "from $PATH" not in printed, "the engine used the plugin on PATH, not venv/bin"
    for canary in (token, secret):
        for spelling in spellings(canary):
            assert spelling not in printed
    assert (stack.work_dir / "Pulumi.yaml").read_text() == settings_written
    print(f"{language}: " + ", ".join(f"{op} {s:.1f} s" for op, s in timings.items()))
