"""Fixtures shared by every test layer: the emulator is the one fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing.proxy import CountingProxy


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


@dataclass(frozen=True)
class RsaKey:
    """An RSA key pair as PEM text: what a connected app holds (public) and what signs (private)."""

    private_pem: str
    public_pem: str


def new_rsa_key() -> RsaKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return RsaKey(private, public.decode())


@pytest.fixture(scope="session")
def other_rsa_key() -> RsaKey:
    """An RSA key pair no emulator app knows (a wrong key), made once per test session."""
    return new_rsa_key()


@pytest.fixture(scope="session")
def second_rsa_key() -> RsaKey:
    """Another RSA key pair, for a connected app a test registers itself."""
    return new_rsa_key()
