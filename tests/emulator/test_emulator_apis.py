"""Read-only answers of other Anypoint APIs (API Manager, Exchange, CloudHub) from the emulator's
seed: the demo's three, what a seed file or ``add_api_response`` adds, and the rules the real APIs
apply (a valid token, the organization's tree, the environment header, read-only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator, SeedError
from tests.keys import RsaKey

Get = Callable[..., requests.Response]
CLOUDHUB = "/cloudhub/api/v2/applications"


def apis_path(demo: DemoCredentials) -> str:
    return (f"/apimanager/api/v1/organizations/{demo.organization_id}/environments/"
            f"{demo.sandbox_environment_id}/apis")


def test_the_demo_api_manager_instance_is_served(get: Get, client_token: str,
                                                 demo: DemoCredentials) -> None:
    body = get(apis_path(demo), client_token).json()

    [asset] = body["assets"]
    assert asset["assetId"] == demo.exchange_asset_id
    assert [api["id"] for api in asset["apis"]] == [demo.api_instance_id]
    assert asset["apis"][0]["environmentId"] == demo.sandbox_environment_id


def test_the_demo_exchange_asset_is_served(get: Get, client_token: str,
                                          demo: DemoCredentials) -> None:
    body = get(f"/exchange/api/v2/assets/{demo.organization_id}/{demo.exchange_asset_id}",
               client_token).json()

    assert (body["groupId"], body["type"]) == (demo.organization_id, "rest-api")


def test_the_demo_cloudhub_application_is_chosen_by_the_environment_header(
        get: Get, client_token: str, demo: DemoCredentials) -> None:
    response = get(CLOUDHUB, client_token,
                   headers={"X-ANYPNT-ENV-ID": demo.sandbox_environment_id})

    assert [app["domain"] for app in response.json()] == [demo.cloudhub_application]


def test_without_the_environment_header_cloudhub_answers_400(get: Get, client_token: str) -> None:
    response = get(CLOUDHUB, client_token)

    assert response.status_code == 400
    assert response.json()["message"] == "X-ANYPNT-ENV-ID header is required"


def test_another_environment_has_no_applications_here(get: Get, client_token: str,
                                                      demo: DemoCredentials) -> None:
    response = get(CLOUDHUB, client_token,
                   headers={"X-ANYPNT-ENV-ID": demo.production_environment_id})

    assert response.status_code == 404


def test_no_token_is_401_unauthorized(get: Get, demo: DemoCredentials) -> None:
    response = get(apis_path(demo))

    assert (response.status_code, response.text) == (401, "Unauthorized")


def test_a_token_of_another_organization_is_403(emu: Emulator, get: Get,
                                                demo: DemoCredentials) -> None:
    other = emu.add_organization("Other Org")
    client_id, secret = emu.add_connected_app("other", org_id=other)
    token = requests.post(emu.base_url + "/accounts/api/v2/oauth2/token", timeout=5,
                          data={"grant_type": "client_credentials", "client_id": client_id,
                                "client_secret": secret}).json()["access_token"]

    assert get(apis_path(demo), token).status_code == 403
    assert get(CLOUDHUB, token, headers={"X-ANYPNT-ENV-ID": demo.sandbox_environment_id,
                                         "X-ANYPNT-ORG-ID": demo.organization_id},
               ).status_code == 403


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_paths_are_read_only(url: Callable[[str], str], client_token: str,
                                 demo: DemoCredentials, method: str) -> None:
    response = requests.request(method, url(apis_path(demo)), timeout=5,
                                headers={"Authorization": f"Bearer {client_token}"})

    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"


def test_head_answers_without_a_body(url: Callable[[str], str], client_token: str,
                                     demo: DemoCredentials) -> None:
    response = requests.head(url(apis_path(demo)), timeout=5,
                             headers={"Authorization": f"Bearer {client_token}"})

    assert response.status_code == 200 and response.content == b""


def test_add_api_response_fills_the_ids_in_and_serves_it(emu: Emulator, get: Get,
                                                        client_token: str) -> None:
    emu.add_api_response("/runtimefabric/api/organizations/{organization_id}/fabrics",
                         [{"id": "fab-1", "organizationId": "{organization_id}"}],
                         organization_id=emu.demo.organization_id)

    body = get(f"/runtimefabric/api/organizations/{emu.demo.organization_id}/fabrics",
               client_token).json()
    assert body == [{"id": "fab-1", "organizationId": emu.demo.organization_id}]


@pytest.mark.parametrize("path", ["/accounts/api/me", "/emulator/x", "no-slash", "/q?x=1"])
def test_add_api_response_refuses_paths_it_cannot_serve(emu: Emulator, path: str) -> None:
    with pytest.raises(ValueError):
        emu.add_api_response(path, {})


def test_unknown_paths_still_answer_404_json(get: Get, client_token: str) -> None:
    response = get("/apimanager/api/v1/nothing-here", client_token)

    assert response.status_code == 404 and response.json()["message"] == "Not found"


# The seed file -----------------------------------------------------------------------------------


def test_a_seed_file_describes_api_answers_by_organization_and_environment(
        tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({
        "organizations": [{"name": "Acme", "ref": "acme", "environments": [{"name": "QA"}]}],
        "connected_apps": [{"name": "acme ci", "organization": "acme",
                            "client_id": "a" * 32, "client_secret": "b" * 32}],
        "api_responses": [
            {"path": "/apimanager/api/v1/organizations/{organization_id}/environments/"
                     "{environment_id}/apis",
             "organization": "acme", "environment": "acme/QA",
             "body": {"total": 1, "assets": [{"assetId": "a", "apis": [{"id": 7}]}]}},
            {"path": "/cloudhub/api/v2/applications", "organization": "acme",
             "environment": "acme/QA", "environment_header": True,
             "body": [{"domain": "acme-app", "env": "{environment_id}"}]},
        ],
    }))
    with Emulator() as emu:
        emu.load_seed(seed)
        token = requests.post(emu.base_url + "/accounts/api/v2/oauth2/token", timeout=5,
                              data={"grant_type": "client_credentials", "client_id": "a" * 32,
                                    "client_secret": "b" * 32}).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        me = requests.get(emu.base_url + "/accounts/api/me", headers=bearer, timeout=5).json()
        org = me["client"]["org_id"]
        envs = requests.get(f"{emu.base_url}/accounts/api/organizations/{org}/environments",
                            headers=bearer, timeout=5).json()["data"]
        env = envs[0]["id"]
        apis = requests.get(f"{emu.base_url}/apimanager/api/v1/organizations/{org}/environments/"
                            f"{env}/apis", headers=bearer, timeout=5).json()
        apps = requests.get(emu.base_url + "/cloudhub/api/v2/applications", timeout=5,
                            headers={**bearer, "X-ANYPNT-ENV-ID": env}).json()
    assert apis["assets"][0]["apis"][0]["id"] == 7
    assert apps == [{"domain": "acme-app", "env": env}]


def test_a_seed_file_makes_a_federated_user_and_a_jwt_app(tmp_path: Path,
                                                         second_rsa_key: RsaKey) -> None:
    (tmp_path / "app.pub.pem").write_text(second_rsa_key.public_pem)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({
        "identity_providers": [{"issuer": "https://idp.example.com/acme", "provider_id": "idp-1"}],
        "users": [{"username": "fed", "password": "unused",
                   "identity_provider": "https://idp.example.com/acme"}],
        "connected_apps": [{"name": "jwt", "grant_types": ["jwt_bearer"], "client_id": "c" * 32,
                            "public_key_file": "app.pub.pem"}],
    }))
    from anypoint_pulumi.access.client import AccessManagementClient

    with Emulator() as emu:
        emu.load_seed(seed)
        with AccessManagementClient(base_url=emu.base_url) as client:
            token = client.jwt_bearer("c" * 32, second_rsa_key.private_pem, "idp-1", "fed")
            user = client.me(token).user
    assert user is not None and user.username == "fed"


@pytest.mark.parametrize("entry, words", [
    ({"path": "/x", "body": {}, "environment": "demo/Nope"}, "no environment 'demo/Nope'"),
    ({"path": "/x"}, "body is required"),
    ({"path": "/accounts/api/me", "body": {}}, "Access Management"),
    ({"path": "/x", "body": {}, "environment_header": True}, "needs environment_id"),
    ({"path": "/x", "body": {}, "verb": "GET"}, "unknown key(s) verb"),
])
def test_a_bad_api_response_entry_names_it(entry: dict[str, object], words: str) -> None:
    with pytest.raises(SeedError, match=r"api_responses\[0\]") as caught:
        Emulator().load_seed({"api_responses": [entry]})

    assert words in str(caught.value)


def test_a_user_of_an_unknown_identity_provider_names_the_entry() -> None:
    with pytest.raises(SeedError, match=r"users\[0\]\.identity_provider: no identity provider"):
        Emulator().load_seed({"users": [{"username": "x", "password": "y",
                                         "identity_provider": "https://nowhere"}]})


def test_a_jwt_app_without_a_key_names_the_entry() -> None:
    with pytest.raises(SeedError, match=r"connected_apps\[0\].*go together"):
        Emulator().load_seed({"connected_apps": [{"name": "x", "grant_types": ["jwt_bearer"]}]})


def test_an_unreadable_public_key_file_names_the_entry(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"connected_apps": [
        {"name": "x", "grant_types": ["jwt_bearer"], "public_key_file": "missing.pem"}]}))

    with pytest.raises(SeedError, match=r"connected_apps\[0\]\.public_key_file: cannot read"):
        Emulator().load_seed(seed)
