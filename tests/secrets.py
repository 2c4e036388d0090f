"""Canary helpers: prove that no secret shows in an exception or a log.

Give every secret a unique canary (:func:`new_canary`), run a failure path, then call
:func:`assert_no_canary` with the exception and pytest's ``caplog``::

    from tests.secrets import assert_no_canary, capture_debug_logs, new_canary

    capture_debug_logs(caplog)           # first, so urllib3's DEBUG lines are captured too
    password = new_canary("password")
    with pytest.raises(AnypointError) as caught:
        client.login("someone", password)
    assert_no_canary(caught.value, caplog, password)

Importable as ``tests.secrets`` thanks to ``--import-mode=importlib`` and ``pythonpath = ["."]``
(pyproject). The name would shadow the standard library's ``secrets`` if ``tests/`` itself were
ever put on ``sys.path`` (pytest's default ``prepend`` import mode does that): keep importlib mode.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from urllib.parse import quote, quote_plus

import pytest

LOGGERS = ("anypoint_pulumi", "urllib3")
"""The loggers whose DEBUG output must never carry a secret."""


def new_canary(kind: str) -> str:
    """A unique string standing for one secret; made at run time so no source line shows it.

    It holds ``+``, ``/`` and ``=`` (as base64 secrets do), so its URL- and JSON-encoded
    spellings differ from it and are checked too.
    """
    return f"cnry-{kind}-{uuid.uuid4().hex}+/="


def spellings(canary: str) -> set[str]:
    """A canary as is and in the encodings a server or library may write it in."""
    return {canary, quote(canary, safe=""), quote_plus(canary), json.dumps(canary)[1:-1]}


def chained(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception reachable through ``__cause__`` and ``__context__``."""
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return found


def leaks(exc: BaseException | None, log_text: str, canaries: tuple[str, ...]) -> list[str]:
    """Where any canary shows: in the text of ``exc``, its chain, its traceback, or the log."""
    places: dict[str, str] = {"log": log_text}
    if exc is not None:
        for n, link in enumerate(chained(exc)):
            places[f"str(chain[{n}])"] = str(link)
            places[f"repr(chain[{n}])"] = repr(link)
            places[f"args(chain[{n}])"] = repr(link.args)
        places["traceback"] = "".join(traceback.format_exception(exc))
    return [
        f"{form[:18]}… in {where}"
        for canary in canaries
        if canary
        for form in spellings(canary)
        for where, text in places.items()
        if form in text
    ]


def capture_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Capture DEBUG records of :data:`LOGGERS` for the rest of the test."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def assert_no_canary(
    exc: BaseException | None, caplog: pytest.LogCaptureFixture, *canaries: str
) -> None:
    """Fail if a canary shows in ``exc`` (text, repr, args, chain, traceback) or in the logs.

    ``exc`` may be ``None`` to check the logs alone. Call :func:`capture_debug_logs` first.
    """
    assert canaries, "give at least one canary"
    assert caplog.records, "nothing was logged: call capture_debug_logs(caplog) first"
    log_text = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    ) + caplog.text
    found = leaks(exc, log_text, canaries)
    assert not found, f"secret leaked: {found}"


def pem_body_lines(pem: str) -> list[str]:
    """The base64 lines of a PEM block (each one a fragment of the key that must never show),
    without its ``-----BEGIN/END-----`` armour, which is no secret."""
    return [line.strip() for line in pem.splitlines()
            if line.strip() and not line.startswith("-----")]
