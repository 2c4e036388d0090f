"""``engine/build.py`` (``make engine``): which engine it picks, what it says when it cannot, and
that only a finished build is ever reused. Fake ``pulumi`` and ``go`` commands stand in for the
real ones, so these run in milliseconds; the real build is exercised by ``make test`` itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "engine" / "build.py"
PIN = re.search(r"github.com/pulumi/pulumi/pkg/v3 (v\S+)", (ROOT / "engine" / "go.mod").read_text())
assert PIN
VERSION = PIN.group(1)


def fake(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    path.chmod(0o755)


def run(tmp_path: Path, *args: str,
        path: list[Path] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "PULUMI"))}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"),
               PATH=os.pathsep.join([*map(str, path or []), "/usr/bin", "/bin"]))
    return subprocess.run([sys.executable, str(BUILD), "--python", sys.executable, *args],
                          env=env, capture_output=True, text=True, timeout=60, check=False)


def sdk_version() -> str:
    from importlib.metadata import version

    return version("pulumi")


def test_users_get_a_range_and_the_tests_an_exact_sdk_no_newer_than_the_engine() -> None:
    # pyproject.toml: what users' resolvers see (pulumi-random's shape, >=3.x,<4); the exact SDK
    # the tests install is pinned in constraints.txt, next to the engine's pin.
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'"pulumi>=3\.\d+,<4"', pyproject), "pyproject.toml: pulumi>=3.x,<4"
    pinned = re.search(r"^pulumi==([\d.]+)$", (ROOT / "constraints.txt").read_text(), re.M)
    assert pinned, "constraints.txt must pin pulumi=="
    as_tuple = [tuple(int(x) for x in v.lstrip("v").split(".")[:3])
                for v in (pinned.group(1), VERSION)]
    assert as_tuple[0] <= as_tuple[1]
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()


def test_the_installed_sdk_is_not_newer_than_the_engine() -> None:
    as_tuple = [tuple(int(x) for x in v.lstrip("v").split(".")[:3])
                for v in (sdk_version(), VERSION)]
    assert as_tuple[0] <= as_tuple[1]


def test_a_new_enough_pulumi_on_path_is_used_and_printed_last(tmp_path: Path) -> None:
    users = tmp_path / "users-bin"
    fake(users, "pulumi", "echo v9.9.9\n")
    fake(users, "pulumi-resource-pulumi-python", "exit 0\n")
    done = run(tmp_path, path=[users])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(users)
    assert "using pulumi v9.9.9 from PATH" in done.stderr


def test_a_too_old_pulumi_names_the_version_found_and_the_one_needed(tmp_path: Path) -> None:
    users = tmp_path / "users-bin"
    fake(users, "pulumi", "echo v3.1.0\n")
    fake(users, "pulumi-resource-pulumi-python", "exit 0\n")
    done = run(tmp_path, "--no-build", path=[users])
    assert done.returncode == 3
    assert f"pulumi v3.1.0 on PATH ({users}/pulumi) is older than v{sdk_version()}" in done.stderr
    assert done.stdout == ""


def test_neither_pulumi_nor_go_exits_3_and_says_what_to_install(tmp_path: Path) -> None:
    done = run(tmp_path)
    assert done.returncode == 3
    assert "no `pulumi` on PATH and no `go`" in done.stderr
    assert "Install Go" in done.stderr


@pytest.mark.parametrize(("stderr", "said"), [
    ("go: github.com/pulumi/pulumi/pkg/v3@v3.274.1: reading https://proxy.example/x: 403 "
     "Forbidden", "does not serve github.com/pulumi/pulumi/pkg/v3@v3.274.1"),
    ("go: github.com/pulumi/pulumi/sdk/v3@v3.274.1: dial tcp: lookup proxy.example: no such host",
     "could not be reached while fetching github.com/pulumi/pulumi/sdk/v3@v3.274.1"),
])
def test_a_failed_download_names_the_step_the_module_and_the_registry(
        tmp_path: Path, stderr: str, said: str) -> None:
    tools = tmp_path / "tools"
    fake(tools, "go", f"""\
        case "$1" in
          env) echo off-for-test ;;
          *) echo "{stderr}" >&2; exit 1 ;;
        esac
        """)
    done = run(tmp_path, path=[tools])
    assert done.returncode == 1
    assert "step 'download modules' failed" in done.stderr
    assert said in done.stderr
    assert "GOPROXY=off-for-test" in done.stderr
    assert not list((tmp_path / "cache").rglob("pulumi"))  # nothing half-built left behind


def test_a_failed_build_step_leaves_no_engine_behind(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    fake(tools, "go", """\
        case "$1" in
          mod) exit 0 ;;
          env) echo off ;;
          build) echo "cmd/pulumi/main.go:1: undefined: something" >&2; exit 1 ;;
        esac
        """)
    done = run(tmp_path, path=[tools])
    assert done.returncode == 1
    assert "step 'build pulumi' failed" in done.stderr
    assert f"github.com/pulumi/pulumi/pkg/v3@{VERSION}" in done.stderr
    engine_dir = tmp_path / "cache" / "anypoint-pulumi" / "engine"
    assert [p.name for p in engine_dir.iterdir()] == []


def finished_build(tmp_path: Path, stamp: str) -> Path:
    target = tmp_path / "cache" / "anypoint-pulumi" / "engine" / VERSION
    fake(target / "bin", "pulumi", f"echo {VERSION}\n")
    fake(target / "bin", "pulumi-resource-pulumi-python", "exit 0\n")
    fake(target / "bin", "pulumi-language-python-exec", "exit 0\n")
    (target / "stamp").write_text(stamp)
    return target


def current_stamp() -> str:
    sys.path.insert(0, str(BUILD.parent))
    try:
        import build as recipe  # engine/build.py

        return recipe.stamp_of(VERSION)
    finally:
        sys.path.remove(str(BUILD.parent))
        sys.modules.pop("build", None)


def test_a_finished_build_is_reused_without_running_go(tmp_path: Path) -> None:
    target = finished_build(tmp_path, current_stamp())
    tools = tmp_path / "tools"
    fake(tools, "go", "echo go must not run >&2; exit 1\n")
    done = run(tmp_path, path=[tools])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(target / "bin")
    assert "reusing the finished build" in done.stderr


@pytest.mark.parametrize("stamp", ["", f"{VERSION} an-older-pin\n"])
def test_a_build_without_the_current_stamp_is_never_reused(tmp_path: Path, stamp: str) -> None:
    finished_build(tmp_path, stamp)
    done = run(tmp_path, "--no-build")
    assert done.returncode == 3
    assert "no pulumi" in done.stderr and "built yet" in done.stderr
