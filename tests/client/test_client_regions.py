"""Control planes: region names, custom base URLs and bare hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import ConfigurationError
from anypoint_pulumi.access.settings import (
    CONTROL_PLANES,
    PLANES,
    host_base_url,
    normalize_base_url,
    region_base_url,
    resolve_base_url,
)

DOCUMENTED = {
    "us": "https://anypoint.mulesoft.com",
    "eu": "https://eu1.anypoint.mulesoft.com",
    "gov": "https://gov.anypoint.mulesoft.com",
    "ca": "https://ca1.platform.mulesoft.com",
    "jp": "https://jp1.platform.mulesoft.com",
    "au": "https://au1.platform.mulesoft.com",
}
ROOT = Path(__file__).resolve().parents[2]


def test_control_planes_are_exactly_the_documented_ones():
    assert dict(CONTROL_PLANES) == DOCUMENTED


@pytest.mark.parametrize(("region", "url"), sorted(DOCUMENTED.items()))
def test_each_region_resolves_to_its_documented_url(region, url):
    assert region_base_url(region) == url
    assert AccessManagementClient(region).base_url == url


def test_hyperforce_regions_live_under_platform_not_anypoint():
    for plane in PLANES:
        assert ("platform.mulesoft.com" in plane.base_url) == plane.hyperforce, plane
    assert {p.name for p in PLANES if p.hyperforce} == {"ca", "jp", "au"}


def test_the_australian_plane_is_a_region():
    assert AccessManagementClient("au").base_url == "https://au1.platform.mulesoft.com"
    assert AccessManagementClient("AU").host == "au1.platform.mulesoft.com"


def test_an_unknown_region_lists_every_plane_including_au():
    with pytest.raises(ConfigurationError, match="use one of us, eu, gov, ca, jp, au"):
        region_base_url("nz")


def test_the_region_input_documents_every_plane():
    from anypoint_pulumi.core.inputs import BY_NAME

    doc = BY_NAME["region"].doc
    assert all(name in doc for name in CONTROL_PLANES), doc


def test_host_variable_accepts_the_australian_host():
    assert host_base_url("au1.platform.mulesoft.com") == CONTROL_PLANES["au"]


def test_no_region_and_no_base_url_means_us():
    assert AccessManagementClient().base_url == "https://anypoint.mulesoft.com"


@pytest.mark.parametrize(("name", "region"), [("EU", "eu"), (" us ", "us"), ("eu1", "eu")])
def test_region_names_are_case_insensitive_and_accept_terraform_aliases(name, region):
    assert region_base_url(name) == DOCUMENTED[region]


def test_unknown_region_is_a_configuration_error_naming_region():
    with pytest.raises(ConfigurationError) as caught:
        AccessManagementClient("mars")

    assert caught.value.field == "region"
    assert "region" in str(caught.value)
    assert "'mars'" in str(caught.value)


def test_region_and_base_url_together_are_refused():
    with pytest.raises(ConfigurationError) as caught:
        AccessManagementClient("eu", base_url="https://anypoint.example.com")

    assert "region and base_url" in str(caught.value)


def test_custom_https_base_url_is_accepted():
    client = AccessManagementClient(base_url="https://anypoint.example.com")

    assert client.base_url == "https://anypoint.example.com"
    assert client.host == "anypoint.example.com"


def test_custom_base_url_keeps_its_path_prefix_and_drops_the_trailing_slash():
    assert normalize_base_url("https://pce.example.com:8443/anypoint/") == (
        "https://pce.example.com:8443/anypoint"
    )


def test_http_to_a_non_loopback_host_is_refused():
    with pytest.raises(ConfigurationError) as caught:
        resolve_base_url(base_url="http://anypoint.example.com")

    assert caught.value.field == "base_url"
    assert "https://" in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080",
            "http://127.0.0.2"]
)
def test_http_to_a_loopback_host_is_accepted(url):
    assert normalize_base_url(url) == url


@pytest.mark.parametrize("url", ["http://127.0.0.1.nip.io", "http://localhost.example.com"])
def test_http_to_names_that_only_look_like_loopback_is_refused(url):
    with pytest.raises(ConfigurationError):
        normalize_base_url(url)


def test_base_url_with_user_information_is_refused_without_echoing_it():
    with pytest.raises(ConfigurationError) as caught:
        normalize_base_url("https://admin:hunter2-pass@anypoint.example.com")

    assert "hunter2-pass" not in str(caught.value)
    assert caught.value.field == "base_url"


@pytest.mark.parametrize(
    "url", ["https://anypoint.example.com/?token=abc", "https://anypoint.example.com/#frag"]
)
def test_base_url_with_a_query_or_fragment_is_refused(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_base_url(url)

    assert "token=abc" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["anypoint.mulesoft.com", "ftp://anypoint.mulesoft.com", "https://", "https://h:port"]
)
def test_malformed_base_url_is_refused(url):
    with pytest.raises(ConfigurationError):
        normalize_base_url(url)


@pytest.mark.parametrize(
    "url", ["https://[::1", "https://exa mple.com", "https://a..b", "https://-x.com", "https://%41.com"]
)
def test_base_url_with_an_invalid_host_is_a_configuration_error_naming_base_url(url):
    with pytest.raises(ConfigurationError) as caught:
        normalize_base_url(url)

    assert caught.value.field == "base_url"


@pytest.mark.parametrize("url", ["http://[::1]:8080/pce", "https://x.y.internal:8443", "https://h."])
def test_base_url_accepts_ipv6_literals_and_dotted_names(url):
    assert normalize_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("anypoint.mulesoft.com", "https://anypoint.mulesoft.com"),
        ("eu1.anypoint.mulesoft.com", "https://eu1.anypoint.mulesoft.com"),
        ("localhost:8081", "http://localhost:8081"),
        ("127.0.0.1:8081", "http://127.0.0.1:8081"),
        ("[::1]:8081", "http://[::1]:8081"),
        ("https://pce.example.com/", "https://pce.example.com"),
    ],
)
def test_host_base_url_adds_the_scheme_a_bare_host_needs(host, url):
    assert host_base_url(host) == url


def test_host_base_url_refuses_http_to_a_remote_host():
    with pytest.raises(ConfigurationError):
        host_base_url("http://anypoint.example.com")
