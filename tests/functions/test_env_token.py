"""The pipeline handoff: with no token given, the data functions read ANYPOINT_ACCESS_TOKEN (the
name the community Terraform provider reads), and the organization-scoped ones take
ANYPOINT_ORG (anypoint-cli-v4's) as their organization; a token given explicitly wins."""

from __future__ import annotations

from typing import Any

import pytest

from anypoint_pulumi import (
    get_api_response,
    get_environment,
    get_organization,
    get_profile,
)
from anypoint_pulumi.access.errors import ConfigurationError

ME = "/accounts/api/me"


@pytest.fixture
def handed_over(clean: Any, token_of: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A client token handed over in ANYPOINT_ACCESS_TOKEN, the plane in ANYPOINT_BASE_URL."""
    token = token_of("client")
    monkeypatch.setenv("ANYPOINT_ACCESS_TOKEN", token + "\n")  # as `$(...)` captures may end
    monkeypatch.setenv("ANYPOINT_BASE_URL", clean.base_url)
    return token


def test_a_data_function_reads_with_the_handed_over_token(clean: Any, handed_over: str) -> None:
    assert get_profile(grant_type="client_credentials").client_id == clean.demo.client_id


def test_anypoint_org_is_the_organization_and_saves_the_me_request(
        clean: Any, handed_over: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_ORG", clean.demo.organization_id)

    environment = get_environment(name="Sandbox")

    assert environment.id == clean.demo.sandbox_environment_id
    assert clean.count(ME) == 0


def test_anypoint_org_can_name_a_business_group(clean: Any, handed_over: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_ORG", clean.demo.business_group_id)

    assert get_organization().name == clean.demo.business_group_name


def test_without_anypoint_org_the_tokens_own_organization_is_read(clean: Any,
                                                                  handed_over: str) -> None:
    assert get_organization().id == clean.demo.organization_id
    assert clean.count(ME) == 1


def test_an_explicit_organization_wins_over_anypoint_org(clean: Any, handed_over: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_ORG", clean.demo.business_group_id)

    assert get_organization(organization_id=clean.demo.organization_id).id == (
        clean.demo.organization_id)


def test_an_explicit_token_wins_and_then_anypoint_org_is_ignored(
        clean: Any, token_of: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_ACCESS_TOKEN", "not-a-valid-token")
    monkeypatch.setenv("ANYPOINT_ORG", clean.demo.business_group_id)

    found = get_organization(access_token=token_of("client"), base_url=clean.base_url)

    assert found.id == clean.demo.organization_id


def test_get_api_response_reads_with_the_handed_over_token(clean: Any, handed_over: str) -> None:
    response = get_api_response(path="/cloudhub/api/v2/applications",
                                environment_id=clean.demo.sandbox_environment_id)

    assert response.body[0]["domain"] == clean.demo.cloudhub_application


def test_get_api_response_sends_no_organization_header_it_was_not_given(
        clean: Any, handed_over: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_ORG", "not-an-organization")

    response = get_api_response(path="/cloudhub/api/v2/applications",
                                environment_id=clean.demo.sandbox_environment_id)

    assert response.status == 200  # a wrong X-ANYPNT-ORG-ID would have been refused


def test_without_any_token_the_error_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="ANYPOINT_ACCESS_TOKEN") as caught:
        get_profile(base_url="http://127.0.0.1:1")

    assert caught.value.field == "access_token"


def test_a_blank_variable_counts_as_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_ACCESS_TOKEN", "  ")

    with pytest.raises(ConfigurationError, match="ANYPOINT_ACCESS_TOKEN"):
        get_profile(base_url="http://127.0.0.1:1")
