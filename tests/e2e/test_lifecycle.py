"""What a user buys the token for, proven under the real engine: secrets only as ciphertext, no-op
runs that touch nothing, renewal before expiry (new token first, old one revoked), recovery from a
revoked token and from a failed renewal, destroy, and the pipeline handoff through stack outputs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi.dynamic
import pytest
from pulumi import automation as auto

from anypoint_pulumi import AnypointToken
from anypoint_pulumi.emulator import Emulator, Fault

from .conftest import SECRET_SIG, Deployment, emulator_config, ops
from .consumer import Consumer, fingerprint

TOKEN_PATH = "/accounts/api/v2/oauth2/token"
REVOKE_PATH = "/accounts/api/v2/oauth2/revoke"
INTO_RENEWAL = 3600 - 600 + 60
"""Seconds that take a fresh one-hour token 60 s into the default 600 s renewal window."""


def token_program(emulator: Emulator | None = None, *,
                  consumer: bool = False) -> Callable[[], None]:
    """An ``AnypointToken`` from ``anypoint:*`` config, or from plain strings in the program
    when ``emulator`` is given (the resource must make them secret itself)."""

    def program() -> None:
        if emulator is None:
            token = AnypointToken("ci")
        else:
            token = AnypointToken("ci", client_id=emulator.demo.client_id,
                                  client_secret=emulator.demo.client_secret,
                                  base_url=emulator.base_url)
        pulumi.export("accessToken", token.access_token)
        pulumi.export("grantType", token.grant_type)
        pulumi.export("expiresAt", token.expires_at)
        if consumer:
            pulumi.export("consumerSaw", Consumer("consumer", token.access_token).seen)

    return program


def show_secrets(deployment: Deployment) -> dict[str, Any]:
    """``pulumi stack output --show-secrets --json``, as a pipeline reads it."""
    return json.loads(deployment.cli("stack", "output", "--show-secrets", "--json").stdout)  # type: ignore[no-any-return]


@pytest.fixture
def stack(deploy: Callable[..., Deployment], emulator: Emulator) -> Deployment:
    """A stack whose token comes from secret config, already up."""
    deployment = deploy(token_program(consumer=True), emulator_config(emulator))
    deployment.up()
    return deployment


@pytest.mark.parametrize("source", ["secret config", "plain strings"])
def test_up_stores_token_and_secret_inputs_only_as_ciphertext(
        source: str, deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    if source == "secret config":
        deployment = deploy(token_program(), emulator_config(emulator))
    else:
        deployment = deploy(token_program(emulator))
    result = deployment.up()
    token = result.outputs["accessToken"].value
    assert result.outputs["accessToken"].secret
    assert emulator.is_active(token)

    [resource] = deployment.resources()
    for where in ("outputs", "inputs"):
        for key in ("access_token", "client_secret"):
            value = resource[where].get(key)
            if where == "inputs" and key == "access_token":
                continue
            assert isinstance(value, dict) and value.get(SECRET_SIG), (where, key)
            assert set(value) == {SECRET_SIG, "ciphertext"}, (where, key)
    exported = json.dumps(deployment.export())
    swept = {"backend": deployment.backend_text(), "export": exported,
             "cli output": "".join(deployment.output)}
    for place, text in swept.items():
        for secret in (token, emulator.demo.client_secret):
            assert secret not in text, place
    assert resource["id"] != token


def test_preview_and_up_after_up_make_no_requests_and_no_changes(
        stack: Deployment, emulator: Emulator) -> None:
    emulator.clear_requests()
    preview = stack.preview()
    up = stack.up()
    assert ops(preview.change_summary) == {"same": 3}
    assert ops(up.summary.resource_changes) == {"same": 3}
    assert emulator.requests == []


def test_preview_in_the_renewal_window_shows_a_replacement_and_why(
        stack: Deployment, emulator: Emulator) -> None:
    stack.advance(INTO_RENEWAL)
    emulator.clear_requests()
    preview = stack.preview()
    shown = "".join(stack.output)
    assert ops(preview.change_summary).get("replace") == 1
    assert "+-pulumi-python:dynamic/anypoint:AnypointToken: (replace)" in shown
    assert "within renew_before_seconds (600 s): it is replaced by a new token" in shown
    assert emulator.requests == []


def test_renewal_creates_the_new_token_before_revoking_the_old(
        stack: Deployment, emulator: Emulator) -> None:
    old = show_secrets(stack)["accessToken"]
    stack.advance(INTO_RENEWAL)
    emulator.clear_requests()
    up = stack.up()
    new = up.outputs["accessToken"].value
    assert new != old
    order = [(r.method, r.path) for r in emulator.requests]
    assert order.index(("POST", TOKEN_PATH)) < order.index(("POST", REVOKE_PATH))
    assert up.outputs["consumerSaw"].value == fingerprint(new)
    assert emulator.is_active(new)
    assert not emulator.is_active(old)


def test_a_new_client_secret_in_config_replaces_the_token(
        stack: Deployment, emulator: Emulator) -> None:
    old = show_secrets(stack)["accessToken"]
    rotated = emulator.rotate_client_secret(emulator.demo.client_id)
    stack.set_config({"anypoint:clientSecret": (rotated, True)})
    up = stack.up()
    assert ops(up.summary.resource_changes).get("replace") == 1
    new = up.outputs["accessToken"].value
    assert new != old and emulator.is_active(new)
    assert rotated not in stack.backend_text()


def test_refresh_notices_a_revoked_token_and_the_next_up_recovers(
        stack: Deployment, emulator: Emulator) -> None:
    old = show_secrets(stack)["accessToken"]
    emulator.revoke(old)
    stack.refresh()
    assert "rejected" in "".join(stack.output)
    up = stack.up()
    new = up.outputs["accessToken"].value
    assert new != old and emulator.is_active(new)
    assert up.outputs["consumerSaw"].value == fingerprint(new)


def test_up_with_refresh_recovers_from_a_revoked_token_in_one_run(
        stack: Deployment, emulator: Emulator) -> None:
    old = show_secrets(stack)["accessToken"]
    emulator.revoke(old)
    up = stack.up(refresh=True)
    new = up.outputs["accessToken"].value
    assert new != old and emulator.is_active(new)


def test_a_failed_renewal_keeps_the_old_working_token_and_the_next_up_succeeds(
        stack: Deployment, emulator: Emulator) -> None:
    old = show_secrets(stack)["accessToken"]
    stack.advance(INTO_RENEWAL)
    emulator.inject(TOKEN_PATH, Fault.plain(401, "invalid_client"), times=10)
    with pytest.raises(auto.CommandError) as failed:
        stack.up()
    message = [line for line in str(failed.value).splitlines() if "client-credentials" in line]
    assert message, str(failed.value)[-2000:]
    assert emulator.demo.client_secret not in str(failed.value)
    assert show_secrets(stack)["accessToken"] == old
    assert emulator.is_active(old)
    emulator.clear_faults()
    up = stack.up()
    assert emulator.is_active(up.outputs["accessToken"].value)
    assert not emulator.is_active(old)


def test_destroy_revokes_the_token_and_leaves_an_empty_stack(
        stack: Deployment, emulator: Emulator) -> None:
    token = show_secrets(stack)["accessToken"]
    stack.destroy()
    assert not emulator.is_active(token)
    assert stack.export()["deployment"].get("resources") in (None, [])


def test_stack_output_masks_the_token_and_show_secrets_hands_over_a_working_one(
        stack: Deployment, emulator: Emulator) -> None:
    masked = stack.cli("stack", "output").stdout
    assert "[secret]" in masked
    handed = show_secrets(stack)["accessToken"]
    assert handed not in masked
    assert emulator.is_active(handed)


def test_refresh_always_in_pulumi_yaml_recovers_on_a_plain_up_at_one_read_per_token(
        stack: Deployment, emulator: Emulator) -> None:
    with (stack.work_dir / "Pulumi.yaml").open("a") as settings:
        settings.write("options:\n  refresh: always\n")
    old = show_secrets(stack)["accessToken"]
    emulator.revoke(old)
    emulator.clear_requests()
    up = stack.up()
    new = up.outputs["accessToken"].value
    assert new != old and emulator.is_active(new)
    assert emulator.count("/accounts/api/me", method="GET") == 1  # the price: a read per token
