"""One pooled connection per settings value per process: clients with equal settings share it,
threads share it safely, and it keeps no token or credential between calls."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from anypoint_pulumi.access import limits
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.limits import POOL_SIZE
from anypoint_pulumi.access.settings import ConnectionSettings
from anypoint_pulumi.access.transport import transport_for


def test_equal_settings_share_one_transport(emu):
    first = ConnectionSettings.resolve(base_url=emu.base_url)
    second = ConnectionSettings.resolve(base_url=emu.base_url + "/")

    assert first == second
    assert transport_for(first) is transport_for(second)


def test_different_settings_get_their_own_transport(emu):
    plain = ConnectionSettings.resolve(base_url=emu.base_url)
    patient = ConnectionSettings.resolve(base_url=emu.base_url, timeout_seconds=90)

    assert transport_for(plain) is not transport_for(patient)


def test_two_clients_with_equal_settings_open_one_connection(emu, proxy_to):
    proxy = proxy_to(emu)
    settings = ConnectionSettings.resolve(base_url=proxy.base_url)
    token = AccessManagementClient(settings=settings).client_credentials(
        emu.demo.client_id, emu.demo.client_secret)

    for _ in range(5):
        AccessManagementClient(settings=settings).me(token)

    assert proxy.connections == 1


def test_threads_share_the_pool_safely(emu, proxy_to):
    proxy = proxy_to(emu)
    client = AccessManagementClient(settings=ConnectionSettings.resolve(base_url=proxy.base_url))
    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda _: client.me(token).organization_id, range(40)))

    assert found == [emu.demo.organization_id] * 40
    assert proxy.connections <= POOL_SIZE


def test_the_client_keeps_no_token_or_credential_between_calls(emu):
    client = AccessManagementClient(settings=ConnectionSettings.resolve(base_url=emu.base_url))
    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)
    client.me(token)
    user = client.login(emu.demo.username, emu.demo.password)
    client.profile(user)

    session = client._http._session
    kept = repr(vars(client)) + repr(vars(client._http)) + repr(dict(session.headers))
    kept += repr(session.auth) + repr(list(session.cookies)) + repr(session.params)
    for secret in (token.access_token, user.access_token, emu.demo.client_secret,
                   emu.demo.password):
        assert secret not in kept


def test_least_recently_used_transports_beyond_the_limit_are_closed(emu, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TRANSPORTS", 2)
    first = transport_for(ConnectionSettings.resolve(base_url=emu.base_url, timeout_seconds=11))
    transport_for(ConnectionSettings.resolve(base_url=emu.base_url, timeout_seconds=12))
    transport_for(ConnectionSettings.resolve(base_url=emu.base_url, timeout_seconds=13))

    again = transport_for(ConnectionSettings.resolve(base_url=emu.base_url, timeout_seconds=11))

    assert again is not first
