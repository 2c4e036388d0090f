"""examples/ci-pipeline/deploy.sh, with a fake `pulumi` on PATH that records its calls.

No real pulumi CLI runs here: the fake answers `stack output` with a canary token, so these tests
check the script's own logic: the calls it makes, in order; that the token reaches the next step
(environment or $GITHUB_ENV) and never its output; and that it stops at the first failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "ci-pipeline" / "deploy.sh"
TOKEN = "canary-token-5f3e1c0a-do-not-print"
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")

ORG = "0a1b2c3d-0000-4000-8000-00000000000a"
ENV_ID = "0a1b2c3d-0000-4000-8000-00000000000e"
HANDED_ON = {"ANYPOINT_ACCESS_TOKEN": TOKEN, "ANYPOINT_ORG": ORG, "ANYPOINT_ENV": "Sandbox",
             "ANYPOINT_ENV_ID": ENV_ID, "ANYPOINT_HOST": "eu1.anypoint.mulesoft.com"}

FAKE_PULUMI = f"""#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$PULUMI_CALLS"
case "$*" in
  "up "*) [[ -n "${{FAKE_UP_FAILS:-}}" ]] && {{ echo "error: update failed" >&2; exit 255; }} ;;
  "stack output accessToken --show-secrets"*) printf '%s\\n' "$FAKE_TOKEN" ;;
  "stack output organizationId"*) echo "{ORG}" ;;
  "stack output environmentName"*) echo "Sandbox" ;;
  "stack output environmentId"*) echo "{ENV_ID}" ;;
  "stack output baseUrl"*) echo "https://eu1.anypoint.mulesoft.com" ;;
  "stack output expiresAt"*) echo "2030-01-01T00:00:00Z" ;;
esac
exit 0
"""
OUTPUTS = ["accessToken --show-secrets", "organizationId", "environmentName", "environmentId",
           "baseUrl", "expiresAt"]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "pulumi"
    fake.write_text(FAKE_PULUMI)
    fake.chmod(0o755)
    environ = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PULUMI_CALLS": str(tmp_path / "calls"),
        "FAKE_TOKEN": TOKEN,
        "ANYPOINT_CLIENT_ID": "ci-app",
        "ANYPOINT_CLIENT_SECRET": "ci-secret",
        **env,
    }
    assert BASH is not None
    return subprocess.run([BASH, str(SCRIPT), *args], env=environ, capture_output=True,
                          text=True, timeout=60, check=False)


def calls(tmp_path: Path) -> list[str]:
    path = tmp_path / "calls"
    return path.read_text().splitlines() if path.exists() else []


def test_script_parses() -> None:
    assert BASH is not None
    subprocess.run([BASH, "-n", str(SCRIPT)], check=True, timeout=30)


def test_script_is_executable() -> None:
    assert os.access(SCRIPT, os.X_OK)


def test_up_then_the_names_tools_read_to_the_next_command_without_printing_the_token(
        tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    next_step = [sys.executable, "-c",
                 "import json, os, sys; json.dump({k: v for k, v in os.environ.items() "
                 "if k.startswith('ANYPOINT_') and not k.startswith('ANYPOINT_CLIENT')}, "
                 "open(sys.argv[1], 'w'))", str(seen)]
    result = run(tmp_path, *next_step, STACK="prod")
    assert result.returncode == 0, result.stderr
    assert calls(tmp_path) == [
        "stack select --create prod --non-interactive",
        "up --yes --non-interactive --skip-preview --stack prod",
        *(f"stack output {output} --stack prod" for output in OUTPUTS),
    ]
    assert json.loads(seen.read_text()) == HANDED_ON
    assert TOKEN not in result.stdout + result.stderr
    assert "valid until 2030-01-01T00:00:00Z" in result.stdout
    assert f"organization {ORG}, environment Sandbox on eu1.anypoint.mulesoft.com" in result.stdout


def test_the_old_anypoint_token_name_is_gone() -> None:
    assert "ANYPOINT_TOKEN" not in SCRIPT.read_text().replace("ANYPOINT_TOKEN_", "")


def test_github_actions_masks_the_token_and_exports_every_name(tmp_path: Path) -> None:
    github_env = tmp_path / "github_env"
    result = run(tmp_path, GITHUB_ENV=str(github_env))
    assert result.returncode == 0, result.stderr
    # The only line carrying the token is the ::add-mask:: workflow command, which the runner
    # consumes instead of printing (and which masks the value in every later log line).
    carrying = [line for line in (result.stdout + result.stderr).splitlines() if TOKEN in line]
    assert carrying == [f"::add-mask::{TOKEN}"]
    lines = github_env.read_text().splitlines()
    exported = {}
    for start in range(0, len(lines), 3):
        name, _, delimiter = lines[start].partition("<<")
        assert delimiter.startswith("ANYPOINT_") and lines[start + 2] == delimiter
        exported[name] = lines[start + 1]
    assert exported == HANDED_ON


def test_azure_pipelines_sets_the_token_as_a_secret_variable(tmp_path: Path) -> None:
    result = run(tmp_path, TF_BUILD="True")
    assert result.returncode == 0, result.stderr
    carrying = [line for line in (result.stdout + result.stderr).splitlines() if TOKEN in line]
    assert carrying == [
        f"##vso[task.setvariable variable=ANYPOINT_ACCESS_TOKEN;issecret=true]{TOKEN}"]
    assert f"##vso[task.setvariable variable=ANYPOINT_ORG]{ORG}" in result.stdout.splitlines()


@pytest.mark.parametrize("missing", ["ANYPOINT_CLIENT_ID", "ANYPOINT_CLIENT_SECRET"])
def test_missing_credentials_stop_before_pulumi(tmp_path: Path, missing: str) -> None:
    result = run(tmp_path, **{missing: ""})
    assert result.returncode != 0
    assert f"set {missing} from the pipeline secret store" in result.stderr
    assert calls(tmp_path) == []


def test_failed_up_stops_the_step(tmp_path: Path) -> None:
    result = run(tmp_path, "true", FAKE_UP_FAILS="1")
    assert result.returncode != 0
    assert [c.split()[0] for c in calls(tmp_path)] == ["stack", "up"]
    assert TOKEN not in result.stdout + result.stderr


def test_empty_token_fails(tmp_path: Path) -> None:
    result = run(tmp_path, "true", FAKE_TOKEN="")
    assert result.returncode == 1
    assert "no accessToken output" in result.stderr
