"""How the client talks HTTP: User-Agent, no cookies, TLS, proxies, sharing across threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from anypoint_pulumi import __version__
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import MfaRequiredError, TransportError
from anypoint_pulumi.access.models import Me
from anypoint_pulumi.access.transport import proxies_for

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def no_proxy_env(monkeypatch):
    """No proxy settings from the environment running the tests."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


# User-Agent -------------------------------------------------------------------------------------


def test_user_agent_names_the_package_and_version():
    client = AccessManagementClient()

    assert client._http._session.headers["User-Agent"].startswith(f"anypoint-pulumi/{__version__} ")


def test_user_agent_is_sent_on_the_wire(capture):
    AccessManagementClient(base_url=capture.base_url).me("tok")

    assert capture.seen[0].headers["User-Agent"].startswith(f"anypoint-pulumi/{__version__} ")


def test_custom_user_agent_replaces_the_default(capture):
    AccessManagementClient(base_url=capture.base_url, user_agent="my-tool/2").me("tok")

    assert capture.seen[0].headers["User-Agent"] == "my-tool/2"


def test_requests_ask_for_json(capture):
    AccessManagementClient(base_url=capture.base_url).me("tok")

    assert capture.seen[0].headers["Accept"] == "application/json"


# Cookies ----------------------------------------------------------------------------------------


def test_mfa_session_cookie_is_not_kept(emu, client):
    with pytest.raises(MfaRequiredError):
        client.login(emu.demo.mfa_username, emu.demo.mfa_password)

    assert len(client._http._session.cookies) == 0


def test_cookies_set_by_one_answer_are_not_sent_with_the_next_request(capture):
    capture.set_cookie = "mulesoft.vaas.sess=abc123; Path=/; HttpOnly"
    client = AccessManagementClient(base_url=capture.base_url)

    client.me("tok")
    client.me("tok")

    assert [("Cookie" in seen.headers) for seen in capture.seen] == [False, False]
    assert len(client._http._session.cookies) == 0


# TLS --------------------------------------------------------------------------------------------


def test_tls_is_verified_by_default():
    assert AccessManagementClient()._http._session.verify is True


def test_verify_tls_false_turns_verification_off():
    assert AccessManagementClient(verify_tls=False)._http._session.verify is False


def test_ca_bundle_is_the_path_to_trust(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")

    assert AccessManagementClient(ca_bundle=str(bundle))._http._session.verify == str(bundle)


def test_untrusted_certificate_is_a_transport_error_pointing_at_ca_bundle(tls_capture):
    client = AccessManagementClient(base_url=tls_capture.base_url, retries=0)

    with pytest.raises(TransportError) as caught:
        client.me("tok")

    assert "ca_bundle" in str(caught.value)
    assert tls_capture.seen == []


def test_https_to_a_plain_http_server_says_so_instead_of_blaming_the_certificate(emu):
    client = AccessManagementClient(base_url=emu.base_url.replace("http://", "https://"),
                                    retries=0, timeout_seconds=5)

    with pytest.raises(TransportError) as caught:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    said = str(caught.value)
    assert "plain HTTP, not TLS" in said and "http://" in said
    assert "ca_bundle with your organization's CA" not in said
    assert emu.demo.client_secret not in said


def test_an_untrusted_certificate_still_points_at_ca_bundle_not_at_plain_http(tls_capture):
    with pytest.raises(TransportError) as caught:
        AccessManagementClient(base_url=tls_capture.base_url, retries=0).me("tok")

    assert "certificate" in str(caught.value) and "plain HTTP" not in str(caught.value)


def test_ca_bundle_wins_over_requests_ca_bundle_in_the_environment(
    tls_capture, certificate, monkeypatch
):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    client = AccessManagementClient(base_url=tls_capture.base_url, ca_bundle=str(certificate.cert))

    assert client.me("tok") == Me(user=None, client=None)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_tls_false_wins_over_requests_ca_bundle_in_the_environment(
    tls_capture, monkeypatch
):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    client = AccessManagementClient(base_url=tls_capture.base_url, verify_tls=False)

    assert client.me("tok") == Me(user=None, client=None)


def test_requests_ca_bundle_is_honoured_when_nothing_else_is_set(
    tls_capture, certificate, monkeypatch
):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate.cert))
    client = AccessManagementClient(base_url=tls_capture.base_url)

    assert client.me("tok") == Me(user=None, client=None)


# Proxies -------------------------------------------------------------------------------------


def test_https_proxy_from_the_environment_is_used(no_proxy_env):
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")

    proxies = proxies_for("https://anypoint.mulesoft.com/accounts/api/me")

    assert proxies["https"] == "http://proxy.example.com:3128"


def test_no_proxy_from_the_environment_is_honoured(no_proxy_env):
    no_proxy_env.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    no_proxy_env.setenv("NO_PROXY", "anypoint.mulesoft.com")

    assert "https" not in proxies_for("https://anypoint.mulesoft.com/accounts/api/me")


def test_https_requests_go_through_the_proxy_from_the_environment(no_proxy_env, capture):
    no_proxy_env.setenv("HTTPS_PROXY", capture.base_url)
    client = AccessManagementClient(base_url="https://anypoint.example.test", retries=0)

    with pytest.raises(TransportError):  # the capture server is no proxy: it answers the CONNECT
        client.me("tok")

    assert capture.seen[0].method == "CONNECT"
    assert capture.seen[0].target == "anypoint.example.test:443"


# Threads ----------------------------------------------------------------------------------------


def test_one_client_shared_by_8_threads_gets_40_distinct_tokens(emu, client):
    demo = emu.demo

    def sign_in(_: int) -> str:
        return client.client_credentials(demo.client_id, demo.client_secret).access_token

    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(sign_in, range(40)))

    assert len(set(tokens)) == 40
    assert all(emu.is_active(token) for token in tokens)
    assert emu.count("/accounts/api/v2/oauth2/token", status=200) == 40


def test_client_closes_as_a_context_manager(emu):
    with AccessManagementClient(base_url=emu.base_url) as client:
        client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    assert repr(client) == f"AccessManagementClient(base_url={emu.base_url!r})"
