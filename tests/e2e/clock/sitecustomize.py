"""Shift anypoint_pulumi's clock by the offset in ``$ANYPOINT_E2E_CLOCK_FILE`` (end-to-end tests).

The engine starts a fresh dynamic-provider process for every ``pulumi`` command, so reading the
offset once at start-up is enough. Only the package's own ``datetime.now`` moves, as the
emulator's clock has been moved: shifting the whole process (time-machine) stalls gRPC's server.
"""

import os

_FILE = os.environ.get("ANYPOINT_E2E_CLOCK_FILE")
_OFFSET = 0.0
if _FILE and os.path.exists(_FILE):
    with open(_FILE) as _f:
        _OFFSET = float(_f.read().strip() or 0)

if _OFFSET:
    import datetime as _dt
    import importlib
    import pkgutil
    import sys

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
