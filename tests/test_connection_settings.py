"""One connection-settings value for the resource and the data functions: they accept and
refuse exactly the same settings, naming the same field; data functions given ``token=`` inherit
all of the token's connection settings; ``access_token=`` takes its control plane from config
and environment as the resource does; and TLS (``ca_bundle``, ``verify_tls``) really works on
both, against the emulator serving HTTPS from a private CA."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

import anypoint_pulumi.access.client as client_module
from anypoint_pulumi import AnypointToken, get_profile, get_profile_output
from anypoint_pulumi.access.errors import ConfigurationError, TransportError
from anypoint_pulumi.access.settings import ConnectionSettings
from anypoint_pulumi.access.transport import Transport
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import AnypointMocks, resolve_sync, set_mocks
from anypoint_pulumi.token.provider import TokenProvider


class Reached(Exception):
    """A data function got past every check to its first request."""


def cases(tmp: Path) -> dict[str, dict[str, Any]]:
    bundle = tmp / "ca.pem"
    return {
        "nothing": {},
        "timeout 0": {"timeout_seconds": 0},
        "timeout 0.5": {"timeout_seconds": 0.5},
        "timeout 1": {"timeout_seconds": 1},
        "timeout 600": {"timeout_seconds": 600},
        "timeout 601": {"timeout_seconds": 601},
        "timeout as text": {"timeout_seconds": "30"},
        "timeout true": {"timeout_seconds": True},
        "timeout NaN": {"timeout_seconds": math.nan},
        "timeout infinite": {"timeout_seconds": math.inf},
        "verify_tls false": {"verify_tls": False},
        "verify_tls as text": {"verify_tls": "false"},
        "verify_tls 0": {"verify_tls": 0},
        "ca_bundle empty": {"ca_bundle": ""},
        "ca_bundle blank": {"ca_bundle": "  "},
        "ca_bundle missing": {"ca_bundle": str(tmp / "missing.pem")},
        "ca_bundle a folder": {"ca_bundle": str(tmp)},
        "ca_bundle a number": {"ca_bundle": 5},
        "ca_bundle a file": {"ca_bundle": str(bundle)},
        "region eu": {"region": "eu"},
        "region alias": {"region": "EU1"},
        "region unknown": {"region": "mars"},
        "region empty": {"region": ""},
        "region blank": {"region": "  "},
        "region a number": {"region": 1},
        "base_url https": {"base_url": "https://pce.example.com/"},
        "base_url http remote": {"base_url": "http://pce.example.com"},
        "base_url ftp": {"base_url": "ftp://pce.example.com"},
        "base_url empty": {"base_url": ""},
        "base_url with user": {"base_url": "https://u:p@pce.example.com"},
        "base_url with query": {"base_url": "https://pce.example.com/?a=b"},
        "region and base_url": {"region": "eu", "base_url": "https://pce.example.com"},
    }


CASES = sorted(cases(Path("/nonexistent")))


@pytest.fixture
def tmp_path(tmp_path: Path) -> Path:
    (tmp_path / "ca.pem").write_text("not read here: the checks ask only for a readable file")
    return tmp_path


def resource_verdict(settings: dict[str, Any]) -> str | None:
    """The field the resource's check refuses, or ``None`` when it accepts."""
    checked = TokenProvider().check({}, {"client_id": "id", "client_secret": "secret",
                                         **settings})
    return checked.failures[0].property if checked.failures else None


