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


@pytest.fixture
def clean(emu: Emulator) -> Emulator:
    """The suite's ``emu`` reset for one test: no pending fault, no latency, the default
    hierarchy rule and an empty request log (for suites that share one emulator per module)."""
    emu.clear_faults()
    emu.latency = 0.0
    emu.hierarchy_allows_clients = False
    emu.clear_requests()
    return emu
