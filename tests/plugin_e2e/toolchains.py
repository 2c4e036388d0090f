"""The Node and Go toolchains the plugin's end-to-end tests (and the examples' tests) run with,
installed from this clone's own lock files into a cache OUTSIDE the clone, once per content:

- Node: ``tests/plugin_e2e/node/package.json`` + ``package-lock.json`` (``@pulumi/pulumi``,
  ``tsx``, ``typescript``) installed with ``npm ci`` into
  ``${XDG_CACHE_HOME:-~/.cache}/anypoint-pulumi/node/<hash>/node_modules``; the generated SDK
  ``sdk/nodejs`` is compiled with that ``tsc``, packed and installed from its tarball, so only one
  ``@pulumi/pulumi`` sits in ``node_modules``. The hash covers the lock files and the SDK.
- Go: a driver module (``tests/plugin_e2e/go``: ``go.mod`` + ``go.sum``) built into
  ``.../anypoint-pulumi/go/<hash>/driver`` with one program file beside ``driver.go``; modules come
  from Go's own module cache (its default place).

Each install happens in a temporary sibling that is renamed into place when it is complete, under
a file lock (pytest-xdist workers share the cache), so a half-finished install is never used and
the second run is warm. Nothing else downloads: the first use goes through npm's and Go's
ordinary clients and their configured registries.

Measured on 2 cores: Node 21 s with an empty npm cache, 10 s with a warm one; the Python SDK
1-2 s; a Go driver 3 min 25 s with empty module and build caches (500 MB of modules, 580 MB of
build cache), 3-15 s warm; every one 0 s once in the cache (``make toolchains`` prints each).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NODE_DIR = HERE / "node"
GO_DIR = HERE / "go"
SDK_NODEJS = ROOT / "sdk" / "nodejs"
SDK_GO = ROOT / "sdk" / "go"
INSTALL_TIMEOUT = 900


class ToolchainError(Exception):
    """An install step failed: the message names the step and ends with the tool's last lines."""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anypoint-pulumi"


def digest(paths: Iterable[Path], *extra: str) -> str:
    """A short hash of the files' names and contents (directories walked, sorted)."""
    sha = hashlib.sha256()
    for text in extra:
        sha.update(text.encode())
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if path.is_dir() and {"node_modules", "bin"} & set(file.relative_to(path).parts):
                continue
            sha.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
            sha.update(file.read_bytes() if file.exists() else b"-")
    return sha.hexdigest()[:16]


