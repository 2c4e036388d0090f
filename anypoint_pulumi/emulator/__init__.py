"""A local emulator of Anypoint Access Management, for tests, demos and benchmarks.

A real HTTP server on a loopback port (werkzeug, the ``emulator`` extra) that issues and checks
tokens like the control plane does, answers the identity reads, and misbehaves on demand::

    from anypoint_pulumi.emulator import Emulator, Fault

    with Emulator() as emu:
        emu.inject("/accounts/api/v2/oauth2/token", Fault.rate_limited(retry_after=1))
        ...  # point a client at emu.base_url and sign in with emu.demo

Nothing else in ``anypoint_pulumi`` imports this package. Without the ``emulator`` extra,
``Emulator`` raises :class:`ModuleNotFoundError` naming the extra to install (the other names,
plain data, still import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._version import __version__
from .demo import DemoCredentials
from .faults import Fault
from .seedfile import SeedError
from .state import RequestRecord

__all__ = ["EXTRA", "DemoCredentials", "Emulator", "Fault", "RequestRecord", "SeedError",
           "missing_extra"]

EXTRA = "emulator"
"""The package extra the emulator needs (werkzeug; trustme for TLS)."""


def missing_extra(module: str) -> ModuleNotFoundError:
    """The error for a module of the ``emulator`` extra that is not installed: it names the extra
    and how to install it, from a wheel or a checkout as from a package index."""
    return ModuleNotFoundError(
        f"the Anypoint emulator needs {module!r}, part of anypoint-pulumi's '{EXTRA}' extra, "
        f"which is not installed. Install the package with that extra: "
        f"pip install 'anypoint_pulumi-{__version__}-py3-none-any.whl[{EXTRA}]' (the wheel "
        f"you installed), pip install '/path/to/anypoint-pulumi[{EXTRA}]' (a checkout), or, "
        f"once it is published, pip install 'anypoint-pulumi[{EXTRA}]'",
        name=module)


if TYPE_CHECKING:
    from .server import Emulator


def __getattr__(name: str) -> Any:
    """Load the server (and werkzeug) on first use of ``Emulator``, with a clear error when the
    ``emulator`` extra is missing."""
    if name != "Emulator":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        from .server import Emulator
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "werkzeug":
            raise
        failure = missing_extra("werkzeug")
    else:
        return Emulator
    raise failure
