"""The ``anypoint-auth`` provider plugin: the token resource and the data functions for every
Pulumi language, served by this package.

The executable is ``pulumi-resource-anypoint-auth`` (a console script calling :func:`main`).
Layout: :mod:`.schema` (the package schema, generated from the core's declaration),
:mod:`.wire` (wire format <-> plain values), :mod:`.provider` (the thin adapter over
:mod:`anypoint_pulumi.core`), :mod:`.server` (our gRPC servicer and loop: one clean line per
error, never a traceback).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Serve the provider: print the port, answer the engine until it stops the process."""
    from .server import parse_args

    args = parse_args(sys.argv[1:] if argv is None else argv)
    import pulumi.runtime.settings

    from .provider import AnypointAuthProvider
    from .server import serve

    if args.engine:
        # pulumi.log reaches the user only through the engine's address.
        pulumi.runtime.settings.reset_options(engine_address=args.engine)
    with contextlib.suppress(KeyboardInterrupt):  # the engine stopping the plugin
        asyncio.run(serve(AnypointAuthProvider()))
