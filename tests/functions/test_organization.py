"""get_organization and get_business_groups: the organization, and the business-group tree that
Anypoint refuses to client-credentials tokens (clearly)."""

from __future__ import annotations

import pytest

from anypoint_pulumi import BusinessGroup
from anypoint_pulumi.access.errors import NotFoundError, PermissionDeniedError, TokenRejectedError
from anypoint_pulumi.emulator import Fault
from anypoint_pulumi.functions.organization import get_business_groups, get_organization

ME = "/accounts/api/me"


def hierarchy_path(org_id: str) -> str:
    return f"/accounts/api/organizations/{org_id}/hierarchy"


@pytest.mark.parametrize("kind", ["user", "client"])
def test_organization_defaults_to_the_tokens_own(clean, token_of, kind):
    org = get_organization(access_token=token_of(kind), base_url=clean.base_url)

    assert org.id == clean.demo.organization_id
    assert org.name == clean.demo.organization_name
    assert org.parent_id is None
    assert clean.demo.business_group_id in org.sub_organization_ids
    assert org.session_timeout_minutes == 60
    assert {env.name for env in org.environments} == {"Sandbox", "Production"}
    assert clean.count() == 2  # /me, then the organization


def test_business_group_organization_names_its_parent(clean, token_of):
    org = get_organization(organization_id=clean.demo.business_group_id,
                           access_token=token_of("user"), base_url=clean.base_url)

    assert org.name == clean.demo.business_group_name
    assert org.parent_id == clean.demo.organization_id
    assert clean.count(ME) == 0


def test_business_group_tree_is_nested_typed_nodes(clean, token_of):
    tree = get_business_groups(access_token=token_of("user"), base_url=clean.base_url)

    assert tree.root.id == clean.demo.organization_id
    assert tree.root.parent_id is None
    group = tree.find(clean.demo.business_group_name)
    assert isinstance(group, BusinessGroup)
    assert group in tree.root.business_groups
    assert group.id == clean.demo.business_group_id
    assert group.parent_id == clean.demo.organization_id
    assert {env.name for env in group.environments} == {"Sandbox", "Design"}
    assert [g.id for g in tree.all][:2] == [clean.demo.organization_id, group.id]


def test_business_group_tree_reads_with_a_client_token_where_allowed(clean, token_of):
    clean.hierarchy_allows_clients = True

    tree = get_business_groups(access_token=token_of("client"), base_url=clean.base_url,
                               grant_type="client_credentials")

    assert tree.find(clean.demo.business_group_name).id == clean.demo.business_group_id


@pytest.mark.parametrize("grant_type", ["client_credentials", None])
def test_business_group_tree_refused_for_a_client_token_says_to_use_a_user_token(
        clean, token_of, grant_type):
    with pytest.raises(PermissionDeniedError) as caught:
        get_business_groups(access_token=token_of("client"), base_url=clean.base_url,
                            grant_type=grant_type)

    message = str(caught.value)
    assert message.startswith("get_business_groups(): Anypoint refused to read the "
                              "business-group hierarchy")
    assert "client-credentials token" in message
    assert "connected app that acts on behalf of a user" in message
    assert "pulumi up --refresh" not in message


def test_bare_401_on_hierarchy_for_a_client_token_is_still_explained(clean, token_of):
    token = token_of("client")
    org = clean.demo.organization_id
    clean.inject(hierarchy_path(org), Fault.plain(401, "Unauthorized"))

    with pytest.raises(PermissionDeniedError, match="refused to read the business-group"):
        get_business_groups(access_token=token, base_url=clean.base_url, organization_id=org)

    assert [r.path for r in clean.requests] == [hierarchy_path(org), ME]


def test_bare_401_on_hierarchy_for_a_revoked_token_says_rejected(clean, token_of):
    token = token_of("client")
    clean.revoke(token)

    with pytest.raises(TokenRejectedError) as caught:
        get_business_groups(access_token=token, base_url=clean.base_url,
                            grant_type="client_credentials")

    assert not isinstance(caught.value, PermissionDeniedError)
    assert "pulumi up --refresh" in str(caught.value)


def test_missing_business_group_lists_the_existing_ones(clean, token_of):
    tree = get_business_groups(access_token=token_of("user"), base_url=clean.base_url)

    with pytest.raises(NotFoundError, match="'Demo Organization', 'Demo Business Group'"):
        tree.find("Marketing")
