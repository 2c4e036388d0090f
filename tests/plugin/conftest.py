"""Until ``anypoint_pulumi.core`` lands (issue 15), the adapter's tests run against the
stand-in alone: the provider module imports the core at import time."""

from __future__ import annotations

import importlib.util
import sys

if importlib.util.find_spec("anypoint_pulumi.core") is None:  # pragma: no cover
    from . import fake_core

    sys.modules["anypoint_pulumi.core"] = fake_core
