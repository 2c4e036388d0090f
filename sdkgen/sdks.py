#!/usr/bin/env python3
"""Generate the ``anypoint-auth`` SDKs from the plugin's schema (``make sdks``).

1. Dump the schema from Python (``python -m anypoint_pulumi.plugin.schema``), with the project's
   interpreter (``--python``).
2. Find or build ``sdkgen`` (this directory's Go program over ``pkg/v3/codegen``, pinned to the
   engine's pulumi version) in ``${XDG_CACHE_HOME:-~/.cache}/anypoint-pulumi/sdkgen/<hash>``,
   where the hash covers its go.mod, go.sum and sources: a change rebuilds it, and a clone reuses
   the binary another clone built. The build needs only the Go module proxy (seconds when the
   module cache is warm from ``make engine``).
3. Run it: ``<out>/nodejs``, ``<out>/python`` and ``<out>/go`` are replaced; the schema is written
   to ``<out>/schema.json``.

The output depends on nothing but the schema and the pins, so ``tests/plugin`` can regenerate
into a temporary directory and compare with the committed ``sdk/``. Standard library only.
Exit status: 0 done; 1 a step failed (the message says which); 3 no ``go`` on this machine.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = ("go.mod", "go.sum", "main.go")
NO_GO = 3


class StepFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"make sdks: step {step!r} failed: {message}")


def progress(message: str) -> None:
    print(f"sdks: {message}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update(name.encode() + b"\0" + (HERE / name).read_bytes() + b"\0")
    return Path(base) / "anypoint-pulumi" / "sdkgen" / digest.hexdigest()[:16]


def go_env() -> dict[str, str]:
    return {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly", "GOWORK": "off",
            "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "local")}


def sdkgen() -> Path:
    """The built sdkgen binary of these sources, built when missing."""
    target = cache_dir()
    binary = target / "sdkgen"
    if binary.is_file():
        return binary
    if shutil.which("go") is None:
        raise SystemExit(NO_GO)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="partial-", dir=target.parent))
    try:
        started = time.monotonic()
        progress(f"building sdkgen into {target} (seconds with a warm Go module cache)")
        done = subprocess.run(["go", "build", "-trimpath", "-o", str(work / "sdkgen"), "."],
                              cwd=HERE, env=go_env(), capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise StepFailed("build sdkgen", done.stderr.strip()[-2000:])
        progress(f"  built in {time.monotonic() - started:.0f} s")
        try:
            work.rename(target)
        except OSError:  # another process built it meanwhile
            if not binary.is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return binary


def dump_schema(python: str) -> str:
    done = subprocess.run([python, "-m", "anypoint_pulumi.plugin.schema"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StepFailed("dump schema", done.stderr.strip()[-2000:])
    return done.stdout


def generate(python: str, out: Path) -> None:
    text = dump_schema(python)
    binary = sdkgen()
    out.mkdir(parents=True, exist_ok=True)
    (out / "schema.json").write_text(text)
    done = subprocess.run([str(binary), str(out / "schema.json"), str(out)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StepFailed("run sdkgen", (done.stderr or done.stdout).strip()[-2000:])
    for line in done.stdout.splitlines():
        progress(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sdkgen/sdks.py", description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"),
                        help="interpreter with this package installed (default: .venv)")
    parser.add_argument("--out", default=str(ROOT / "sdk"), help="output directory (sdk/)")
    parser.add_argument("--print-sdkgen", action="store_true",
                        help="only find or build sdkgen and print its path")
    args = parser.parse_args(argv)
    try:
        if args.print_sdkgen:
            print(sdkgen())
        else:
            generate(args.python, Path(args.out))
    except StepFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    except SystemExit as exc:
        if exc.code == NO_GO:
            progress("no `go` on PATH: install Go 1.26 or newer to generate the SDKs")
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
