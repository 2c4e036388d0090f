"""The access layer knows nothing of Pulumi: no module of ``anypoint_pulumi.access`` imports
``pulumi`` or the layers above it, and none of its words tells a user to run Pulumi."""

from __future__ import annotations

from pathlib import Path

import pytest

import anypoint_pulumi.access
from tests.support.imports import imported

ACCESS = Path(anypoint_pulumi.access.__file__).parent
MODULES = sorted(ACCESS.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_access_modules_import_neither_pulumi_nor_the_layers_above(path: Path) -> None:
    found = imported(path)

    assert not {name for name in found if name.split(".")[0] == "pulumi"}
    assert not {name for name in found if name.lstrip(".").split(".")[0] in (
        "token", "functions", "testing", "emulator") and name.startswith("..")}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_access_modules_give_no_pulumi_advice(path: Path) -> None:
    assert "pulumi up" not in path.read_text()
