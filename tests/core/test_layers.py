"""The layers, as users meet them: importing a lower layer loads nothing of the layers above,
and nothing of Pulumi below the front ends (each checked in a fresh interpreter, where
``sys.modules`` tells the truth)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import anypoint_pulumi.core
from tests.support.imports import imported

CORE = Path(anypoint_pulumi.core.__file__).parent


def loaded_after(statement: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after ``statement``."""
    probe = (f"{statement}\nimport sys\n"
             "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, timeout=60)
    return set(done.stdout.split())


@pytest.mark.parametrize("statement", [
    "from anypoint_pulumi.access import AccessManagementClient, LoginSpec, log_in",
    "import anypoint_pulumi.cli",
    "import anypoint_pulumi.core.token, anypoint_pulumi.core.functions, "
    "anypoint_pulumi.core.sources",
])
def test_the_access_layer_the_core_and_the_cli_load_no_pulumi(statement: str) -> None:
    assert "pulumi" not in loaded_after(statement)


def test_importing_the_package_loads_neither_pulumi_nor_requests_nor_werkzeug() -> None:
    assert not {"pulumi", "requests", "werkzeug"} & loaded_after("import anypoint_pulumi")


def test_every_public_name_is_still_importable_from_the_package() -> None:
    assert "AnypointToken" in loaded_after(
        "import anypoint_pulumi as a\n"
        "missing = [n for n in a.__all__ if not hasattr(a, n)]\n"
        "assert not missing, missing\nprint('AnypointToken')")


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda path: path.name)
def test_core_modules_import_neither_pulumi_nor_a_front_end(path: Path) -> None:
    found = imported(path)

    assert not {name for name in found if name.split(".")[0] == "pulumi"}
    assert not {name for name in found if name.startswith("..") and name.lstrip(".").split(".")[0]
                in ("token", "functions", "plugin", "cli", "testing", "emulator")}
