"""``make demo`` with an engine: a real ``pulumi up`` of the quickstart, outputs masked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ENGINE_VAR, ROOT


def test_demo_runs_a_real_pulumi_up_and_masks_the_token(engine_bin: Path, tmp_path: Path) -> None:
    env = {**os.environ, ENGINE_VAR: str(engine_bin), "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py"), "--mode", "cli"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Running a real `pulumi up` on a local file backend" in out
    assert "not a real deployment" not in out
    assert re.search(r"^\s+accessToken\s+\[secret\]\s*$", out, re.MULTILINE)
    assert re.search(r"^ \+  pulumi-python:dynamic/anypoint:AnypointToken quickstart created",
                     out, re.MULTILINE)
    assert "stack output accessToken --show-secrets --stack demo" in out
    assert not (ROOT / "Pulumi.demo.yaml").exists()
