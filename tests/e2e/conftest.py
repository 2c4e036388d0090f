"""The real Pulumi engine: ``pulumi`` built from the pinned Go modules (``make engine``), driven
through ``pulumi.automation`` on a local file backend in a temp dir, against the emulator.

Every stack here is a real project directory with a ``Pulumi.yaml`` (runtime options naming this
virtualenv) whose program is given inline: the Automation API hosts the program in this process,
the CLI runs the deployment (state, secrets encryption, diffs, replacements) and starts the
dynamic provider through ``pulumi-resource-pulumi-python`` with this interpreter. Nothing touches
the network: file backend, passphrase, no update check, no plugin download.

Where no engine can be had (no ``pulumi`` on PATH and no Go to build one) these tests skip and
say so; under CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from anypoint_pulumi.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]
ENGINE_VAR = "ANYPOINT_PULUMI_ENGINE"
"""Set by ``make test`` to the directory ``make engine`` printed."""
SITE_DIR = Path(__file__).resolve().parent / "site"
"""Holds the ``sitecustomize`` that shifts the provider processes' clock (:meth:`advance`)."""
PASSPHRASE = "e2e-passphrase-not-a-secret"
SECRET_SIG = "4dabf18193072939515e22adb298388d"

pytestmark = pytest.mark.cli


def _find_engine() -> Path:
    given = os.environ.get(ENGINE_VAR)
    if given:
        if not (Path(given) / "pulumi").is_file():
            pytest.fail(f"{ENGINE_VAR}={given} holds no pulumi: run `make engine`")
        return Path(given)
    done = subprocess.run([sys.executable, str(ROOT / "engine" / "build.py"),
                           "--python", sys.executable],
                          capture_output=True, text=True, check=False, timeout=3600)
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return Path(lines[-1])
    reason = done.stderr.strip().splitlines()[-1:] or ["engine/build.py said nothing"]
    if done.returncode == 3 and os.environ.get("CI") != "true":
        pytest.skip(f"no Pulumi engine: {reason[0]}")
    pytest.fail(f"make engine failed (exit {done.returncode}): {done.stderr.strip()}")


@pytest.fixture(scope="session")
def engine_bin() -> Path:
    """The directory holding ``pulumi`` and the dynamic-provider shim."""
    return _find_engine()


@pytest.fixture(scope="session")
def pulumi_command(engine_bin: Path) -> auto.PulumiCommand:
    return auto.PulumiCommand(root=str(engine_bin.parent))


