"""Hostile-server figures (issue 10), printed at the end of every run next to their goals:

- the worst wall time of a ``Create`` and a ``Delete`` (through the SDK's provider server) and of
  a data-function call, each against servers that drip the body or the headers a byte at a time
  or never answer, with ``timeout_seconds=1``: goal, the budget plus one second;
- the memory growth of a call (in a fresh process) against compression bombs, huge bodies and
  the costliest JSON under the limits: goal, at most 64 MiB;
- the pages asked of listings that never end: goal, at most ⌈total / page size⌉ + 1.

``make bench`` prints and records the same figures (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.hostile import (
    Figure,
    memory_figures,
    page_figures,
    wall_time_figures,
)


def record(note: Callable[[str], None], figures: list[Figure]) -> None:
    for figure in figures:
        verdict = "meets" if figure.passed else "MISSES"
        note(f"hostile: {figure.what}: {figure.measured} ({verdict} goal {figure.goal})")


@pytest.mark.timeout(300)
def test_every_operation_against_a_stalling_server_ends_within_its_budget_plus_a_second(
        evidence_note: Callable[[str], None]) -> None:
    figures = wall_time_figures(budget=1.0)
    record(evidence_note, figures)

    assert [f.what for f in figures if not f.passed] == []
    assert {f.what.split(":")[1].split(" against")[0].strip() for f in figures} == {
        "create", "delete", "data function"}


@pytest.mark.timeout(300)
def test_memory_grows_by_at_most_64_mib_on_any_hostile_answer(
        evidence_note: Callable[[str], None]) -> None:
    figures = memory_figures()
    record(evidence_note, figures)

    assert [f.what for f in figures if not f.passed] == []
    assert all("Error" in f.measured for f in figures if "limits" not in f.what)


def test_a_listing_that_never_ends_is_asked_at_most_total_over_page_size_plus_one_pages(
        evidence_note: Callable[[str], None]) -> None:
    figures = page_figures()
    record(evidence_note, figures)

    assert [f.what for f in figures if not f.passed] == []
