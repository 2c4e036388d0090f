"""The engine's view: the SDK's own provider server (``python -u -m pulumi.dynamic``) driven over
gRPC with the ``__provider`` a real ``AnypointToken`` sends: Configure, Check, Diff, Create,
Update, Read and Delete for every flow, renewal, check failures, unknowns, and no secret in any
gRPC error or in the provider process's output.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

import anypoint_pulumi
from anypoint_pulumi import AnypointToken
from anypoint_pulumi.access.endpoints import LOGOUT, REVOKE
from anypoint_pulumi.emulator import Emulator, Fault
from anypoint_pulumi.testing import TOKEN_TYPE
from anypoint_pulumi.token.provider import TOKEN_PROVIDER
from tests.secrets import pem_body_lines
from tests.support.provider_server import (
    DIFF_NONE,
    DIFF_SOME,
    PROVIDER,
    TYPE,
    UNKNOWN,
    ProviderError,
    ProviderServer,
)

from .conftest import FLOWS, GRANT, OAUTH_FLOWS, Created, flow_inputs


@pytest.fixture
def grpc_create(emu: Emulator, provider_server: ProviderServer) -> Callable[..., Created]:
    """``grpc_create(flow, **overrides)``: Check then Create over gRPC, as ``pulumi up`` does."""

    def make(flow: str, **overrides: Any) -> Created:
        inputs, failures = provider_server.check({**flow_inputs(emu, flow), **overrides})
        assert failures == []
        id_, outs = provider_server.create(inputs)
        return Created(flow, inputs, id_, outs)

    return make


# The serialized provider -------------------------------------------------------------------------


class Capture(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.inputs: dict[str, Any] = {}
        self.typ = ""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs, self.typ = dict(args.inputs), args.typ
        return "id", {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def test_anypoint_token_sends_the_provider_the_harness_sends() -> None:
    capture = Capture()
    pulumi.runtime.set_mocks(capture, preview=False)

    @pulumi.runtime.test
    def program() -> None:
        AnypointToken("t", client_id="i", client_secret="s", base_url="http://127.0.0.1:1")

    program()

    assert capture.typ == TYPE == TOKEN_TYPE
    assert capture.inputs["__provider"] == PROVIDER  # plain: it holds no secret


def test_serialized_provider_is_a_short_reference_to_the_package() -> None:
    decoded = base64.b64decode(PROVIDER)

    assert b"anypoint_pulumi" in decoded and b"PROVIDER" in decoded
    assert len(PROVIDER) <= 64
    assert pickle.loads(decoded) is anypoint_pulumi.PROVIDER is TOKEN_PROVIDER


def test_create_over_grpc_with_the_provider_a_token_sends(
        emu: Emulator, provider_server: ProviderServer) -> None:
    capture = Capture()
    pulumi.runtime.set_mocks(capture, preview=False)
    pulumi.runtime.test(lambda: AnypointToken("t", **flow_inputs(emu, "client_credentials")))()
    sent = capture.inputs["__provider"]

    inputs, _ = provider_server.check({**flow_inputs(emu, "client_credentials")}, provider=sent)
    _, outs = provider_server.create(inputs, provider=sent)

    assert emu.is_active(outs["access_token"])


# Configure / Check / Create ----------------------------------------------------------------------


def test_configure_tells_the_engine_that_secrets_are_not_accepted(
        provider_server: ProviderServer) -> None:
    assert provider_server.configure({"anypoint:region": "eu"}) is False
    provider_server.configure({})


@pytest.mark.parametrize("flow", FLOWS)
def test_check_over_grpc_fills_the_defaults(emu: Emulator, provider_server: ProviderServer,
                                            flow: str) -> None:
    inputs, failures = provider_server.check(flow_inputs(emu, flow))

    assert failures == []
    assert inputs["renew_before_seconds"] == 600
    assert inputs["revoke_on_delete"] is True
    assert inputs["timeout_seconds"] == 30
    assert inputs["base_url"] == emu.base_url
    assert inputs["__provider"] == PROVIDER
    assert emu.count() == 0


@pytest.mark.parametrize("flow", FLOWS)
def test_create_over_grpc_returns_the_token_and_an_id(emu: Emulator, grpc_create: Any,
                                                      flow: str) -> None:
    created = grpc_create(flow)

    assert created.outs["grant_type"] == GRANT[flow]
    assert created.id and created.id != created.token
    assert created.outs["__provider"] == PROVIDER
    assert emu.is_active(created.token)


# Diff / Update -----------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOWS)
def test_diff_over_grpc_of_a_fresh_token_is_no_change(emu: Emulator,
                                                      provider_server: ProviderServer,
                                                      grpc_create: Any, flow: str) -> None:
    created = grpc_create(flow)
    emu.clear_requests()

    diff = provider_server.diff(created.id, created.outs, created.inputs)

    assert diff.changes == DIFF_NONE
    assert list(diff.replaces) == []
    assert emu.count() == 0


def test_diff_over_grpc_of_a_new_trigger_is_a_create_before_delete_replace(
        provider_server: ProviderServer, grpc_create: Any) -> None:
    created = grpc_create("client_credentials")

    diff = provider_server.diff(created.id, created.outs,
                                {**created.inputs, "triggers": {"rotation": "2"}})

    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == ["triggers"]
    assert diff.deleteBeforeReplace is False


@pytest.mark.parametrize("flow", FLOWS)
def test_update_over_grpc_keeps_the_token_and_takes_the_settings(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any, flow: str) -> None:
    created = grpc_create(flow)
    news = {**created.inputs, "timeout_seconds": 7}
    diff = provider_server.diff(created.id, created.outs, news)
    emu.clear_requests()

    outs = provider_server.update(created.id, created.outs, news)

    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])
    assert outs["access_token"] == created.token
    assert outs["expires_at"] == created.outs["expires_at"]
    assert outs["timeout_seconds"] == 7
    assert outs["__provider"] == PROVIDER
    assert emu.count() == 0


# Read / Delete -----------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOWS)
def test_read_over_grpc_returns_the_outputs_and_the_inputs(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any, flow: str) -> None:
    created = grpc_create(flow)

    id_, outs, inputs = provider_server.read(created.id, created.outs, inputs=created.inputs)

    assert id_ == created.id
    assert outs == created.outs
    assert inputs == created.inputs
    assert emu.count("/accounts/api/me", status=200) == 1


def test_read_over_grpc_of_a_revoked_token_makes_the_next_diff_replace(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any) -> None:
    created = grpc_create("password")
    emu.revoke(created.token)
    mark = provider_server.output_mark()

    _, outs, inputs = provider_server.read(created.id, created.outs, inputs=created.inputs)
    diff = provider_server.diff(created.id, outs, inputs)

    assert outs["expires_at"] < created.outs["expires_at"]
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, ["expires_at"])
    provider_server.wait_for_output("recorded as expired", since=mark)


@pytest.mark.parametrize("flow", FLOWS)
def test_delete_over_grpc_ends_the_token(emu: Emulator, provider_server: ProviderServer,
                                         grpc_create: Any, flow: str) -> None:
    created = grpc_create(flow)

    provider_server.delete(created.id, created.outs)

    assert not emu.is_active(created.token)
    assert emu.count(REVOKE if flow in OAUTH_FLOWS else LOGOUT, status=200) == 1


# Renewal -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["client_credentials", "password", "login"])
def test_renewal_over_grpc_issues_the_new_token_before_revoking_the_old(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any, flow: str) -> None:
    emu.token_lifetime_seconds = 300  # shorter than renew_before_seconds (600)
    emu.set_session_timeout(emu.demo.organization_id, 5)
    old = grpc_create(flow)

    diff = provider_server.diff(old.id, old.outs, old.inputs)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, ["expires_at"])
    assert diff.deleteBeforeReplace is False
    # What the engine then does for a create-before-delete replacement:
    new_id, new_outs = provider_server.create(old.inputs)
    provider_server.delete(old.id, old.outs)

    assert new_id != old.id
    assert emu.is_active(new_outs["access_token"])
    assert not emu.is_active(old.token)


def test_short_lived_token_over_grpc_warns_that_every_run_renews_it(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any) -> None:
    emu.token_lifetime_seconds = 300
    mark = provider_server.output_mark()

    grpc_create("client_credentials")

    provider_server.wait_for_output("every `pulumi up` will replace it", since=mark)


@pytest.mark.parametrize("flow", ["saml", "saml_org"])
def test_saml_near_expiry_over_grpc_is_kept_with_a_warning(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any, flow: str) -> None:
    emu.set_session_timeout(emu.demo.organization_id, 5)
    created = grpc_create(flow)
    mark = provider_server.output_mark()

    diff = provider_server.diff(created.id, created.outs, created.inputs)

    assert diff.changes == DIFF_NONE
    provider_server.wait_for_output("supply a fresh saml_response", since=mark)


# Check failures and unknowns ---------------------------------------------------------------------


def test_check_failures_over_grpc_arrive_as_check_failures(
        emu: Emulator, provider_server: ProviderServer) -> None:
    _, failures = provider_server.check({"client_id": emu.demo.client_id, "region": "eu",
                                         "base_url": emu.base_url})

    named = dict(failures)
    assert set(named) == {"client_secret", "base_url"}
    assert "client_secret is required with client_id" in named["client_secret"]
    assert "give only one" in named["base_url"]


UNKNOWN_REPLACES = [
    ("client_id", {"client_id": UNKNOWN}, "client_id"),
    ("client_secret", {"client_secret": UNKNOWN}, "client_secret"),
    ("base_url", {"base_url": UNKNOWN}, "base_url"),
    ("region", {"base_url": None, "region": UNKNOWN}, "base_url"),
    ("triggers", {"triggers": UNKNOWN}, "triggers"),
    ("a trigger", {"triggers": {"rotation": UNKNOWN}}, "triggers"),
]


@pytest.mark.parametrize("change, key", [c[1:] for c in UNKNOWN_REPLACES],
                         ids=[c[0] for c in UNKNOWN_REPLACES])
def test_unknown_input_passes_check_and_diff_reports_a_replace(
        provider_server: ProviderServer, grpc_create: Any, change: dict[str, Any],
        key: str) -> None:
    created = grpc_create("client_credentials")
    news = {k: v for k, v in {**created.inputs, **change}.items() if v is not None}

    checked, failures = provider_server.check(news, created.inputs)
    diff = provider_server.diff(created.id, created.outs, checked)

    assert failures == []
    assert diff.changes == DIFF_SOME
    assert key in diff.replaces


def test_unknown_setting_is_an_update_not_a_replace(provider_server: ProviderServer,
                                                    grpc_create: Any) -> None:
    created = grpc_create("client_credentials")
    news = {**created.inputs, "timeout_seconds": UNKNOWN}

    diff = provider_server.diff(created.id, created.outs, news)

    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])


# Secrets -----------------------------------------------------------------------------------------


def test_failed_create_over_grpc_names_the_flow_and_shows_no_secret(
        emu: Emulator, provider_server: ProviderServer) -> None:
    wrong = "cnry" + "0" * 28
    mark = provider_server.output_mark()
    inputs, _ = provider_server.check({**flow_inputs(emu, "client_credentials"),
                                       "client_secret": wrong})

    with pytest.raises(ProviderError) as caught:
        provider_server.create(inputs)

    assert "client-credentials login failed: Login refused" in caught.value.details
    assert "BadCredentialsError" in caught.value.details
    assert wrong not in caught.value.details
    assert wrong not in provider_server.settled_output()[mark:]


def test_no_secret_in_grpc_answers_or_provider_output_through_a_lifecycle(
        emu: Emulator, provider_server: ProviderServer, grpc_create: Any) -> None:
    mark = provider_server.output_mark()
    secrets = [emu.demo.client_secret, emu.demo.user_app_client_secret, emu.demo.password]
    errors: list[str] = []
    for flow in FLOWS:
        created = grpc_create(flow)
        secrets += [created.token, created.inputs.get("saml_response", ""),
                    *pem_body_lines(created.inputs.get("private_key", ""))]
        provider_server.update(created.id, created.outs, {**created.inputs, "timeout_seconds": 9})
        emu.revoke(created.token)  # the warning path: a refresh finds it revoked
        _, outs, _ = provider_server.read(created.id, created.outs, inputs=created.inputs)
        provider_server.delete(created.id, outs)
        inputs, _ = provider_server.check({**created.inputs, "triggers": {"n": "2"}})
        emu.inject("/accounts/api/v2/oauth2/token" if flow in OAUTH_FLOWS else
                   "/accounts/login" if flow == "login" else
                   "/accounts/login/receive-id" if flow == "saml" else
                   f"/accounts/login/{emu.demo.saml_org_domain}/providers/"
                   f"{emu.demo.saml_provider_id}/receive-id",
                   Fault.plain(401))
        with pytest.raises(ProviderError) as caught:  # the error path: a refused login
            provider_server.create(inputs)
        errors.append(caught.value.details)

    shown = provider_server.settled_output()[mark:] + "\n".join(errors)
    assert "recorded as expired" in shown
    assert shown.count("Login refused") >= len(FLOWS)
    for secret in filter(None, secrets):
        assert secret not in shown
