"""Secrecy is the resource's doing, not the mocks': ``AnypointMocks`` marks secret exactly what
the engine would (the registration's ``additionalSecretOutputs`` and the inputs that arrive
secret), so these tests fail if ``AnypointToken`` stops declaring ``access_token`` a secret
output or stops wrapping ``client_secret``/``password`` as secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pulumi.dynamic
import pytest

from anypoint_pulumi import AnypointToken
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import TOKEN_TYPE, AnypointMocks, resolve_sync, set_mocks
from anypoint_pulumi.token.provider import TOKEN_PROVIDER

from .conftest import flow_inputs


class BareToken(pulumi.dynamic.Resource, module="anypoint", name="AnypointToken"):
    """The token's type and provider, registered with no secret declared: what the mocks see
    when a resource forgets its ``additional_secret_outputs``."""

    access_token: pulumi.Output[str]
    client_secret: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__(TOKEN_PROVIDER, name, {**props, "access_token": None})


@pytest.fixture
def mocks() -> Iterator[AnypointMocks]:
    mocks = AnypointMocks()
    set_mocks(mocks, preview=False)
    yield mocks


def registered(mocks: AnypointMocks, token: pulumi.Resource) -> Any:
    """The registration of ``token`` as the engine received it (once it has been made)."""
    resolve_sync(token.urn)
    (found,) = [r for r in mocks.registrations if r.type == TOKEN_TYPE]
    return found


def password_grant(emu: Emulator) -> dict[str, Any]:
    return flow_inputs(emu, "password")  # client_id/secret + username/password, plain strings


def test_the_registration_declares_the_token_a_secret_output(
        emu: Emulator, mocks: AnypointMocks) -> None:
    token = AnypointToken("ci", **flow_inputs(emu, "client_credentials"))

    assert "access_token" in registered(mocks, token).additional_secret_outputs


def test_the_token_output_is_secret_because_the_resource_declares_it(
        emu: Emulator, mocks: AnypointMocks) -> None:
    token = AnypointToken("ci", **flow_inputs(emu, "client_credentials"))

    assert resolve_sync(token.access_token).is_secret


@pytest.mark.parametrize("key", ["client_secret", "password"])
def test_plain_secret_inputs_reach_the_engine_as_secrets(
        emu: Emulator, mocks: AnypointMocks, key: str) -> None:
    inputs = password_grant(emu)
    assert isinstance(inputs[key], str), "the program passes a plain string"

    token = AnypointToken("user", **inputs)

    assert registered(mocks, token).is_secret(key)


@pytest.mark.parametrize("key", ["client_secret", "password"])
def test_plain_secret_inputs_come_back_as_secret_outputs(
        emu: Emulator, mocks: AnypointMocks, key: str) -> None:
    token = AnypointToken("user", **password_grant(emu))

    assert resolve_sync(getattr(token, key)).is_secret


def test_mocks_mark_nothing_secret_that_the_registration_does_not_declare(
        emu: Emulator, mocks: AnypointMocks) -> None:
    bare = BareToken("bare", flow_inputs(emu, "client_credentials"))

    token = resolve_sync(bare.access_token)
    assert token.value and emu.is_active(token.value)
    assert not token.is_secret, "the mocks must not make secret what the resource did not"
    assert not resolve_sync(bare.client_secret).is_secret


def test_mocks_keep_secret_what_arrived_secret(emu: Emulator, mocks: AnypointMocks) -> None:
    inputs = flow_inputs(emu, "client_credentials")
    bare = BareToken("bare", {**inputs, "client_secret": pulumi.Output.secret(
        inputs["client_secret"])})

    assert resolve_sync(bare.client_secret).is_secret
    assert not resolve_sync(bare.access_token).is_secret


def test_plain_pulumi_set_mocks_sees_the_registration_too(emu: Emulator) -> None:
    mocks = AnypointMocks()
    pulumi.runtime.set_mocks(mocks, preview=False)

    token = AnypointToken("ci", **flow_inputs(emu, "client_credentials"))

    assert resolve_sync(token.access_token).is_secret
    assert "access_token" in registered(mocks, token).additional_secret_outputs


def test_other_resources_get_their_declared_secret_outputs(mocks: AnypointMocks) -> None:
    class Thing(pulumi.CustomResource):
        note: pulumi.Output[str]
        code: pulumi.Output[str]

        def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
            super().__init__("test:index:Thing", name, {"note": "n", "code": "c"}, opts)

    thing = Thing("thing", pulumi.ResourceOptions(additional_secret_outputs=["code"]))

    assert resolve_sync(thing.code).is_secret
    assert not resolve_sync(thing.note).is_secret


