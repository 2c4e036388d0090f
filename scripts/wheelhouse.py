"""Make a wheelhouse of the dependencies this environment already has installed, for offline
installs of the package's wheel (the wheel-install test, or a machine without a package index).

    python scripts/wheelhouse.py DIR [--extras emulator,jwt]

For every distribution that ``anypoint-pulumi`` (with the extras named) needs, transitively and
under this interpreter's markers, it writes a wheel to ``DIR`` made from the *installed* files:
the files its ``RECORD`` lists below ``site-packages`` (compiled caches and installer notes
left out), its ``.dist-info`` with a fresh ``RECORD``, named with the tags of its own ``WHEEL``
file. Then ``pip install --no-index --find-links DIR <wheel>[extras]`` installs offline, exactly
the versions this environment runs. Nothing is downloaded. (This repackages what is installed;
it is not a way to publish those projects.)
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import importlib.metadata as metadata
import io
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "anypoint-pulumi"
_DROPPED = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


def closure(project: str, extras: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions ``project[extras]`` needs, by normalized name (not itself)."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(project, tuple(extras))]
    while todo:
        name, wanted = todo.pop()
        for text in metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not any(
                    requirement.marker.evaluate({"extra": extra}) for extra in wanted or ("",)):
                continue
            key = canonicalize_name(requirement.name)
            if key == canonicalize_name(project) or key in found:
                continue
            try:
                found[key] = metadata.distribution(requirement.name)
            except metadata.PackageNotFoundError:
                raise SystemExit(f"wheelhouse: {requirement.name} (needed by {name}) is not "
                                 "installed here: install the package with those extras "
                                 "first") from None
            todo.append((requirement.name, tuple(requirement.extras)))
    return found


def _tags(dist: metadata.Distribution) -> str:
    """``py-abi-platform`` of the wheel the distribution was installed from (compressed)."""
    text = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("Tag:")]
    if not tags:
        return "py3-none-any"
    parts = [sorted({tag.split("-")[i] for tag in tags}) for i in range(3)]
    return "-".join(".".join(part) for part in parts)


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(
        b"=").decode()


def repack(dist: metadata.Distribution, into: Path) -> Path:
    """Write ``dist`` as a wheel into ``into``; returns its path."""
    name = canonicalize_name(dist.metadata["Name"]).replace("-", "_")
    version = dist.version
    info = f"{name}-{version}.dist-info"
    wheel = into / f"{name}-{version}-{_tags(dist)}.whl"
    records: list[tuple[str, str, str]] = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for file in dist.files or []:
            parts = Path(file).parts
            if ".." in parts or "__pycache__" in parts or parts[-1] in _DROPPED:
                continue
            source = Path(str(dist.locate_file(file)))
            if not source.is_file():
                continue
            target = str(file)
            if parts[0].endswith(".dist-info"):
                target = f"{info}/{'/'.join(parts[1:])}"
            data = source.read_bytes()
            archive.writestr(target, data)
            records.append((target, _digest(data), str(len(data))))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([*records, (f"{info}/RECORD", "", "")])
        archive.writestr(f"{info}/RECORD", buffer.getvalue())
    return wheel


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--extras", default="", help="comma-separated extras, e.g. emulator,jwt")
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    extras = [extra for extra in args.extras.split(",") if extra]
    for dist in closure(PROJECT, extras).values():
        print(repack(dist, args.directory).name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
