"""``pulumi new <template> --generate-only --yes`` as a user runs it, offline: in an empty project
directory beside a clone of anypoint-pulumi (``<root>/anypoint-pulumi``, a link to this checkout),
so the template's relative paths (``../anypoint-pulumi/sdk/...``) resolve the way its README says;
a local file backend, no plugin download, and HTTP(S) proxies set to a closed loopback port so that
any attempt to reach the network fails instead of silently succeeding on a machine that has one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from anypoint_pulumi.testing.local import offline_env

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
RUNTIMES = {"yaml": "yaml", "typescript": "nodejs", "python": "python", "go": "go"}
"""Each template's language (``templates/anypoint-auth-<language>``) and its Pulumi runtime."""
CLONE = "anypoint-pulumi"
TIMEOUT = 120


def template_dir(language: str) -> Path:
    return TEMPLATES / f"anypoint-auth-{language}"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Generated:
    command: list[str]
    """The command as typed in ``directory`` (the template path relative, as in the README)."""
    directory: Path
    name: str
    """The project's name (``--name``)."""
    returncode: int
    text: str
    """stdout + stderr."""
    seconds: float


def host_available(engine_bin: Path, runtime: str, path: str) -> bool:
    """Whether ``pulumi`` can load ``runtime``'s language host: beside itself or on ``path``."""
    name = f"pulumi-language-{runtime}"
    return (engine_bin / name).is_file() or shutil.which(name, path=path) is not None


def generate(engine_bin: Path, root: Path, language: str, name: str,
             config: dict[str, str], directory: str | None = None,
             stack: str | None = None) -> Generated:
    """Run ``pulumi new ../anypoint-pulumi/templates/anypoint-auth-<language> --generate-only
    --yes --name <name> --config k=v ...`` in the empty directory ``root/<directory or name>``;
    with ``stack``, ``--stack <stack>`` instead of ``--generate-only`` (a full ``pulumi new``)."""
    root.mkdir(parents=True, exist_ok=True)
    clone = root / CLONE
    if not clone.exists():
        clone.symlink_to(ROOT, target_is_directory=True)
    target = root / (directory or name)
    target.mkdir()
    template = os.path.join("..", CLONE, "templates", template_dir(language).name)
    command = ["pulumi", "new", template, "--yes", "--name", name,
               *(["--stack", stack] if stack else ["--generate-only"])]
    for key, value in config.items():
        command += ["--config", f"{key}={value}"]
    proxy = f"http://127.0.0.1:{closed_port()}"
    env = {**os.environ, **offline_env(engine_bin, root / "state"), "HTTP_PROXY": proxy,
           "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy}
    (root / "state" / "backend").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    done = subprocess.run([str(engine_bin / "pulumi"), *command[1:]], cwd=target, env=env,
                          capture_output=True, text=True, check=False, timeout=TIMEOUT)
    return Generated(command, target, name, done.returncode, done.stdout + done.stderr,
                     time.monotonic() - started)


def missing_host_error(runtime: str) -> str:
    """How what ``pulumi new`` says, after writing the project, where ``runtime`` has no host
    begins (it goes on with where it looked)."""
    return (f"error: failed to load language plugin {runtime}: no language plugin "
            f"'pulumi-language-{runtime}' found in the workspace")
