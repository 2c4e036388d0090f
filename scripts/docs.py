"""Rewrite the generated regions of the docs from the code and the example programs.

A region is a marked span of a page::

    <!-- generated: NAME -->
    ...what REGIONS[NAME]() returns...
    <!-- end -->

Everything between the markers is replaced; everything else is left alone. Usage:

    .venv/bin/python scripts/docs.py            # rewrite every page that differs
    .venv/bin/python scripts/docs.py --check    # exit 1 naming the pages that differ

``tests/docs/test_generated.py`` runs the check, so a table or a snippet that drifts from its
source fails the tests with the command to run.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REGION = re.compile(r"(<!-- generated: ([\w-]+) -->\n)(.*?)(<!-- end -->)", re.S)
PY_REGION = re.compile(r"(# generated: ([\w-]+)[^\n]*\n)(.*?)(# end generated)", re.S)
"""The same in Python source: ``# generated: NAME (…)`` … ``# end generated``."""
SCHEMA = ROOT / "anypoint_pulumi" / "plugin" / "schema.py"


def pages() -> list[Path]:
    """Every page the generator owns: the README, CONTRIBUTING and docs/."""
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md")),
            SCHEMA]


# -- sources --------------------------------------------------------------------------------------

def _fenced(language: str, path: str) -> str:
    """A file verbatim in a fenced block, with the path it came from (a test runs that file)."""
    text = (ROOT / path).read_text().rstrip("\n")
    return f"```{language}\n{text}\n```\n\n<sub>From [`{path}`](/{path}).</sub>\n"


def _inputs_table() -> str:
    from anypoint_pulumi.core import inputs

    return "\n".join(inputs.markdown_table()) + "\n"


def _control_planes() -> str:
    from anypoint_pulumi.access.settings import control_planes_table

    return "\n".join(control_planes_table()) + "\n"


def _plain_outputs() -> str:
    from anypoint_pulumi.core import inputs

    plain = [n for n in (*inputs.TOKEN_OUTPUTS, *inputs.NAMES) if n not in inputs.SECRET_OUTPUTS]
    listed = ", ".join(f"`{name}`" for name in dict.fromkeys(plain))
    return f"The other outputs ({listed}) are not secret.\n"


def _secret_outputs() -> str:
    from anypoint_pulumi.core import inputs

    return ", ".join(f"`{name}`" for name in inputs.SECRET_OUTPUTS) + "\n"


def _config_table() -> str:
    from anypoint_pulumi.core import inputs

    rows = ["| config key | set it with | environment | meaning |", "|---|---|---|---|"]
    for spec in inputs.INPUTS:
        if not spec.config_key:
            continue
        key = f"{inputs.CONFIG_NAMESPACE}:{spec.config_key}"
        how = (f"`pulumi config set --secret {key}`" if spec.secret
               else f"`pulumi config set {key} …`")
        env = ", ".join(f"`{var}`" for var in spec.env_vars) or "—"
        rows.append(f"| `{key}` | {how} | {env} | {spec.doc} |")
    return "\n".join(rows) + "\n"


def _limits() -> Iterator[tuple[str, str, str, str]]:
    """(group, name, value, what) for each constant of ``access/limits.py``, in source order."""
    from anypoint_pulumi.access import limits

    source = (ROOT / "anypoint_pulumi" / "access" / "limits.py").read_text()
    group = ""
    lines = source.splitlines()
    for i, line in enumerate(lines):
        header = re.match(r"# (.+?) -{5,}", line)
        if header:
            group = header.group(1)
            continue
        constant = re.match(r"([A-Z][A-Z0-9_]+) = ", line)
        if not constant or not group:
            continue
        doc = ""
        if i + 1 < len(lines) and lines[i + 1].startswith('"""'):
            chunk = []
            for follow in lines[i + 1:]:
                chunk.append(follow)
                if follow.rstrip().endswith('"""') and (len(chunk) > 1 or follow.count('"""') == 2):
                    break
            doc = " ".join(part.strip() for part in chunk).strip('"').strip()
            doc = re.sub(r":\w+:`~?\.?([\w.]+)`", r"`\1`", doc).replace("``", "`")
        yield group, constant.group(1), repr(getattr(limits, constant.group(1))), doc


