"""Until ``anypoint_pulumi.core`` lands (issue 15), the adapter's tests run against the
stand-in alone (the provider module imports the core at import time), and the tests of the real
plugin process skip."""

from __future__ import annotations

import importlib.util
import sys

REAL_CORE = importlib.util.find_spec("anypoint_pulumi.core") is not None

if not REAL_CORE:  # pragma: no cover
    from . import fake_core

    sys.modules["anypoint_pulumi.core"] = fake_core
