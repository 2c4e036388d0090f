"""Fixtures for the example tests; the program runner is in ``tests/examples/harness.py``."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pulumi
import pytest

from anypoint_pulumi.emulator import Emulator


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A started emulator, with no ANYPOINT_* variable of the caller's leaking into a program."""
    for name in list(os.environ):
        if name.startswith("ANYPOINT_"):
            monkeypatch.delenv(name)
    with Emulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _clean_config() -> Iterator[None]:
    yield
    pulumi.runtime.set_all_config({}, [])
