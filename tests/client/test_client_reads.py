"""The identity reads, environment paging and filters, and ending tokens."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import TokenRejectedError
from anypoint_pulumi.access.models import User


@pytest.fixture
def cc_token(emu, client) -> str:
    return client.client_credentials(emu.demo.client_id, emu.demo.client_secret).access_token


@pytest.fixture
def user_token(emu, client) -> str:
    return client.login(emu.demo.username, emu.demo.password).access_token


def envs_path(org_id: str) -> str:
    return f"/accounts/api/organizations/{org_id}/environments"


# Identity reads ---------------------------------------------------------------------------------


def test_me_with_a_client_token_has_the_client_and_no_user(emu, client, cc_token):
    me = client.me(cc_token)

    assert me.client is not None and me.client.client_id == emu.demo.client_id
    assert me.client.organization_id == emu.demo.organization_id
    assert me.user is None


def test_me_with_a_user_token_has_the_user(emu, client, user_token):
    me = client.me(user_token)

    assert me.user is not None and me.user.username == emu.demo.username
    assert me.user.organization_id == emu.demo.organization_id
    assert me.organization_id == emu.demo.organization_id


def test_profile_is_the_flat_user(emu, client, user_token):
    profile = client.profile(user_token)

    assert isinstance(profile, User)
    assert profile.username == emu.demo.username


def test_profile_drops_the_echoed_access_token(client, user_token):
    profile = client.profile(user_token)

    assert "access_token" not in vars(profile)
    assert user_token not in repr(profile)


def test_session_says_when_the_token_expires(client, user_token):
    session = client.session(user_token)

    assert session.expires_at is not None and session.expires_at.tzinfo is not None


def test_organization_has_its_name_and_session_timeout(emu, client, cc_token):
    org = client.organization(cc_token, emu.demo.organization_id)

    assert (org.id, org.name) == (emu.demo.organization_id, emu.demo.organization_name)
    assert org.session_timeout_minutes == 60


def test_business_group_is_readable_with_the_root_token(emu, client, cc_token):
    group = client.organization(cc_token, emu.demo.business_group_id)

    assert group.name == emu.demo.business_group_name


def test_hierarchy_nests_the_business_groups(emu, client, user_token):
    tree = client.hierarchy(user_token, emu.demo.organization_id)

    assert tree.id == emu.demo.organization_id
    assert [g.id for g in tree.business_groups] == [emu.demo.business_group_id]


def test_hierarchy_with_a_client_token_works_where_the_plane_allows_it(emu, client, cc_token):
    emu.hierarchy_allows_clients = True

    assert client.hierarchy(cc_token, emu.demo.organization_id).id == emu.demo.organization_id


# Environments ---------------------------------------------------------------------------------


def test_environments_lists_every_environment_of_the_organization(emu, client, cc_token):
    envs = client.environments(cc_token, emu.demo.organization_id)

    assert {e.name for e in envs} == {"Sandbox", "Production"}
    assert emu.count(envs_path(emu.demo.organization_id)) == 1


def test_environments_pages_past_500_in_as_few_requests_as_possible(emu, make_client):
    org_id = emu.add_organization("Many Environments")
    for n in range(1203):
        emu.add_environment(org_id, f"env-{n:04d}")
    app_id, app_secret = emu.add_connected_app("Lister", org_id=org_id)
    client = make_client()
    token = client.client_credentials(app_id, app_secret).access_token

    envs = client.environments(token, org_id)

    assert len(envs) == 1203
    assert len({e.id for e in envs}) == 1203
    assert [e.name for e in envs] == [f"env-{n:04d}" for n in range(1203)]
    assert emu.count(envs_path(org_id), method="GET") == 3


def test_environments_of_an_organization_without_any_is_empty(emu, client, cc_token):
    org_id = emu.add_organization("Empty", parent_id=emu.demo.organization_id)

    assert client.environments(cc_token, org_id) == []
    assert emu.count(envs_path(org_id)) == 1


def test_environments_filter_by_exact_name(emu, client, cc_token):
    envs = client.environments(cc_token, emu.demo.organization_id, name="Production")

    assert [e.id for e in envs] == [emu.demo.production_environment_id]


def test_environments_filter_by_type(emu, client, cc_token):
    org_id = emu.demo.organization_id
    design = emu.add_environment(org_id, "Design", type="design")

    envs = client.environments(cc_token, org_id, type="design")

    assert [e.id for e in envs] == [design]


@pytest.mark.parametrize(("is_production", "expected"), [(True, "Production"), (False, "Sandbox")])
def test_environments_filter_by_is_production(emu, client, cc_token, is_production, expected):
    envs = client.environments(cc_token, emu.demo.organization_id, is_production=is_production)

    assert [e.name for e in envs] == [expected]


def test_environments_filters_are_sent_as_anypoint_query_parameters(capture):
    client = AccessManagementClient(base_url=capture.base_url)

    client.environments("tok", "org-1", name="Dev", type="sandbox", is_production=False)

    path, _, query = capture.seen[0].target.partition("?")
    assert path == "/accounts/api/organizations/org-1/environments"
    assert parse_qs(query) == {
        "name": ["Dev"], "type": ["sandbox"], "isProduction": ["false"],
        "limit": ["500"], "offset": ["0"],
    }


# Ending tokens ----------------------------------------------------------------------------------


def test_revoked_token_is_then_rejected(emu, client, cc_token):
    client.revoke(cc_token)

    assert not emu.is_active(cc_token)
    with pytest.raises(TokenRejectedError):
        client.me(cc_token)


def test_revoke_sends_the_token_in_a_form_body(capture):
    client = AccessManagementClient(base_url=capture.base_url)

    client.revoke("the-token")

    (seen,) = capture.seen
    assert (seen.method, seen.target) == ("POST", "/accounts/api/v2/oauth2/revoke")
    assert parse_qs(seen.body.decode()) == {
        "token": ["the-token"], "token_type_hint": ["access_token"],
    }
    assert "Authorization" not in seen.headers


def test_logout_ends_a_session_token(emu, client, user_token):
    client.logout(user_token)

    assert not emu.is_active(user_token)
    with pytest.raises(TokenRejectedError):
        client.me(user_token)


def test_logout_sends_the_xhr_header_and_the_bearer_token(capture):
    client = AccessManagementClient(base_url=capture.base_url)

    client.logout("the-token")

    (seen,) = capture.seen
    assert (seen.method, seen.target) == ("GET", "/accounts/api/logout")
    assert seen.headers["X-Requested-With"] == "XMLHttpRequest"
    assert seen.headers["Authorization"] == "Bearer the-token"


def test_reads_accept_the_access_token_a_login_returned(emu, client):
    token = client.client_credentials(emu.demo.client_id, emu.demo.client_secret)

    me = client.me(token)

    assert me.client is not None and me.client.client_id == emu.demo.client_id
    assert client.environments(token, emu.demo.organization_id)
