"""get_profile: users from /profile, connected apps from /me, in as few requests as promised."""

from __future__ import annotations

import asyncio
import json

import pytest

from anypoint_pulumi import MemberOrganization, Profile
from anypoint_pulumi.functions.profile import get_profile

PROFILE = "/accounts/api/profile"
ME = "/accounts/api/me"


def test_user_token_with_known_kind_reads_profile_in_one_request(clean, token_of):
    token = token_of("user")

    profile = get_profile(access_token=token, base_url=clean.base_url, grant_type="login")

    assert profile.kind == "user"
    assert profile.username == clean.demo.username
    assert (profile.first_name, profile.last_name) == ("Demo", "User")
    assert profile.email
    assert profile.organization_id == clean.demo.organization_id
    assert profile.organization_name == clean.demo.organization_name
    assert MemberOrganization(clean.demo.business_group_id, clean.demo.business_group_name) in (
        profile.member_of_organizations)
    assert (clean.count(), clean.count(PROFILE)) == (1, 1)


def test_client_token_with_known_kind_reads_me_in_one_request(clean, token_of):
    token = token_of("client")

    profile = get_profile(access_token=token, base_url=clean.base_url,
                          grant_type="client_credentials")

    assert profile.kind == "client"
    assert profile.client_id == profile.id == clean.demo.client_id
    assert profile.client_name == "Demo CI app"
    assert profile.organization_id == clean.demo.organization_id
    assert profile.username is None
    assert profile.member_of_organizations == ()
    assert (clean.count(), clean.count(ME)) == (1, 1)


def test_user_token_of_unknown_kind_takes_one_request(clean, token_of):
    token = token_of("user")

    profile = get_profile(access_token=token, base_url=clean.base_url)

    assert profile.kind == "user"
    assert clean.count() == 1


def test_client_token_of_unknown_kind_falls_back_to_me_in_two_requests(clean, token_of):
    token = token_of("client")

    profile = get_profile(access_token=token, base_url=clean.base_url)

    assert profile.kind == "client"
    assert profile.client_id == clean.demo.client_id
    assert [r.path for r in clean.requests] == [PROFILE, ME]
    assert clean.requests[0].status == 401


def test_password_grant_token_is_a_user_profile(clean):
    from anypoint_pulumi.access.client import AccessManagementClient

    with AccessManagementClient(base_url=clean.base_url) as client:
        token = client.password_grant(clean.demo.user_app_client_id,
                                      clean.demo.user_app_client_secret,
                                      clean.demo.username, clean.demo.password)
    clean.clear_requests()

    profile = get_profile(access_token=token.access_token, base_url=clean.base_url,
                          grant_type=token.grant_type.value)

    assert profile.kind == "user"
    assert profile.username == clean.demo.username
    assert clean.count() == 1


def test_awaiting_a_profile_yields_an_equal_plain_profile(clean, token_of):
    profile = get_profile(access_token=token_of("user"), base_url=clean.base_url)

    async def wait() -> Profile:
        return await profile

    loop = asyncio.new_event_loop()  # not asyncio.run(): it leaves the thread without a loop
    try:
        awaited = loop.run_until_complete(wait())
    finally:
        loop.close()
    assert awaited == profile
    assert type(awaited) is Profile  # as generated SDKs: safe to hand to pulumi.Output


@pytest.mark.parametrize("kind", ["user", "client"])
def test_profile_never_holds_the_token(clean, token_of, kind):
    token = token_of(kind)

    profile = get_profile(access_token=token, base_url=clean.base_url)

    assert token not in repr(profile)
    assert token not in json.dumps(profile.to_dict())


def test_unknown_grant_type_is_refused_before_any_request(clean, token_of):
    from anypoint_pulumi.access.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="unknown grant_type 'oauth'"):
        get_profile(access_token=token_of("user"), base_url=clean.base_url, grant_type="oauth")

    assert clean.count() == 0
