"""Every example program (and the quickstart) run against the emulator under the testing runtime.

Each test runs the example's own ``__main__.py`` with the config a user would set, through
:func:`tests.examples.harness.run_example` (Pulumi's mocks, with AnypointToken's real provider
logging in to the emulator), and checks the stack outputs: the token secret and working, the ids
right, the rest plain.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pulumi
import pytest

from anypoint_pulumi.access.errors import TransportError
from anypoint_pulumi.access.settings import resolve_base_url
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import TOKEN_TYPE, CheckFailedError
from tests.examples.harness import EXAMPLES, RecordingMocks, client_config, run_example

ROOT = EXAMPLES.parent
PLUGIN_EXAMPLES = {"yaml-token", "typescript-token", "go-token"}
"""Programs in other languages, through the plugin: run by tests/plugin_e2e/test_examples.py."""
EVERY_EXAMPLE = sorted(p.name for p in EXAMPLES.iterdir()
                       if (p / "Pulumi.yaml").exists() and p.name not in PLUGIN_EXAMPLES)


def assert_token(run: Any, emu: Emulator, grant: str) -> str:
    token = run.value("accessToken")
    assert run.secret("accessToken"), "the token must be a secret output"
    assert isinstance(token, str) and emu.is_active(token)
    assert emu.token_grant(token) == grant
    return token


# --------------------------------------------------------------------------------------------
# The layout every example shares
# --------------------------------------------------------------------------------------------


def test_every_example_is_tested_here() -> None:
    tested = {"client-credentials", "user-context", "saml", "token-handoff", "ci-pipeline",
              "control-planes", "testing", "api-lookup"}
    assert set(EVERY_EXAMPLE) == tested


@pytest.mark.parametrize("example", EVERY_EXAMPLE)
def test_example_is_a_runnable_project(example: str) -> None:
    folder = EXAMPLES / example
    for name in ("Pulumi.yaml", "__main__.py", "requirements.txt", "README.md"):
        assert (folder / name).is_file(), f"{example}/{name} is missing"
    settings = (folder / "Pulumi.yaml").read_text()
    assert "name: python" in settings and "virtualenv:" in settings
    requirements = (folder / "requirements.txt").read_text()
    assert "-e ../.." in requirements and "anypoint-pulumi" in requirements


def test_root_project_is_the_quickstart() -> None:
    settings = (ROOT / "Pulumi.yaml").read_text()
    assert "name: anypoint-quickstart" in settings
    assert "virtualenv: .venv" in settings and "main:" not in settings
    assert (ROOT / "__main__.py").is_file() and (ROOT / "requirements.txt").is_file()


# --------------------------------------------------------------------------------------------
# The quickstart (root project)
# --------------------------------------------------------------------------------------------


def test_quickstart(emulator: Emulator) -> None:
    run = run_example("", client_config(emulator), secret_keys=("anypoint:clientSecret",),
                      program=ROOT / "__main__.py", project="anypoint-quickstart")
    assert_token(run, emulator, "client_credentials")
    assert run.value("organizationId") == emulator.demo.organization_id
    assert run.value("environmentId") == emulator.demo.sandbox_environment_id
    assert run.value("expiresAt").endswith("Z")
    assert not any(run.secret(name) for name in ("expiresAt", "organizationId", "environmentId"))


def test_quickstart_environment_by_name(emulator: Emulator) -> None:
    config = {**client_config(emulator), "environment": "Production"}
    run = run_example("", config, program=ROOT / "__main__.py", project="anypoint-quickstart")
    assert run.value("environmentId") == emulator.demo.production_environment_id


# --------------------------------------------------------------------------------------------
# client-credentials
# --------------------------------------------------------------------------------------------


def test_client_credentials(emulator: Emulator) -> None:
    run = run_example("client-credentials", client_config(emulator),
                      secret_keys=("anypoint:clientSecret",))
    assert_token(run, emulator, "client_credentials")
    assert run.value("grantType") == "client_credentials"
    assert run.value("clientName") == "Demo CI app"
    assert run.value("organizationId") == emulator.demo.organization_id
    assert run.value("environmentId") == emulator.demo.sandbox_environment_id
    assert not run.secret("organizationId") and not run.secret("environmentId")
    # One login, and get_profile answered from /me in one request (the token knows its kind).
    assert emulator.count("/accounts/api/v2/oauth2/token") == 1
    assert emulator.count("/accounts/api/profile") == 0


def test_client_credentials_requires_its_config(emulator: Emulator) -> None:
    with pytest.raises(pulumi.ConfigMissingError, match="anypoint:clientId"):
        run_example("client-credentials", {"anypoint:baseUrl": emulator.base_url})


def test_client_credentials_wrong_secret_fails_clearly(emulator: Emulator) -> None:
    config = {**client_config(emulator), "anypoint:clientSecret": "not-the-secret"}
    with pytest.raises(Exception, match="client-credentials login failed") as caught:
        run_example("client-credentials", config, secret_keys=("anypoint:clientSecret",))
    assert "not-the-secret" not in str(caught.value)


# --------------------------------------------------------------------------------------------
# user-context
# --------------------------------------------------------------------------------------------


def user_config(emu: Emulator, *, connected_app: bool, username: str | None = None,
                password: str | None = None) -> dict[str, str]:
    config = {
        "anypoint:baseUrl": emu.base_url,
        "anypoint:username": username or emu.demo.username,
        "anypoint:password": password or emu.demo.password,
    }
    if connected_app:
        config["anypoint:clientId"] = emu.demo.user_app_client_id
        config["anypoint:clientSecret"] = emu.demo.user_app_client_secret
    return config


def test_user_context_password_grant(emulator: Emulator) -> None:
    run = run_example("user-context", user_config(emulator, connected_app=True),
                      secret_keys=("anypoint:password", "anypoint:clientSecret"))
    assert_token(run, emulator, "password")
    assert run.value("grantType") == "password"
    assert run.value("username") == emulator.demo.username
    assert run.value("organizationId") == emulator.demo.organization_id


def test_user_context_password_grant_works_for_mfa_users(emulator: Emulator) -> None:
    config = user_config(emulator, connected_app=True, username=emulator.demo.mfa_username,
                         password=emulator.demo.mfa_password)
    run = run_example("user-context", config)
    assert_token(run, emulator, "password")
    assert run.value("username") == emulator.demo.mfa_username


def test_user_context_legacy_login(emulator: Emulator) -> None:
    run = run_example("user-context", user_config(emulator, connected_app=False),
                      secret_keys=("anypoint:password",))
    assert_token(run, emulator, "login")
    assert run.value("grantType") == "login"
    assert run.value("username") == emulator.demo.username


def test_user_context_legacy_login_mfa_caveat(emulator: Emulator) -> None:
    config = user_config(emulator, connected_app=False, username=emulator.demo.mfa_username,
                         password=emulator.demo.mfa_password)
    with pytest.raises(Exception, match="multi-factor authentication") as caught:
        run_example("user-context", config)
    assert "connected app" in str(caught.value)
    assert emulator.demo.mfa_password not in str(caught.value)


# --------------------------------------------------------------------------------------------
# saml
# --------------------------------------------------------------------------------------------


def test_saml(emulator: Emulator) -> None:
    config = {"anypoint:baseUrl": emulator.base_url,
              "samlResponse": emulator.saml_response(emulator.demo.saml_username)}
    run = run_example("saml", config, secret_keys=("samlResponse",))
    assert_token(run, emulator, "saml")
    assert run.value("grantType") == "saml"
    assert run.value("username") == emulator.demo.saml_username
    assert emulator.count("/accounts/login/receive-id", method="POST") == 1


def test_saml_organization_specific_endpoint(emulator: Emulator) -> None:
    config = {"anypoint:baseUrl": emulator.base_url,
              "samlResponse": emulator.saml_response(emulator.demo.saml_username),
              "samlOrgDomain": emulator.demo.saml_org_domain,
              "samlProviderId": emulator.demo.saml_provider_id}
    run = run_example("saml", config, secret_keys=("samlResponse",))
    assert_token(run, emulator, "saml")
    path = (f"/accounts/login/{emulator.demo.saml_org_domain}/providers/"
            f"{emulator.demo.saml_provider_id}/receive-id")
    assert emulator.count(path, method="POST") == 1


def test_saml_needs_a_response(emulator: Emulator) -> None:
    with pytest.raises(pulumi.ConfigMissingError, match="samlResponse"):
        run_example("saml", {"anypoint:baseUrl": emulator.base_url})


# --------------------------------------------------------------------------------------------
# token-handoff
# --------------------------------------------------------------------------------------------


class CommandProviderStandIn(pulumi.runtime.Mocks):
    """Plays pulumi-command's provider for ``command:local:Command``: runs ``create`` in a shell
    with the given ``environment``, as the provider does, and returns its stdout."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        assert args.typ == "command:local:Command", args.typ
        environment = {key: _plain(value) for key, value in
                       _plain(args.inputs.get("environment") or {}).items()}
        done = subprocess.run(["/bin/sh", "-c", args.inputs["create"]], capture_output=True,
                              text=True, timeout=30, check=True,
                              env={"PATH": "/usr/bin:/bin", **environment})
        return f"{args.name}-id", {**args.inputs, "stdout": done.stdout.strip(),
                                   "stderr": done.stderr.strip()}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def _plain(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) and "value" in value else value


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(
        pulumi.runtime.rpc._special_sig_key) == pulumi.runtime.rpc._special_secret_sig


