"""One project + stack of one Pulumi language under the real engine, offline, driven the way
that language's users drive it; every runner answers the same four operations, so one scenario
(``scenario.py``) walks all of them:

- ``yaml``: a project directory run with plain ``pulumi`` CLI commands through the YAML
  language host that ``make engine`` builds beside ``pulumi``;
- ``python``: an inline program through ``pulumi.automation`` with the generated SDK
  (``sdk/python``);
- ``typescript``: an inline program through the Node Automation API (``node/driver.ts``, run
  with ``tsx``) with the generated SDK installed from its packed tarball;
- ``go``: an inline program through the Go Automation API (``go/driver.go``) with the generated
  SDK (``sdk/go``, through a ``replace``).

Each project's ``Pulumi.yaml`` names the plugin the way the README recommends:
``plugins: providers: [{name: anypoint-auth, path: <this virtualenv's bin>}]``. Config, stack
outputs and state are read with plain CLI commands in every language. The plugin processes get
``tests/e2e/site`` on ``PYTHONPATH``: its ``sitecustomize`` moves their clock with the emulator's
(:meth:`Project.advance`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from anypoint_pulumi.testing.local import PASSPHRASE, offline_env

from . import toolchains

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SITE_DIR = ROOT / "tests" / "e2e" / "site"
PLUGIN_DIR = Path(sys.executable).parent
"""The virtualenv's ``bin``: ``pulumi-resource-anypoint-auth`` is a console script there."""
PLUGIN = "pulumi-resource-anypoint-auth"
OP_TIMEOUT = 300

__all__ = ["PASSPHRASE", "RUNNERS", "Project", "Result"]


@dataclass
class Result:
    """What one operation did: ``changes`` as ``{"same": 2}`` (zero counts dropped), and all the
    text the CLI printed (or the error, when it failed)."""

    ok: bool
    changes: dict[str, int]
    text: str


def _changes(raw: dict[str, Any] | None) -> dict[str, int]:
    return {str(op): int(n) for op, n in (raw or {}).items() if n}


@dataclass
class Project:
    """A project directory under ``root`` with its own file backend and ``PULUMI_HOME``."""

    language: ClassVar[str] = ""
    runtime: ClassVar[str] = ""

    engine_bin: Path
    root: Path
    program: Path | None = None
    """The program file (a scenario or an example); the runner decides what it means."""
    source: Path | None = None
    """An example's project directory to copy instead of generating a ``Pulumi.yaml``."""
    project: str = "plugin-e2e"
    stack_name: str = "e2e"
    output: list[str] = field(default_factory=list)
    """Everything every operation printed, for canary sweeps."""

    @property
    def work_dir(self) -> Path:
        return self.root / "project"

    @property
    def backend(self) -> Path:
        return self.root / "backend"

    @property
    def home(self) -> Path:
        return self.root / "pulumi-home"

    @property
    def clock_file(self) -> Path:
        return self.root / "clock-offset"

    def env(self) -> dict[str, str]:
        return {**offline_env(self.engine_bin, self.root), "PYTHONPATH": str(SITE_DIR),
                "ANYPOINT_E2E_CLOCK_FILE": str(self.clock_file)}

    # -- set-up -----------------------------------------------------------------------------------

    def create(self, config: dict[str, tuple[str, bool]]) -> None:
        """Write the project (or copy the example), prepare the toolchain, init the stack."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.backend.mkdir(exist_ok=True)
        self.clock_file.write_text("0")
        if self.source is not None:
            shutil.copytree(self.source, self.work_dir, ignore=shutil.ignore_patterns(
                "node_modules", "Pulumi.*.yaml", "bin", "__pycache__"))
            settings = self.work_dir / "Pulumi.yaml"
            settings.write_text(with_plugin_path(settings.read_text()))
            self.project = project_name(settings.read_text())
        else:
            self.work_dir.mkdir()
            (self.work_dir / "Pulumi.yaml").write_text(self.settings())
        self.cli("stack", "init")
        self.prepare()
        self.set_config(config)

    def settings(self) -> str:
        return textwrap.dedent(f"""\
            name: {self.project}
            description: anypoint-auth plugin end-to-end test ({self.language})
            runtime: {self.runtime}
            plugins:
              providers:
                - name: anypoint-auth
                  path: {PLUGIN_DIR}
            """)

    def prepare(self) -> None:
        """Put the program and the toolchain in place (per language)."""

    def enable_profile(self) -> None:
        """Switch the scenario program to also call getProfile (``organizationId`` output)."""
        self.set_config({"profile": ("true", False)})

    def set_config(self, config: dict[str, tuple[str, bool]]) -> None:
        for key, (value, secret) in config.items():
            self.cli("config", "set", *(["--secret"] if secret else ["--plaintext"]), key,
                     stdin=value)

    # -- what every language shares ---------------------------------------------------------------

    def cli(self, *args: str, check: bool = True,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``pulumi ARGS --stack e2e`` in the project directory, as a user types it."""
        done = subprocess.run([str(self.engine_bin / "pulumi"), *args, "--stack",
                               self.stack_name], cwd=self.work_dir, input=stdin,
                              env={**os.environ, **self.env()}, capture_output=True, text=True,
                              check=False, timeout=OP_TIMEOUT)
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {args[0]} failed: {done.stderr[-2000:]}")
        return done

    def outputs(self, *, show_secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "output", "--json", *(["--show-secrets"] if show_secrets else [])]
        return json.loads(self.cli(*args).stdout)  # type: ignore[no-any-return]

    def export(self) -> dict[str, Any]:
        """``pulumi stack export`` without ``--show-secrets``."""
        return json.loads(self.cli("stack", "export").stdout)  # type: ignore[no-any-return]

    def tokens(self) -> list[dict[str, Any]]:
        return [r for r in self.export()["deployment"].get("resources") or []
                if r["type"] == "anypoint-auth:index:Token"]

    def backend_text(self) -> str:
        """Every file of the backend and of PULUMI_HOME, and the stack's config file, as text
        (for canary sweeps)."""
        files = [p for d in (self.backend, self.home) if d.exists()
                 for p in d.rglob("*") if p.is_file()]
        files += list(self.work_dir.glob("Pulumi.*.yaml"))
        return "\n".join(p.read_text(errors="replace") for p in files)

    def advance(self, seconds: float) -> None:
        """Move the plugin processes' clock (those started from now on) by ``seconds``."""
        offset = float(self.clock_file.read_text() or 0) + seconds
        self.clock_file.write_text(repr(offset))

    def run(self, op: str, **kwargs: Any) -> Result:
        result = self._run(op, **kwargs)
        self.output.append(result.text)
        return result

    def _run(self, op: str, **kwargs: Any) -> Result:
        raise NotImplementedError

    def preview(self) -> Result:
        return self.run("preview")

    def up(self, *, refresh: bool = False) -> Result:
        return self.run("up", refresh=refresh)

    def refresh(self) -> Result:
        return self.run("refresh")

    def destroy(self) -> Result:
        return self.run("destroy")

    def remove(self) -> None:
        """Destroy what is left and remove the stack (best effort, at the end of a test)."""
        if (self.work_dir / "Pulumi.yaml").exists():
            self.cli("destroy", "--yes", "--skip-preview", check=False)
            self.cli("stack", "rm", "--yes", "--force", check=False)


