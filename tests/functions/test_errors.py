"""Errors of the data functions: they say what happened, where, in which function, and what to
do next; they are the plain public classes (they pickle); and they never show the token."""

from __future__ import annotations

import pickle

import pulumi
import pytest

from anypoint_pulumi.access.errors import (
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    TokenRejectedError,
)
from anypoint_pulumi.emulator import Fault
from anypoint_pulumi.functions.environments import (
    get_environment,
    get_environment_output,
    get_environments,
)
from anypoint_pulumi.functions.organization import get_business_groups, get_organization
from anypoint_pulumi.functions.profile import get_profile, get_profile_output

FUNCTIONS = {
    "get_profile": get_profile,
    "get_environments": get_environments,
    "get_organization": get_organization,
    "get_business_groups": get_business_groups,
}


def envs_path(org_id: str) -> str:
    return f"/accounts/api/organizations/{org_id}/environments"


@pytest.mark.parametrize("kind", ["user", "client"])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_revoked_token_error_says_rejected_and_suggests_refresh(clean, token_of, shown, name,
                                                                kind):
    token = token_of(kind)
    clean.revoke(token)

    with pytest.raises(TokenRejectedError) as caught:
        FUNCTIONS[name](access_token=token, base_url=clean.base_url)

    error = caught.value
    assert not isinstance(error, PermissionDeniedError)
    assert str(error).startswith(f"{name}(")
    assert "Token rejected" in str(error)
    assert "pulumi up --refresh" in str(error)
    assert error.status == 401
    assert token not in shown(error)


def test_permission_denied_names_the_function_and_the_organization(clean, token_of, shown):
    token = token_of("client")
    org = clean.demo.business_group_id
    clean.inject(envs_path(org), Fault.json(403, {"message": "Forbidden"}))

    with pytest.raises(PermissionDeniedError) as caught:
        get_environments(organization_id=org, access_token=token, base_url=clean.base_url)

    message = str(caught.value)
    assert message.startswith(f"get_environments(organization_id='{org}'): Permission denied")
    assert "[HTTP 403]" in message
    assert "Grant the connected app (scopes) or the user (roles)" in message
    assert token not in shown(caught.value)


def test_organization_not_found_names_the_id(clean, token_of, shown):
    token = token_of("user")
    missing = "00000000-0000-4000-8000-000000000000"

    with pytest.raises(NotFoundError) as caught:
        get_organization(organization_id=missing, access_token=token, base_url=clean.base_url)

    message = str(caught.value)
    assert message.startswith(f"get_organization(organization_id='{missing}'): Not found")
    assert "[HTTP 404]" in message
    assert "Check the organization id" in message
    assert token not in shown(caught.value)


def test_errors_are_the_plain_public_classes(clean, token_of):
    token = token_of("user")
    clean.revoke(token)

    with pytest.raises(TokenRejectedError) as caught:
        get_profile(access_token=token, base_url=clean.base_url)

    assert type(caught.value) is TokenRejectedError


def test_errors_pickle_with_their_context_and_advice(clean, token_of):
    token = token_of("user")
    clean.revoke(token)
    with pytest.raises(TokenRejectedError) as caught:
        get_profile(access_token=token, base_url=clean.base_url)

    copy = pickle.loads(pickle.dumps(caught.value))

    assert type(copy) is TokenRejectedError
    assert str(copy) == str(caught.value)
    assert (copy.host, copy.endpoint, copy.status) == (caught.value.host, caught.value.endpoint,
                                                        401)


def test_pulumi_advice_comes_from_the_data_function_not_the_client(clean, token_of):
    token = token_of("user")
    clean.revoke(token)

    with pytest.raises(TokenRejectedError) as caught:
        get_profile(access_token=token, base_url=clean.base_url)

    assert "pulumi up --refresh" in str(caught.value)
    assert str(caught.value).startswith("get_profile(): Token rejected")


def test_error_echoing_the_token_never_shows_it(clean, token_of, shown):
    token = token_of("user")
    clean.inject("/accounts/api/profile", Fault.json(403, {"message": f"no access for {token}"}))

    with pytest.raises(PermissionDeniedError) as caught:
        get_profile(access_token=token, base_url=clean.base_url, grant_type="login")

    assert token not in shown(caught.value)


def test_output_form_error_never_shows_the_token(clean, declare_token, program, shown):
    with pytest.raises(NotFoundError) as caught:
        program(lambda: get_environment_output(name="Nope", token=declare_token("user")).id)

    assert str(caught.value).startswith("get_environment(name='Nope'): no environment named")
    assert program.mocks.issued  # a token was really issued, and is nowhere in the error
    for token in program.mocks.issued:
        assert token not in shown(caught.value)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({}, "give the token either as access_token="),
        ({"access_token": "t0k3n-value", "region": "eu", "base_url": "https://x.example"},
         "region and base_url are both set"),
        ({"access_token": "t0k3n-value", "region": "mars"}, "unknown region 'mars'"),
        ({"access_token": "t0k3n-value", "timeout_seconds": 0}, "timeout_seconds must be"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(clean, arguments, match):
    with pytest.raises(ConfigurationError, match=match):
        get_profile(**arguments)

    assert clean.count() == 0


def test_token_and_access_token_together_are_refused(clean, declare_token, program):
    def body() -> pulumi.Output[str]:
        token = declare_token("client")
        return get_profile_output(token=token, access_token=token.access_token).id

    with pytest.raises(ConfigurationError, match="not both"):
        program(body)


def test_token_with_a_base_url_is_refused(clean, declare_token, program):
    def body() -> pulumi.Output[str]:
        token = declare_token("client")
        return get_profile_output(token=token, base_url=clean.base_url).id

    with pytest.raises(ConfigurationError, match="already knows its control plane"):
        program(body)


def test_environment_name_in_the_wrong_case_suggests_the_right_one(clean, token_of):
    with pytest.raises(NotFoundError, match="Did you mean 'Sandbox'"):
        get_environment(name="sandbox", access_token=token_of("client"),
                        base_url=clean.base_url)
