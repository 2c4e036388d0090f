"""``make demo`` with an engine: a real ``pulumi up`` of the quickstart, outputs masked."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ENGINE_VAR, ROOT


def project_copy(folder: Path) -> Path:
    """The quickstart project and the demo script copied to ``folder``: the demo keeps its state
    (``.pulumi-demo/``, ``Pulumi.demo.yaml``) beside the project, so two test runs at once (the
    suite run twice in parallel) must not share one."""
    (folder / "scripts").mkdir(parents=True)
    for name in ("Pulumi.yaml", "__main__.py", "scripts/demo.py"):
        shutil.copy2(ROOT / name, folder / name)
    return folder


def test_demo_runs_a_real_pulumi_up_and_masks_the_token(engine_bin: Path, tmp_path: Path) -> None:
    root = project_copy(tmp_path / "project")
    env = {**os.environ, ENGINE_VAR: str(engine_bin), "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(root / "scripts" / "demo.py"), "--mode", "cli"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Running a real `pulumi up` on a local file backend" in out
    assert "not a real deployment" not in out
    assert re.search(r"^\s+accessToken\s+\[secret\]\s*$", out, re.MULTILINE)
    assert re.search(r"^ \+  pulumi-python:dynamic/anypoint:AnypointToken quickstart created",
                     out, re.MULTILINE)
    assert "stack output accessToken --show-secrets --stack demo" in out
    assert not (root / "Pulumi.demo.yaml").exists()