@dataclass
class Deployment:
    """One stack of one project directory, on its own file backend and ``PULUMI_HOME``."""

    engine_bin: Path
    command: auto.PulumiCommand
    root: Path
    emulator: Emulator
    program: Callable[[], None] | None = None
    """The inline program; by default the copied project's own ``__main__.py``."""
    project: str = "anypoint-e2e"
    stack_name: str = "e2e"
    source: Path | None = None
    """A project directory (an example) to copy as the work dir instead of a generated one."""
    output: list[str] = field(default_factory=list)
    _stack: auto.Stack | None = None

    @property
    def backend(self) -> Path:
        return self.root / "backend"

    @property
    def work_dir(self) -> Path:
        return self.root / "project"

    @property
    def clock_file(self) -> Path:
        return self.root / "clock-offset"

    def env(self) -> dict[str, str]:
        """What every ``pulumi`` process of this deployment runs with: nothing reaches out."""
        return {
            "PULUMI_BACKEND_URL": self.backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(self.root / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": sys.executable,
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PATH": os.pathsep.join([str(self.engine_bin), str(Path(sys.executable).parent),
                                     os.environ.get("PATH", "")]),
            "PYTHONPATH": str(SITE_DIR),
            "ANYPOINT_E2E_CLOCK_FILE": str(self.clock_file),
            "NO_PROXY": "127.0.0.1,localhost,::1",
        }

    def create(self, config: dict[str, tuple[str, bool]] | None = None) -> auto.Stack:
        if self.program is None:
            self.program = run_file(self.work_dir / "__main__.py")
        self.backend.mkdir(parents=True, exist_ok=True)
        self.clock_file.write_text("0")
        if self.source is not None:  # an example: its own Pulumi.yaml and files, in a copy
            shutil.copytree(self.source, self.work_dir,
                            ignore=shutil.ignore_patterns(".venv", "__pycache__", "Pulumi.*.yaml"))
            self.project = project_name(self.work_dir)
        else:
            self.work_dir.mkdir(parents=True)
            (self.work_dir / "Pulumi.yaml").write_text(textwrap.dedent(f"""\
                name: {self.project}
                description: anypoint-pulumi end-to-end test against the local emulator
                runtime:
                  name: python
                  options:
                    toolchain: pip
                    virtualenv: {sys.prefix}
                """))
        self._stack = auto.create_or_select_stack(
            stack_name=self.stack_name, project_name=self.project, program=self.program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(self.work_dir), pulumi_home=self.env()["PULUMI_HOME"],
                env_vars=self.env(), pulumi_command=self.command),
        )
        if config:
            self.set_config(config)
        return self._stack

    @property
    def stack(self) -> auto.Stack:
        assert self._stack is not None, "call create() first"
        return self._stack

    def set_config(self, config: dict[str, tuple[str, bool]]) -> None:
        self.stack.set_all_config({key: auto.ConfigValue(value, secret=secret)
                                   for key, (value, secret) in config.items()})

    def _run(self, operation: Callable[..., Any], **kwargs: Any) -> Any:
        """Run one stack operation; everything the CLI printed lands in :attr:`output`."""
        try:
            result = operation(color="never", **kwargs)
        except auto.CommandError as exc:
            self.output.append(str(exc))
            raise
        self.output.append(result.stdout)
        self.output.append(getattr(result, "stderr", "") or "")
        return result

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self._run(self.stack.up, **kwargs)  # type: ignore[no-any-return]

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self._run(self.stack.preview, diff=True, **kwargs)  # type: ignore[no-any-return]

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self._run(self.stack.refresh, **kwargs)  # type: ignore[no-any-return]

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self._run(self.stack.destroy, **kwargs)  # type: ignore[no-any-return]

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``pulumi ARGS --stack e2e`` as a user types it, in the project directory."""
        return subprocess.run([str(self.engine_bin / "pulumi"), *args, "--stack",
                               self.stack_name], cwd=self.work_dir,
                              env={**os.environ, **self.env()}, capture_output=True, text=True,
                              check=check, timeout=300)

    def export(self) -> dict[str, Any]:
        """``pulumi stack export`` without ``--show-secrets``."""
        return json.loads(self.cli("stack", "export").stdout)  # type: ignore[no-any-return]

    def resources(self, type_suffix: str = "AnypointToken") -> list[dict[str, Any]]:
        return [r for r in self.export()["deployment"].get("resources", [])
                if r["type"].endswith(type_suffix)]

    def backend_text(self) -> str:
        """Every file of the backend and of PULUMI_HOME, as text (for canary sweeps)."""
        files = [p for d in (self.backend, self.root / "pulumi-home") if d.exists()
                 for p in d.rglob("*") if p.is_file()]
        return "\n".join(p.read_text(errors="replace") for p in files)

    def advance(self, seconds: float) -> None:
        """Move time forward for the emulator and for the provider processes started from now
        on (they read the offset at start-up through ``tests/e2e/site/sitecustomize.py``)."""
        self.emulator.advance_clock(seconds)
        offset = float(self.clock_file.read_text() or 0) + seconds
        self.clock_file.write_text(repr(offset))

    def remove(self) -> None:
        if self._stack is None:
            return
        with contextlib.suppress(auto.CommandError):
            self._stack.destroy(color="never")
        self._stack.workspace.remove_stack(self.stack_name, force=True)


@pytest.fixture
def deploy(engine_bin: Path, pulumi_command: auto.PulumiCommand, tmp_path: Path,
           emulator: Emulator) -> Iterator[Callable[..., Deployment]]:
    """``deploy(program, config)``: a created stack whose program is ``program``;
    ``deploy(source=DIR, config=...)``: a copy of the project in ``DIR`` with its program."""
    made: list[Deployment] = []

    def make(program: Callable[[], None] | None = None,
             config: dict[str, tuple[str, bool]] | None = None, **kwargs: Any) -> Deployment:
        deployment = Deployment(engine_bin, pulumi_command, tmp_path / f"d{len(made)}",
                                emulator, program, **kwargs)
        deployment.create(config)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.remove()


def project_name(work_dir: Path) -> str:
    """The ``name:`` of a project's ``Pulumi.yaml``."""
    found = re.search(r"^name:\s*(\S+)\s*$", (work_dir / "Pulumi.yaml").read_text(), re.MULTILINE)
    assert found, f"{work_dir}/Pulumi.yaml has no name"
    return found.group(1)


def run_file(path: Path) -> Callable[[], None]:
    """An inline program that runs ``path`` as ``__main__`` from its own directory, as the
    language host runs a project's program."""

    def program() -> None:
        sys.path.insert(0, str(path.parent))
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            sys.path.remove(str(path.parent))

    return program


def emulator_config(emulator: Emulator) -> dict[str, tuple[str, bool]]:
    """The demo app's credentials as ``anypoint:*`` config, the secret as a secret."""
    return {
        "anypoint:clientId": (emulator.demo.client_id, False),
        "anypoint:clientSecret": (emulator.demo.client_secret, True),
        "anypoint:baseUrl": (emulator.base_url, False),
    }


def ops(summary: Any) -> dict[str, int]:
    """``{"same": 1, "replace": 1}`` from a change summary, zero counts dropped."""
    return {getattr(op, "value", op): n for op, n in (summary or {}).items() if n}
