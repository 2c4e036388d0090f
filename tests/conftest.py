"""Fixtures shared by every test layer: the emulator is the one fake.

``hypothesis`` is imported here, at collection: its pytest plugin otherwise imports it at the end
of a run that used none of it, and pytest's assertion rewriting of those modules then trips
CPython 3.11.7's ast ("AST constructor recursion depth mismatch"), failing ``pytest tests/examples``
after every test passed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import hypothesis  # (see the module docstring)
import pytest

from anypoint_pulumi.emulator import Emulator
from tests.keys import RsaKey, new_rsa_key
from tests.support.hostile import HostileServer
from tests.support.proxy import CountingProxy


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


@pytest.fixture
def tls_emulator() -> Iterator[Emulator]:
    """A started emulator serving HTTPS with a throw-away CA (``tls_emulator.ca_bundle``)."""
    with Emulator(tls=True) as emu:
        yield emu


@pytest.fixture(scope="session")
def other_rsa_key() -> RsaKey:
    """An RSA key pair no emulator app knows (a wrong key), made once per test session."""
    return new_rsa_key()


@pytest.fixture(scope="session")
def second_rsa_key() -> RsaKey:
    """Another RSA key pair, for a connected app a test registers itself."""
    return new_rsa_key()


@pytest.fixture
def proxy_to() -> Iterator[Callable[[Emulator], CountingProxy]]:
    """``proxy_to(emu)``: a started connection-counting proxy in front of ``emu``."""
    started: list[CountingProxy] = []

    def start(emu: Emulator) -> CountingProxy:
        proxy = CountingProxy(emu.base_url).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    """A started hostile loopback server (drips, bombs, loops pages, nests, redirects, lies):
    route each path to an ``Act`` with ``hostile.route(path, act)``; every other path is 404."""
    with HostileServer() as server:
        yield server


# Hypothesis: under CI (CI set, as every CI service sets it) no example database and a fixed
# seed, so a run's result depends on the code alone: never on a `.hypothesis/` folder a checkout
# happens to hold, and a failure in CI fails the same way on the next run and on a laptop
# (`HYPOTHESIS_PROFILE=ci`). Locally the default profile keeps exploring new examples.
hypothesis.settings.register_profile("ci", database=None, derandomize=True, print_blob=True)
hypothesis.settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))
