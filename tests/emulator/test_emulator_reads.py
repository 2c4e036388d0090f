"""The bearer-token reads: me, profile, session, organization, environments, hierarchy."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator

Get = Callable[..., requests.Response]
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def envs_path(org_id: str) -> str:
    return f"/accounts/api/organizations/{org_id}/environments"


def test_me_with_user_token_has_user_only(get: Get, user_token: str, demo: DemoCredentials) -> None:
    body = get("/accounts/api/me", user_token).json()
    assert set(body) == {"user"}
    assert body["user"]["username"] == demo.username


def test_me_user_has_documented_fields(get: Get, user_token: str) -> None:
    user = get("/accounts/api/me", user_token).json()["user"]
    for field in ("id", "createdAt", "updatedAt", "lastLogin", "firstName", "lastName", "email",
                  "phoneNumber", "username", "enabled", "deleted", "idprovider_id", "type",
                  "organizationId", "organization", "memberOfOrganizations",
                  "contributorOfOrganizations"):
        assert field in user, field
    assert ISO_MS.fullmatch(user["createdAt"])


def test_me_user_organization_describes_root_and_business_groups(
    get: Get, user_token: str, demo: DemoCredentials
) -> None:
    org = get("/accounts/api/me", user_token).json()["user"]["organization"]
    assert org["id"] == demo.organization_id
    assert org["name"] == demo.organization_name
    assert org["domain"] == demo.saml_org_domain
    assert org["isRoot"] is True and org["isMaster"] is True
    assert org["parentOrganizationIds"] == []
    assert org["subOrganizationIds"] == [demo.business_group_id]
    assert org["tenantOrganizationIds"] == []


def test_me_user_is_member_of_root_and_business_group(
    get: Get, user_token: str, demo: DemoCredentials
) -> None:
    members = get("/accounts/api/me", user_token).json()["user"]["memberOfOrganizations"]
    assert [m["id"] for m in members] == [demo.organization_id, demo.business_group_id]


def test_me_with_client_token_has_client_only(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    body = get("/accounts/api/me", client_token).json()
    assert body == {
        "client": {"client_id": demo.client_id, "name": "Demo CI app",
                   "org_id": demo.organization_id}
    }


def test_me_with_password_grant_token_has_client_and_user(
    get: Get, password_grant_token: str, demo: DemoCredentials
) -> None:
    body = get("/accounts/api/me", password_grant_token).json()
    assert body["client"]["client_id"] == demo.user_app_client_id
    assert body["user"]["username"] == demo.username


def test_me_without_token_is_plain_401(get: Get) -> None:
    response = get("/accounts/api/me")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text == "Unauthorized"


def test_me_with_unknown_token_is_401(get: Get) -> None:
    assert get("/accounts/api/me", "00000000-0000-4000-8000-000000000000").status_code == 401


def test_me_with_basic_auth_scheme_is_401(get: Get, client_token: str) -> None:
    response = get("/accounts/api/me", headers={"Authorization": f"Basic {client_token}"})
    assert response.status_code == 401


def test_profile_is_flat_user_echoing_the_token(
    get: Get, user_token: str, demo: DemoCredentials
) -> None:
    body = get("/accounts/api/profile", user_token).json()
    assert body["username"] == demo.username
    assert body["access_token"] == user_token
    assert "permissions" in body
    assert "user" not in body


def test_profile_refuses_client_token_with_json_401(get: Get, client_token: str) -> None:
    response = get("/accounts/api/profile", client_token)
    assert response.status_code == 401
    assert response.json() == {"status": 401, "message": "There is no user attached to the token"}


def test_session_describes_user_token(get: Get, user_token: str) -> None:
    body = get("/accounts/api/session", user_token).json()
    assert body["type"] == "user"
    assert body["sessionTimeout"] == 60
    assert ISO_MS.fullmatch(body["issuedAt"]) and ISO_MS.fullmatch(body["expiresAt"])


def test_session_describes_client_token(get: Get, client_token: str) -> None:
    assert get("/accounts/api/session", client_token).json()["type"] == "client"


def test_organization_returns_root_with_environments_and_owner(
    get: Get, user_token: str, demo: DemoCredentials
) -> None:
    body = get(f"/accounts/api/organizations/{demo.organization_id}", user_token).json()
    assert body["id"] == demo.organization_id
    assert body["parentId"] is None
    assert body["sessionTimeout"] == 60
    assert {e["name"] for e in body["environments"]} == {"Sandbox", "Production"}
    assert body["owner"]["username"] == demo.username
    assert re.fullmatch(r"[0-9a-f]{32}", body["clientId"])
    assert body["subOrganizationIds"] == [demo.business_group_id]


def test_organization_business_group_readable_from_root_token(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    body = get(f"/accounts/api/organizations/{demo.business_group_id}", client_token).json()
    assert body["parentId"] == demo.organization_id
    assert body["parentOrganizationIds"] == [demo.organization_id]


def test_unknown_organization_is_404_json(get: Get, user_token: str) -> None:
    response = get("/accounts/api/organizations/00000000-0000-4000-8000-000000000000", user_token)
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "Organization not found"}


def test_other_root_organization_is_403_json(get: Get, user_token: str, emu: Emulator) -> None:
    other = emu.add_organization("Other Corp")
    response = get(f"/accounts/api/organizations/{other}", user_token)
    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_business_group_token_cannot_read_parent(
    get: Get, emu: Emulator, demo: DemoCredentials, url: Callable[[str], str]
) -> None:
    client_id, secret = emu.add_connected_app("bg app", org_id=demo.business_group_id)
    token = requests.post(
        url("/accounts/api/v2/oauth2/token"),
        json={"grant_type": "client_credentials", "client_id": client_id,
              "client_secret": secret},
        timeout=5,
    ).json()["access_token"]
    assert get(f"/accounts/api/organizations/{demo.organization_id}", token).status_code == 403
    assert get(f"/accounts/api/organizations/{demo.business_group_id}", token).status_code == 200


def test_organization_without_token_is_401(get: Get, demo: DemoCredentials) -> None:
    assert get(f"/accounts/api/organizations/{demo.organization_id}").status_code == 401


def test_environments_lists_data_and_total(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    body = get(envs_path(demo.organization_id), client_token).json()
    assert body["total"] == 2
    assert {e["name"] for e in body["data"]} == {"Sandbox", "Production"}
    entry = body["data"][0]
    assert set(entry) == {"id", "name", "organizationId", "isProduction", "type", "clientId"}
    assert entry["organizationId"] == demo.organization_id


def test_production_environment_is_flagged(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    data = get(envs_path(demo.organization_id), client_token).json()["data"]
    production = next(e for e in data if e["name"] == "Production")
    assert production["type"] == "production" and production["isProduction"] is True
    assert production["id"] == demo.production_environment_id


def test_business_group_has_its_own_environments(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    body = get(envs_path(demo.business_group_id), client_token).json()
    assert body["total"] >= 1
    assert all(e["organizationId"] == demo.business_group_id for e in body["data"])


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"name": "Sandbox"}, ["Sandbox"]),
        ({"name": "sandbox"}, []),
        ({"type": "production"}, ["Production"]),
        ({"isProduction": "true"}, ["Production"]),
        ({"isProduction": "false"}, ["Sandbox"]),
    ],
)
def test_environment_filters_select_matching_entries(
    get: Get, client_token: str, demo: DemoCredentials, params: dict[str, str], names: list[str]
) -> None:
    body = get(envs_path(demo.organization_id), client_token, params=params).json()
    assert [e["name"] for e in body["data"]] == names
    assert body["total"] == len(names)


def test_environments_page_through_1203_entries_with_limit_500(get: Get, emu: Emulator) -> None:
    org = emu.add_organization("Big")
    for i in range(1203):
        emu.add_environment(org, f"env-{i:04d}")
    token = _token_for_org(emu, org)
    seen: list[str] = []
    pages = offset = 0
    while True:
        params = {"offset": str(offset), "limit": "500"}
        body = get(envs_path(org), token, params=params).json()
        assert body["total"] == 1203
        if not body["data"]:
            break
        pages += 1
        seen += [e["id"] for e in body["data"]]
        offset += len(body["data"])
    assert pages == 3
    assert len(seen) == len(set(seen)) == 1203


def _token_for_org(emu: Emulator, org_id: str) -> str:
    client_id, secret = emu.add_connected_app("pager", org_id=org_id)
    return str(requests.post(
        emu.base_url + "/accounts/api/v2/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client_id,
              "client_secret": secret},
        timeout=5,
    ).json()["access_token"])


def test_environment_limit_above_500_is_clamped(get: Get, emu: Emulator) -> None:
    org = emu.add_organization("Clamp")
    for i in range(510):
        emu.add_environment(org, f"e{i}")
    body = get(envs_path(org), _token_for_org(emu, org), params={"limit": "1000"}).json()
    assert len(body["data"]) == 500
    assert body["total"] == 510


def test_environment_limit_defaults_to_25(get: Get, emu: Emulator) -> None:
    org = emu.add_organization("Default")
    for i in range(30):
        emu.add_environment(org, f"e{i}")
    body = get(envs_path(org), _token_for_org(emu, org)).json()
    assert len(body["data"]) == 25 and body["total"] == 30


def test_environment_paging_with_non_integer_limit_is_400(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    response = get(envs_path(demo.organization_id), client_token, params={"limit": "many"})
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_environments_of_unknown_org_is_404(get: Get, client_token: str) -> None:
    response = get(envs_path("00000000-0000-4000-8000-000000000000"), client_token)
    assert response.status_code == 404


def test_hierarchy_for_user_nests_business_groups(
    get: Get, user_token: str, demo: DemoCredentials
) -> None:
    body = get(f"/accounts/api/organizations/{demo.organization_id}/hierarchy", user_token).json()
    assert body["id"] == demo.organization_id
    assert body["parentId"] is None
    [group] = body["subOrganizations"]
    assert group["id"] == demo.business_group_id
    assert group["name"] == demo.business_group_name
    assert group["parentId"] == demo.organization_id
    assert group["environments"]
    assert group["subOrganizations"] == []


def test_hierarchy_nests_grandchildren(
    get: Get, user_token: str, emu: Emulator, demo: DemoCredentials
) -> None:
    grandchild = emu.add_organization("Team", parent_id=demo.business_group_id)
    body = get(f"/accounts/api/organizations/{demo.organization_id}/hierarchy", user_token).json()
    assert body["subOrganizations"][0]["subOrganizations"][0]["id"] == grandchild


def test_hierarchy_refuses_client_token_with_json_401(
    get: Get, client_token: str, demo: DemoCredentials
) -> None:
    response = get(f"/accounts/api/organizations/{demo.organization_id}/hierarchy", client_token)
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert response.json()["message"]


def test_hierarchy_accepts_client_token_when_allowed(
    get: Get, client_token: str, emu: Emulator, demo: DemoCredentials
) -> None:
    emu.hierarchy_allows_clients = True
    path = f"/accounts/api/organizations/{demo.organization_id}/hierarchy"
    assert get(path, client_token).status_code == 200


def test_hierarchy_accepts_password_grant_token(
    get: Get, password_grant_token: str, demo: DemoCredentials
) -> None:
    path = f"/accounts/api/organizations/{demo.organization_id}/hierarchy"
    assert get(path, password_grant_token).status_code == 200
