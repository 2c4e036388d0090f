"""Run a Pulumi program under the real engine, offline: a local file backend, a passphrase, its
own ``PULUMI_HOME``, no update check and no plugin download (used by the end-to-end tests and the
benchmark; ``make engine`` provides the engine)::

    stack = LocalStack(engine_bin, tmp_path, program=my_program)
    stack.create({"anypoint:clientId": (client_id, False),
                  "anypoint:clientSecret": (client_secret, True)})
    stack.up(); stack.preview(); stack.destroy()

The program is given inline (a function, or a project's ``__main__.py`` run as ``__main__``): the
Automation API hosts it in this process and the ``pulumi`` CLI runs the deployment, so no
language-host plugin is needed. Dynamic providers run with this interpreter.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

__all__ = ["PASSPHRASE", "SECRET_SIG", "LocalStack", "offline_env", "project_name", "run_file"]

PASSPHRASE = "local-stack-passphrase-not-a-secret"
"""The passphrase of every local stack (it protects test state only)."""
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key that marks a secret value in exported state."""


def offline_env(engine_bin: Path, state_dir: Path, *, python: str = sys.executable,
                passphrase_file: Path | None = None,
                path: str | None = None) -> dict[str, str]:
    """The environment under which ``pulumi`` (in ``engine_bin``) reaches nothing outside:
    a file backend in ``state_dir/backend``, a passphrase (:data:`PASSPHRASE`, or the one in
    ``passphrase_file``), ``PULUMI_HOME`` in ``state_dir/pulumi-home``, no update check, no
    plugin download; dynamic providers run with ``python``; ``path`` (default ``$PATH``) comes
    after the engine's and ``python``'s directories."""
    passphrase = ({"PULUMI_CONFIG_PASSPHRASE_FILE": str(passphrase_file)} if passphrase_file
                  else {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE})
    return {
        "PULUMI_BACKEND_URL": (state_dir / "backend").as_uri(),
        **passphrase,
        "PULUMI_HOME": str(state_dir / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": python,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PATH": os.pathsep.join([str(engine_bin), str(Path(python).parent),
                                 path if path is not None else os.environ.get("PATH", "")]),
        "NO_PROXY": "127.0.0.1,localhost,::1",
    }


@dataclass
class LocalStack:
    """One stack of one project directory under ``root``, with its own file backend and
    ``PULUMI_HOME``; ``engine_bin`` is the directory holding ``pulumi``."""

    engine_bin: Path
    root: Path
    program: Callable[[], None] | None = None
    """The inline program; by default the copied project's own ``__main__.py``."""
    project: str = "anypoint-e2e"
    stack_name: str = "e2e"
    source: Path | None = None
    """A project directory (an example) to copy as the work dir instead of a generated one."""
    extra_env: dict[str, str] = field(default_factory=dict)
    """More environment for every ``pulumi`` process (and so for the dynamic providers)."""
    output: list[str] = field(default_factory=list)
    """Everything the CLI printed, operation by operation."""
    _stack: auto.Stack | None = None

    @property
    def backend(self) -> Path:
        return self.root / "backend"

    @property
    def work_dir(self) -> Path:
        return self.root / "project"

    def env(self) -> dict[str, str]:
        """What every ``pulumi`` process of this deployment runs with: nothing reaches out."""
        return {**offline_env(self.engine_bin, self.root), **self.extra_env}

    def create(self, config: dict[str, tuple[str, bool]] | None = None) -> auto.Stack:
        """Create the stack, or select it again (after a change of :attr:`extra_env`)."""
        if self.program is None:
            self.program = run_file(self.work_dir / "__main__.py")
        self.backend.mkdir(parents=True, exist_ok=True)
        if self.work_dir.exists():
            pass  # selected again: the project is there
        elif self.source is not None:  # an example: its own Pulumi.yaml and files, in a copy
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
        env = self.env()
        self._stack = auto.create_or_select_stack(
            stack_name=self.stack_name, project_name=self.project, program=self.program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(self.work_dir), pulumi_home=env["PULUMI_HOME"], env_vars=env,
                pulumi_command=auto.PulumiCommand(root=str(self.engine_bin.parent))),
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

    def remove(self) -> None:
        if self._stack is None:
            return
        with contextlib.suppress(auto.CommandError):
            self._stack.destroy(color="never")
        self._stack.workspace.remove_stack(self.stack_name, force=True)


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
