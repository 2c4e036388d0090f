"""The scenario (``scenario.py``) in every language: YAML, Python, TypeScript and Go programs
get the same token behaviour from the ``anypoint-auth`` plugin under the real engine."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from anypoint_pulumi.emulator import Emulator

from .conftest import LANGUAGES
from .runners import Project, program_of
from .scenario import walk


@pytest.mark.timeout(900)  # a cold toolchain (first npm ci or Go build) plus ~20 operations
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_token_scenario_in_every_language(
        language: str, project: Callable[..., Project], emulator: Emulator) -> None:
    walk(project(language, **program_of(language, "scenario")), emulator)
