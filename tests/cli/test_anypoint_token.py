"""``anypoint-token``: logs in from the ANYPOINT_* environment and prints only the token (or
``--format env|json``) for a pipeline's shell steps; clear errors, never a secret."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from anypoint_pulumi.emulator import Emulator
from tests.cli.conftest import Run
from tests.secrets import new_canary, pem_body_lines


@pytest.fixture
def env(emulator: Emulator) -> dict[str, str]:
    """The demo connected app's credentials and the emulator's URL, as a pipeline sets them."""
    return {"ANYPOINT_CLIENT_ID": emulator.demo.client_id,
            "ANYPOINT_CLIENT_SECRET": emulator.demo.client_secret,
            "ANYPOINT_BASE_URL": emulator.base_url}


def test_it_prints_the_token_and_nothing_else(run: Run, env: dict[str, str],
                                             emulator: Emulator) -> None:
    status, out, err = run(env)

    assert status == 0 and err == ""
    assert out.endswith("\n") and out.count("\n") == 1
    assert emulator.is_active(out.strip())
    assert emulator.token_grant(out.strip()) == "client_credentials"


def test_env_format_gives_the_names_other_tools_read(run: Run, env: dict[str, str],
                                                    emulator: Emulator) -> None:
    status, out, _ = run(env, "--format", "env", "--environment", "Sandbox")

    words = shlex.split(out)
    assert words[::2] == ["export"] * (len(words) // 2)
    values = dict(word.split("=", 1) for word in words[1::2])
    assert status == 0
    assert emulator.is_active(values["ANYPOINT_ACCESS_TOKEN"])
    assert values["ANYPOINT_ORG"] == emulator.demo.organization_id
    assert values["ANYPOINT_HOST"] == emulator.base_url.split("://")[1]
    assert values["ANYPOINT_ENV"] == "Sandbox"
    assert values["ANYPOINT_ENV_ID"] == emulator.demo.sandbox_environment_id


def test_env_format_without_an_environment_names_none(run: Run, env: dict[str, str]) -> None:
    _, out, _ = run(env, "--format", "env")

    assert [line.split("=")[0] for line in out.splitlines()] == [
        "export ANYPOINT_ACCESS_TOKEN", "export ANYPOINT_ORG", "export ANYPOINT_HOST"]


def test_an_environment_name_with_a_space_is_shell_quoted(run: Run, env: dict[str, str],
                                                         emulator: Emulator) -> None:
    emulator.add_environment(emulator.demo.organization_id, "QA 2")

    _, out, _ = run(env, "--format", "env", "--environment", "QA 2")

    assert "export ANYPOINT_ENV='QA 2'" in out.splitlines()


def test_json_format_is_one_object_with_the_token_and_its_details(
        run: Run, env: dict[str, str], emulator: Emulator) -> None:
    _, out, _ = run(env, "--format", "json")

    found = json.loads(out)
    assert set(found) == {"access_token", "token_type", "grant_type", "issued_at", "expires_at",
                          "base_url", "organization_id"}
    assert found["grant_type"] == "client_credentials" and found["base_url"] == emulator.base_url


@pytest.mark.parametrize("flow", ["password", "login", "jwt_bearer", "jwt_bearer_key_file"])
def test_every_flow_the_environment_selects(run: Run, emulator: Emulator, tmp_path: Path,
                                            flow: str) -> None:
    demo = emulator.demo
    environ = {"ANYPOINT_BASE_URL": emulator.base_url}
    args: list[str] = []
    if flow == "password":
        environ.update(ANYPOINT_CLIENT_ID=demo.user_app_client_id,
                       ANYPOINT_CLIENT_SECRET=demo.user_app_client_secret,
                       ANYPOINT_USERNAME=demo.username, ANYPOINT_PASSWORD=demo.password)
    elif flow == "login":
        environ.update(ANYPOINT_USERNAME=demo.username, ANYPOINT_PASSWORD=demo.password)
    else:
        environ.update(ANYPOINT_CLIENT_ID=demo.jwt_client_id, ANYPOINT_USERNAME=demo.jwt_username,
                       ANYPOINT_IDENTITY_PROVIDER_ID=demo.jwt_identity_provider_id)
        if flow == "jwt_bearer":
            environ["ANYPOINT_PRIVATE_KEY"] = emulator.jwt_private_key.replace("\n", "\\n")
        else:
            environ["ANYPOINT_CLIENT_SECRET"] = "ignored: the key file selects the JWT grant"
            args = ["--private-key-file", demo.jwt_private_key_path]

    status, out, err = run(environ, *args)

    assert status == 0, err
    assert emulator.token_grant(out.strip()) == flow.removesuffix("_key_file")


def test_the_host_variable_of_the_anypoint_cli_names_the_plane(run: Run, emulator: Emulator,
                                                               env: dict[str, str]) -> None:
    host = emulator.base_url.split("://")[1]
    environ = {**env, "ANYPOINT_HOST": host}
    del environ["ANYPOINT_BASE_URL"]

    status, out, _ = run(environ)

    assert status == 0 and emulator.is_active(out.strip())


# Errors: one line, the field and the variable, never a secret ---------------------------------


def test_no_credentials_is_exit_2_naming_the_variables(run: Run) -> None:
    status, out, err = run({})

    assert (status, out) == (2, "")
    assert err.startswith("anypoint-token: no credentials given")
    assert "ANYPOINT_CLIENT_ID" in err and err.count("\n") == 1


def test_a_missing_half_names_the_variable_to_set(run: Run, env: dict[str, str]) -> None:
    del env["ANYPOINT_CLIENT_SECRET"]

    status, _, err = run(env)

    assert status == 2
    assert "client_secret is required with client_id" in err
    assert "(client_secret comes from ANYPOINT_CLIENT_SECRET)" in err


def test_an_unknown_control_plane_is_exit_2_naming_it(run: Run, env: dict[str, str]) -> None:
    del env["ANYPOINT_BASE_URL"]

    status, _, err = run({**env, "ANYPOINT_CPLANE": "mars"})

    assert status == 2 and "unknown region 'mars'" in err and "ANYPOINT_CPLANE" in err


def test_a_refused_login_is_exit_1_without_the_secret(run: Run, env: dict[str, str]) -> None:
    wrong = new_canary("secret")

    status, out, err = run({**env, "ANYPOINT_CLIENT_SECRET": wrong})

    assert (status, out) == (1, "")
    assert "client-credentials login failed: Login refused" in err
    assert wrong not in err


def test_a_malformed_private_key_is_exit_2_without_the_key(run: Run, emulator: Emulator) -> None:
    broken = emulator.jwt_private_key.replace("m", "?")  # the body only: no 'm' in the armour
    environ = {"ANYPOINT_BASE_URL": emulator.base_url, "ANYPOINT_PRIVATE_KEY": broken,
               "ANYPOINT_CLIENT_ID": emulator.demo.jwt_client_id, "ANYPOINT_USERNAME": "u",
               "ANYPOINT_IDENTITY_PROVIDER_ID": "idp"}

    status, out, err = run(environ)

    assert (status, out) == (2, "")
    assert "private_key is not a readable PEM private key" in err
    assert "(private_key comes from ANYPOINT_PRIVATE_KEY)" in err
    assert not any(line in err for line in pem_body_lines(broken))


def test_an_unreadable_key_file_is_exit_2(run: Run, env: dict[str, str]) -> None:
    status, _, err = run(env, "--private-key-file", "/nonexistent/key.pem")

    assert status == 2 and "--private-key-file /nonexistent/key.pem: cannot read it" in err


def test_an_unknown_environment_is_exit_2_and_prints_no_token(run: Run,
                                                              env: dict[str, str]) -> None:
    status, out, err = run(env, "--format", "env", "--environment", "sandbox")

    assert (status, out) == (2, "")
    assert "--environment 'sandbox': no environment of that name" in err


def test_an_unreachable_control_plane_is_exit_1(run: Run, env: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import anypoint_pulumi.access.settings as settings_module
    from anypoint_pulumi.access.settings import RetryPolicy

    monkeypatch.setattr(settings_module, "retry_policy",  # only the schedule: one quick retry
                        lambda timeout: RetryPolicy(retries=1, backoff_factor=0.01))
    status, _, err = run({**env, "ANYPOINT_BASE_URL": "http://127.0.0.1:9"}, "--timeout", "1")

    assert status == 1 and "Could not reach Anypoint" in err


# The installed console script --------------------------------------------------------------------


def test_the_console_script_hands_the_token_to_a_shell_step(env: dict[str, str],
                                                           emulator: Emulator) -> None:
    script = Path(sys.executable).parent / "anypoint-token"
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    step = (f'set -euo pipefail; eval "$({shlex.quote(str(script))} --format env)"; '
            'curl -sf -H "Authorization: Bearer $ANYPOINT_ACCESS_TOKEN" '
            '"$ANYPOINT_BASE_URL/accounts/api/me"')

    done = subprocess.run([bash, "-c", step], env={"PATH": "/usr/bin:/bin", **env},
                          capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode == 0, done.stderr
    me: dict[str, Any] = json.loads(done.stdout)
    assert me["client"]["client_id"] == emulator.demo.client_id
