"""The docs' runnable Python snippet runs under the real engine with the plugin harness of
``tests/plugin_e2e`` (its ``engine_bin`` and ``project`` fixtures, reused as they are)."""

from tests.plugin_e2e.conftest import engine_bin, project

__all__ = ["engine_bin", "project"]