def function_verdict(settings: dict[str, Any]) -> str | None:
    """The field a data function refuses, or ``None`` when it gets to its first request."""
    try:
        get_profile(access_token="a-token", **settings)
    except ConfigurationError as exc:
        return exc.field
    except Reached:
        return None
    raise AssertionError("get_profile neither refused nor reached the network")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise Reached

    monkeypatch.setattr(Transport, "request", refuse)
    for name in [n for n in __import__("os").environ if n.startswith("ANYPOINT_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize("case", CASES)
def test_resource_and_data_functions_accept_and_refuse_the_same_settings(
        case: str, tmp_path: Path, no_network: None) -> None:
    settings = cases(tmp_path)[case]

    assert function_verdict(settings) == resource_verdict(settings)


def test_the_cases_cover_acceptance_and_refusal(tmp_path: Path, no_network: None) -> None:
    verdicts = {resource_verdict(settings) for settings in cases(tmp_path).values()}

    assert None in verdicts
    assert {"timeout_seconds", "verify_tls", "ca_bundle", "region", "base_url"} <= verdicts


# token= inherits the token's connection settings ------------------------------------------------


@pytest.fixture
def settings_used(monkeypatch: pytest.MonkeyPatch) -> list[ConnectionSettings]:
    """Every ConnectionSettings a client is built with, in order."""
    seen: list[ConnectionSettings] = []
    real = client_module.transport_for

    def spy(settings: ConnectionSettings) -> Transport:
        seen.append(settings)
        return real(settings)

    monkeypatch.setattr(client_module, "transport_for", spy)
    return seen


@pytest.fixture
def mocks() -> Iterator[AnypointMocks]:
    mocks = AnypointMocks()
    set_mocks(mocks, preview=False)
    yield mocks
    pulumi.runtime.set_all_config({}, [])


def tls_token(emu: Emulator, **settings: Any) -> AnypointToken:
    return AnypointToken("tls", client_id=emu.demo.client_id,
                         client_secret=emu.demo.client_secret, base_url=emu.base_url, **settings)


def test_data_function_given_token_uses_every_connection_setting_of_the_token(
        tls_emulator: Emulator, mocks: AnypointMocks,
        settings_used: list[ConnectionSettings]) -> None:
    token = tls_token(tls_emulator, ca_bundle=tls_emulator.ca_bundle, timeout_seconds=7)

    profile = resolve_sync(get_profile_output(token=token))

    assert profile.value is not None
    assert profile.value.organization_id == tls_emulator.demo.organization_id
    login, read = settings_used[0], settings_used[-1]
    assert read == login
    assert (read.ca_bundle, read.read_timeout, read.verify_tls) == (tls_emulator.ca_bundle, 7, True)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_data_function_given_token_inherits_verify_tls_off(
        tls_emulator: Emulator, mocks: AnypointMocks) -> None:
    token = tls_token(tls_emulator, verify_tls=False)

    profile = resolve_sync(get_profile_output(token=token).organization_id)

    assert profile.value == tls_emulator.demo.organization_id


def test_an_explicit_setting_wins_over_the_token_s(
        tls_emulator: Emulator, mocks: AnypointMocks,
        settings_used: list[ConnectionSettings]) -> None:
    token = tls_token(tls_emulator, ca_bundle=tls_emulator.ca_bundle, timeout_seconds=7)

    resolve_sync(get_profile_output(token=token, timeout_seconds=9).id)

    assert settings_used[-1].read_timeout == 9
    assert settings_used[-1].ca_bundle == tls_emulator.ca_bundle


# TLS on the resource and the data functions ----------------------------------------------------


def test_resource_logs_in_over_tls_trusting_its_ca_bundle(tls_emulator: Emulator) -> None:
    provider = TokenProvider()
    inputs = provider.check({}, {"client_id": tls_emulator.demo.client_id,
                                 "client_secret": tls_emulator.demo.client_secret,
                                 "base_url": tls_emulator.base_url,
                                 "ca_bundle": tls_emulator.ca_bundle}).inputs

    created = provider.create(inputs)

    assert tls_emulator.is_active(str((created.outs or {})["access_token"]))


def test_resource_refuses_an_untrusted_certificate_naming_ca_bundle(
        tls_emulator: Emulator) -> None:
    provider = TokenProvider()
    inputs = provider.check({}, {"client_id": tls_emulator.demo.client_id,
                                 "client_secret": tls_emulator.demo.client_secret,
                                 "base_url": tls_emulator.base_url}).inputs

    with pytest.raises(TransportError, match="ca_bundle"):
        provider.create(inputs)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_resource_with_verify_tls_off_logs_in_to_an_untrusted_host(tls_emulator: Emulator) -> None:
    provider = TokenProvider()
    inputs = provider.check({}, {"client_id": tls_emulator.demo.client_id,
                                 "client_secret": tls_emulator.demo.client_secret,
                                 "base_url": tls_emulator.base_url, "verify_tls": False}).inputs

    assert provider.create(inputs).outs


def test_data_function_with_access_token_trusts_its_ca_bundle(tls_emulator: Emulator) -> None:
    token = TokenProvider().create(TokenProvider().check({}, {
        "client_id": tls_emulator.demo.client_id, "client_secret": tls_emulator.demo.client_secret,
        "base_url": tls_emulator.base_url, "ca_bundle": tls_emulator.ca_bundle}).inputs)
    access_token = str((token.outs or {})["access_token"])

    profile = get_profile(access_token=access_token, base_url=tls_emulator.base_url,
                          ca_bundle=tls_emulator.ca_bundle)

    assert profile.organization_id == tls_emulator.demo.organization_id
    with pytest.raises(TransportError, match="ca_bundle"):
        get_profile(access_token=access_token, base_url=tls_emulator.base_url)


# access_token= takes its control plane from config and environment ------------------------------


def test_access_token_form_honours_anypoint_base_url_config(
        emulator: Emulator, mocks: AnypointMocks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANYPOINT_BASE_URL", raising=False)
    token = emulator_token(emulator)
    pulumi.runtime.set_all_config({"anypoint:baseUrl": emulator.base_url}, [])

    assert get_profile(access_token=token).organization_id == emulator.demo.organization_id


def test_access_token_form_honours_the_anypoint_base_url_variable(
        emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_BASE_URL", emulator.base_url)

    profile = get_profile(access_token=emulator_token(emulator))

    assert profile.organization_id == emulator.demo.organization_id


def test_an_explicit_base_url_wins_over_the_environment(
        emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_BASE_URL", "https://not-this.example.com")

    profile = get_profile(access_token=emulator_token(emulator), base_url=emulator.base_url)

    assert profile.organization_id == emulator.demo.organization_id


def emulator_token(emu: Emulator) -> str:
    from anypoint_pulumi import AccessManagementClient

    client = AccessManagementClient(base_url=emu.base_url)
    return client.client_credentials(emu.demo.client_id, emu.demo.client_secret).access_token
