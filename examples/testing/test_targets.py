"""Unit tests of targets.py: the real AnypointToken provider against a local emulator.

``anypoint_pulumi.testing.AnypointMocks`` runs the token's provider for real (it logs in to the
emulator, and marks secret what the resource declares secret, as the engine would); every other
resource is echoed.
Nothing is deployed and no Pulumi CLI is needed: install the package with its ``emulator`` extra
(from its wheel until it is published; see the README's Install section) and pytest,
then ``pytest``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from targets import deployment_targets

from anypoint_pulumi import AnypointToken
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import AnypointMocks, resolve_sync, set_mocks


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:  # a free loopback port, seeded with a demo organization
        yield emu


@pytest.fixture
def mocks() -> AnypointMocks:
    mocks = AnypointMocks()
    set_mocks(mocks, preview=False)
    return mocks


def token_for(emu: Emulator) -> AnypointToken:
    return AnypointToken("deployer", client_id=emu.demo.client_id,
                         client_secret=emu.demo.client_secret, base_url=emu.base_url)


def test_sandbox_is_a_target(emulator: Emulator, mocks: AnypointMocks) -> None:
    token = token_for(emulator)
    targets = deployment_targets(token, ["Sandbox"])
    assert resolve_sync(targets["Sandbox"]).value == emulator.demo.sandbox_environment_id
    assert resolve_sync(token.access_token).is_secret
    assert mocks.tokens[-1].grant_type == "client_credentials"


def test_production_is_refused_by_default(emulator: Emulator, mocks: AnypointMocks) -> None:
    targets = deployment_targets(token_for(emulator), ["Production"])
    with pytest.raises(ValueError, match="production environment"):
        resolve_sync(targets["Production"])


def test_production_when_allowed(emulator: Emulator, mocks: AnypointMocks) -> None:
    targets = deployment_targets(token_for(emulator), ["Production"], allow_production=True)
    assert resolve_sync(targets["Production"]).value == emulator.demo.production_environment_id


def test_unknown_environment_names_the_ones_that_exist(
    emulator: Emulator, mocks: AnypointMocks
) -> None:
    targets = deployment_targets(token_for(emulator), ["sandbox"])
    with pytest.raises(Exception, match="no environment named 'sandbox'") as caught:
        resolve_sync(targets["sandbox"])
    assert "Did you mean 'Sandbox'?" in str(caught.value)


def test_preview_reads_nothing(emulator: Emulator) -> None:
    # In a preview the token is not created yet, so the targets are unknown and no request is
    # made -- as on a stack's first `pulumi preview`.
    set_mocks(AnypointMocks(), preview=True)
    emulator.clear_requests()
    targets = deployment_targets(token_for(emulator), ["Sandbox"])
    assert not resolve_sync(targets["Sandbox"]).is_known
    assert emulator.requests == []
