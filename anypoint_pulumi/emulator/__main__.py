"""``python -m anypoint_pulumi.emulator``: run the emulator until interrupted.

The first line printed is ``base_url=http://HOST:PORT`` (``https`` with ``--tls``, then
``ca_bundle=<path of the throw-away CA's PEM file>``), then ``saml_response_url=`` (``GET`` it for
a fresh SAML response of the demo federated user) and ``clock_url=`` (the emulator's clock:
``GET`` reads it, ``POST ?seconds=N`` moves it forward, loopback peers only); ``KEY=value`` lines
with the demo credentials follow. ``--token-lifetime SECONDS`` sets ``expires_in`` of the OAuth
tokens it issues (default 3600), so with the clock a shell can watch tokens expire::

    python -m anypoint_pulumi.emulator --port 8081 --token-lifetime 60 &
    curl -s -X POST "http://127.0.0.1:8081/emulator/clock?seconds=61"   # every token expired

It serves until SIGINT or SIGTERM and then exits 0. Bad arguments (a port outside 0-65535, a
lifetime that is not a whole number of seconds in range, a seed file it refuses, a port in use)
exit 2 with one line on stderr. Without the ``emulator`` extra it says which extra to install and
exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import NoReturn

from . import missing_extra
from .seedfile import SeedError
from .state import MAX_TOKEN_LIFETIME_SECONDS

PROG = "anypoint-emulator"
EPILOG = """\
emulator-only endpoints (no token needed; the clock answers loopback peers only):
  GET  /emulator/saml-response        a fresh SAML response of the demo federated user
                                      (?username=, ?issuer=, ?valid_seconds=); single use
  GET  /emulator/clock                the emulator's clock as JSON (now, epoch_seconds,
                                      offset_seconds)
  POST /emulator/clock?seconds=N      move the clock N seconds forward (tokens, sessions, SAML
                                      responses and JWT assertions expire on it)

example: watch a token expire
  %(prog)s --port 8081 --token-lifetime 60 &
  curl -s -X POST 'http://127.0.0.1:8081/emulator/clock?seconds=61'
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (and exit status 2), no usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {one_line(message)} (see --help)\n")


def one_line(text: str) -> str:
    """``text`` on one line (line breaks a user slipped into a value shown escaped)."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _whole(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (argparse names the option)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number{unit} from {low} to {high}, not {text[:40]!r}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Run a local Anypoint Access Management emulator until interrupted.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=_whole(0, 65535), default=0,
                        help="port from 0 to 65535, 0 for a free one (default)")
    parser.add_argument(
        "--token-lifetime", metavar="SECONDS", default=3600,
        type=_whole(1, MAX_TOKEN_LIFETIME_SECONDS, " of seconds"),
        help="expires_in of the OAuth tokens it issues (default 3600; login and SAML sessions "
             "follow their organization's session timeout)")
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
        from .samples import CLOCK_PATH, SAML_SAMPLE_PATH
        from .server import Emulator, is_loopback_host
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "werkzeug":
            raise
        print(f"{PROG}: {missing_extra('werkzeug')}", file=sys.stderr)
        return 2
    if not args.allow_remote and not is_loopback_host(args.host):
        print(
            f"{PROG}: refusing --host {args.host}: not a loopback address "
            "(pass --allow-remote to expose the emulator and its demo credentials)",
            file=sys.stderr,
        )
        return 2
    if args.tls:
        try:
            import trustme  # noqa: F401
        except ModuleNotFoundError:
            print(f"{PROG}: --tls: {missing_extra('trustme')}", file=sys.stderr)
            return 2
    emulator = Emulator(
        args.host, args.port, allow_remote=args.allow_remote, log_requests=args.log_requests,
        tls=args.tls, token_lifetime_seconds=args.token_lifetime,
    )
    if args.seed:
        try:
            emulator.load_seed(args.seed)
        except SeedError as exc:
            print(f"{PROG}: --seed: {one_line(str(exc))}", file=sys.stderr)
            return 2
    try:
        emulator.start()
    except OSError as exc:
        print(f"{PROG}: cannot listen on {args.host} port {args.port}: "
              f"{exc.strerror or exc} (give another --port, or 0 for a free one)",
              file=sys.stderr)
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
            lines.append(f"clock_url={emulator.base_url}{CLOCK_PATH}")
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