def project_name(settings: str) -> str:
    for line in settings.splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("Pulumi.yaml has no name")


def with_plugin_path(settings: str) -> str:
    """An example's ``Pulumi.yaml`` with its plugin path (relative to the clone: the project's
    ``.venv/bin``) pointed at this virtualenv's ``bin``, as it is copied out of the clone."""
    lines = settings.splitlines()
    out = []
    for line in lines:
        if line.strip().startswith("path:") and "bin" in line:
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}path: {PLUGIN_DIR}"
        out.append(line)
    text = "\n".join(out) + "\n"
    assert f"path: {PLUGIN_DIR}" in text, "the example's Pulumi.yaml names no plugin path"
    return text


# -- YAML: a project directory and plain CLI commands ------------------------------------------

@dataclass
class YamlProject(Project):
    language: ClassVar[str] = "yaml"
    runtime: ClassVar[str] = "yaml"

    def settings(self) -> str:
        assert self.program is not None
        return super().settings() + self.program.read_text()

    def enable_profile(self) -> None:
        assert self.program is not None
        self.program = self.program.with_name(f"{self.program.stem}-profile.yaml")
        (self.work_dir / "Pulumi.yaml").write_text(self.settings())

    def _last_update(self) -> dict[str, int]:
        history = json.loads(self.cli("stack", "history", "--json").stdout)
        return _changes(history[0].get("resourceChanges") if history else None)

    def _run(self, op: str, **kwargs: Any) -> Result:
        if op == "preview":
            done = self.cli("preview", "--json", check=False)
            if done.returncode != 0:
                return Result(False, {}, done.stdout + done.stderr)
            summary = json.loads(done.stdout).get("changeSummary")
            return Result(True, _changes(summary), done.stdout + done.stderr)
        args = [op, "--yes", "--skip-preview", "--color", "never"]
        if kwargs.get("refresh"):
            args.append("--refresh")
        done = self.cli(*args, check=False)
        text = done.stdout + done.stderr
        if done.returncode != 0:
            return Result(False, {}, text)
        return Result(True, self._last_update(), text)


# -- Python: pulumi.automation with the generated SDK ------------------------------------------

