"""Data functions reuse one pooled connection per control plane and settings, whatever the
function, and whether the token comes as ``access_token=`` or ``token=``."""

from __future__ import annotations

from anypoint_pulumi import get_environment, get_organization, get_profile


def test_ten_data_function_calls_open_one_connection(clean, token_of, proxy_to):
    token = token_of("client")
    proxy = proxy_to(clean)

    for _ in range(10):
        get_profile(access_token=token, base_url=proxy.base_url, grant_type="client_credentials")

    assert proxy.connections == 1


def test_different_functions_share_the_connection(clean, token_of, proxy_to):
    token = token_of("client")
    proxy = proxy_to(clean)

    for _ in range(5):
        get_environment(name="Sandbox", access_token=token, base_url=proxy.base_url)
        get_organization(access_token=token, base_url=proxy.base_url)

    assert proxy.connections == 1
    assert clean.count() == 20  # each call still makes its own requests: /me, then the read