@contextlib.contextmanager
def _locked(lock: Path) -> Iterator[None]:
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(step: str, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})},
                              capture_output=True, text=True, check=False,
                              timeout=INSTALL_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(f"{step}: {exc}") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
        raise ToolchainError(f"{step} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


@dataclass(frozen=True)
class Installed:
    path: Path
    seconds: float
    """Time this call spent installing (0.0 when the cache was warm)."""


def _install_once(kind: str, key: str, fill: Callable[[Path], None]) -> Installed:
    """``fill(work_dir)`` into a temporary sibling of ``cache/kind/key``, renamed into place;
    reused as it is when a finished one is there."""
    target = cache_root() / kind / key
    if (target / ".complete").exists():
        (target / ".complete").touch()  # its mtime says when it was last used
        return Installed(target, 0.0)
    with _locked(cache_root() / kind / f"{key}.lock"):
        if (target / ".complete").exists():
            return Installed(target, 0.0)
        _prune(target.parent)
        started = time.monotonic()
        work = Path(tempfile.mkdtemp(prefix=f"{key}.partial-", dir=target.parent))
        try:
            fill(work)
            (work / ".complete").write_text(key)
            if target.exists():
                shutil.rmtree(target)
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return Installed(target, time.monotonic() - started)


UNUSED_DAYS = 14


def _prune(kind_dir: Path) -> None:
    """Remove the installs of this kind nobody used for :data:`UNUSED_DAYS` days (each change of
    a lock file or an SDK makes a new one; a Node one is ~140 MB)."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    for marker in kind_dir.glob("*/.complete"):
        with contextlib.suppress(OSError):
            if marker.stat().st_mtime < cutoff:
                shutil.rmtree(marker.parent)
                (kind_dir / f"{marker.parent.name}.lock").unlink(missing_ok=True)


# -- Node -----------------------------------------------------------------------------------------

def node_key() -> str:
    return digest([NODE_DIR / "package.json", NODE_DIR / "package-lock.json", SDK_NODEJS],
                  "node-recipe-1")


def has_nodejs_sdk() -> bool:
    return (SDK_NODEJS / "package.json").is_file()


def _npm(step: str, args: list[str], cwd: Path) -> str:
    return _run(step, ["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"], cwd,
                {"npm_config_update_notifier": "false"})


def _fill_node(work: Path) -> None:
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(NODE_DIR / name, work / name)
    _npm("npm ci (tests/plugin_e2e/node/package-lock.json)", ["ci"], work)
    if has_nodejs_sdk():
        _install_sdk(work)
    pulumis = list((work / "node_modules").rglob("@pulumi/pulumi/package.json"))
    if len(pulumis) != 1:
        raise ToolchainError(f"expected one @pulumi/pulumi in node_modules, found {pulumis}")


def _install_sdk(work: Path) -> None:
    """Compile ``sdk/nodejs`` with the toolchain's ``tsc``, pack it and install the tarball.

    The generated package compiles itself in a ``postinstall`` with its own ``typescript`` and
    ``@types/node`` dependencies (a user's ``npm install`` of ``file:sdk/nodejs`` does that); here
    it is compiled once with the locked ones, and the packed copy depends on ``@pulumi/pulumi``
    only, so the install resolves from ``node_modules`` already there and adds no second copy."""
    build = work / "sdk-build"
    shutil.copytree(SDK_NODEJS, build, ignore=shutil.ignore_patterns("node_modules", "bin"))
    (build / "node_modules").symlink_to(work / "node_modules")
    _run("tsc (compile sdk/nodejs)", [str(work / "node_modules" / ".bin" / "tsc"), "-p", "."],
         build)
    meta = json.loads((build / "package.json").read_text())
    meta.pop("scripts", None)
    meta["dependencies"] = {"@pulumi/pulumi": meta["dependencies"]["@pulumi/pulumi"]}
    (build / "package.json").write_text(json.dumps(meta, indent=2))
    shutil.copyfile(build / "package.json", build / "bin" / "package.json")  # getVersion()
    (build / "node_modules").unlink()
    packed = _npm("npm pack (sdk/nodejs)", ["pack", "--json", "--pack-destination", str(work)],
                  build)
    tarball = work / json.loads(packed)[0]["filename"]
    _npm("npm install the SDK tarball",
         ["install", "--no-save", "--offline", "--ignore-scripts", str(tarball)], work)
    shutil.rmtree(build)


def node_toolchain() -> Installed:
    """A directory holding ``node_modules`` (``tsx``, ``@pulumi/pulumi``, the SDK)."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise ToolchainError("no node/npm on PATH: install Node.js 20 or newer")
    return _install_once("node", node_key(), _fill_node)


# -- Python ----------------------------------------------------------------------------------------

SDK_PYTHON = ROOT / "sdk" / "python"


def python_sdk() -> Installed:
    """The generated Python SDK (``sdk/python``) installed with this virtualenv's pip and
    setuptools (no download, no dependencies: the virtualenv has them) into
    ``.../anypoint-pulumi/python/<hash>``, a directory to put on ``sys.path``: the SDK reads its
    own version from its installed metadata, so a plain path to the sources is not enough."""

    def fill(work: Path) -> None:
        source = work / "src"
        shutil.copytree(SDK_PYTHON, source)
        _run("pip install sdk/python", [sys.executable, "-m", "pip", "install", "--quiet",
                                        "--no-deps", "--no-build-isolation", "--no-index",
                                        "--target", str(work / "site"), str(source)], work)
        shutil.rmtree(source)

    return _install_once("python", digest([SDK_PYTHON], "python-recipe-1", sys.version),
                         fill)


# -- Go -------------------------------------------------------------------------------------------

def go_env() -> dict[str, str]:
    return {"CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOWORK": "off",
            "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "local")}


def go_driver(program: Path) -> Installed:
    """The Go driver (``tests/plugin_e2e/go/driver.go``) built with ``program`` (a Go file of
    package main that defines ``Program``) beside it: ``<installed>/driver``."""
    if shutil.which("go") is None:
        raise ToolchainError("no go on PATH: install Go 1.26 or newer")
    sources = [GO_DIR / "go.mod", GO_DIR / "go.sum", GO_DIR / "driver.go", program]
    key = digest([*sources, SDK_GO], "go-recipe-1", program.name)

    def fill(work: Path) -> None:
        module = work / "module"
        shutil.copytree(GO_DIR, module, ignore=shutil.ignore_patterns("programs", "program.go"))
        shutil.copyfile(program, module / "program.go")
        if SDK_GO.exists():  # the go.mod's replace names ../../../sdk/go: keep it resolvable
            replaced = _run("go mod edit", ["go", "mod", "edit", "-json"], module, go_env())
            for rule in json.loads(replaced).get("Replace") or []:
                local = rule["New"]["Path"]
                if local.startswith("."):
                    absolute = (GO_DIR / local).resolve()
                    _run("go mod edit", ["go", "mod", "edit", "-replace",
                                         f"{rule['Old']['Path']}={absolute}"], module, go_env())
        _run("go build (tests/plugin_e2e/go)", ["go", "build", "-trimpath", "-o",
                                                str(work / "driver"), "."], module, go_env())
        shutil.rmtree(module)

    return _install_once("go", key, fill)


GO_PROGRAMS = (GO_DIR / "programs" / "scenario" / "program.go",
               ROOT / "examples" / "go-token" / "program.go")


def main() -> int:
    """``make toolchains``: install (or find) everything the plugin tests run with, and say how
    long each took (0.0 s: it was in the cache)."""
    try:
        done = [("node", node_toolchain()), ("python sdk", python_sdk())]
        done += [(f"go driver ({program.relative_to(ROOT)})", go_driver(program))
                 for program in GO_PROGRAMS]
    except ToolchainError as exc:
        print(f"toolchains: {exc}", file=sys.stderr)
        return 1
    for what, installed in done:
        print(f"toolchains: {what}: {installed.seconds:.1f} s -> {installed.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
