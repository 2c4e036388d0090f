"""``python -m anypoint_pulumi.emulator``: run the emulator until interrupted.

The first line printed is ``base_url=http://HOST:PORT`` (``https`` with ``--tls``, then
``ca_bundle=<path of the throw-away CA's PEM file>``), then ``saml_response_url=`` (``GET`` it for
a fresh SAML response of the demo federated user); ``KEY=value`` lines with the demo credentials
follow. It serves until SIGINT or SIGTERM and then exits 0. Without the ``emulator`` extra it
says which extra to install and exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from . import missing_extra
from .seedfile import SeedError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anypoint-emulator",
        description="Run a local Anypoint Access Management emulator until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=0, help="port, 0 for a free one (default)")
    parser.add_argument(
        "--seed", metavar="FILE", help="JSON file with extra orgs, environments, users, apps"
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the demo credentials would cross the network)",
    )
    parser.add_argument(
        "--log-requests", action="store_true", help="print werkzeug's access log to stderr"
    )
    parser.add_argument(
        "--tls", action="store_true",
        help="serve HTTPS with a certificate from a throw-away CA made now (prints ca_bundle=)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        from .samples import SAML_SAMPLE_PATH
        from .server import Emulator, is_loopback_host
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "werkzeug":
            raise
        print(f"anypoint-emulator: {missing_extra('werkzeug')}", file=sys.stderr)
        return 2
    if not args.allow_remote and not is_loopback_host(args.host):
        print(
            f"anypoint-emulator: refusing --host {args.host}: not a loopback address "
            "(pass --allow-remote to expose the emulator and its demo credentials)",
            file=sys.stderr,
        )
        return 2
    if args.tls:
        try:
            import trustme  # noqa: F401
        except ModuleNotFoundError:
            print(f"anypoint-emulator: --tls: {missing_extra('trustme')}", file=sys.stderr)
            return 2
    emulator = Emulator(
        args.host, args.port, allow_remote=args.allow_remote, log_requests=args.log_requests,
        tls=args.tls,
    )
    if args.seed:
        try:
            emulator.load_seed(args.seed)
        except SeedError as exc:
            print(f"anypoint-emulator: {exc}", file=sys.stderr)
            return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with emulator:
            lines = [f"base_url={emulator.base_url}"]
            if emulator.ca_bundle:
                lines.append(f"ca_bundle={emulator.ca_bundle}")
            lines.append(f"saml_response_url={emulator.base_url}{SAML_SAMPLE_PATH}")
            lines += [f"{k}={v}" for k, v in dataclasses.asdict(emulator.demo).items()]
            print("\n".join(lines), flush=True)
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
