"""Run an example's ``__main__.py`` as a Pulumi program under the testing runtime, through
:func:`anypoint_pulumi.testing.program.run_program` (the runner ``make demo`` uses too), with the
config a user would set: keys without a namespace are the project's."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import AnypointMocks, MockRegistration
from anypoint_pulumi.testing.program import ProgramRun, run_program

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STACK = "test"

ExampleRun = ProgramRun


class RecordingMocks(AnypointMocks):
    """AnypointMocks with a look-up of the resources the program declared, by type (inputs as
    the engine would receive them, secrets still wrapped)."""

    def of_type(self, typ: str) -> list[MockRegistration]:
        return [r for r in self.registrations if r.type == typ]


def project_name(example: str) -> str:
    settings = (EXAMPLES / example / "Pulumi.yaml").read_text()
    found = re.search(r"^name:\s*(\S+)\s*$", settings, re.MULTILINE)
    assert found, f"examples/{example}/Pulumi.yaml has no name"
    return found.group(1)


def run_example(
    example: str,
    config: Mapping[str, Any] | None = None,
    *,
    secret_keys: tuple[str, ...] = (),
    mocks: RecordingMocks | None = None,
    preview: bool = False,
    program: Path | None = None,
    project: str | None = None,
) -> ProgramRun:
    """Run ``examples/<example>/__main__.py``; config keys without a namespace are the project's."""
    project = project or project_name(example)
    return run_program(
        program or EXAMPLES / example / "__main__.py",
        project=project,
        stack=STACK,
        config={(key if ":" in key else f"{project}:{key}"): value
                for key, value in (config or {}).items()},
        secret_keys=[key if ":" in key else f"{project}:{key}" for key in secret_keys],
        mocks=mocks or RecordingMocks(),
        preview=preview,
    )


def client_config(emu: Emulator) -> dict[str, str]:
    """``anypoint:*`` config for the demo connected app (client credentials) on the emulator."""
    return {
        "anypoint:baseUrl": emu.base_url,
        "anypoint:clientId": emu.demo.client_id,
        "anypoint:clientSecret": emu.demo.client_secret,
    }