@pytest.fixture
def pulumi_command(monkeypatch: pytest.MonkeyPatch) -> str:
    """The real ``pulumi_command`` package when installed; otherwise a stand-in module that
    declares ``command:local:Command`` with the same inputs as the real SDK's."""
    if importlib.util.find_spec("pulumi_command") is not None:
        return "real"

    class Command(pulumi.CustomResource):
        def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, *,
                     create: pulumi.Input[str] | None = None,
                     environment: pulumi.Input[dict[str, Any]] | None = None,
                     triggers: pulumi.Input[list[Any]] | None = None, **rest: Any) -> None:
            props = {"create": create, "environment": environment, "triggers": triggers,
                     **rest, "stdout": None, "stderr": None}
            super().__init__("command:local:Command", resource_name, props, opts)

        @property
        @pulumi.getter
        def stdout(self) -> pulumi.Output[str]:
            return pulumi.get(self, "stdout")  # type: ignore[no-any-return]

    module = types.ModuleType("pulumi_command")
    module.local = types.SimpleNamespace(Command=Command)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pulumi_command", module)
    return "stand-in"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the example's command uses curl")
def test_token_handoff(emulator: Emulator, pulumi_command: str) -> None:
    mocks = RecordingMocks(fallback=CommandProviderStandIn())
    run = run_example("token-handoff", client_config(emulator), mocks=mocks)
    token = assert_token(run, emulator, "client_credentials")
    (command,) = mocks.of_type("command:local:Command")
    # The token reaches the command in its environment, which the secret token makes secret as a
    # whole (encrypted in state, masked in output), and never in its command line.
    assert _is_secret(command.inputs["environment"])
    environment = _plain(command.inputs["environment"])
    assert _plain(environment["ANYPOINT_ACCESS_TOKEN"]) == token
    assert token not in command.inputs["create"]
    assert "$ANYPOINT_ACCESS_TOKEN" in command.inputs["create"]
    assert environment["ANYPOINT_BASE_URL"] == emulator.base_url
    assert environment["ANYPOINT_ENV_ID"] == emulator.demo.sandbox_environment_id
    # The command really called /me with the bearer token: the emulator answered for the app.
    assert emulator.demo.client_id in run.value("whoAmI")
    assert emulator.count("/accounts/api/me", status=200) >= 1
    assert run.value("environmentId") == emulator.demo.sandbox_environment_id


