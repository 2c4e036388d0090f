"""The plugin executable (``pulumi-resource-anypoint-auth``) against the emulator, over gRPC as
the engine drives it: start-up, schema, the token's life, the data functions, bad input, and no
secret in any message or in what the plugin writes."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.rpc import UNKNOWN

from anypoint_pulumi import __version__
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.plugin import schema

from .harness import CallFailed, PluginProcess, Stub, values

EXECUTABLE = Path(sys.executable).parent / "pulumi-resource-anypoint-auth"
CANARY = "canary-Wr0ng-S3cret-77aa"


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without ambient Anypoint settings."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ANYPOINT_")}, **extra}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as started:
        yield started


@pytest.fixture
def plugin() -> Iterator[Stub]:
    """A started, configured plugin; what it wrote holds no traceback and no canary."""
    process = PluginProcess(EXECUTABLE, env=clean_env())
    with process as stub:
        stub.configure()
        yield stub
    assert "Traceback" not in process.stderr
    assert CANARY not in process.stderr


def credentials(emu: Emulator, **more: Any) -> dict[str, Any]:
    return {"clientId": emu.demo.client_id, "clientSecret": emu.demo.client_secret,
            "baseUrl": emu.base_url, **more}


def checked(stub: Stub, news: dict[str, Any]) -> Any:
    got = stub.check(news, secret=("clientSecret",))
    assert list(got.failures) == [], [(f.property, f.reason) for f in got.failures]
    return got.inputs


def test_the_plugin_starts_quickly_and_answers_its_schema() -> None:
    process = PluginProcess(EXECUTABLE, env=clean_env())
    deadline = time.monotonic() + 30
    with process as stub:
        info = stub.call("GetPluginInfo", __import__("google.protobuf.empty_pb2",
                                                     fromlist=["Empty"]).Empty())
        got = stub.call("GetSchema", provider_pb2.GetSchemaRequest())
    assert time.monotonic() < deadline
    assert process.started_in is not None and process.started_in < 10
    print(f"plugin start-up: {process.started_in:.2f} s")
    assert info.version == __version__
    assert got.schema == schema.schema_json()


def test_a_token_lives_and_dies_through_the_plugin(emu: Emulator,
                                                   plugin: Stub) -> None:
    stub = plugin
    inputs = checked(stub, credentials(emu))
    emu.clear_requests()
    preview = stub.create(inputs, preview=True)
    assert emu.requests == []  # no login during preview
    assert values(preview.properties)["accessToken"].value == UNKNOWN

    created = stub.create(inputs)
    state = values(created.properties)
    token = state["accessToken"]
    assert token.is_secret and isinstance(token.value, str) and emu.is_active(token.value)
    assert state["clientSecret"].is_secret
    assert isinstance(state["renewBeforeSeconds"].value, float)

    emu.clear_requests()
    same = stub.diff(created.properties, inputs)
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert emu.requests == []  # a no-change preview makes no request

    refreshed = stub.read(created.id, created.properties, inputs)
    assert values(refreshed.properties)["accessToken"] == token

    profile = values(getattr(stub.invoke("anypoint-auth:index:getProfile",
                                         {"accessToken": token.value,
                                          "baseUrl": emu.base_url},
                                         secret=("accessToken",)), "return"))
    assert profile["organizationId"].value == emu.demo.organization_id

    stub.delete(created.id, created.properties)
    assert not emu.is_active(str(token.value))  # delete revokes


def test_a_wrong_secret_is_one_line_without_the_secret(emu: Emulator,
                                                       plugin: Stub) -> None:
    stub = plugin
    inputs = checked(stub, credentials(emu, clientSecret=CANARY))
    with pytest.raises(CallFailed) as failed:
        stub.create(inputs)
    details = failed.value.details
    assert "\n" not in details and "Traceback" not in details
    assert CANARY not in details
    assert "Login refused" in details  # says what went wrong
    assert "baseUrl" in details and "base_url" not in details  # in the user's names


def failures_of(stub: Stub, news: dict[str, Any]) -> dict[str, str]:
    return {f.property: f.reason for f in stub.check(news).failures}


@pytest.mark.parametrize(("news", "named"), [
    ({"timeoutSeconds": "soon"}, "timeoutSeconds"),
    ({"verifyTls": "no"}, "verifyTls"),
    ({"clientIdd": "x"}, "clientIdd"),
    ({"username": "u", "clientId": None, "clientSecret": None}, "password"),
    ({"samlResponse": "PHNhbWw+"}, "clientId"),
    # Unknown during preview: what is known is still judged.
    ({"clientId": None, "clientSecret": UNKNOWN}, "clientId"),
])
def test_bad_input_fails_check_naming_the_camel_case_property(
        emu: Emulator, plugin: Stub, news: dict[str, Any],
        named: str) -> None:
    stub = plugin
    given = {key: value for key, value in {**credentials(emu), **news}.items()
             if value is not None}
    failures = failures_of(stub, given)
    assert named in failures, failures
    assert all("_" not in prop for prop in failures)


def test_a_missing_credential_fails_check(emu: Emulator,
                                          plugin: Stub) -> None:
    stub = plugin
    failures = failures_of(stub, {"clientId": emu.demo.client_id, "baseUrl": emu.base_url})
    assert "clientSecret" in failures


def test_provider_configuration_gives_the_credentials(emu: Emulator) -> None:
    process = PluginProcess(EXECUTABLE, env=clean_env())
    with process as stub:
        stub.configure({"clientId": emu.demo.client_id, "clientSecret": emu.demo.client_secret,
                        "baseUrl": emu.base_url}, secret=("clientSecret",))
        inputs = checked(stub, {})
        assert values(inputs)["clientSecret"].is_secret
        created = stub.create(inputs)
        assert emu.is_active(str(values(created.properties)["accessToken"].value))
        stub.delete(created.id, created.properties)


def test_the_environment_gives_the_credentials(emu: Emulator) -> None:
    process = PluginProcess(EXECUTABLE, env=clean_env(
        ANYPOINT_CLIENT_ID=emu.demo.client_id, ANYPOINT_CLIENT_SECRET=emu.demo.client_secret,
        ANYPOINT_BASE_URL=emu.base_url))
    with process as stub:
        stub.configure()
        inputs = values(checked(stub, {}))
        assert inputs["clientId"] == PropertyValue(emu.demo.client_id)
        assert inputs["clientSecret"].is_secret


def engine() -> Path:
    """The built engine's directory (``make engine``), or a skip saying why there is none."""
    import subprocess

    given = os.environ.get("ANYPOINT_PULUMI_ENGINE")
    if given:
        return Path(given)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "engine" / "build.py"), "--no-build",
                           "--python", sys.executable], capture_output=True, text=True,
                          check=False, timeout=120)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no engine under CI: {done.stderr.strip()}")
        pytest.skip("no Pulumi engine built here (make engine)")
    return Path(lines[-1])


@pytest.mark.cli
@pytest.mark.timeout(300)
def test_pulumi_package_get_schema_returns_the_schema(tmp_path: Path) -> None:
    import json
    import subprocess

    pulumi = engine() / "pulumi"
    done = subprocess.run(
        [str(pulumi), "package", "get-schema", str(EXECUTABLE)], capture_output=True,
        text=True, check=False, timeout=240, cwd=tmp_path,
        env=clean_env(PULUMI_HOME=str(tmp_path / "home"), PULUMI_SKIP_UPDATE_CHECK="true",
                      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == schema.schema()
