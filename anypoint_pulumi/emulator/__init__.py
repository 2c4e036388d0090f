"""A local emulator of Anypoint Access Management, for tests, demos and benchmarks.

A real HTTP server on a loopback port (werkzeug, the ``emulator`` extra) that issues and checks
tokens like the control plane does, answers the identity reads, and misbehaves on demand::

    from anypoint_pulumi.emulator import Emulator, Fault

    with Emulator() as emu:
        emu.inject("/accounts/api/v2/oauth2/token", Fault.rate_limited(retry_after=1))
        ...  # point a client at emu.base_url and sign in with emu.demo

Nothing else in ``anypoint_pulumi`` imports this package.
"""

from .demo import DemoCredentials
from .faults import Fault
from .seedfile import SeedError
from .server import Emulator
from .state import RequestRecord

__all__ = ["DemoCredentials", "Emulator", "Fault", "RequestRecord", "SeedError"]
