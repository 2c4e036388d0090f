"""The committed SDKs (``sdk/``) are what the schema generates, and sdkgen is pinned like the
engine. Regenerating builds sdkgen once per source hash into the user cache (seconds with a warm
Go module cache; the Go module proxy is the only network it may use)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDKS = ROOT / "sdkgen" / "sdks.py"
LANGUAGES = ("nodejs", "python", "go")


def pins(go_mod: Path) -> dict[str, str]:
    text = go_mod.read_text()
    return {module: found.group(1) for module in ("github.com/pulumi/pulumi/pkg/v3",
                                                  "github.com/pulumi/pulumi/sdk/v3")
            if (found := re.search(rf"^\s*(?:require\s+)?{re.escape(module)} (v\S+)", text,
                                   re.MULTILINE))}


def tree(root: Path, git: bool = False) -> dict[str, bytes]:
    """The files under ``root``; with ``git``, only those git does not ignore (an installed
    SDK's node_modules/, bin/, build/ are not part of it)."""
    if git and (root / ".." / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                                 "-z", "."], cwd=root, capture_output=True, check=True).stdout
        paths = [root / name for name in listed.decode().split("\0") if name]
    else:
        paths = list(root.rglob("*"))
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(paths) if path.is_file()}


def differences(committed: Path, generated: Path) -> list[str]:
    """What differs between two SDK trees: missing, extra and changed files."""
    old, new = tree(committed, git=True), tree(generated)
    return ([f"missing from sdk/: {name}" for name in sorted(new.keys() - old.keys())]
            + [f"not generated any more: {name}" for name in sorted(old.keys() - new.keys())]
            + [f"differs: {name}" for name in sorted(old.keys() & new.keys())
               if old[name] != new[name]])


def test_sdkgen_is_pinned_to_the_engines_pulumi() -> None:
    engine, sdkgen = pins(ROOT / "engine" / "go.mod"), pins(ROOT / "sdkgen" / "go.mod")
    assert engine["github.com/pulumi/pulumi/pkg/v3"] == sdkgen["github.com/pulumi/pulumi/pkg/v3"]
    assert engine["github.com/pulumi/pulumi/sdk/v3"] == sdkgen["github.com/pulumi/pulumi/sdk/v3"]


def test_the_comparison_notices_a_change(tmp_path: Path) -> None:
    (tmp_path / "a" / "x").mkdir(parents=True)
    (tmp_path / "a" / "x" / "f.ts").write_text("one")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert differences(tmp_path / "a", tmp_path / "b") == []
    (tmp_path / "b" / "x" / "f.ts").write_text("two")
    (tmp_path / "b" / "new.go").write_text("")
    assert differences(tmp_path / "a", tmp_path / "b") == [
        "missing from sdk/: new.go", "differs: x/f.ts"]


@pytest.mark.timeout(1200)  # a cold Go module cache downloads pkg/v3's modules once
def test_committed_sdks_are_what_the_schema_generates(tmp_path: Path) -> None:
    if shutil.which("go") is None and os.environ.get("CI") != "true":
        found = subprocess.run([sys.executable, str(SDKS), "--print-sdkgen"],
                               capture_output=True, text=True, check=False, timeout=60)
        if found.returncode != 0:
            pytest.skip("no `go` here to build sdkgen (install Go 1.26 or newer)")
    done = subprocess.run([sys.executable, str(SDKS), "--python", sys.executable,
                           "--out", str(tmp_path)],
                          capture_output=True, text=True, check=False, timeout=1200)
    assert done.returncode == 0, done.stderr
    problems = differences(ROOT / "sdk", tmp_path)
    assert not problems, ("sdk/ is not what the schema generates: run `make sdks` and commit "
                          "the result\n" + "\n".join(problems[:40]))
    for language in LANGUAGES:
        assert (tmp_path / language).is_dir()


@pytest.mark.timeout(300)
def test_the_python_sdk_installs_and_imports(tmp_path: Path) -> None:
    """The generated Python SDK builds (this environment's setuptools, no download) and its
    Token and functions import against this environment's pulumi."""
    target = tmp_path / "site"
    shutil.copytree(ROOT / "sdk" / "python", tmp_path / "src")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--no-build-isolation", "--no-index", "--target", str(target),
                           str(tmp_path / "src")], capture_output=True, text=True, check=False,
                          timeout=240)
    assert done.returncode == 0, done.stderr
    probe = ("import pulumi_anypoint_auth as p; "
             "print(p.Token.__name__, p.get_profile_output.__name__, p.Provider.__name__)")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=False, timeout=120, env={**os.environ, "PYTHONPATH": str(target)})
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["Token", "get_profile_output", "Provider"]
