"""get_access_token and get_api_response under the real engine: when the token lands in state
(only if exported or passed to a resource, and then as ciphertext), how many logins a preview and
an update cost (one each, every run; an AnypointToken none once it exists), what
``preview --expect-no-changes`` says, and an API read in preview and up."""

from __future__ import annotations

import json
from collections.abc import Callable

import pulumi
import pytest
from pulumi import automation as auto

from anypoint_pulumi import (
    AnypointToken,
    get_access_token_output,
    get_api_response_output,
    get_profile_output,
)
from anypoint_pulumi.emulator import Emulator

from .conftest import SECRET_SIG, Deployment, emulator_config, ops
from .consumer import Consumer

TOKEN_PATH = "/accounts/api/v2/oauth2/token"


def logins(emulator: Emulator) -> int:
    return emulator.count(TOKEN_PATH, method="POST")


def issued_tokens(emulator: Emulator) -> list[str]:
    with emulator._store.lock:  # every token the control plane minted, seen or not
        return list(emulator._store.tokens)


def token_for_reads_program(*, export_token: bool = False,
                            consumer: bool = False) -> Callable[[], None]:
    """A program that logs in with get_access_token (from anypoint:* config) and reads with it;
    optionally exporting the token or handing it to a resource."""

    def program() -> None:
        token = get_access_token_output()
        profile = get_profile_output(access_token=token.access_token, base_url=token.base_url,
                                     grant_type=token.grant_type)
        pulumi.export("organizationId", profile.organization_id)
        if export_token:
            pulumi.export("accessToken", token.access_token)
        if consumer:
            pulumi.export("consumerSaw", Consumer("consumer", token.access_token).seen)

    return program


def assert_no_token_in_plaintext(deployment: Deployment, emulator: Emulator) -> None:
    text = (deployment.backend_text() + json.dumps(deployment.export())
            + "".join(deployment.output))
    for token in issued_tokens(emulator):
        assert token not in text


def test_a_token_only_read_with_is_never_stored(deploy: Callable[..., Deployment],
                                               emulator: Emulator) -> None:
    deployment = deploy(token_for_reads_program(), emulator_config(emulator))

    up = deployment.up()

    assert up.outputs["organizationId"].value == emulator.demo.organization_id
    assert not up.outputs["organizationId"].secret
    assert deployment.export()["deployment"]["resources"][0]["type"] == "pulumi:pulumi:Stack"
    assert len(deployment.export()["deployment"]["resources"]) == 1
    assert issued_tokens(emulator) and all(emulator.is_active(t) for t in issued_tokens(emulator))
    assert_no_token_in_plaintext(deployment, emulator)


def test_an_exported_token_is_stored_as_ciphertext(deploy: Callable[..., Deployment],
                                                   emulator: Emulator) -> None:
    deployment = deploy(token_for_reads_program(export_token=True), emulator_config(emulator))

    up = deployment.up()

    assert up.outputs["accessToken"].secret and emulator.is_active(up.outputs["accessToken"].value)
    [stack] = deployment.export()["deployment"]["resources"]
    assert set(stack["outputs"]["accessToken"]) == {SECRET_SIG, "ciphertext"}
    assert_no_token_in_plaintext(deployment, emulator)


def test_a_token_passed_to_a_resource_is_a_secret_input_that_changes_every_run(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    deployment = deploy(token_for_reads_program(consumer=True), emulator_config(emulator))
    deployment.up()
    [consumer] = deployment.resources("e2e:Consumer")
    assert set(consumer["inputs"]["token"]) == {SECRET_SIG, "ciphertext"}
    assert_no_token_in_plaintext(deployment, emulator)

    # A new login every run: the resource's input drifts, so nothing is ever "no changes".
    with pytest.raises(auto.CommandError):
        deployment.preview(expect_no_changes=True)
    up = deployment.up()
    assert ops(up.summary.resource_changes) == {"same": 1, "update": 1}


def test_a_program_that_only_reads_with_it_passes_expect_no_changes(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    deployment = deploy(token_for_reads_program(), emulator_config(emulator))
    deployment.up()

    preview = deployment.preview(expect_no_changes=True)

    assert ops(preview.change_summary) == {"same": 1}


def test_each_program_run_logs_in_once_a_preview_and_an_update_alike(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    """One login per run of the program. (``pulumi up`` from a shell previews first unless given
    ``--skip-preview``, running the program twice: two logins; the Automation API's ``up``,
    used here, is ``--skip-preview``.)"""
    deployment = deploy(token_for_reads_program(), emulator_config(emulator))
    counts: dict[str, int] = {}
    for name, run in (("preview", deployment.preview), ("update", deployment.up),
                      ("no-change preview", deployment.preview),
                      ("no-change update", deployment.up)):
        emulator.clear_requests()
        run()
        counts[name] = logins(emulator)

    assert counts == {"preview": 1, "update": 1, "no-change preview": 1, "no-change update": 1}


def test_an_anypoint_token_logs_in_once_and_then_never_on_a_no_change_run(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    def program() -> None:
        token = AnypointToken("ci")
        pulumi.export("saw", Consumer("consumer", token.access_token).seen)

    deployment = deploy(program, emulator_config(emulator))
    deployment.up()
    emulator.clear_requests()

    deployment.preview(expect_no_changes=True)
    deployment.up()

    assert logins(emulator) == 0


def api_program(emulator: Emulator) -> Callable[[], None]:
    path = (f"/apimanager/api/v1/organizations/{emulator.demo.organization_id}/environments/"
            f"{emulator.demo.sandbox_environment_id}/apis")

    def program() -> None:
        token = AnypointToken("ci")
        apis = get_api_response_output(path=path, token=token)
        pulumi.export("apiId", apis.body["assets"][0]["apis"][0]["id"])

    return program


def test_get_api_response_is_unknown_in_the_first_preview_and_read_after(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    deployment = deploy(api_program(emulator), emulator_config(emulator))
    emulator.clear_requests()

    first = deployment.preview()
    assert "apiId: [unknown]" in first.stdout and emulator.requests == []

    up = deployment.up()
    assert up.outputs["apiId"].value == emulator.demo.api_instance_id
    assert not up.outputs["apiId"].secret

    emulator.clear_requests()
    second = deployment.preview(expect_no_changes=True)
    assert "[unknown]" not in second.stdout
    assert [(r.method, r.status) for r in emulator.requests] == [("GET", 200)]

