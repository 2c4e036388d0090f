"""get_environments and get_environment: the token's organization, every page, the filters, and
a clear error for a name that is not there."""

from __future__ import annotations

import pytest

from anypoint_pulumi import Environment, Environments
from anypoint_pulumi.access.errors import ConfigurationError, NotFoundError
from anypoint_pulumi.functions.environments import get_environment, get_environments

ME = "/accounts/api/me"


def envs_path(org_id: str) -> str:
    return f"/accounts/api/organizations/{org_id}/environments"


@pytest.mark.parametrize("kind", ["user", "client"])
def test_environments_default_to_the_tokens_own_organization(clean, token_of, kind):
    envs = get_environments(access_token=token_of(kind), base_url=clean.base_url)

    assert isinstance(envs, Environments)
    assert envs.organization_id == clean.demo.organization_id
    assert sorted(envs.names) == ["Production", "Sandbox"]
    assert clean.demo.sandbox_environment_id in envs.ids
    assert (clean.count(ME), clean.count(envs_path(clean.demo.organization_id))) == (1, 1)


def test_environments_of_a_business_group_read_no_me(clean, token_of):
    group = clean.demo.business_group_id

    envs = get_environments(organization_id=group, access_token=token_of("user"),
                            base_url=clean.base_url)

    assert sorted(env.name for env in envs) == ["Design", "Sandbox"]
    assert {env.organization_id for env in envs} == {group}
    assert clean.count(ME) == 0


def test_environments_page_past_500(clean, token_of):
    org = clean.add_organization("Large Group", parent_id=clean.demo.organization_id)
    for n in range(1203):
        clean.add_environment(org, f"env-{n:04d}")
    token = token_of("client")

    envs = get_environments(organization_id=org, access_token=token, base_url=clean.base_url)

    assert len(envs) == 1203
    assert len(set(envs.ids)) == 1203
    assert clean.count(envs_path(org)) == 3


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"name": "Sandbox"}, ["Sandbox"]),
        ({"type": "production"}, ["Production"]),
        ({"is_production": False}, ["Sandbox"]),
        ({"is_production": True, "type": "sandbox"}, []),
    ],
)
def test_environment_filters_narrow_the_list(clean, token_of, filters, expected):
    envs = get_environments(access_token=token_of("user"), base_url=clean.base_url, **filters)

    assert list(envs.names) == expected
    assert all(isinstance(env, Environment) for env in envs)


def test_unknown_environment_type_is_refused_before_any_request(clean, token_of):
    with pytest.raises(ConfigurationError, match="'Production' is not an environment type"):
        get_environments(access_token=token_of("user"), base_url=clean.base_url,
                         type="Production")

    assert clean.count() == 0


@pytest.mark.parametrize("kind", ["user", "client"])
def test_get_environment_picks_one_by_name(clean, token_of, kind):
    env = get_environment(name="Production", access_token=token_of(kind),
                          base_url=clean.base_url)

    assert env.id == clean.demo.production_environment_id
    assert env.is_production
    assert env.type == "production"
    assert env.organization_id == clean.demo.organization_id
    assert env.client_id


def test_missing_environment_name_lists_the_existing_ones(clean, token_of):
    with pytest.raises(NotFoundError) as caught:
        get_environment(name="Prod", access_token=token_of("user"), base_url=clean.base_url)

    message = str(caught.value)
    assert message.startswith("get_environment(name='Prod'): no environment named 'Prod'")
    assert clean.demo.organization_id in message
    assert "Existing environments: 'Production', 'Sandbox'" in message
    assert "Did you mean 'Production'?" in message


def test_environment_results_are_plain_sequences(clean, token_of):
    envs = get_environments(access_token=token_of("user"), base_url=clean.base_url)

    assert envs[0] == envs.environments[0]
    assert envs[:1] == envs.environments[:1]
    assert envs[0] in envs
    assert envs.to_dict()["environments"][0]["id"] == envs[0].id
