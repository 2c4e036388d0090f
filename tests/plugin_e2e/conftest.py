"""The anypoint-auth provider plugin under the real engine in every language that can run here:
YAML, Python, TypeScript and Go (``runners.py``), against the emulator, offline.

Like ``tests/e2e``, these need the engine (``make engine``, which also builds the YAML language
host): they skip, saying why, only where there is neither a ``pulumi`` nor Go to build one, and
fail instead under CI (``CI=true``). The Node and Go toolchains are installed on first use into a
cache outside the clone (``toolchains.py``); where ``node``/``npm`` or ``go`` is missing, that
language's tests skip saying so, and fail under CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import _find_engine

from .runners import RUNNERS, Project

LANGUAGES = tuple(RUNNERS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here needs the engine: mark it ``cli`` (``-m "not cli"`` runs the rest)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.cli)


@pytest.fixture(scope="session")
def engine_bin() -> Path:
    """The directory holding ``pulumi``, the dynamic-provider shim and the YAML host."""
    found = _find_engine()
    if not (found / "pulumi-language-yaml").is_file() and not shutil.which("pulumi-language-yaml"):
        pytest.fail(f"{found} has no pulumi-language-yaml: run `make engine` again (it builds "
                    "the YAML language host beside pulumi)")
    return found


TOOLS = {"typescript": ("node", "npm"), "go": ("go",)}
"""What each language's toolchain is installed with (YAML and Python need only the engine)."""


def require_tools(language: str) -> None:
    """Skip, saying what to install, when a language's own tool is missing; under CI, fail."""
    missing = [tool for tool in TOOLS.get(language, ()) if shutil.which(tool) is None]
    if missing:
        reason = f"no {' or '.join(missing)} on PATH for the {language} tests: install it"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def project(engine_bin: Path, tmp_path: Path) -> Iterator[Callable[..., Project]]:
    """``project(language, program=..., source=..., **fields)``: a runner for that language in
    a fresh directory (not created yet); every one is destroyed and removed at the end."""
    made: list[Project] = []

    def make(language: str, **kwargs: object) -> Project:
        require_tools(language)
        runner = RUNNERS[language](engine_bin, tmp_path / f"{language}{len(made)}",
                                   **kwargs)  # type: ignore[arg-type]
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.remove()
