"""What the client takes from its environment, deliberately: proxy variables for HTTPS to a
non-loopback host and the CA variables; never ``~/.netrc``, and never a proxy for loopback
(plain HTTP to the emulator, secrets included, never leaves the machine). Plain HTTP reaches
loopback peers only, whatever a name resolves to."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from anypoint_pulumi.access import transport
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import TransportError
from anypoint_pulumi.access.models import Me
from anypoint_pulumi.access.transport import proxies_for

PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No proxy variables, and a home of its own (for a ``.netrc``)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("NETRC", raising=False)
    return monkeypatch


def netrc_for(home: Path, host: str) -> None:
    path = home / ".netrc"
    path.write_text(f"machine {host}\nlogin netrc-user\npassword netrc-password\n")
    path.chmod(0o600)


def test_a_netrc_entry_never_replaces_the_bearer_token(clean_env, capture, tmp_path):
    netrc_for(tmp_path, "127.0.0.1")

    AccessManagementClient(base_url=capture.base_url).me("the-bearer-token")

    assert capture.seen[0].headers["Authorization"] == "Bearer the-bearer-token"


def test_a_netrc_entry_adds_no_basic_auth_to_a_login(clean_env, capture, tmp_path):
    netrc_for(tmp_path, "127.0.0.1")

    AccessManagementClient(base_url=capture.base_url).client_credentials("id", "secret-1234")

    assert "Authorization" not in capture.seen[0].headers


def test_the_session_reads_nothing_of_the_environment_by_itself():
    assert AccessManagementClient()._http._session.trust_env is False


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"])
def test_plain_http_to_loopback_never_goes_through_a_proxy(clean_env, capture, hostile,
                                                           variable):
    clean_env.setenv(variable, hostile.base_url)  # a "proxy" that records what reaches it

    AccessManagementClient(base_url=capture.base_url).client_credentials("id", "secret-1234")

    assert hostile.count() == 0
    assert capture.seen[0].target == "/accounts/api/v2/oauth2/token"


def test_https_to_loopback_never_goes_through_a_proxy(clean_env, tls_capture, certificate,
                                                      hostile):
    clean_env.setenv("HTTPS_PROXY", hostile.base_url)
    client = AccessManagementClient(base_url=tls_capture.base_url, ca_bundle=str(certificate.cert))

    assert client.me("tok") == Me(user=None, client=None)
    assert hostile.count() == 0


def test_https_to_a_remote_host_goes_through_the_https_proxy(clean_env, hostile):
    clean_env.setenv("HTTPS_PROXY", hostile.base_url)
    client = AccessManagementClient(base_url="https://anypoint.example.test", retries=0)

    with pytest.raises(TransportError):  # the recording "proxy" hangs up after the CONNECT
        client.me("tok")

    assert hostile.seen[0].method == "CONNECT"
    assert hostile.seen[0].path == "anypoint.example.test:443"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://localhost/x",
                                 "https://[::1]:8443/x", "https://emu.localhost/x"])
def test_no_proxy_is_taken_for_loopback(clean_env, url):
    clean_env.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    clean_env.setenv("HTTP_PROXY", "http://proxy.example.com:3128")

    assert proxies_for(url) == {}


def test_no_proxy_variable_is_honoured_for_https(clean_env):
    clean_env.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    clean_env.setenv("NO_PROXY", "anypoint.mulesoft.com")

    assert proxies_for("https://anypoint.mulesoft.com/accounts/api/me") == {}


def test_plain_http_to_a_peer_that_is_not_loopback_is_refused_before_sending(
        monkeypatch, capture):
    monkeypatch.setattr(transport, "_loopback_address", lambda sock: False)

    with pytest.raises(TransportError) as caught:
        AccessManagementClient(base_url=capture.base_url).login("max", "password-1234")

    assert "not loopback" in caught.value.message
    assert capture.seen == []


def test_a_peer_on_a_loopback_address_is_recognised_as_loopback(capture):
    port = capture.base_url.rsplit(":", 1)[1]
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as sock:
        assert transport._loopback_address(sock)
