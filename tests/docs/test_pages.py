"""The docs keep their promises: the README is an overview of at most 300 lines with the two
commands first and the quickstart linked at the top; every page has its front matter; the
Python API reference names every public name; CONTRIBUTING quotes the demo's own words; the
install section tells the truth about publishing; no package registry host anywhere.

Moved from ``tests/examples/test_readme.py`` when the README's user guide became ``docs/``
(issue 18): each promise is now checked on the page that holds the text."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

import anypoint_pulumi

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text()
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()
PAGES = sorted(DOCS.glob("*.md"))


def page(name: str) -> str:
    return (DOCS / name).read_text()


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert match, f"no '## {title}' section"
    return match.group(1)


def every_text() -> str:
    return "\n".join([README, CONTRIBUTING, *(p.read_text() for p in PAGES),
                      (ROOT / "provider" / "README.md").read_text()])


def test_the_two_commands_come_first() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make demo", "make test"]


def test_the_readme_is_an_overview_that_links_the_quickstart_at_once() -> None:
    assert len(README.splitlines()) <= 300
    top = "\n".join(README.splitlines()[:20])
    for language in ("yaml", "typescript", "python", "go"):
        assert f"(docs/quickstart.md#{language})" in top, language
    assert "(docs/installation-configuration.md)" in top


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_has_front_matter(path: Path) -> None:
    text = path.read_text()
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert match, f"{path.name} has no front matter"
    keys = dict(line.split(": ", 1) for line in match.group(1).splitlines())
    assert keys.get("title") and keys.get("meta_desc"), keys
    if path.name in ("_index.md", "installation-configuration.md"):
        assert keys.get("layout") == "package"


def test_the_index_shows_the_example_in_six_languages_and_marks_the_untested_ones() -> None:
    index = page("_index.md")
    for fence in ("typescript", "python", "go", "yaml", "csharp", "java"):
        assert f"```{fence}\n" in index, fence
    assert "### C# (untested here)" in index and "### Java (untested here)" in index


@pytest.mark.parametrize("module", ["anypoint_pulumi", "anypoint_pulumi.testing",
                                    "anypoint_pulumi.emulator", "anypoint_pulumi.functions.profile",
                                    "anypoint_pulumi.functions.environments",
                                    "anypoint_pulumi.functions.organization",
                                    "anypoint_pulumi.functions.api_response",
                                    "anypoint_pulumi.functions.access_token",
                                    "anypoint_pulumi.access.api_requests",
                                    "anypoint_pulumi.access.assertion"])
def test_api_reference_names_every_public_name(module: str) -> None:
    reference = page("api-reference.md")
    public = [name for name in importlib.import_module(module).__all__
              if not name.startswith("_") and not name.startswith("Awaitable")
              and name not in ("ENVIRONMENT_TYPES", "SECRET_OUTPUTS")]
    missing = [name for name in public if not re.search(rf"\b{name}\b", reference)]
    assert not missing, f"docs/api-reference.md lacks {module}: {missing}"


def test_contributing_quotes_the_demo_exactly() -> None:
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
    quoted = demo.NO_CLI.split(": running")[0]  # the page quotes the reason, then elides
    text = " ".join(CONTRIBUTING.split()).replace("*", "")
    assert quoted in text
    assert "not a real deployment" in text


def test_benchmarks_placeholder_links_the_results() -> None:
    assert "benchmarks/RESULTS.md" in section(CONTRIBUTING, "Benchmarks")


def test_contributing_no_longer_says_the_cli_path_was_never_run() -> None:
    assert "Not run on our machines" not in every_text()
    assert "## The Pulumi engine" in CONTRIBUTING


def test_version_in_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## {anypoint_pulumi.__version__}" in changelog


def test_the_install_section_tells_the_truth_about_publishing() -> None:
    install = section(page("installation-configuration.md"), "The Python package")
    wheel = f"anypoint_pulumi-{anypoint_pulumi.__version__}-py3-none-any.whl"
    assert "not published on a package index yet" in install
    assert "make dist" in install and wheel in install
    for extra in ("[emulator]", "[jwt]"):
        assert f"{wheel}{extra}" in install
    assert "What publishing will change" in install
    assert "scripts/wheelhouse.py" in install and "tests/e2e/test_install.py" in install
    assert "not published on a package index yet" in README


def test_every_extra_is_documented() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    table = section(page("installation-configuration.md"), "The Python package")
    assert all(f"| `{extra}` |" in table for extra in extras)


def test_the_plugin_paths_not_run_here_say_so() -> None:
    plugin = section(page("installation-configuration.md"), "The provider plugin")
    assert "**On `PATH`** (untested here)" in plugin
    assert "**The plugin cache** (untested here)" in plugin
    assert "`pulumi package add` (untested here)" in plugin


def test_the_make_targets_named_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make (\w+)", every_text()):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_every_host_named_is_anypoint_a_loopback_or_an_example() -> None:
    """No package registry's host (nor any other) creeps in: the docs name Anypoint's control
    planes, loopback addresses, example hosts and source repositories only."""
    allowed = re.compile(r"(.+\.)?(mulesoft\.com|example\.(com|org)|localhost|github\.com)$"
                         r"|127\.0\.0\.1|\[::1\]")
    hosts = set(re.findall(r"https?://([\w.\-\[\]:]+?)(?::(?:\d+|PORT))?(?=[/`\s)\"'>]|$)",
                           every_text(), re.M))
    assert not {h for h in hosts if not allowed.fullmatch(h)}
