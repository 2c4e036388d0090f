"""Docs that cannot drift: every generated region of README.md, CONTRIBUTING.md and docs/ is what
``scripts/docs.py`` makes of the code and of the programs the tests run, and every relative link
and anchor of those pages leads somewhere."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ".venv/bin/python scripts/docs.py"


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("docs_generator", ROOT / "scripts" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


docs = _load_generator()
PAGES = docs.pages()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_page_is_what_the_generator_makes(path: Path) -> None:
    text = path.read_text()
    assert docs.generate(text, page=str(path)) == text, (
        f"{path.relative_to(ROOT)} differs from what scripts/docs.py generates: run `{COMMAND}` "
        "and commit the result")


def test_every_region_is_used_and_every_runnable_snippet_is_a_region() -> None:
    used = {match.group(2) for path in PAGES for match in docs.REGION.finditer(path.read_text())}
    assert used == set(docs.REGIONS)
    used_py = {match.group(2) for path in PAGES for match in docs.PY_REGION.finditer(
        path.read_text())}
    assert used_py == set(docs.PY_REGIONS)


@pytest.mark.parametrize("name", ["example-yaml", "example-typescript", "example-go",
                                  "example-python", "example-python-dynamic"])
def test_each_program_shown_is_a_file_a_test_runs(name: str) -> None:
    shown = docs.REGIONS[name]()
    source = re.search(r"From \[`([^`]+)`\]", shown)
    assert source, shown
    runner = {"examples/yaml-token/Pulumi.yaml": "tests/plugin_e2e/test_examples.py",
              "examples/typescript-token/index.ts": "tests/plugin_e2e/test_examples.py",
              "examples/go-token/program.go": "tests/plugin_e2e/test_examples.py",
              "docs/snippets/python-token/__main__.py": "tests/docs/test_python_snippet.py",
              "__main__.py": "tests/e2e/test_install.py"}[source.group(1)]
    assert (ROOT / runner).is_file()
    folder = Path(source.group(1)).parent.as_posix()
    test_text = (ROOT / runner).read_text()
    assert (folder.split("/")[-1] in test_text if folder != "." else "quickstart" in test_text)


def test_a_stale_region_is_rewritten_and_an_unknown_one_refused() -> None:
    stale = "a\n<!-- generated: control-planes -->\nold\n<!-- end -->\nb\n"
    fresh = docs.generate(stale)
    assert "old" not in fresh and "| `eu` |" in fresh and fresh.endswith("<!-- end -->\nb\n")
    with pytest.raises(SystemExit, match="unknown generated region 'nope'"):
        docs.generate("<!-- generated: nope -->\n<!-- end -->\n")


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(path: Path) -> None:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"\w+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (ROOT / file.lstrip("/")) if file.startswith("/") else (
            (path.parent / file) if file else path)
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in _anchors(dest)):
            broken.append(target)
    assert not broken, f"{path.relative_to(ROOT)}: {broken}"