def _limits_table() -> str:
    rows = ["| group | constant | value | what |", "|---|---|---|---|"]
    rows += [f"| {group} | `{name}` | `{value}` | {doc.replace('|', '/') or '—'} |"
             for group, name, value, doc in _limits()]
    return "\n".join(rows) + "\n"


def _functions_table() -> str:
    from anypoint_pulumi.core.functions import FUNCTIONS
    from anypoint_pulumi.plugin import schema

    rows = ["| Python (`anypoint_pulumi`) | plugin (`anypoint-auth:index:…`) | what |",
            "|---|---|---|"]
    for function in FUNCTIONS:
        first = function.doc.split(". ")[0].rstrip(".") + "."
        rows.append(f"| `{function.name}` / `{function.name}_output` | "
                    f"`{schema.camel(function.name)}` | {first} |")
    return "\n".join(rows) + "\n"


EXAMPLE_PROGRAMS = (("typescript", "examples/typescript-token/index.ts"),
                    ("python", "docs/snippets/python-token/__main__.py"),
                    ("go", "examples/go-token/program.go"),
                    ("yaml", "examples/yaml-token/Pulumi.yaml"))
"""The token program in each language: the docs' examples and the schema's Example Usage."""


def example_usage() -> str:
    """The ``{{% examples %}}`` section of the Token and getProfile descriptions: Pulumi's code
    generator keeps each SDK's own language (and ``sh``) and drops the others."""
    blocks = "".join(f"```{lang}\n{(ROOT / path).read_text().rstrip()}\n```\n"
                     for lang, path in EXAMPLE_PROGRAMS)
    return ("\n\n{{% examples %}}\n## Example Usage\n{{% example %}}\n"
            "### A token, its owner's organization, and the token as a secret stack output\n\n"
            + blocks + "{{% /example %}}\n{{% /examples %}}\n")


def _schema_examples() -> str:
    """``example_usage()`` as a Python constant, one source line per line of text."""
    rows = []
    for line in example_usage().splitlines(keepends=True):
        row = f"    {line!r}"
        rows.append(row + ("  # noqa: E501" if len(row) > 100 else "") + "\n")
    return "_EXAMPLE_USAGE = (\n" + "".join(rows) + ")\n"


PY_REGIONS: dict[str, Callable[[], str]] = {"schema-examples": _schema_examples}

REGIONS: dict[str, Callable[[], str]] = {
    "inputs-table": _inputs_table,
    "control-planes": _control_planes,
    "config-table": _config_table,
    "plain-outputs": _plain_outputs,
    "secret-outputs": _secret_outputs,
    "limits-table": _limits_table,
    "functions-table": _functions_table,
    "example-yaml": lambda: _fenced("yaml", "examples/yaml-token/Pulumi.yaml"),
    "example-typescript": lambda: _fenced("typescript", "examples/typescript-token/index.ts"),
    "example-go": lambda: _fenced("go", "examples/go-token/program.go"),
    "example-python": lambda: _fenced("python", "docs/snippets/python-token/__main__.py"),
    "example-python-dynamic": lambda: _fenced("python", "__main__.py"),
}


def generate(text: str, *, page: str = "") -> str:
    """``text`` with every region rewritten; an unknown region name is an error."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in REGIONS:
            raise SystemExit(f"{page}: unknown generated region {name!r}; known: "
                             + ", ".join(sorted(REGIONS)))
        return match.group(1) + REGIONS[name]() + match.group(4)

    def replace_py(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in PY_REGIONS:
            raise SystemExit(f"{page}: unknown generated region {name!r}; known: "
                             + ", ".join(sorted(PY_REGIONS)))
        return match.group(1) + PY_REGIONS[name]() + match.group(4)

    return PY_REGION.sub(replace_py, REGION.sub(replace, text))


def stale() -> list[Path]:
    """The pages whose text differs from what the generator makes of it."""
    return [page for page in pages() if page.is_file()
            and generate(page.read_text(), page=str(page)) != page.read_text()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 naming the pages that differ")
    args = parser.parse_args(argv)
    differing = stale()
    if args.check:
        for page in differing:
            print(f"{page.relative_to(ROOT)} differs from what scripts/docs.py generates")
        return 1 if differing else 0
    for page in differing:
        page.write_text(generate(page.read_text(), page=str(page)))
        print(f"rewrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
