"""Every login flow, the data functions, and an upgrade of the package, under the real engine."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pulumi
import pytest
from pulumi import automation as auto

from anypoint_pulumi import AnypointToken, get_environment_output, get_profile_output
from anypoint_pulumi.emulator import Emulator
from tests.secrets import pem_body_lines

from .conftest import ROOT, SECRET_SIG, Deployment, emulator_config, ops

FLOWS: dict[str, Callable[[Emulator], dict[str, str]]] = {
    "client_credentials": lambda e: {"client_id": e.demo.client_id,
                                     "client_secret": e.demo.client_secret},
    "password": lambda e: {"client_id": e.demo.user_app_client_id,
                           "client_secret": e.demo.user_app_client_secret,
                           "username": e.demo.username, "password": e.demo.password},
    "login": lambda e: {"username": e.demo.username, "password": e.demo.password},
    "saml": lambda e: {"saml_response": e.saml_response(e.demo.saml_username)},
    "jwt_bearer": lambda e: {"client_id": e.demo.jwt_client_id, "private_key": e.jwt_private_key,
                             "identity_provider_id": e.demo.jwt_identity_provider_id,
                             "username": e.demo.jwt_username},
}
SECRET_INPUTS = {"client_secret", "password", "saml_response", "private_key"}


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_flow_create_no_change_preview_and_destroy(
        flow: str, deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    inputs = FLOWS[flow](emulator)

    def program() -> None:
        token = AnypointToken("flow", base_url=emulator.base_url, **inputs)
        pulumi.export("accessToken", token.access_token)
        pulumi.export("grantType", token.grant_type)

    deployment = deploy(program)
    up = deployment.up()
    token = up.outputs["accessToken"].value
    assert up.outputs["grantType"].value == flow
    assert emulator.token_grant(token) == flow and emulator.is_active(token)
    [resource] = deployment.resources()
    for key in SECRET_INPUTS & set(inputs):
        assert set(resource["outputs"][key]) == {SECRET_SIG, "ciphertext"}, key
    text = deployment.backend_text() + "".join(deployment.output)
    for secret in [token, *(inputs[k] for k in SECRET_INPUTS & set(inputs)),
                   *pem_body_lines(inputs.get("private_key", ""))]:
        assert secret not in text

    emulator.clear_requests()
    preview = deployment.preview()
    assert ops(preview.change_summary) == {"same": 2}
    assert emulator.requests == []

    deployment.destroy()
    assert not emulator.is_active(token)
    assert deployment.export()["deployment"].get("resources") in (None, [])


def data_program() -> None:
    token = AnypointToken("ci")
    profile = get_profile_output(token=token)
    environment = get_environment_output(name="Sandbox", token=token)
    pulumi.export("organizationId", profile.organization_id)
    pulumi.export("environmentId", environment.id)


def test_data_functions_are_unknown_in_the_first_preview_and_known_after_up(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    deployment = deploy(data_program, emulator_config(emulator))
    emulator.clear_requests()
    preview = deployment.preview()
    assert "organizationId: [unknown]" in preview.stdout
    assert "environmentId : [unknown]" in preview.stdout
    assert emulator.requests == []  # no login, so nothing to read with yet
    up = deployment.up()
    assert up.outputs["organizationId"].value == emulator.demo.organization_id
    assert up.outputs["environmentId"].value == emulator.demo.sandbox_environment_id
    assert not up.outputs["organizationId"].secret
    second = deployment.preview()
    assert ops(second.change_summary) == {"same": 2}
    assert "[unknown]" not in second.stdout


OLD_RELEASE = "fa34201"
"""The last commit that landed before the one core (issue 15): the package as users have it."""


def old_package(into: Path) -> Path:
    """``anypoint_pulumi`` as it was at :data:`OLD_RELEASE`, extracted from git."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_RELEASE, "anypoint_pulumi"],
                             capture_output=True, check=True, timeout=60).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


