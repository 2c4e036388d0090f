#!/usr/bin/env python3
"""Find or build the Pulumi engine this project is tested with (``make engine``).

The engine is the ``pulumi`` CLI plus the dynamic-provider shim ``pulumi-resource-pulumi-python``
and the Python executor script, at the version pinned in ``engine/go.mod`` (its ``go.sum`` is the
lock file), and the YAML language host ``pulumi-language-yaml`` at the version pinned in
``engine/yaml/go.mod``. The YAML host is a Go module of its own with its own pins: pulumi-yaml
v1.25.0 does not compile against the engine's pkg/v3, but does against the pkg/v3 it was released
with. The CLI looks for language hosts beside its own executable first, so both go into one
``bin`` directory. The order:

1. A ``pulumi`` on ``PATH`` that is at least as new as the ``pulumi`` Python SDK the project
   installs, with the dynamic-provider shim and the YAML host beside it or on ``PATH``, is used
   as it is: users already have one (``--no-path`` skips this).
2. A finished build in ``${XDG_CACHE_HOME:-~/.cache}/anypoint-pulumi/engine/<version>/bin`` whose
   stamp matches both modules' ``go.mod`` + ``go.sum`` + this recipe is reused.
3. Otherwise it is built with the machine's Go, from the Go module proxy only, into a temporary
   directory that is renamed into place when every step has passed: a half-finished build is
   never mistaken for a finished one.

Progress goes to stderr; the **last line of stdout is the directory holding ``pulumi``**.
Exit status: 0 found or built; 1 a step failed (the message names the step and the module);
3 no engine can be had here (no ``pulumi`` on PATH, no ``go``), with the reason.
Standard library only: it runs before the project's virtualenv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PULUMI_PKG = "github.com/pulumi/pulumi/pkg/v3"
PULUMI_SDK = "github.com/pulumi/pulumi/sdk/v3"
MAIN_PACKAGE = f"{PULUMI_PKG}/cmd/pulumi"
VERSION_VAR = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
YAML_DIR = HERE / "yaml"
YAML_MODULE = "github.com/pulumi/pulumi-yaml"
YAML_PACKAGE = f"{YAML_MODULE}/cmd/pulumi-language-yaml"
YAML_HOST = "pulumi-language-yaml"
YAML_VERSION_VAR = f"{YAML_MODULE}/pkg/version.Version"
SCRIPTS = {  # file in the sdk/v3 module -> name in bin/
    "python/dist/pulumi-resource-pulumi-python": "pulumi-resource-pulumi-python",
    "python/cmd/pulumi-language-python-exec": "pulumi-language-python-exec",
}
RECIPE = "4"  # bump when the build steps change, so that cached builds are redone
NO_ENGINE = 3

# Measured on a 2-core machine (see README, "The Pulumi engine"); printed as expectations.
EXPECTED = {
    "download": "about 280 MB of module zips: a minute or two on a cold module cache, "
                "seconds when warm",
    "build": "about 4 min cold on 2 cores (peak ~2 GB of memory), seconds when warm",
    "yaml": "about 1 min cold (its own modules, ~30 MiB binary), seconds when warm",
}


class StepFailed(Exception):
    """A build step failed: ``step`` names it, the message says which module and what to do."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"make engine: step {step!r} failed: {message}")


def progress(message: str) -> None:
    print(f"engine: {message}", file=sys.stderr, flush=True)


def pin_in(go_mod: Path, module: str) -> str:
    """The version of ``module`` that ``go_mod`` requires (the one fact each build starts from)."""
    found = re.search(rf"^\s*{re.escape(module)}\s+(v\S+)", go_mod.read_text(), re.MULTILINE)
    if not found:
        raise StepFailed("read pin", f"{go_mod.relative_to(HERE.parent)} does not require "
                         f"{module}")
    return found.group(1)


def pinned_version() -> str:
    """The pulumi version ``engine/go.mod`` requires."""
    return pin_in(HERE / "go.mod", PULUMI_PKG)


def pinned_yaml_version() -> str:
    """The pulumi-yaml version ``engine/yaml/go.mod`` requires."""
    return pin_in(YAML_DIR / "go.mod", YAML_MODULE)


