"""The provider adapter over the real core, served in this process against the emulator: names
camelCase both ways, unknowns and numbers as the engine sends them, secrets marked, no request
in preview, the configuration as a config source, data function results as the schema says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.rpc import UNKNOWN

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.plugin.provider import AnypointAuthProvider

from .harness import CallFailed, InProcess, Stub, struct, values

GET_API = "anypoint-auth:index:getApiResponse"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as started:
        started.add_api_response("/plugin/test", {"snake_key": [1, {"a_b": None}],
                                                  "total": 2})
        yield started


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    import os

    for name in [name for name in os.environ if name.startswith("ANYPOINT_")]:
        monkeypatch.delenv(name)
    with InProcess(AnypointAuthProvider()) as served:
        served.configure()
        yield served


def creds(emu: Emulator, **more: Any) -> dict[str, Any]:
    return {"clientId": emu.demo.client_id, "clientSecret": emu.demo.client_secret,
            "baseUrl": emu.base_url, **more}


def token_of(stub: Stub, emu: Emulator) -> Any:
    inputs = stub.check(creds(emu)).inputs
    return stub.create(inputs)


def result(response: Any) -> dict[str, PropertyValue]:
    return values(getattr(response, "return"))


def test_check_answers_in_camel_case_with_defaults_as_floats(stub: Stub, emu: Emulator) -> None:
    got = stub.check(creds(emu, timeoutSeconds=30))
    assert list(got.failures) == []
    inputs = values(got.inputs)
    assert inputs["clientSecret"] == PropertyValue(emu.demo.client_secret, is_secret=True)
    assert inputs["renewBeforeSeconds"] == PropertyValue(600.0)  # numbers are floats on the wire
    assert inputs["timeoutSeconds"] == PropertyValue(30.0)
    assert inputs["verifyTls"] == PropertyValue(True)
    assert all("_" not in name for name in inputs)


def test_failures_and_reasons_name_camel_case_properties(stub: Stub, emu: Emulator) -> None:
    got = stub.check({"clientId": emu.demo.client_id, "baseUrl": emu.base_url})
    failures = {f.property: f.reason for f in got.failures}
    assert "clientSecret" in failures
    assert "client_secret" not in failures["clientSecret"]
    assert "clientSecret" in failures["clientSecret"]


def test_preview_create_answers_unknowns_without_a_request(stub: Stub, emu: Emulator) -> None:
    inputs = stub.check(creds(emu, clientSecret=UNKNOWN)).inputs
    emu.clear_requests()
    got = stub.create(inputs, preview=True)
    assert emu.requests == []
    props = values(got.properties)
    assert props["accessToken"] == PropertyValue(UNKNOWN, is_secret=True)
    assert props["clientSecret"] == PropertyValue(UNKNOWN, is_secret=True)
    assert props["expiresAt"].value == UNKNOWN


def test_diff_replaces_on_a_credential_and_updates_a_setting(stub: Stub, emu: Emulator) -> None:
    created = token_of(stub, emu)
    news = values(stub.check(creds(emu)).inputs)
    same = stub.diff(created.properties, struct({k: v for k, v in news.items()}))
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    moved = stub.diff(created.properties, stub.check(creds(emu, clientId="other",
                                                           timeoutSeconds=9)).inputs)
    assert moved.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert "clientId" in moved.replaces and not moved.deleteBeforeReplace
    assert moved.detailedDiff["clientId"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE
    setting = stub.diff(created.properties, stub.check(creds(emu, timeoutSeconds=9)).inputs)
    assert list(setting.replaces) == []
    assert setting.detailedDiff["timeoutSeconds"].kind == provider_pb2.PropertyDiff.UPDATE
    updated = values(stub.update(created.properties,
                                 stub.check(creds(emu, timeoutSeconds=9)).inputs).properties)
    assert updated["timeoutSeconds"] == PropertyValue(9.0)
    assert updated["accessToken"] == values(created.properties)["accessToken"]  # kept
    stub.delete(created.id, created.properties)


def test_refresh_notices_a_revoked_token(stub: Stub, emu: Emulator) -> None:
    created = token_of(stub, emu)
    token = values(created.properties)["accessToken"]
    emu.revoke(str(token.value))
    refreshed = stub.read(created.id, created.properties, stub.check(creds(emu)).inputs)
    state = values(refreshed.properties)
    assert state["expiresAt"] != values(created.properties)["expiresAt"]
    assert state["accessToken"].is_secret
    again = stub.diff(refreshed.properties, stub.check(creds(emu)).inputs)
    assert "expiresAt" in again.replaces  # the next update renews it


def test_configuration_fills_credentials_and_keeps_secrets_secret(stub: Stub,
                                                                  emu: Emulator) -> None:
    stub.configure(creds(emu), secret=("clientId", "clientSecret"))
    inputs = values(stub.check({}).inputs)
    assert inputs["clientId"] == PropertyValue(emu.demo.client_id, is_secret=True)
    assert inputs["clientSecret"].is_secret
    assert inputs["baseUrl"].value == emu.base_url


def test_configuration_variables_serve_when_there_are_no_args(stub: Stub, emu: Emulator) -> None:
    stub.configure(variables={f"anypoint-auth:{k}": v for k, v in creds(emu).items()})
    got = stub.check({})
    assert list(got.failures) == []
    assert values(got.inputs)["clientId"].value == emu.demo.client_id


def test_diff_config_reports_a_changed_setting(stub: Stub) -> None:
    urn = "urn:pulumi:dev::p::pulumi:providers:anypoint-auth::default"
    changed = stub.call("DiffConfig", provider_pb2.DiffRequest(
        urn=urn, id="x", olds=struct({"clientId": "a", "version": "0.1.0"}),
        news=struct({"clientId": "b", "version": "0.1.0"})))
    assert changed.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(changed.diffs) == ["clientId"]
    same = stub.call("DiffConfig", provider_pb2.DiffRequest(
        urn=urn, id="x", olds=struct({"clientId": "a"}), news=struct({"clientId": "a"})))
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_invoke_answers_in_camel_case_at_every_depth(stub: Stub, emu: Emulator) -> None:
    token = values(token_of(stub, emu).properties)["accessToken"].value
    got = result(stub.invoke("anypoint-auth:index:getOrganization",
                             {"accessToken": token, "baseUrl": emu.base_url},
                             secret=("accessToken",)))
    assert got["id"] == PropertyValue(emu.demo.organization_id)  # not secret: holds no token
    first = got["environments"].value[0].value
    assert {"id", "name", "isProduction"} <= set(first)
    assert all("_" not in name for name in [*got, *first])


def test_api_data_is_left_as_it_is(stub: Stub, emu: Emulator) -> None:
    token = values(token_of(stub, emu).properties)["accessToken"].value
    got = result(stub.invoke(GET_API, {"path": "/plugin/test", "accessToken": token,
                                       "baseUrl": emu.base_url}, secret=("accessToken",)))
    body = got["body"].value
    assert set(body) == {"snake_key", "total"}
    assert body["snake_key"].value[1].value == {"a_b": PropertyValue(None)}
    assert not got["body"].is_secret
    secret = result(stub.invoke(GET_API, {"path": "/plugin/test", "accessToken": token,
                                          "baseUrl": emu.base_url, "secret": True}))
    assert secret["body"].is_secret and secret["status"].is_secret


def test_get_access_token_is_secret(stub: Stub, emu: Emulator) -> None:
    got = result(stub.invoke("anypoint-auth:index:getAccessToken", creds(emu)))
    assert got["accessToken"].is_secret and emu.is_active(str(got["accessToken"].value))
    assert got["expiresAt"].is_secret


def test_invoke_refuses_unknown_arguments_values_and_a_missing_token(stub: Stub) -> None:
    got = stub.invoke("anypoint-auth:index:getProfile", {"accessTokn": "x",
                                                         "accessToken": UNKNOWN})
    failures = {f.property: f.reason for f in got.failures}
    assert failures["accessTokn"].startswith("accessTokn is not an argument of "
                                             "anypoint-auth:index:getProfile")
    assert failures["accessToken"].startswith("accessToken is not known yet")
    missing = {f.property: f.reason for f in stub.invoke("anypoint-auth:index:getProfile",
                                                         {}).failures}
    assert missing["accessToken"].startswith("accessToken is required")


def test_an_unknown_function_is_one_clean_line(stub: Stub) -> None:
    with pytest.raises(CallFailed) as failed:
        stub.invoke("anypoint-auth:index:getNothing", {})
    assert failed.value.details.startswith(
        "anypoint-auth:index:getNothing is not a function of anypoint-auth: use one of ")


def test_typed_configuration_values_are_read(stub: Stub, emu: Emulator) -> None:
    checked = stub.call("CheckConfig", provider_pb2.CheckRequest(
        urn="urn:pulumi:dev::p::pulumi:providers:anypoint-auth::default",
        news=struct({"timeoutSeconds": 7, "verifyTls": True, "clientId": 3, "version": "0.1.0"})))
    assert {(f.property, f.reason) for f in checked.failures} == {
        ("clientId", "anypoint-auth:clientId must be a string, not a number")}
    stub.configure({**creds(emu), "timeoutSeconds": 7, "verifyTls": True},
                   secret=("clientSecret",))
    inputs = values(stub.check({}).inputs)
    assert inputs["timeoutSeconds"] == PropertyValue(7.0)
    assert inputs["verifyTls"] == PropertyValue(True)
