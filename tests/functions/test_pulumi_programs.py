"""The data functions inside Pulumi programs (under mocks running AnypointToken's real
provider): the _output forms, preview with unknown and known tokens, secretness of results, and
passing results to other resources."""

from __future__ import annotations

import subprocess
import sys

import pulumi
import pytest

from anypoint_pulumi.access.errors import ConfigurationError
from anypoint_pulumi.functions.environments import get_environment_output, get_environments_output
from anypoint_pulumi.functions.organization import (
    get_business_groups_output,
    get_organization_output,
)
from anypoint_pulumi.functions.profile import get_profile, get_profile_output

TOKEN_PATHS = ("/accounts/api/v2/oauth2/token", "/accounts/login")


def reads(emu) -> int:
    """Requests other than logins (and the session read a login makes)."""
    return sum(1 for r in emu.requests
               if r.path not in (*TOKEN_PATHS, "/accounts/api/session"))


OUTPUT_FUNCTIONS = {
    "profile": lambda token: get_profile_output(token=token).organization_id,
    "environments": lambda token: get_environments_output(token=token).ids,
    "environment": lambda token: get_environment_output(name="Sandbox", token=token).id,
    "organization": lambda token: get_organization_output(token=token).name,
}


@pytest.mark.parametrize("kind", ["user", "client"])
def test_profile_output_reads_through_an_anypoint_token_in_one_request(
        clean, declare_token, program, kind):
    result = program(lambda: get_profile_output(token=declare_token(kind)))

    assert result.known
    assert result.value.kind == kind
    assert result.value.organization_id == clean.demo.organization_id
    assert reads(clean) == 1


@pytest.mark.parametrize("kind", ["user", "client"])
def test_environment_and_organization_outputs_read_through_an_anypoint_token(
        clean, declare_token, program, kind):
    def body() -> pulumi.Output[list[object]]:
        token = declare_token(kind)
        return pulumi.Output.all(
            get_environment_output(name="Production", token=token).id,
            get_environments_output(token=token, type="sandbox").names,
            get_organization_output(token=token).name,
        )

    result = program(body)

    assert result.value == [clean.demo.production_environment_id, ("Sandbox",),
                            clean.demo.organization_name]


def test_business_groups_output_reads_with_a_user_token(clean, declare_token, program):
    result = program(lambda: get_business_groups_output(token=declare_token("user")))

    assert result.value.find(clean.demo.business_group_name).id == clean.demo.business_group_id


@pytest.mark.parametrize("function", sorted(OUTPUT_FUNCTIONS))
def test_preview_with_an_unknown_token_is_unknown_and_makes_no_request(
        clean, declare_token, program, function):
    result = program(lambda: OUTPUT_FUNCTIONS[function](declare_token("user")),
                     preview=True, unknown_token=True)

    assert not result.known
    assert clean.count() == 0


def test_preview_with_a_known_token_reads(clean, declare_token, program):
    result = program(lambda: get_profile_output(token=declare_token("client")).client_id,
                     preview=True)

    assert result.known
    assert result.value == clean.demo.client_id
    assert reads(clean) == 1


def test_results_are_not_secret_though_the_anypoint_token_is(clean, declare_token, program):
    def body() -> pulumi.Output[list[object]]:
        token = declare_token("user")
        profile = get_profile_output(token=token)
        return pulumi.Output.all(token.access_token.is_secret(), profile.is_secret(),
                                 profile.organization_id.is_secret())

    result = program(body)

    assert result.value == [True, False, False]
    assert not result.secret


def test_results_are_not_secret_though_a_secret_access_token_is(clean, token_of, program):
    token = token_of("client")

    result = program(lambda: get_environment_output(
        name="Sandbox", access_token=pulumi.Output.secret(token), base_url=clean.base_url).id)

    assert result.value == clean.demo.sandbox_environment_id
    assert not result.secret


def test_another_secret_input_keeps_the_result_secret(clean, token_of, program):
    token = token_of("client")

    result = program(lambda: get_environments_output(
        organization_id=pulumi.Output.secret(clean.demo.organization_id),
        access_token=token, base_url=clean.base_url).ids)

    assert clean.demo.sandbox_environment_id in result.value
    assert result.secret


def test_a_plain_result_can_go_into_an_output(clean, token_of, program):
    profile = get_profile(access_token=token_of("user"), base_url=clean.base_url)

    result = program(lambda: pulumi.Output.from_input(profile))

    assert result.value == profile
    assert type(result.value).__name__ == "Profile"


def test_output_secret_keeps_a_result_secret(clean, declare_token, program):
    result = program(lambda: pulumi.Output.secret(
        get_profile_output(token=declare_token("user")).email))

    assert result.value
    assert result.secret


def test_results_pass_to_other_resources_and_depend_on_the_token(clean, declare_token, program):
    def body() -> pulumi.Output[list[object]]:
        token = declare_token("client")
        profile = get_profile_output(token=token)
        sandbox = get_environment_output(name="Sandbox", token=token)
        app = pulumi.CustomResource("test:index:Deployment", "app", {
            "organizationId": profile.organization_id,
            "environmentId": sandbox.id,
        })
        return pulumi.Output.all(app.urn, sandbox.id.resources())

    result = program(body)

    assert result.mocks.inputs["app"] == {
        "organizationId": clean.demo.organization_id,
        "environmentId": clean.demo.sandbox_environment_id,
    }
    _, resources = result.value
    assert any(type(r).__name__ == "AnypointToken" for r in resources)


def test_plain_form_accepts_an_anypoint_token_in_a_program(clean, declare_token, program):
    seen = {}

    def body() -> pulumi.Output[str]:
        profile = get_profile(token=declare_token("user"))
        seen["profile"] = profile
        return pulumi.Output.from_input(profile.username or "")

    result = program(body)

    assert result.value == clean.demo.username
    assert seen["profile"].organization_id == clean.demo.organization_id


def test_plain_form_with_an_unknown_token_points_at_the_output_form(clean, declare_token,
                                                                     program):
    with pytest.raises(ConfigurationError, match=r"Use get_profile_output\(\.\.\.\)"):
        program(lambda: get_profile(token=declare_token("user")).id, preview=True,
                unknown_token=True)

    assert clean.count() == 0


def test_plain_and_output_forms_give_equal_results(clean, declare_token, program, token_of):
    plain = get_profile(access_token=token_of("user"), base_url=clean.base_url)

    result = program(lambda: get_profile_output(token=declare_token("user")))

    assert result.value == plain
    assert type(result.value).__name__ == "Profile"  # Outputs never hold the awaitable flavour
    assert type(plain).__name__ == "AwaitableProfile"


def test_importing_the_data_functions_loads_no_http_stack():
    code = ("import sys, anypoint_pulumi.functions.profile, "
            "anypoint_pulumi.functions.environments, anypoint_pulumi.functions.organization\n"
            "print(sorted(m for m in ('requests', 'urllib3', 'anypoint_pulumi.access.client') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)

    assert out.stdout.strip() == "[]"
