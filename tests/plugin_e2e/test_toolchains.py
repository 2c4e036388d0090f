"""The toolchain cache (``toolchains.py``) itself, with a stand-in install: only a finished
install is ever used, a second use installs nothing, a failed one leaves nothing behind, and
installs unused for weeks are pruned."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from . import toolchains


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "anypoint-pulumi"


def test_an_install_is_used_only_when_finished_and_then_reused(cache: Path) -> None:
    calls: list[Path] = []

    def fill(work: Path) -> None:
        calls.append(work)
        assert work.name.startswith("k1.partial-")  # a temporary sibling, not the target
        assert not (cache / "kind" / "k1").exists()
        (work / "tool").write_text("built")

    first = toolchains._install_once("kind", "k1", fill)
    assert first.path == cache / "kind" / "k1" and (first.path / "tool").read_text() == "built"
    assert first.seconds > 0
    again = toolchains._install_once("kind", "k1", fill)
    assert again.seconds == 0.0 and len(calls) == 1
    assert sorted(p.name for p in (cache / "kind").iterdir()) == ["k1", "k1.lock"]


def test_a_failed_install_leaves_nothing_and_is_tried_again(cache: Path) -> None:
    def broken(work: Path) -> None:
        (work / "half").write_text("x")
        raise toolchains.ToolchainError("npm ci failed")

    with pytest.raises(toolchains.ToolchainError):
        toolchains._install_once("kind", "k1", broken)
    assert [p.name for p in (cache / "kind").iterdir()] == ["k1.lock"]
    done = toolchains._install_once("kind", "k1", lambda work: None)
    assert (done.path / ".complete").exists()


def test_installs_unused_for_weeks_are_pruned_when_another_is_made(cache: Path) -> None:
    old = toolchains._install_once("kind", "old", lambda work: None).path
    recent = toolchains._install_once("kind", "recent", lambda work: None).path
    weeks_ago = time.time() - (toolchains.UNUSED_DAYS + 1) * 86400
    os.utime(old / ".complete", (weeks_ago, weeks_ago))
    toolchains._install_once("kind", "new", lambda work: None)
    assert not old.exists() and recent.exists()


def test_the_key_follows_the_lock_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = toolchains.node_key()
    lock = tmp_path / "package-lock.json"
    lock.write_text((toolchains.NODE_DIR / "package-lock.json").read_text() + " ")
    monkeypatch.setattr(toolchains, "NODE_DIR", tmp_path)
    (tmp_path / "package.json").write_text(
        (Path(toolchains.__file__).parent / "node" / "package.json").read_text())
    assert toolchains.node_key() != before
