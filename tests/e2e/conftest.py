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

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing.local import SECRET_SIG, LocalStack, run_file

__all__ = ["ROOT", "SECRET_SIG", "Deployment", "emulator_config", "ops", "run_file"]

ROOT = Path(__file__).resolve().parents[2]
ENGINE_VAR = "ANYPOINT_PULUMI_ENGINE"
"""Set by ``make test`` to the directory ``make engine`` printed."""
SITE_DIR = Path(__file__).resolve().parent / "site"
"""Holds the ``sitecustomize`` that shifts the provider processes' clock (:meth:`advance`)."""



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here needs the engine: mark it ``cli`` (``-m "not cli"`` runs the rest)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.cli)


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


@dataclass
class Deployment(LocalStack):
    """A :class:`LocalStack` against the emulator whose clock can be moved for the provider
    processes too (:meth:`advance`)."""

    emulator: Emulator | None = None

    @property
    def clock_file(self) -> Path:
        return self.root / "clock-offset"

    def create(self, config: dict[str, tuple[str, bool]] | None = None) -> auto.Stack:
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.clock_file.exists():
            self.clock_file.write_text("0")
        self.extra_env.update(PYTHONPATH=str(SITE_DIR),
                              ANYPOINT_E2E_CLOCK_FILE=str(self.clock_file))
        return super().create(config)

    def advance(self, seconds: float) -> None:
        """Move time forward for the emulator and for the provider processes started from now
        on (they read the offset at start-up through ``tests/e2e/site/sitecustomize.py``)."""
        assert self.emulator is not None
        self.emulator.advance_clock(seconds)
        offset = float(self.clock_file.read_text() or 0) + seconds
        self.clock_file.write_text(repr(offset))


@pytest.fixture
def deploy(engine_bin: Path, tmp_path: Path,
           emulator: Emulator) -> Iterator[Callable[..., Deployment]]:
    """``deploy(program, config)``: a created stack whose program is ``program``;
    ``deploy(source=DIR, config=...)``: a copy of the project in ``DIR`` with its program."""
    made: list[Deployment] = []

    def make(program: Callable[[], None] | None = None,
             config: dict[str, tuple[str, bool]] | None = None, **kwargs: Any) -> Deployment:
        deployment = Deployment(engine_bin, tmp_path / f"d{len(made)}", program,
                                emulator=emulator, **kwargs)
        deployment.create(config)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.remove()


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
