"""Fixtures of the evidence suite (issue 6): one emulator per module, fast provider clients,
canaries, and the fault x flow table printed at the end of the run.

The table is filled by ``test_faults.py`` through the ``fault_table`` fixture and printed by
:func:`pytest_terminal_summary`, so it shows whether or not ``-s`` is given.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import anypoint_pulumi.access.settings as settings_module
from anypoint_pulumi.access.settings import RetryPolicy
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.token.provider import TokenProvider
from tests.secrets import chained

FAST_RETRIES = 2
"""Retries the fast provider clients make: ``FAST_RETRIES + 1`` attempts in all."""
FAST_BUDGET = 4.0
"""Total retry time (seconds) of the fast provider clients."""

_TABLE = pytest.StashKey[dict[tuple[str, str], str]]()
_ORDER = pytest.StashKey[tuple[list[str], list[str]]]()
_NOTES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One started, demo-seeded emulator per test module (cheap to reset between tests)."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    """The SDK's provider server (``python -u -m pulumi.dynamic``), one per module so its
    output is the module's alone."""
    from tests.support.provider_server import ProviderServer

    with ProviderServer() as running:
        yield running


@pytest.fixture
def fast_provider(monkeypatch: pytest.MonkeyPatch) -> TokenProvider:
    """The real provider whose clients retry ``FAST_RETRIES`` times with a tiny backoff.

    Only the retry *schedule* changes (attempts, backoff, budget); the timeouts still come from
    the ``timeout_seconds`` input, and every other line of the provider and client runs as is.
    """

    def fast(timeout_seconds: float) -> RetryPolicy:
        return RetryPolicy(retries=FAST_RETRIES, backoff_factor=0.01,
                           budget_seconds=FAST_BUDGET)

    monkeypatch.setattr(settings_module, "retry_policy", fast)
    return TokenProvider()


# The fault table -------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TABLE] = {}
    config.stash[_ORDER] = ([], [])
    config.stash[_NOTES] = []


@pytest.fixture
def evidence_note(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """``note(text)``: a measured figure, printed at the end of the run."""
    return request.config.stash[_NOTES].append


@pytest.fixture
def fault_table(request: pytest.FixtureRequest) -> Callable[[str, str, str], None]:
    """``record(fault, flow, outcome)``: one cell of the table printed at the end of the run."""
    table = request.config.stash[_TABLE]
    faults, flows = request.config.stash[_ORDER]

    def record(fault: str, flow: str, outcome: str) -> None:
        if fault not in faults:
            faults.append(fault)
        if flow not in flows:
            flows.append(flow)
        key = (fault, flow)
        table[key] = f"{table[key]}; {outcome}" if key in table else outcome

    return record


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    notes = config.stash.get(_NOTES, [])
    if notes:
        terminalreporter.write_sep("=", "evidence: measured figures")
        for note in notes:
            terminalreporter.write_line(note)
    table = config.stash.get(_TABLE, {})
    if not table:
        return
    faults, flows = config.stash[_ORDER]
    width0 = max(len("fault"), *(len(f) for f in faults))
    widths = [max(len(flow), *(len(table.get((f, flow), "")) for f in faults)) for flow in flows]
    columns = list(zip(flows, widths, strict=True))
    line = " | ".join([f"{'fault':<{width0}}", *(f"{fl:<{w}}" for fl, w in columns)])
    terminalreporter.write_sep("=", "fault matrix: outcome per fault x flow (requests made)")
    terminalreporter.write_line(line)
    terminalreporter.write_line("-+-".join("-" * w for w in (width0, *widths)))
    for fault in faults:
        cells = [f"{table.get((fault, flow), 'n/a'):<{w}}" for flow, w in columns]
        terminalreporter.write_line(" | ".join([f"{fault:<{width0}}", *cells]))
    terminalreporter.write_line(
        "ok(n): succeeded after n requests; x3→Error(n): the fault on every attempt, failed with "
        "that error after n requests; Error(1): failed at once; +k unseen: tokens the control "
        "plane issued after the client had timed out; 422 on the legacy endpoint for client "
        "credentials (v2 404 → fallback), on the flow's own endpoint for the others; 'old kept': "
        "after the failed replacement Create the old outputs still Read, Diff and Update clean."
    )


# Canaries --------------------------------------------------------------------------------------


def canary(kind: str) -> str:
    """A unique string standing for one secret, made at run time so no source line holds it."""
    return f"cnry{kind}{uuid.uuid4().hex}"


def exception_texts(exc: BaseException) -> str:
    """Everything an exception can show: str, repr, args of each link, and the traceback."""
    parts = []
    for link in chained(exc):
        parts += [str(link), repr(link), repr(link.args), repr(vars(link))]
    parts.append("".join(traceback.format_exception(exc)))
    return "\n".join(parts)


def assert_no_canary(where: str, text: str, canaries: Any) -> None:
    """Fail naming the place and the kind of the first canary found in ``text``."""
    for value in canaries:
        if value and value in text:
            raise AssertionError(f"secret {value[:12]}… leaked into {where}")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record at DEBUG (ours, urllib3's, requests', werkzeug's)."""
    caplog.set_level(logging.DEBUG)
    return caplog
