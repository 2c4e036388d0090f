"""Run a whole Pulumi program under :class:`~anypoint_pulumi.testing.AnypointMocks`, in process.

:func:`run_program` does what ``pulumi up`` does to a program as far as the program can tell: sets
the project, stack and config, installs the mocks (the real ``AnypointToken`` provider, typically
against the emulator), runs the file as ``__main__`` and resolves its stack outputs with their
secretness. It is not a deployment: no engine, no state, no CLI. ``make demo`` (where no CLI is
installed) and the example tests both run programs through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import runpy
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from .mocks import AnypointMocks, Resolved, resolve_sync, set_mocks

__all__ = ["ProgramRun", "run_program"]


@dataclass
class ProgramRun:
    """What a program exported (value and secretness of each output) and the mocks it ran
    under (which saw every registration)."""

    outputs: dict[str, Resolved[Any]]
    mocks: AnypointMocks

    def value(self, name: str) -> Any:
        """The value of stack output ``name``."""
        return self.outputs[name].value

    def secret(self, name: str) -> bool:
        """Whether stack output ``name`` is secret."""
        return self.outputs[name].is_secret


_LOOPS: list[asyncio.AbstractEventLoop] = []


def _fresh_event_loop() -> None:
    """Each program gets its own event loop, as in its own process: no task, handler or closed
    loop (``asyncio.run`` elsewhere leaves none set) carries over from an earlier run."""
    while _LOOPS:
        old = _LOOPS.pop()
        if not old.is_closed():
            old.close()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    _LOOPS.append(loop)


def _quiet_unretrieved(failure: BaseException) -> None:
    """A failed registration sets its exception on every output property of the resource, and
    asyncio logs "exception was never retrieved" for those the program never read. Those are
    echoes of the failure the caller is handling: drop exactly those, keep any other report."""
    loop = asyncio.get_event_loop()
    previous = loop.get_exception_handler()

    def handler(the_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if (context.get("message", "").endswith("never retrieved") and exc is not None
                and type(exc) is type(failure) and str(exc) == str(failure)):
            return
        if previous is not None:
            previous(the_loop, context)
        else:
            the_loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _drain_rpcs() -> None:
    """Let the registrations a failed program started finish, so none is left un-awaited for
    the next run's event loop to report; their own failures are echoes of the one raised."""
    with contextlib.suppress(Exception):
        _sync_await(wait_for_rpcs())


def run_program(
    program: Path,
    *,
    project: str,
    stack: str = "test",
    config: Mapping[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
    mocks: AnypointMocks | None = None,
    preview: bool = False,
) -> ProgramRun:
    """Run ``program`` (a ``__main__.py``) as a Pulumi program and resolve its stack outputs.

    ``config`` keys are full (``anypoint:clientId``, ``<project>:environment``); values that are
    not strings are stored as JSON, as ``pulumi config set --path`` does. ``secret_keys`` are the
    config keys set with ``--secret``. The first failure of the program or of an output is raised.
    """
    full = {key: value if isinstance(value, str) else json.dumps(value)
            for key, value in (config or {}).items()}
    mocks = mocks if mocks is not None else AnypointMocks()
    _fresh_event_loop()
    pulumi.runtime.reset_options(project=project, stack=stack, preview=preview)
    pulumi.runtime.set_all_config(full, list(secret_keys))
    set_mocks(mocks, project=project, stack=stack, preview=preview)
    sys.path.insert(0, str(program.parent))
    try:
        try:
            runpy.run_path(str(program), run_name="__main__")
        except BaseException:
            _drain_rpcs()
            raise
        root = pulumi.runtime.get_root_resource()
        exported: dict[str, Any] = dict(getattr(root, "outputs", {}))
        outputs: dict[str, Resolved[Any]] = {}
        failures: list[BaseException] = []
        # Resolve every output even after one fails, so that each failure is retrieved (no
        # "exception was never retrieved" noise at exit), then raise the first.
        for name, value in exported.items():
            try:
                outputs[name] = resolve_sync(value)
            except Exception as exc:
                failures.append(exc)
        try:
            _sync_await(wait_for_rpcs())
        except Exception as exc:
            failures.append(exc)
        if failures:
            _quiet_unretrieved(failures[0])
            raise failures[0]
    finally:
        sys.path.remove(str(program.parent))
    return ProgramRun(outputs, mocks)
