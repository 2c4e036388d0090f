"""The Python blocks of docs/ that are not generated from a program: the complete ones are run
here (the unit test of testing.md, the emulator tour of emulator.md); the rest are fragments of a
program (they use a ``token`` or ``profile`` declared elsewhere), marked ``<!-- fragment -->`` on
the page, and are compiled, so at least their syntax holds. A new block must be one or the
other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GENERATED = re.compile(r"<!-- generated: [\w-]+ -->\n.*?<!-- end -->", re.S)
BLOCK = re.compile(r"(<!-- fragment -->\n+)?^```python\n(.*?)^```", re.S | re.M)

RUN = {"testing.md": "def test_token_is_secret():",
       "emulator.md": "from anypoint_pulumi.emulator import Emulator, Fault"}


def blocks() -> list[tuple[str, bool, str]]:
    found = []
    for path in [*sorted(DOCS.glob("*.md")), ROOT / "README.md", ROOT / "CONTRIBUTING.md"]:
        text = GENERATED.sub("", path.read_text())
        found += [(path.name, bool(m.group(1)), m.group(2)) for m in BLOCK.finditer(text)]
    return found


def test_every_python_block_is_run_here_or_marked_a_fragment() -> None:
    unmarked = [(page, code.splitlines()[0]) for page, fragment, code in blocks()
                if not fragment and not any(page == p and line in code
                                            for p, line in RUN.items())]
    assert not unmarked


@pytest.mark.parametrize("code", [c for _, fragment, c in blocks() if fragment],
                         ids=lambda c: c.splitlines()[0][:40])
def test_fragments_compile(code: str) -> None:
    compile(code, "<fragment>", "exec")


def _block(page: str) -> str:
    [code] = [c for p, _, c in blocks() if p == page and RUN[page] in c]
    return code


def test_the_testing_page_unit_test_passes() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_block("testing.md"), "docs/testing.md", "exec"), namespace)
    namespace["test_token_is_secret"]()  # type: ignore[operator]


def test_the_emulator_page_tour_runs() -> None:
    exec(compile(_block("emulator.md"), "docs/emulator.md", "exec"), {})
