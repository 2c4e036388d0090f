"""What the core tells a front end besides values: check failures and notices.

Front ends show them their own way: the dynamic provider as ``CheckFailure`` and ``pulumi.log``,
the plugin as ``CheckFailure`` and the engine's log, the CLI on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["UNKNOWN", "Notice", "Problem"]


class _Unknown:
    """The type of :data:`UNKNOWN`."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""A value not known yet (an output of a resource a preview has not created): front ends map
their own sentinel to this one on the way in, and back on the way out."""


@dataclass(frozen=True)
class Problem:
    """A check failure: the input (snake_case) and one line saying what is wrong and what to do.
    Never holds a secret."""

    field: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """Something the user must be told (a warning, or why a token is replaced)."""

    level: Literal["info", "warning"]
    message: str
