"""Unit-test Pulumi programs that use :class:`~anypoint_pulumi.AnypointToken`, without the CLI.

- :mod:`.mocks`: :class:`AnypointMocks`, Pulumi mocks that run the token's real provider, and
  :func:`set_mocks`, which installs them so that they see each registration as the engine does;
- :mod:`.program`: :func:`~anypoint_pulumi.testing.program.run_program`, a whole program under the
  mocks (used by ``make demo`` and the example tests);
- :mod:`.local`: :class:`~anypoint_pulumi.testing.local.LocalStack`, a program run under a real
  ``pulumi`` CLI offline (a local file backend and a passphrase).

The emulator is :mod:`anypoint_pulumi.emulator`. Only the mocks load with this package.
"""

from ..token.resource import TOKEN_TYPE
from .mocks import (
    AnypointMocks,
    CheckFailedError,
    MockRegistration,
    MockToken,
    Resolved,
    resolve,
    resolve_sync,
    set_mocks,
)

__all__ = [
    "TOKEN_TYPE",
    "AnypointMocks",
    "CheckFailedError",
    "MockRegistration",
    "MockToken",
    "Resolved",
    "resolve",
    "resolve_sync",
    "set_mocks",
]
