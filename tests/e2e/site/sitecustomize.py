"""Test-only start-up hooks for the processes the engine starts (end-to-end tests).

- ``$ANYPOINT_E2E_HIDE_PACKAGE``: ``anypoint_pulumi`` cannot be imported, as after an uninstall.
- ``$ANYPOINT_E2E_PACKAGE_DIR``: import ``anypoint_pulumi`` from this directory instead of the
  installed (editable) package, as a machine with an older release installed would.
- ``$ANYPOINT_E2E_CLOCK_FILE``: shift anypoint_pulumi's clock by the offset in the file, as the
  emulator's clock has been moved. The engine starts a fresh dynamic-provider process for every
  ``pulumi`` command, so reading the offset once at start-up is enough. Only the package's own
  ``datetime.now`` moves: shifting the whole process (time-machine) stalls gRPC's server.
"""

import os
import sys

_PACKAGE_DIR = os.environ.get("ANYPOINT_E2E_PACKAGE_DIR")
if _PACKAGE_DIR:
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in repr(f)]
    sys.path.insert(0, _PACKAGE_DIR)

if os.environ.get("ANYPOINT_E2E_HIDE_PACKAGE"):  # as on a machine where it was uninstalled

    class _Hidden:
        @staticmethod
        def find_spec(name, path=None, target=None):  # type: ignore[no-untyped-def]
            if name == "anypoint_pulumi" or name.startswith("anypoint_pulumi."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _Hidden())

_FILE = os.environ.get("ANYPOINT_E2E_CLOCK_FILE")
_OFFSET = 0.0
if _FILE and os.path.exists(_FILE):
    with open(_FILE) as _f:
        _OFFSET = float(_f.read().strip() or 0)

if _OFFSET:
    import datetime as _dt
    import importlib
    import pkgutil

    import anypoint_pulumi

    class _Shifted(_dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return _dt.datetime.now(tz) + _dt.timedelta(seconds=_OFFSET)

    for _info in pkgutil.walk_packages(anypoint_pulumi.__path__, "anypoint_pulumi."):
        if ".emulator" not in _info.name and "testing" not in _info.name:
            importlib.import_module(_info.name)
    for _name, _module in list(sys.modules.items()):
        if getattr(_module, "datetime", None) is _dt.datetime and _name.startswith("anypoint"):
            _module.datetime = _Shifted  # type: ignore[attr-defined]
