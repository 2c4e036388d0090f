"""The provider reuses pooled connections across operations: one process, many creates, no more
connections than the provider server has worker threads (four)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.token.provider import TokenProvider
from tests.support.provider_server import ProviderServer

from .conftest import flow_inputs

PROVIDER_WORKERS = 4
"""Threads of the SDK's provider server (``ThreadPoolExecutor(max_workers=4)``)."""


def test_twenty_creates_in_one_provider_process_open_at_most_one_connection_per_worker(
        emu: Emulator, provider_server: ProviderServer, proxy_to) -> None:
    proxy = proxy_to(emu)
    inputs = {**flow_inputs(emu, "client_credentials"), "base_url": proxy.base_url}

    def create(n: int) -> str:
        checked, failures = provider_server.check({**inputs, "triggers": {"n": str(n)}})
        assert failures == []
        return provider_server.create(checked)[1]["access_token"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(create, range(20)))

    assert len(set(tokens)) == 20 and all(emu.is_active(token) for token in tokens)
    assert 1 <= proxy.connections <= PROVIDER_WORKERS


def test_create_read_and_delete_share_one_connection(emu: Emulator, proxy_to) -> None:
    proxy = proxy_to(emu)
    provider = TokenProvider()
    checked = provider.check({}, {**flow_inputs(emu, "client_credentials"),
                                  "base_url": proxy.base_url}).inputs

    created = provider.create(checked)
    provider.read(created.id, dict(created.outs or {}))
    provider.delete(created.id, dict(created.outs or {}))

    assert proxy.connections == 1
    assert not emu.is_active(str((created.outs or {})["access_token"]))
