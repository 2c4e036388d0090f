"""Fixtures shared by every test layer: the emulator is the one fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from anypoint_pulumi.emulator import Emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A started emulator on a free loopback port, seeded with the demo credentials."""
    with Emulator() as emu:
        yield emu