# --------------------------------------------------------------------------------------------
# ci-pipeline (the program; deploy.sh is tested in test_ci_script.py)
# --------------------------------------------------------------------------------------------


def test_ci_pipeline_reads_credentials_from_the_environment(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", emulator.demo.client_id)
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", emulator.demo.client_secret)
    monkeypatch.setenv("ANYPOINT_BASE_URL", emulator.base_url)
    run = run_example("ci-pipeline", {})
    assert_token(run, emulator, "client_credentials")
    assert run.value("organizationId") == emulator.demo.organization_id
    (token,) = run.mocks.of_type(TOKEN_TYPE)
    assert token.inputs["renew_before_seconds"] == 1800


def test_ci_pipeline_exports_what_deploy_sh_hands_on(emulator: Emulator,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", emulator.demo.client_id)
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", emulator.demo.client_secret)
    monkeypatch.setenv("ANYPOINT_BASE_URL", emulator.base_url)
    run = run_example("ci-pipeline", {"environment": "Production"})
    assert (run.value("environmentName"), run.value("environmentId")) == (
        "Production", emulator.demo.production_environment_id)
    assert run.value("baseUrl") == emulator.base_url
    script = (EXAMPLES / "ci-pipeline" / "deploy.sh").read_text()
    for output in ("accessToken", "organizationId", "environmentName", "environmentId",
                   "baseUrl", "expiresAt"):
        assert f"output {output}" in script, output
        assert output in run.outputs


def test_ci_pipeline_stack_config_wins_over_the_environment(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANYPOINT_CLIENT_ID", "not-this-one")
    monkeypatch.setenv("ANYPOINT_CLIENT_SECRET", "not-this-either")
    run = run_example("ci-pipeline", client_config(emulator))
    assert_token(run, emulator, "client_credentials")


# --------------------------------------------------------------------------------------------
# api-lookup
# --------------------------------------------------------------------------------------------

LOCAL_FILE = "pulumi-python:dynamic/local:File"


def test_api_lookup_reads_the_api_instance_and_gives_it_to_a_resource(
        emulator: Emulator) -> None:
    run = run_example("api-lookup", client_config(emulator),
                      secret_keys=("anypoint:clientSecret",))
    assert run.value("apiId") == str(emulator.demo.api_instance_id)
    assert run.value("environmentId") == emulator.demo.sandbox_environment_id
    assert not run.secret("apiId")
    (properties,) = run.mocks.of_type(LOCAL_FILE)
    assert f"api.id={emulator.demo.api_instance_id}" in properties.inputs["content"]
    assert properties.inputs["path"].endswith("build/autodiscovery.properties")
    # One login (a token for this run, no AnypointToken), then only reads.
    assert run.mocks.of_type(TOKEN_TYPE) == []
    assert [(r.method, r.path) for r in emulator.requests if r.method != "GET"] == [
        ("POST", "/accounts/api/v2/oauth2/token")]


def test_api_lookup_of_an_asset_without_an_instance_names_the_ones_there(
        emulator: Emulator) -> None:
    config = {**client_config(emulator), "assetId": "no-such-api"}
    with pytest.raises(ValueError, match="no instance of Exchange asset 'no-such-api'") as caught:
        run_example("api-lookup", config)
    assert "demo-orders-api" in str(caught.value)


# --------------------------------------------------------------------------------------------
# control-planes
# --------------------------------------------------------------------------------------------


def test_private_cloud_edition_over_tls_with_a_private_ca(tls_emulator: Emulator) -> None:
    # The emulator stands in for a PCE install behind a private CA: HTTPS, a certificate from a
    # CA only caBundle names. The token logs in and the data function reads through it.
    config = {"anypoint:clientId": tls_emulator.demo.client_id,
              "anypoint:clientSecret": tls_emulator.demo.client_secret,
              "baseUrl": tls_emulator.base_url, "caBundle": tls_emulator.ca_bundle}
    run = run_example("control-planes", config, secret_keys=("anypoint:clientSecret",))
    assert_token(run, tls_emulator, "client_credentials")
    assert run.value("baseUrl") == tls_emulator.base_url
    assert run.value("organizationId") == tls_emulator.demo.organization_id
    (token,) = run.mocks.of_type(TOKEN_TYPE)
    assert token.inputs["ca_bundle"] == tls_emulator.ca_bundle
    assert tls_emulator.count("/accounts/api/me", status=200) == 1


def test_private_cloud_edition_without_its_ca_fails_naming_ca_bundle(
        tls_emulator: Emulator) -> None:
    config = {"anypoint:clientId": tls_emulator.demo.client_id,
              "anypoint:clientSecret": tls_emulator.demo.client_secret,
              "baseUrl": tls_emulator.base_url}
    with pytest.raises(TransportError, match="ca_bundle"):
        run_example("control-planes", config, secret_keys=("anypoint:clientSecret",))


def test_eu_region(emulator: Emulator) -> None:
    # The EU cloud cannot be reached from here: the provider's check validates region=eu, then
    # AnypointMocks(base_url=...) logs in at the emulator instead.
    config = {"anypoint:clientId": emulator.demo.client_id,
              "anypoint:clientSecret": emulator.demo.client_secret, "region": "eu"}
    run = run_example("control-planes", config,
                      mocks=RecordingMocks(base_url=emulator.base_url))
    (token,) = run.mocks.of_type(TOKEN_TYPE)
    assert token.inputs["region"] == "eu" and token.inputs.get("base_url") is None
    assert resolve_base_url("eu") == "https://eu1.anypoint.mulesoft.com"
    assert_token(run, emulator, "client_credentials")


def test_region_and_base_url_are_exclusive(emulator: Emulator) -> None:
    config = {"anypoint:clientId": emulator.demo.client_id,
              "anypoint:clientSecret": emulator.demo.client_secret,
              "region": "eu", "baseUrl": emulator.base_url}
    with pytest.raises(CheckFailedError, match="region and base_url are both set"):
        run_example("control-planes", config)


# --------------------------------------------------------------------------------------------
# testing: the example's own pytest suite, and its program
# --------------------------------------------------------------------------------------------


def test_testing_example_program(emulator: Emulator) -> None:
    config = {**client_config(emulator), "environments": ["Sandbox"]}
    run = run_example("testing", config)
    assert_token(run, emulator, "client_credentials")
    assert run.value("targets") == {"Sandbox": emulator.demo.sandbox_environment_id}


def test_testing_example_suite_passes() -> None:
    folder = EXAMPLES / "testing"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_testing_example_has_its_own_pytest_config() -> None:
    assert (Path(EXAMPLES / "testing" / "pytest.ini")).is_file()
