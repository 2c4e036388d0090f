"""get_api_response: any Anypoint API read as a data source, with the data functions' token,
connection and preview rules; reads only, the token masked, not secret unless asked."""

from __future__ import annotations

from typing import Any

import pytest

from anypoint_pulumi import ApiResponse, get_api_response, get_api_response_output
from anypoint_pulumi.access.errors import (
    ConfigurationError,
    NotFoundError,
    TokenRejectedError,
)
from anypoint_pulumi.core.functions import REJECTED_HINT
from anypoint_pulumi.emulator import Fault

CLOUDHUB = "/cloudhub/api/v2/applications"


def apis_path(emu: Any) -> str:
    return (f"/apimanager/api/v1/organizations/{emu.demo.organization_id}/environments/"
            f"{emu.demo.sandbox_environment_id}/apis")


def instance_id(response: ApiResponse) -> int:
    return int(response.body["assets"][0]["apis"][0]["id"])


def test_the_plain_form_reads_an_api_manager_instance(clean: Any, token_of: Any) -> None:
    response = get_api_response(path=apis_path(clean), access_token=token_of("client"),
                                base_url=clean.base_url)

    assert isinstance(response, ApiResponse) and response.status == 200
    assert instance_id(response) == clean.demo.api_instance_id
    assert clean.count(apis_path(clean)) == 1


def test_the_environment_id_is_sent_as_the_header(clean: Any, token_of: Any) -> None:
    response = get_api_response(path=CLOUDHUB, environment_id=clean.demo.sandbox_environment_id,
                                access_token=token_of("client"), base_url=clean.base_url)

    assert response.body[0]["domain"] == clean.demo.cloudhub_application


def test_the_output_form_reads_through_an_anypoint_token_and_lifts_the_body(
        clean: Any, declare_token: Any, program: Any) -> None:
    result = program(lambda: get_api_response_output(
        path=apis_path(clean), token=declare_token("client")).body["assets"][0]["apis"][0]["id"])

    assert result.value == clean.demo.api_instance_id
    assert not result.secret, "an API's ids are not secret though the token is"


def test_secret_true_keeps_the_result_secret(clean: Any, declare_token: Any,
                                            program: Any) -> None:
    result = program(lambda: get_api_response_output(
        path=apis_path(clean), token=declare_token("client"), secret=True).status)

    assert result.value == 200 and result.secret


def test_an_unknown_token_in_preview_is_unknown_and_reads_nothing(clean: Any, declare_token: Any,
                                                                  program: Any) -> None:
    result = program(lambda: get_api_response_output(path=apis_path(clean),
                                                     token=declare_token("client")).status,
                     preview=True, unknown_token=True)

    assert not result.known and clean.count() == 0


def test_a_known_token_reads_in_preview_too(clean: Any, declare_token: Any,
                                            program: Any) -> None:
    result = program(lambda: get_api_response_output(path=apis_path(clean),
                                                     token=declare_token("client")).status,
                     preview=True)

    assert result.value == 200 and clean.count(apis_path(clean)) == 1


def test_a_post_to_a_query_endpoint_sends_its_json(clean: Any, token_of: Any) -> None:
    clean.inject("/graph/api/v2/graphql", Fault.json(200, {"data": {"assets": []}}),
                 method="POST")

    response = get_api_response(path="/graph/api/v2/graphql", method="POST",
                                json={"query": "{ assets { assetId } }"},
                                access_token=token_of("client"), base_url=clean.base_url)

    assert response.body == {"data": {"assets": []}}
    assert clean.count("/graph/api/v2/graphql", method="POST") == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_writing_method_is_refused_pointing_at_a_resource(clean: Any, token_of: Any,
                                                            method: str) -> None:
    token = token_of("client")

    with pytest.raises(ConfigurationError) as caught:
        get_api_response(path="/x", method=method, access_token=token, base_url=clean.base_url)

    assert caught.value.field == "method"
    assert "runs on every preview and update" in str(caught.value)
    assert clean.count() == 0


@pytest.mark.parametrize("path", ["https://evil.example.com/x", "/a/../../x", "//evil.example.com"])
def test_a_path_that_leaves_the_control_plane_is_refused(clean: Any, token_of: Any,
                                                         path: str) -> None:
    token = token_of("client")

    with pytest.raises(ConfigurationError) as caught:
        get_api_response(path=path, access_token=token, base_url=clean.base_url)

    assert caught.value.field == "path" and clean.count() == 0
    assert str(caught.value).startswith("get_api_response(method='GET', path=")
    assert token not in str(caught.value)


@pytest.mark.parametrize("arguments, field", [({"params": ["limit", 1]}, "params"),
                                              ({"secret": "yes"}, "secret"),
                                              ({"environment_id": ""}, "environment_id")])
def test_a_bad_argument_is_refused_naming_it(clean: Any, token_of: Any,
                                             arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        get_api_response(path="/x", access_token=token_of("client"), base_url=clean.base_url,
                         **arguments)

    assert caught.value.field == field


def test_a_missing_path_is_not_found_with_the_function_named(clean: Any, token_of: Any) -> None:
    with pytest.raises(NotFoundError, match=r"^get_api_response\(method='GET', path='/nope'\)"):
        get_api_response(path="/nope", access_token=token_of("client"), base_url=clean.base_url)


def test_a_revoked_token_says_how_to_renew_it(clean: Any, token_of: Any) -> None:
    token = token_of("client")
    clean.revoke(token)

    with pytest.raises(TokenRejectedError) as caught:
        get_api_response(path=apis_path(clean), access_token=token, base_url=clean.base_url)

    assert caught.value.hint == REJECTED_HINT


def test_the_token_echoed_back_is_masked_in_the_result(clean: Any, token_of: Any,
                                                       program: Any) -> None:
    token = token_of("user")

    result = program(lambda: get_api_response_output(path="/accounts/api/profile",
                                                     access_token=token,
                                                     base_url=clean.base_url).body)

    assert result.value["access_token"] == "***"
    assert token not in repr(result.value) and not result.secret


def test_the_result_is_plain_data(clean: Any, token_of: Any) -> None:
    response = get_api_response(path=apis_path(clean), access_token=token_of("client"),
                                base_url=clean.base_url)

    assert response.to_dict() == {"method": "GET", "path": apis_path(clean), "status": 200,
                                  "headers": response.headers, "body": response.body}
