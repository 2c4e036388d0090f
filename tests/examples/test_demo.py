"""`scripts/demo.py` (what `make demo` runs), end to end in a subprocess, without a pulumi CLI.

Each run is bounded in time; each checks the printed outputs, that the token is masked (and
revealed only when asked), that the run says plainly it was not a real deployment, and that the
emulator process it started is gone afterwards, after success, failure and SIGTERM alike.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo.py"
TIMEOUT = 120
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
EMULATOR_LINE = re.compile(r"Emulator \(pid (\d+)\) listening on (http://127\.0\.0\.1:\d+)")


def without_pulumi_cli() -> dict[str, str]:
    """The environment minus any PATH entry holding a `pulumi` executable."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and not os.access(os.path.join(p, "pulumi"), os.X_OK)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANYPOINT_", "PULUMI_"))}
    return {**env, "PATH": os.pathsep.join(path)}


def demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(DEMO), *args], cwd=ROOT, env=without_pulumi_cli(),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def output_value(stdout: str, name: str) -> str:
    match = re.search(rf"^\s+{name}\s+(\S+)\s*$", stdout, re.MULTILINE)
    assert match, f"{name} not printed:\n{stdout}"
    return match.group(1)


def emulator_pid(stdout: str) -> int:
    match = EMULATOR_LINE.search(stdout)
    assert match, stdout
    return int(match.group(1))


def assert_gone(pid: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"the emulator process {pid} is still running")


def test_demo_without_an_engine_says_so_and_runs_the_program_under_mocks() -> None:
    result = demo()
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert ("no Pulumi engine (no pulumi CLI on PATH and no Go to build one with `make engine`): "
            "running the same program under Pulumi's testing runtime (mocks) with the real "
            "provider against the emulator — not a real deployment") in out
    assert "after a real `pulumi up`" not in out
    assert output_value(out, "accessToken") == "[secret]"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", output_value(out, "expiresAt"))
    org_id, env_id = output_value(out, "organizationId"), output_value(out, "environmentId")
    assert UUID.fullmatch(org_id) and UUID.fullmatch(env_id) and org_id != env_id
    # The only UUIDs printed are the two ids: the token (a UUID too) appears nowhere.
    assert set(UUID.findall(out + result.stderr)) == {org_id, env_id}
    assert "To reveal it: make demo DEMO_ARGS=--show-secrets" in out
    assert_gone(emulator_pid(out))
    assert f"Emulator (pid {emulator_pid(out)}) stopped." in out


def test_show_secrets_reveals_the_token() -> None:
    result = demo("--show-secrets")
    assert result.returncode == 0, result.stdout + result.stderr
    token = output_value(result.stdout, "accessToken")
    assert UUID.fullmatch(token)
    assert "The token is masked" not in result.stdout
    assert_gone(emulator_pid(result.stdout))


def test_a_failing_run_exits_non_zero_and_stops_the_emulator() -> None:
    result = demo("--environment", "NoSuchEnvironment")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "demo failed:" in out and "NoSuchEnvironment" in out
    assert "Traceback" not in out + result.stderr
    assert_gone(emulator_pid(out))


def test_mode_cli_without_an_engine_is_a_usage_error() -> None:
    result = demo("--mode", "cli")
    assert result.returncode == 2
    assert "--mode cli needs a Pulumi engine: run `make engine`" in result.stdout
    assert "listening on" not in result.stdout  # nothing was started


def test_sigterm_stops_the_kept_emulator() -> None:
    process = subprocess.Popen([sys.executable, str(DEMO), "--keep-emulator"], cwd=ROOT,
                               env=without_pulumi_cli(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        seen = ""
        deadline = time.monotonic() + TIMEOUT
        while "Press Ctrl-C to stop it." not in seen and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen += line
        pid = emulator_pid(seen)
        os.kill(pid, 0)  # still serving while the demo holds it
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, seen + rest
    assert f"Emulator (pid {pid}) stopped." in rest
    assert_gone(pid)
