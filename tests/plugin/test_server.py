"""Our servicer: errors end a call with one clean line (never a traceback, never a secret),
nothing crashes the server, DiffConfig says what changed. A fake provider stands behind it, so
these need neither the core nor the network."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.provider.experimental import provider as api
from pulumi.runtime.proto import provider_pb2

from anypoint_pulumi.access.errors import BadCredentialsError
from anypoint_pulumi.plugin import schema

from .harness import CallFailed, InProcess

CANARY = "canary-S3CRET-0f9e8d7c"


class Fake(api.Provider):
    """Answers what the test set; raises what it was told to."""

    def __init__(self) -> None:
        self.raise_: Exception | None = None
        self.seen: list[Any] = []

    async def get_schema(self, request: api.GetSchemaRequest) -> api.GetSchemaResponse:
        return api.GetSchemaResponse(schema=schema.schema_json())

    async def check(self, request: api.CheckRequest) -> api.CheckResponse:
        self.seen.append(request)
        if self.raise_ is not None:
            raise self.raise_
        return api.CheckResponse(inputs=request.new_inputs, failures=[
            api.CheckFailure("clientId", "clientId must be a string, not float")])

    async def create(self, request: api.CreateRequest) -> api.CreateResponse:
        if self.raise_ is not None:
            raise self.raise_
        return api.CreateResponse(resource_id="x", properties=request.properties)

    async def diff_config(self, request: api.DiffRequest) -> api.DiffResponse:
        return api.DiffResponse(changes=True, diffs=["clientId"])


@pytest.fixture
def fake() -> Fake:
    return Fake()


def test_get_schema_and_plugin_info(fake: Fake) -> None:
    with InProcess(fake) as stub:
        got = stub.call("GetSchema", provider_pb2.GetSchemaRequest())
        assert got.schema == schema.schema_json()
        assert stub.call("GetPluginInfo", __import__("google.protobuf.empty_pb2",
                                                     fromlist=["Empty"]).Empty()).version


def test_check_failures_pass_through(fake: Fake) -> None:
    with InProcess(fake) as stub:
        got = stub.check({"clientId": 3})
    assert [(f.property, f.reason) for f in got.failures] == [
        ("clientId", "clientId must be a string, not float")]


def test_an_anypoint_error_is_one_line_without_the_secrets_of_the_request(fake: Fake) -> None:
    # A message that (by a bug) holds a secret of the request: scrubbed all the same.
    fake.raise_ = BadCredentialsError(f"login refused\nfor secret {CANARY}", hint="Check it")
    with InProcess(fake) as stub, pytest.raises(CallFailed) as failed:
        stub.check({"clientId": "app", "clientSecret": CANARY}, secret=("clientSecret",))
    assert "login refused" in failed.value.details
    assert "\n" not in failed.value.details
    assert CANARY not in failed.value.details
    assert "Traceback" not in failed.value.details and ".py" not in failed.value.details


def test_a_secret_named_by_the_schema_is_scrubbed_even_when_not_marked(fake: Fake) -> None:
    fake.raise_ = BadCredentialsError(f"refused {CANARY}")
    with InProcess(fake) as stub, pytest.raises(CallFailed) as failed:
        stub.check({"clientId": "app", "password": CANARY})
    assert CANARY not in failed.value.details


def test_an_unexpected_exception_is_one_line_and_the_server_lives_on(fake: Fake) -> None:
    fake.raise_ = KeyError(CANARY)
    with InProcess(fake) as stub:
        with pytest.raises(CallFailed) as failed:
            stub.create({"clientId": "app"})
        details = failed.value.details
        assert details.startswith("anypoint-auth Create failed unexpectedly (KeyError)")
        assert CANARY not in details and "\n" not in details and "Traceback" not in details
        fake.raise_ = None
        assert stub.create({"clientId": "app"}).id == "x"  # still serving


def test_another_resource_type_is_refused_clearly(fake: Fake) -> None:
    with InProcess(fake) as stub, pytest.raises(CallFailed) as failed:
        stub.check({}, urn="urn:pulumi:dev::proj::anypoint-auth:index:Nope::x")
    assert failed.value.details == ("anypoint-auth has no resource type "
                                    "'anypoint-auth:index:Nope': its only resource is "
                                    "anypoint-auth:index:Token.")
    assert fake.seen == []


def test_diff_config_reports_the_change(fake: Fake) -> None:
    # The SDK's servicer sends changes=True as "no changes" (the shared doc's pitfall 7).
    with InProcess(fake) as stub:
        got = stub.call("DiffConfig", provider_pb2.DiffRequest(urn="urn:x", id="p"))
    assert got.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(got.diffs) == ["clientId"]


def test_a_method_the_provider_lacks_is_a_clean_error(fake: Fake) -> None:
    with InProcess(fake) as stub, pytest.raises(CallFailed) as failed:
        stub.invoke("anypoint-auth:index:getProfile", {})
    assert "Traceback" not in failed.value.details
    assert "\n" not in failed.value.details


def test_a_malformed_request_is_one_line_and_the_server_lives_on(fake: Fake) -> None:
    from google.protobuf import struct_pb2

    bogus = struct_pb2.Struct()
    bogus.update({"clientId": {"4dabf18193072939515e22adb298388d": "no-such-kind"},
                  "clientSecret": {"4dabf18193072939515e22adb298388d":
                                   "d0e6a833031e9bbcd3f4e8bde6ca49a4"}})  # an output, no value
    with InProcess(fake) as stub:
        for _ in range(2):
            with pytest.raises(CallFailed) as failed:
                stub.call("Check", provider_pb2.CheckRequest(
                    urn="urn:pulumi:dev::p::anypoint-auth:index:Token::t", news=bogus))
            assert failed.value.details.startswith("anypoint-auth Check failed unexpectedly (")
            assert "\n" not in failed.value.details
        assert stub.check({"clientId": "app"}).failures  # still serving