def parse_version(text: str) -> tuple[int, int, int] | None:
    found = re.search(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def sdk_version(python: str | None) -> tuple[int, int, int] | None:
    """The ``pulumi`` SDK version installed for ``python`` (the project's venv), if any."""
    if not python or not Path(python).exists():
        return None
    done = subprocess.run(
        [python, "-c", "from importlib.metadata import version; print(version('pulumi'))"],
        capture_output=True, text=True, check=False, timeout=60,
    )
    return parse_version(done.stdout) if done.returncode == 0 else None


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anypoint-pulumi" / "engine"


def stamp_of(version: str) -> str:
    digest = hashlib.sha256(RECIPE.encode())
    for name in ("go.mod", "go.sum", "yaml/go.mod", "yaml/go.sum"):
        digest.update((HERE / name).read_bytes())
    return f"{version} {digest.hexdigest()}\n"


def cli_version(pulumi: Path) -> tuple[int, int, int] | None:
    try:
        done = subprocess.run([str(pulumi), "version"], capture_output=True, text=True,
                              check=False, timeout=60,
                              env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"})
    except OSError:
        return None
    return parse_version(done.stdout) if done.returncode == 0 else None


def beside_or_on_path(bin_dir: Path, name: str) -> bool:
    return (bin_dir / name).exists() or bool(shutil.which(name))


def from_path(needed: tuple[int, int, int]) -> Path | None:
    """A ``pulumi`` on PATH new enough for the installed SDK, or ``None`` (saying why)."""
    found = shutil.which("pulumi")
    if found is None:
        return None
    path = Path(found).resolve()
    if cache_root() in path.parents:
        return None  # our own build, put on PATH by a caller: judged as a cached build below
    version = cli_version(path)
    if version is None:
        progress(f"{found} does not answer `pulumi version`: not using it")
        return None
    if version < needed:
        progress(f"pulumi {fmt(version)} on PATH ({found}) is older than {fmt(needed)}, the "
                 "version this project's pulumi SDK needs at least: using the pinned engine")
        return None
    for name, needed_by in (("pulumi-resource-pulumi-python", "dynamic providers"),
                            (YAML_HOST, "YAML programs")):
        if not beside_or_on_path(path.parent, name):
            progress(f"pulumi {fmt(version)} on PATH has no {name} beside it or on PATH "
                     f"({needed_by} need it): using the pinned engine")
            return None
    progress(f"using pulumi {fmt(version)} from PATH ({found})")
    return path.parent


def fmt(version: tuple[int, int, int]) -> str:
    return "v" + ".".join(map(str, version))


def finished(target: Path, version: str) -> bool:
    stamp = target / "stamp"
    return (stamp.is_file() and stamp.read_text() == stamp_of(version)
            and all((target / "bin" / name).is_file()
                    for name in ("pulumi", YAML_HOST, *SCRIPTS.values())))


def go_env() -> dict[str, str]:
    """The environment of every go command: module mode from the lock file, this Go only."""
    return {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOWORK": "off",
            "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "local")}


def run_go(step: str, args: list[str], module_hint: str, cwd: Path = HERE) -> str:
    """``go ARGS`` in the module at ``cwd`` (the engine's, or the YAML host's)."""
    started = time.monotonic()
    try:
        done = subprocess.run(["go", *args], cwd=cwd, env=go_env(), capture_output=True,
                              text=True, check=False)
    except OSError as exc:
        raise StepFailed(step, f"could not run go: {exc}") from None
    if done.returncode != 0:
        raise StepFailed(step, explain(done.stderr, module_hint))
    progress(f"  {step}: done in {time.monotonic() - started:.0f} s")
    return done.stdout


def explain(stderr: str, module_hint: str) -> str:
    """One clear paragraph from go's error output: which module, which registry, what to do."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    module = module_hint
    for line in lines:
        found = re.search(r"((?:[\w.-]+\.[a-z]{2,}/)[\w./~-]+)@(v[\w.+-]+)", line)
        if found:
            module = f"{found[1]}@{found[2]}"
            break
    text = "\n".join(lines[-6:])
    proxy = subprocess.run(["go", "env", "GOPROXY"], capture_output=True, text=True,
                           check=False).stdout.strip()
    if re.search(r"dial tcp|no such host|connection refused|i/o timeout|TLS handshake|"
                 r"proxyconnect|network is unreachable", stderr):
        return (f"the Go module proxy (GOPROXY={proxy}) could not be reached while fetching "
                f"{module}. Check the network or GOPROXY, then run `make engine` again.\n{text}")
    if re.search(r"403|404|410|not found|not available", stderr):
        return (f"the Go module proxy (GOPROXY={proxy}) does not serve {module}. The pin in "
                f"engine/go.mod must name versions the proxy has.\n{text}")
    return f"module {module}:\n{text}"


def build(version: str, target: Path) -> None:
    """Build into a temporary sibling of ``target``, then rename it into place."""
    yaml_version = pinned_yaml_version()
    if shutil.which("go") is None:
        raise StepFailed("find go", "no `go` on PATH")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"{version}.partial-", dir=target.parent))
    try:
        bin_dir = work / "bin"
        bin_dir.mkdir()
        progress(f"building pulumi {version} from Go modules (pinned in engine/go.mod)")
        progress(f"[1/6] download modules: {EXPECTED['download']}")
        run_go("download modules", ["mod", "download"], PULUMI_PKG)
        progress(f"[2/6] go build {MAIN_PACKAGE}: {EXPECTED['build']}")
        run_go("build pulumi", [
            "build", "-trimpath", "-tags", "osusergo,grpcnotrace",
            "-ldflags", f"-s -w -X {VERSION_VAR}={version}",
            "-o", str(bin_dir / "pulumi"), MAIN_PACKAGE,
        ], f"{PULUMI_PKG}@{version}")
        progress("[3/6] install the Python shim and executor from the sdk/v3 module")
        sdk_dir = Path(run_go("locate sdk module", ["list", "-m", "-f", "{{.Dir}}", PULUMI_SDK],
                              PULUMI_SDK).strip())
        for source, name in SCRIPTS.items():
            if not (sdk_dir / source).is_file():
                raise StepFailed("install scripts", f"{PULUMI_SDK} has no {source}")
            shutil.copyfile(sdk_dir / source, bin_dir / name)
            (bin_dir / name).chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH
                                   | stat.S_IXOTH)  # module files are read-only, mode lost
        progress(f"[4/6] download the YAML host's modules (pulumi-yaml {yaml_version}, pinned "
                 "in engine/yaml/go.mod)")
        run_go("download yaml modules", ["mod", "download"], YAML_MODULE, cwd=YAML_DIR)
        progress(f"[5/6] go build {YAML_PACKAGE}: {EXPECTED['yaml']}")
        run_go("build yaml host", [
            "build", "-trimpath", "-ldflags", f"-s -w -X {YAML_VERSION_VAR}={yaml_version}",
            "-o", str(bin_dir / YAML_HOST), YAML_PACKAGE,
        ], f"{YAML_MODULE}@{yaml_version}", cwd=YAML_DIR)
        progress("[6/6] check the built CLI and YAML host")
        built = cli_version(bin_dir / "pulumi")
        if built is None or fmt(built) != version:
            raise StepFailed("check", f"bin/pulumi reports {built and fmt(built)}, not {version}")
        info = run_go("check yaml host", ["version", "-m", str(bin_dir / YAML_HOST)],
                      YAML_MODULE, cwd=YAML_DIR)
        if not re.search(rf"^\s*mod\s+{re.escape(YAML_MODULE)}\s+{re.escape(yaml_version)}\s",
                         info, re.MULTILINE):
            raise StepFailed("check", f"bin/{YAML_HOST} was not built from "
                             f"{YAML_MODULE}@{yaml_version}")
        (work / "stamp").write_text(stamp_of(version))
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="engine/build.py", description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=str(HERE.parent / ".venv" / "bin" / "python"),
                        help="interpreter whose pulumi SDK the engine must be at least as new "
                             "as (default: the project's .venv)")
    parser.add_argument("--no-path", action="store_true",
                        help="ignore a pulumi on PATH: always use the pinned engine")
    parser.add_argument("--no-build", action="store_true",
                        help="only find an engine (PATH or a finished build); exit 3 if none")
    args = parser.parse_args(argv)
    try:
        version = pinned_version()
        pinned = parse_version(version)
        assert pinned is not None
        sdk = sdk_version(args.python)
        if sdk is not None and sdk > pinned:
            raise StepFailed("check pin", f"the installed pulumi SDK {fmt(sdk)} is newer than the "
                             f"pinned engine {version}: pyproject.toml must cap pulumi at "
                             f"{version.lstrip('v')}")
        if not args.no_path:
            found = from_path(sdk or pinned)
            if found is not None:
                print(found)
                return 0
        target = cache_root() / version
        if finished(target, version):
            progress(f"reusing the finished build of pulumi {version}")
            print(target / "bin")
            return 0
        if args.no_build:
            progress(f"no pulumi {version} built yet in {target} (run `make engine`)")
            return NO_ENGINE
        if shutil.which("go") is None:
            progress("no engine: there is no `pulumi` on PATH and no `go` to build one. Install "
                     "Go (1.26 or newer) or the Pulumi CLI, then run `make engine` again.")
            return NO_ENGINE
        started = time.monotonic()
        build(version, target)
        progress(f"built pulumi {version} in {time.monotonic() - started:.0f} s into {target}")
        print(target / "bin")
        return 0
    except StepFailed as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
