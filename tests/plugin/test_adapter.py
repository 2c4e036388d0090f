"""The provider adapter's wire handling, over gRPC in-process, against a stand-in core: names
camelCase both ways, unknowns and numbers as the engine sends them, secrets marked, no login in
preview, configuration as a config source, data function results as the schema says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.rpc import UNKNOWN

from anypoint_pulumi.functions.results import ApiResponse, Environment, Organization

from . import fake_core
from .harness import CallFailed, InProcess, Stub, values


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    from anypoint_pulumi.plugin import provider

    monkeypatch.setattr(provider, "core", fake_core)
    fake_core.calls.clear()
    with InProcess(provider.AnypointAuthProvider()) as served:
        yield served


def called(name: str) -> list[Any]:
    return [args for what, args in fake_core.calls if what == name]


def test_check_reads_camel_case_and_answers_in_camel_case(stub: Stub) -> None:
    got = stub.check({"clientId": "app", "clientSecret": "s3", "timeoutSeconds": 30},
                     secret=("clientSecret",))
    assert called("check")[-1] == {"client_id": "app", "client_secret": "s3",
                                   "timeout_seconds": 30}
    inputs = values(got.inputs)
    assert inputs["clientSecret"] == PropertyValue("s3", is_secret=True)
    assert inputs["renewBeforeSeconds"] == PropertyValue(600.0)  # numbers are floats on the wire
    assert inputs["clientId"] == PropertyValue("app")
    assert list(got.failures) == []


def test_a_declared_secret_is_secret_even_when_it_arrives_plain(stub: Stub) -> None:
    got = stub.check({"clientId": "app", "clientSecret": "s3"})
    assert values(got.inputs)["clientSecret"].is_secret


def test_check_failures_name_the_camel_case_property(stub: Stub) -> None:
    got = stub.check({"clientId": 3, "clientSecrett": "typo"})
    failures = [(f.property, f.reason) for f in got.failures]
    assert ("clientSecrett", failures[0][1]) == failures[0]
    assert failures[0][1].startswith("clientSecrett is not a property of "
                                     "anypoint-auth:index:Token: use one of ")
    assert "clientSecret" in failures[0][1]
    assert ("clientId", "clientId must be a string, not int") in failures
    assert ("clientSecret", "clientSecret is required with clientId") in failures


def test_unknowns_reach_the_core_as_its_unknown(stub: Stub) -> None:
    stub.check({"clientId": "app", "clientSecret": UNKNOWN})
    assert called("check")[-1]["client_secret"] is fake_core.UNKNOWN


def test_preview_create_returns_unknowns_and_never_logs_in(stub: Stub) -> None:
    got = stub.create({"clientId": "app", "clientSecret": UNKNOWN}, preview=True)
    assert called("create") == []
    props = values(got.properties)
    assert props["accessToken"] == PropertyValue(UNKNOWN, is_secret=True)
    assert props["clientSecret"] == PropertyValue(UNKNOWN, is_secret=True)
    assert got.id == ""


def test_create_marks_the_token_and_the_secret_inputs_secret(stub: Stub) -> None:
    got = stub.create({"clientId": "app", "clientSecret": "s3", "renewBeforeSeconds": 600})
    assert got.id == "tok-1"
    assert called("create") == [{"client_id": "app", "client_secret": "s3",
                                 "renew_before_seconds": 600}]
    props = values(got.properties)
    assert props["accessToken"] == PropertyValue("the-token", is_secret=True)
    assert props["clientSecret"].is_secret and not props["tokenType"].is_secret
    assert props["renewBeforeSeconds"] == PropertyValue(600.0)


def test_diff_answers_replacements_in_camel_case(stub: Stub) -> None:
    olds = {"clientId": "app", "clientSecret": "s3", "timeoutSeconds": 30,
            "accessToken": "the-token"}
    same = stub.diff(olds, {"clientId": "app", "clientSecret": "s3", "timeoutSeconds": 30})
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    got = stub.diff(olds, {"clientId": "other", "clientSecret": "s3", "timeoutSeconds": 60})
    assert got.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(got.replaces) == ["clientId"]
    assert not got.deleteBeforeReplace
    assert got.detailedDiff["clientId"].kind == provider_pb2.PropertyDiff.UPDATE_REPLACE
    assert got.detailedDiff["timeoutSeconds"].kind == provider_pb2.PropertyDiff.UPDATE


def test_read_update_and_delete_go_through_the_core(stub: Stub) -> None:
    state = {"clientId": "app", "clientSecret": "s3", "accessToken": "the-token"}
    got = stub.read("tok-1", state, {"clientId": "app", "clientSecret": "s3"})
    assert got.id == "tok-1"
    assert values(got.properties)["accessToken"] == PropertyValue("the-token", is_secret=True)
    assert values(got.inputs)["clientSecret"].is_secret
    updated = stub.update(state, {"clientId": "app", "clientSecret": "s3", "timeoutSeconds": 9})
    assert values(updated.properties)["timeoutSeconds"] == PropertyValue(9.0)
    stub.delete("tok-1", state)
    assert called("delete") == [{"client_id": "app", "client_secret": "s3",
                                 "access_token": "the-token"}]


def test_configure_gives_the_core_a_config_source(stub: Stub) -> None:
    stub.configure({"clientId": "cfg-app", "clientSecret": "cfg-s3"}, secret=("clientSecret",))
    got = stub.check({})
    assert called("check")[-1]["client_id"] == "cfg-app"
    assert values(got.inputs)["clientSecret"] == PropertyValue("cfg-s3", is_secret=True)


def test_a_value_set_with_secret_in_config_stays_secret(stub: Stub) -> None:
    stub.configure({"clientId": "cfg-app", "clientSecret": "cfg-s3"},
                   secret=("clientId", "clientSecret"))
    got = values(stub.check({}).inputs)
    assert got["clientId"] == PropertyValue("cfg-app", is_secret=True)


def test_configure_reads_the_variables_when_there_are_no_args(stub: Stub) -> None:
    stub.configure(variables={"anypoint-auth:clientId": "var-app",
                              "anypoint-auth:clientSecret": "var-s3"})
    stub.check({})
    assert called("check")[-1]["client_id"] == "var-app"


def test_diff_config_reports_a_changed_setting(stub: Stub) -> None:
    from .harness import struct

    got = stub.call("DiffConfig", provider_pb2.DiffRequest(
        urn="urn:pulumi:dev::p::pulumi:providers:anypoint-auth::default", id="x",
        olds=struct({"clientId": "a", "version": "0.1.0"}),
        news=struct({"clientId": "b", "version": "0.1.0"})))
    assert got.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(got.diffs) == ["clientId"]
    same = stub.call("DiffConfig", provider_pb2.DiffRequest(
        urn="urn:x", id="x", olds=struct({"clientId": "a"}), news=struct({"clientId": "a"})))
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_invoke_answers_in_camel_case_leaving_api_data_alone(stub: Stub) -> None:
    env = Environment(id="e1", name="Sandbox", organization_id="o1", is_production=False,
                      type="sandbox", client_id=None)
    fake_core.RESULTS["get_organization"] = dict(
        id="o1", name="Org", parent_id=None, sub_organization_ids=("b1",),
        session_timeout_minutes=60, environments=(env,))
    got = stub.invoke("anypoint-auth:index:getOrganization",
                      {"accessToken": "the-token", "timeoutSeconds": 5},
                      secret=("accessToken",))
    assert called("invoke") == [("get_organization", {"access_token": "the-token",
                                                      "timeout_seconds": 5})]
    result = values(getattr(got, "return"))
    assert result["subOrganizationIds"] == PropertyValue([PropertyValue("b1")])
    assert result["sessionTimeoutMinutes"] == PropertyValue(60.0)
    assert set(result["environments"].value[0].value) == {
        "id", "name", "organizationId", "isProduction", "type"}
    assert "parentId" not in result and not result["id"].is_secret
    assert isinstance(Organization, type)

    fake_core.RESULTS["get_api_response"] = dict(
        method="GET", path="/x", status=200, headers={"x-total-count": "1"},
        body={"snake_key": [1, {"a_b": None}]})
    api = values(getattr(stub.invoke("anypoint-auth:index:getApiResponse", {"path": "/x"}),
                         "return"))
    assert set(api["headers"].value) == {"x-total-count"}
    body = api["body"].value
    assert set(body) == {"snake_key"}
    assert body["snake_key"].value[1].value == {"a_b": PropertyValue(None)}
    assert isinstance(ApiResponse, type)


def test_invoke_refuses_unknown_arguments_and_unknown_values(stub: Stub) -> None:
    got = stub.invoke("anypoint-auth:index:getProfile", {"accessTokn": "x",
                                                         "accessToken": UNKNOWN})
    failures = {f.property: f.reason for f in got.failures}
    assert failures["accessTokn"].startswith("accessTokn is not an argument of "
                                             "anypoint-auth:index:getProfile")
    assert failures["accessToken"].startswith("accessToken is not known yet")
    assert called("invoke") == []


def test_an_unknown_function_is_one_clean_line(stub: Stub) -> None:
    with pytest.raises(CallFailed) as failed:
        stub.invoke("anypoint-auth:index:getNothing", {})
    assert failed.value.details.startswith(
        "anypoint-auth:index:getNothing is not a function of anypoint-auth: use one of ")
