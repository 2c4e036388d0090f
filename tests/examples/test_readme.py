"""The README keeps its promises: the two commands first, every public name in the API
reference, the demo's own words, no package registry host anywhere in the docs."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

import anypoint_pulumi

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_the_two_commands_come_first() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make demo", "make test"]


@pytest.mark.parametrize("module", ["anypoint_pulumi", "anypoint_pulumi.testing",
                                    "anypoint_pulumi.emulator", "anypoint_pulumi.functions.profile",
                                    "anypoint_pulumi.functions.environments",
                                    "anypoint_pulumi.functions.organization",
                                    "anypoint_pulumi.functions.api_response",
                                    "anypoint_pulumi.functions.access_token",
                                    "anypoint_pulumi.access.api_requests",
                                    "anypoint_pulumi.access.assertion"])
def test_api_reference_names_every_public_name(module: str) -> None:
    reference = section("API reference")
    public = [name for name in importlib.import_module(module).__all__
              if not name.startswith("_") and not name.startswith("Awaitable")
              and name not in ("ENVIRONMENT_TYPES", "SECRET_OUTPUTS")]
    missing = [name for name in public if not re.search(rf"\b{name}\b", reference)]
    assert not missing, f"API reference lacks {module}: {missing}"


def test_readme_quotes_the_demo_exactly() -> None:
    # The script is loaded, not parsed with ast: ast.parse fails at random on this CPython
    # (3.11.7: "AST constructor recursion depth mismatch"), and the script runs nothing on import.
    spec = importlib.util.spec_from_file_location("demo_script", ROOT / "scripts" / "demo.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = demo  # its dataclasses look their module up
    try:
        spec.loader.exec_module(demo)
    finally:
        del sys.modules[spec.name]
    quoted = demo.NO_CLI.split(": running")[0]  # the README quotes the reason, then elides
    readme = " ".join(README.split()).replace("*", "")
    assert quoted in readme
    assert "not a real deployment" in readme


def test_benchmarks_placeholder_links_the_results() -> None:
    assert "benchmarks/RESULTS.md" in section("Benchmarks")


def test_the_readme_no_longer_says_the_cli_path_was_never_run() -> None:
    assert "Not run on our machines" not in README
    assert "## The Pulumi engine" in README

def test_version_in_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {anypoint_pulumi.__version__}" in changelog


def test_the_install_section_tells_the_truth_about_publishing() -> None:
    install = section("Install")
    wheel = f"anypoint_pulumi-{anypoint_pulumi.__version__}-py3-none-any.whl"
    assert "not published on a package index yet" in install
    assert "make dist" in install and wheel in install
    for extra in ("[emulator]", "[jwt]"):
        assert f"{wheel}{extra}" in install
    assert "What publishing will change" in install
    assert "scripts/wheelhouse.py" in install and "tests/e2e/test_install.py" in install


def test_every_extra_is_documented() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    table = section("Install")
    assert all(f"| `{extra}` |" in table for extra in extras)


def test_the_make_targets_named_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make (\w+)", README):
        assert re.search(rf"^{target}:", makefile, re.M), target
