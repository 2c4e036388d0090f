"""Run an example's ``__main__.py`` as a Pulumi program under the testing runtime.

``run_example`` does, in-process, what ``pulumi up`` does to a program as far as the program can
tell: sets the project, stack and config (``anypoint:*`` and the project's own keys), installs
:class:`~anypoint_pulumi.testing.AnypointMocks` (the real AnypointToken provider, against the
emulator), runs the file as ``__main__`` and resolves its stack outputs with their secretness.
It is not a deployment: no engine, no state, no CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import runpy
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing import AnypointMocks, Resolved, resolve_sync

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STACK = "test"


@dataclass
class ExampleRun:
    """What a program exported (value and secretness of each output) and what it declared."""

    outputs: dict[str, Resolved[Any]]
    mocks: RecordingMocks

    def value(self, name: str) -> Any:
        return self.outputs[name].value

    def secret(self, name: str) -> bool:
        return self.outputs[name].is_secret


class RecordingMocks(AnypointMocks):
    """AnypointMocks that also records every resource the program declares (type, name, inputs
    as the engine would receive them, secrets still wrapped)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.declared: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        self.declared.append(args)
        return super().new_resource(args)

    def of_type(self, typ: str) -> list[pulumi.runtime.MockResourceArgs]:
        return [args for args in self.declared if args.typ == typ]


_LOOPS: list[asyncio.AbstractEventLoop] = []


def _fresh_event_loop() -> None:
    """Each program gets its own event loop, as in its own process: no task, handler or closed
    loop (``asyncio.run`` elsewhere leaves none set) carries over from an earlier test."""
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
    the next test's event loop to report; their own failures are echoes of the one raised."""
    with contextlib.suppress(Exception):
        _sync_await(wait_for_rpcs())


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
) -> ExampleRun:
    """Run ``examples/<example>/__main__.py``; config keys without a namespace are the project's.

    Non-string config values are stored as JSON, as ``pulumi config set --path``/objects are.
    """
    main = program or EXAMPLES / example / "__main__.py"
    project = project or project_name(example)
    full = {(key if ":" in key else f"{project}:{key}"):
            (value if isinstance(value, str) else json.dumps(value))
            for key, value in (config or {}).items()}
    secrets = [key if ":" in key else f"{project}:{key}" for key in secret_keys]
    mocks = mocks or RecordingMocks()
    _fresh_event_loop()
    pulumi.runtime.reset_options(project=project, stack=STACK, preview=preview)
    pulumi.runtime.set_all_config(full, secrets)
    pulumi.runtime.set_mocks(mocks, project=project, stack=STACK, preview=preview)
    sys.path.insert(0, str(main.parent))
    try:
        try:
            runpy.run_path(str(main), run_name="__main__")
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
        sys.path.remove(str(main.parent))
    return ExampleRun(outputs, mocks)


def client_config(emu: Emulator) -> dict[str, str]:
    """``anypoint:*`` config for the demo connected app (client credentials) on the emulator."""
    return {
        "anypoint:baseUrl": emu.base_url,
        "anypoint:clientId": emu.demo.client_id,
        "anypoint:clientSecret": emu.demo.client_secret,
    }