@dataclass
class PythonProject(Project):
    language: ClassVar[str] = "python"
    runtime: ClassVar[str] = "python"
    inline: Callable[[], None] | None = None
    _stack: Any = None

    def prepare(self) -> None:
        from pulumi import automation as auto

        sdk = str(toolchains.python_sdk().path / "site")
        if sdk not in sys.path:  # the generated SDK, as a user's pip install provides it
            sys.path.insert(0, sdk)
        assert self.inline is not None
        env = self.env()
        self._stack = auto.create_or_select_stack(
            stack_name=self.stack_name, project_name=self.project, program=self.inline,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(self.work_dir), pulumi_home=env["PULUMI_HOME"], env_vars=env,
                pulumi_command=auto.PulumiCommand(root=str(self.engine_bin.parent))))

    def _run(self, op: str, **kwargs: Any) -> Result:
        from pulumi import automation as auto

        stack = self._stack
        try:
            if op == "preview":
                p = stack.preview(diff=True, color="never")
                return Result(True, _changes(p.change_summary), p.stdout + p.stderr)
            call = {"up": stack.up, "refresh": stack.refresh, "destroy": stack.destroy}[op]
            extra = {"refresh": True} if kwargs.get("refresh") else {}
            r = call(color="never", **extra)
            changes = {getattr(k, "value", k): v
                       for k, v in (r.summary.resource_changes or {}).items()}
            return Result(True, _changes(changes), r.stdout + (r.stderr or ""))
        except auto.CommandError as exc:
            return Result(False, {}, str(exc))


# -- TypeScript and Go: an Automation API driver process per operation ---------------------------

@dataclass
class DriverProject(Project):
    def command(self) -> list[str]:
        raise NotImplementedError

    def request(self, op: str, **kwargs: Any) -> dict[str, Any]:
        return {"op": op, "workDir": str(self.work_dir), "stackName": self.stack_name,
                "projectName": self.project, "pulumiHome": str(self.home),
                "engineRoot": str(self.engine_bin.parent), "envVars": self.env(),
                "refresh": bool(kwargs.get("refresh"))}

    def _run(self, op: str, **kwargs: Any) -> Result:
        done = subprocess.run([*self.command(), json.dumps(self.request(op, **kwargs))],
                              cwd=self.work_dir, env={**os.environ, **self.env()},
                              capture_output=True, text=True, check=False, timeout=OP_TIMEOUT)
        lines = done.stdout.strip().splitlines()
        try:
            answer = json.loads(lines[-1])
        except (IndexError, ValueError):
            raise AssertionError(f"{self.language} driver said no answer (exit "
                                 f"{done.returncode}): {done.stderr[-2000:]}") from None
        if not answer.get("ok"):
            return Result(False, {}, answer.get("error", ""))
        return Result(True, _changes(answer.get("changes")),
                      answer.get("stdout", "") + answer.get("stderr", ""))


@dataclass
class TypeScriptProject(DriverProject):
    language: ClassVar[str] = "typescript"
    runtime: ClassVar[str] = "nodejs"
    toolchain: Path | None = None

    def prepare(self) -> None:
        self.toolchain = toolchains.node_toolchain().path
        link = self.work_dir / "node_modules"
        if link.is_symlink() or link.exists():
            link.unlink() if link.is_symlink() else shutil.rmtree(link)
        link.symlink_to(self.toolchain / "node_modules")
        shutil.copyfile(toolchains.NODE_DIR / "driver.ts", self.work_dir / "driver.ts")
        if self.source is None:
            assert self.program is not None
            shutil.copyfile(self.program, self.work_dir / "index.ts")

    def command(self) -> list[str]:
        assert self.toolchain is not None
        return ["node", str(self.toolchain / "node_modules" / "tsx" / "dist" / "cli.mjs"),
                str(self.work_dir / "driver.ts")]

    def request(self, op: str, **kwargs: Any) -> dict[str, Any]:
        return {**super().request(op, **kwargs), "program": str(self.work_dir / "index.ts")}


@dataclass
class GoProject(DriverProject):
    language: ClassVar[str] = "go"
    runtime: ClassVar[str] = "go"
    driver: Path | None = None

    def prepare(self) -> None:
        program = self.program
        if self.source is not None:
            program = self.source / "program.go"
        assert program is not None
        self.driver = toolchains.go_driver(program).path / "driver"

    def command(self) -> list[str]:
        assert self.driver is not None
        return [str(self.driver)]


def program_of(language: str, name: str) -> dict[str, Any]:
    """The fields that give a runner of ``language`` the program ``name`` (``scenario``): a
    file for YAML, TypeScript and Go, a function for Python."""
    if language == "python":
        from . import programs

        return {"inline": getattr(programs, name)}
    return {"program": {"yaml": HERE / "yaml" / f"{name}.yaml",
                        "typescript": HERE / "node" / "programs" / f"{name}.ts",
                        "go": HERE / "go" / "programs" / name / "program.go"}[language]}


RUNNERS: dict[str, type[Project]] = {
    runner.language: runner for runner in (YamlProject, PythonProject, TypeScriptProject,
                                           GoProject)
}