UP_WITH_OLD_PACKAGE = '''
import os
from pulumi import automation as auto
import anypoint_pulumi  # from ANYPOINT_E2E_PACKAGE_DIR, through tests/e2e/site/sitecustomize.py
assert anypoint_pulumi.__file__.startswith(os.environ["ANYPOINT_E2E_PACKAGE_DIR"])

def program():
    import pulumi
    from anypoint_pulumi import AnypointToken
    token = AnypointToken("ci")
    pulumi.export("accessToken", token.access_token)

stack = auto.select_stack(stack_name=os.environ["STACK"], project_name=os.environ["PROJECT"],
                          program=program, opts=auto.LocalWorkspaceOptions(
                              work_dir=os.environ["WORK_DIR"], env_vars=dict(os.environ),
                              pulumi_command=auto.PulumiCommand(root=os.environ["ENGINE_ROOT"])))
stack.up(color="never")
'''


def test_a_stack_made_by_the_previous_release_previews_with_no_diff_after_the_upgrade(
        deploy: Callable[..., Deployment], emulator: Emulator, tmp_path: Path) -> None:
    def program() -> None:
        pulumi.export("accessToken", AnypointToken("ci").access_token)

    deployment = deploy(program, emulator_config(emulator))
    old = old_package(tmp_path / "old")
    env = {**os.environ, **deployment.env(), "ANYPOINT_E2E_PACKAGE_DIR": str(old),
           "STACK": deployment.stack_name, "PROJECT": deployment.project,
           "WORK_DIR": str(deployment.work_dir), "ENGINE_ROOT": str(deployment.engine_bin.parent)}
    done = subprocess.run([sys.executable, "-c", UP_WITH_OLD_PACKAGE], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    [before] = deployment.resources()

    emulator.clear_requests()
    preview = deployment.preview()  # this process: the package as it is now
    assert ops(preview.change_summary) == {"same": 2}
    assert emulator.requests == []
    up = deployment.up()
    assert ops(up.summary.resource_changes) == {"same": 2}
    [after] = deployment.resources()
    assert after["outputs"]["__provider"] == before["outputs"]["__provider"]


def test_our_namespace_wins_group_by_group_over_a_bridged_providers_keys(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    # A connected app in anypoint-auth:, and a bridged Terraform provider's user and address in
    # anypoint:: the token is the app's (client credentials), at our address, never the user's.
    config = {"anypoint-auth:clientId": (emulator.demo.client_id, False),
              "anypoint-auth:clientSecret": (emulator.demo.client_secret, True),
              "anypoint-auth:baseUrl": (emulator.base_url, False),
              "anypoint:username": (emulator.demo.username, False),
              "anypoint:password": (emulator.demo.password, True),
              "anypoint:baseUrl": ("https://not-this-one.invalid", False)}
    deployment = deploy(data_program, config)
    up = deployment.up()
    assert up.outputs["organizationId"].value == emulator.demo.organization_id
    [resource] = deployment.resources()
    assert resource["outputs"]["base_url"] == emulator.base_url
    assert resource["outputs"]["grant_type"] == "client_credentials"
    assert "username" not in resource["outputs"] or not resource["outputs"]["username"]


def test_importing_a_token_is_refused_with_a_clear_error(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    def program() -> None:
        AnypointToken("ci", opts=pulumi.ResourceOptions(import_="1234"))

    deployment = deploy(program, emulator_config(emulator))
    with pytest.raises(auto.CommandError) as failed:
        deployment.up()
    assert "AnypointToken 'ci' cannot be imported" in str(failed.value)
    assert "dynamic resources cannot be imported" in str(failed.value)


def test_destroy_needs_the_package_installed_and_works_once_it_is_back(
        deploy: Callable[..., Deployment], emulator: Emulator) -> None:
    def program() -> None:
        pulumi.export("accessToken", AnypointToken("ci").access_token)

    deployment = deploy(program, emulator_config(emulator))
    token = deployment.up().outputs["accessToken"].value
    deployment.extra_env["ANYPOINT_E2E_HIDE_PACKAGE"] = "1"
    deployment.create()  # select the stack again with the new environment
    with pytest.raises(auto.CommandError) as failed:
        deployment.destroy()
    assert "No module named 'anypoint_pulumi'" in str(failed.value)
    assert emulator.is_active(token) and len(deployment.resources()) == 1
    del deployment.extra_env["ANYPOINT_E2E_HIDE_PACKAGE"]
    deployment.create()
    deployment.destroy()
    assert not emulator.is_active(token) and deployment.resources() == []
