"""Fixtures of the anypoint-token tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from anypoint_pulumi.cli import main

Run = Callable[..., tuple[int, str, str]]
"""``run(environ, *args)`` -> ``(status, stdout, stderr)``."""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run(environ, *args)``: ``anypoint-token ARGS`` in-process; (status, stdout, stderr)."""

    def call(environ: dict[str, str], *args: str) -> tuple[int, str, str]:
        status = main(list(args), environ)
        out, err = capsys.readouterr()
        return status, out, err

    return call
