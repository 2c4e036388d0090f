"""`make demo`: run the quickstart program (./__main__.py) against a local Anypoint emulator.

1. Start the emulator (``python -m anypoint_pulumi.emulator --port 0``) on a free loopback port
   and read its base URL and demo credentials from its first lines of output.
2. With a Pulumi engine (``$ANYPOINT_PULUMI_ENGINE``, which ``make demo`` sets to what
   ``make engine`` found or built, else a ``pulumi`` on PATH): a real ``pulumi up`` of the root
   project through the Automation API, on a local file backend in ``.pulumi-demo/`` with a
   throwaway passphrase (no Pulumi Cloud account), then ``pulumi stack output``. The program is
   hosted by the Automation API in this process (an inline program, so no language-host plugin
   is needed); the CLI runs the deployment, encrypts state and starts the dynamic provider.
   Where there is no engine (no pulumi CLI and no Go to build one): say so, and run the same
   program under Pulumi's testing runtime (mocks), with ``anypoint_pulumi.testing`` running the
   real AnypointToken provider against the emulator. That is not a deployment, and it says so.
3. Print the stack outputs with the token masked, and the command that reveals it.
4. Stop the emulator, whether the run succeeded, failed or was interrupted.

Options: ``--mode auto|cli|mocks`` (default auto: cli when a pulumi CLI is found),
``--show-secrets`` (print the token itself), ``--environment NAME`` (default Sandbox),
``--keep-emulator`` (keep it running after the outputs, to try the token, until Ctrl-C),
``--timeout SECONDS`` (default 300).
Exit status: 0 on success, 1 on a failed run, 2 on a usage error, 128+N when ended by signal N
during the run (130 for Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import runpy
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "__main__.py"
PROJECT = "anypoint-quickstart"
STACK = "demo"
STATE_DIR = ROOT / ".pulumi-demo"
PASSPHRASE_FILE = STATE_DIR / "passphrase"
STACK_CONFIG_FILE = ROOT / f"Pulumi.{STACK}.yaml"
OUTPUT_ORDER = ("accessToken", "expiresAt", "organizationId", "environmentId")
SECRET_OUTPUT = "accessToken"
MASK = "[secret]"
NO_CLI = (
    "no Pulumi engine (no pulumi CLI on PATH and no Go to build one with `make engine`): running "
    "the same program under Pulumi's testing runtime (mocks) with the real provider against the "
    "emulator — not a real deployment."
)


class DemoError(Exception):
    """A failure the demo explains in one message (no traceback)."""


def say(message: str = "") -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------------------------
# The emulator, as a child process
# --------------------------------------------------------------------------------------------


@dataclass
class EmulatorProcess:
    """``python -m anypoint_pulumi.emulator --port 0`` in a child process, stopped by ``stop``."""

    python: str = sys.executable
    startup_timeout: float = 30.0
    values: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    _ready: threading.Event = field(default_factory=threading.Event)
    _lines: list[str] = field(default_factory=list)

    NEEDED = ("base_url", "client_id", "client_secret")

    @property
    def base_url(self) -> str:
        return self.values["base_url"]

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> EmulatorProcess:
        self.process = subprocess.Popen(
            [self.python, "-m", "anypoint_pulumi.emulator", "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for stream, sink in ((self.process.stdout, self._on_stdout),
                             (self.process.stderr, self._lines.append)):
            threading.Thread(target=self._drain, args=(stream, sink), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while not self._ready.wait(0.05):
            if self.process.poll() is not None:
                time.sleep(0.1)  # let the drain threads collect the last lines
                detail = "".join(self._lines[-5:]).strip() or "no output"
                raise DemoError(f"the emulator exited with status {self.process.returncode} "
                                f"before it was ready: {detail}")
            if time.monotonic() > deadline:
                raise DemoError(f"the emulator did not print its base URL within "
                                f"{self.startup_timeout:.0f} s")
        return self

    def _drain(self, stream: Any, sink: Any) -> None:
        for line in stream:
            sink(line)

    def _on_stdout(self, line: str) -> None:
        key, sep, value = line.strip().partition("=")
        if sep and key and not self._ready.is_set():
            self.values[key] = value
            if all(k in self.values for k in self.NEEDED):
                self._ready.set()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; safe to call more than once."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


# --------------------------------------------------------------------------------------------
# Signals: SIGTERM / SIGHUP unwind like Ctrl-C, so the emulator is always stopped
# --------------------------------------------------------------------------------------------


class Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def unwinding_signals() -> Iterator[None]:
    def on_signal(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    wanted = [signal.SIGTERM, signal.SIGINT]
    if hasattr(signal, "SIGHUP"):
        wanted.append(signal.SIGHUP)
    previous = {sig: signal.signal(sig, on_signal) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --------------------------------------------------------------------------------------------
# The two ways to run the program
# --------------------------------------------------------------------------------------------


def stack_config(emulator: EmulatorProcess, environment: str) -> dict[str, tuple[str, bool]]:
    """The config the program reads: key → (value, secret)."""
    return {
        "anypoint-auth:baseUrl": (emulator.base_url, False),
        "anypoint-auth:clientId": (emulator.values["client_id"], False),
        "anypoint-auth:clientSecret": (emulator.values["client_secret"], True),
        f"{PROJECT}:environment": (environment, False),
    }


@dataclass
class Outputs:
    values: dict[str, Any]
    secret: set[str]


def find_engine() -> Path | None:
    """The directory holding ``pulumi``: ``$ANYPOINT_PULUMI_ENGINE``, else a ``pulumi`` on PATH."""
    given = os.environ.get("ANYPOINT_PULUMI_ENGINE")
    if given and (Path(given) / "pulumi").is_file():
        return Path(given)
    found = shutil.which("pulumi")
    return Path(found).parent if found else None


def run_with_cli(engine: Path, config: Mapping[str, tuple[str, bool]]) -> Outputs:
    """A real ``pulumi up`` of the root project on a file backend in ``.pulumi-demo/``."""
    from pulumi import automation as auto

    # A fresh throwaway backend every run: the previous run's emulator (and its tokens) is gone.
    shutil.rmtree(STATE_DIR, ignore_errors=True)
    STACK_CONFIG_FILE.unlink(missing_ok=True)
    (STATE_DIR / "backend").mkdir(parents=True)
    PASSPHRASE_FILE.write_text(secrets.token_urlsafe(24))
    PASSPHRASE_FILE.chmod(0o600)
    env = cli_env(engine)
    say(f"Backend: {env['PULUMI_BACKEND_URL']} (passphrase in {rel(PASSPHRASE_FILE)})")
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(ROOT), env_vars=env, pulumi_home=env["PULUMI_HOME"],
        pulumi_command=auto.PulumiCommand(root=str(engine.parent)))
    stack = auto.create_or_select_stack(
        stack_name=STACK, project_name=PROJECT, opts=workspace,
        program=lambda: runpy.run_path(str(PROGRAM), run_name="__main__"))
    stack.set_all_config({key: auto.ConfigValue(value, secret=secret)
                          for key, (value, secret) in config.items()})
    say(f"$ pulumi up --stack {STACK} --yes")
    try:
        stack.up(on_output=lambda line: print(line, end="" if line.endswith("\n") else "\n",
                                              flush=True), color="never")
    except auto.CommandError as exc:
        raise DemoError(f"`pulumi up` failed (see its output above): {_first_line(exc)}") from None
    finally:
        STACK_CONFIG_FILE.unlink(missing_ok=True)  # the config lives in the backend's stack
    say(f"\n$ pulumi stack output --stack {STACK}")
    shown = subprocess.run([str(engine / "pulumi"), "stack", "output", "--stack", STACK],
                           cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                           text=True, check=False)
    say(shown.stdout.rstrip() or shown.stderr.rstrip())
    outputs = stack.outputs()
    return Outputs({k: v.value for k, v in outputs.items()},
                   {k for k, v in outputs.items() if v.secret})


def cli_env(engine: Path) -> dict[str, str]:
    """Nothing reaches out: file backend, passphrase, no update check, no plugin download."""
    from anypoint_pulumi.testing.local import offline_env

    return offline_env(engine, STATE_DIR, passphrase_file=PASSPHRASE_FILE)


def run_with_mocks(config: Mapping[str, tuple[str, bool]]) -> Outputs:
    """The same program under Pulumi's mocks; AnypointMocks runs the real provider."""
    from anypoint_pulumi.testing.program import run_program

    run = run_program(PROGRAM, project=PROJECT, stack=STACK,
                      config={k: v for k, (v, _) in config.items()},
                      secret_keys=[k for k, (_, secret) in config.items() if secret])
    return Outputs({name: out.value for name, out in run.outputs.items()},
                   {name for name, out in run.outputs.items() if out.is_secret})


# --------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------


def print_outputs(outputs: Outputs, *, show_secrets: bool, reveal: str, heading: str) -> None:
    say(f"\n{heading}")
    names = [n for n in OUTPUT_ORDER if n in outputs.values]
    names += sorted(n for n in outputs.values if n not in OUTPUT_ORDER)
    width = max((len(n) for n in names), default=0)
    for name in names:
        value = outputs.values[name]
        shown = MASK if name in outputs.secret and not show_secrets else value
        say(f"    {name:<{width}}  {shown}")
    if SECRET_OUTPUT in outputs.values:
        if SECRET_OUTPUT not in outputs.secret:
            raise DemoError(f"{SECRET_OUTPUT} is not marked secret: this is a bug, please "
                            "report it")
        if not show_secrets:
            say(f"\nThe token is masked. To reveal it: {reveal}")


def check_outputs(outputs: Outputs) -> None:
    missing = [n for n in OUTPUT_ORDER if not outputs.values.get(n)]
    if missing:
        raise DemoError(f"the program finished without the outputs {', '.join(missing)}")


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/demo.py", description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("auto", "cli", "mocks"), default="auto",
                        help="cli: a real `pulumi up` (needs the pulumi CLI); mocks: Pulumi's "
                             "testing runtime; auto (default): cli when a pulumi CLI is found")
    parser.add_argument("--show-secrets", action="store_true",
                        help="print the access token itself instead of masking it")
    parser.add_argument("--environment", default="Sandbox", metavar="NAME",
                        help="the environment the program looks up by name (default Sandbox)")
    parser.add_argument("--keep-emulator", action="store_true",
                        help="after the outputs, keep the emulator running until Ctrl-C, to try "
                             "the token against it (with --show-secrets)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="give up after this many seconds (default 300)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engine = find_engine()
    if args.mode == "cli" and engine is None:
        say("demo: --mode cli needs a Pulumi engine: run `make engine` (builds one with Go) or "
            "put a pulumi CLI on PATH.")
        return 2
    use_cli = engine is not None and args.mode != "mocks"
    emulator = EmulatorProcess()
    with unwinding_signals():
        try:
            _arm_timeout(args.timeout)
            say("Starting the Anypoint emulator (python -m anypoint_pulumi.emulator --port 0)…")
            emulator.start()
            say(f"Emulator (pid {emulator.pid}) listening on {emulator.base_url}, demo connected "
                f"app {emulator.values['client_id']}")
            config = stack_config(emulator, args.environment)
            say("Config passed to the program: " + ", ".join(
                f"{k}={'[secret]' if s else v}" for k, (v, s) in config.items()))
            if use_cli:
                assert engine is not None
                say(f"\nPulumi engine: {engine / 'pulumi'}. Running a real `pulumi up` on a "
                    "local file backend.")
                outputs = run_with_cli(engine, config)
                env = cli_env(engine)
                reveal = (f"PULUMI_BACKEND_URL={env['PULUMI_BACKEND_URL']} "
                          f"PULUMI_CONFIG_PASSPHRASE_FILE={rel(PASSPHRASE_FILE)} "
                          f"{engine / 'pulumi'} stack output {SECRET_OUTPUT} --show-secrets "
                          f"--stack {STACK}")
                heading = f"Stack outputs of `{PROJECT}/{STACK}` after a real `pulumi up`:"
            else:
                say("\n" + (NO_CLI if engine is None else
                             "--mode mocks: " + NO_CLI.split(": ", 1)[1]))
                outputs = run_with_mocks(config)
                reveal = ("make demo DEMO_ARGS=--show-secrets  "
                          "(or: .venv/bin/python scripts/demo.py --show-secrets)")
                heading = ("Stack outputs under the testing runtime (mocks; nothing was deployed, "
                           "no state was written):")
            check_outputs(outputs)
            print_outputs(outputs, show_secrets=args.show_secrets, reveal=reveal,
                          heading=heading)
            _disarm_timeout()
            if args.keep_emulator:
                try:
                    say(f"\nThe emulator keeps running at {emulator.base_url}; try the token:\n"
                        f"    curl -H \"Authorization: Bearer $TOKEN\" {emulator.base_url}"
                        "/accounts/api/me\nPress Ctrl-C to stop it.")
                    while emulator.process and emulator.process.poll() is None:
                        time.sleep(0.2)
                except (Interrupted, KeyboardInterrupt):
                    say("")
                return 0
            say(f"\nThe token was issued by the local emulator at {emulator.base_url}, which stops "
                "now: it will not work anywhere else. docs/quickstart.md shows how to run it "
                "against your own Anypoint organization.")
            return 0
        except DemoError as exc:
            say(f"\ndemo failed: {exc}")
            return 1
        except Interrupted as exc:
            name = signal.Signals(exc.signum).name
            say(f"\ndemo interrupted ({name})")
            return 130 if exc.signum == signal.SIGINT else 128 + exc.signum
        except Exception as exc:  # the program or provider failed: one clear line, no traceback
            say(f"\ndemo failed: {type(exc).__name__}: {_first_line(exc)}")
            if os.environ.get("DEMO_DEBUG"):
                raise
            say("(set DEMO_DEBUG=1 for the full traceback)")
            return 1
        finally:
            _disarm_timeout()
            emulator.stop()
            if emulator.pid is not None:
                say(f"Emulator (pid {emulator.pid}) stopped.")


def _arm_timeout(seconds: float) -> None:
    if not hasattr(signal, "SIGALRM") or seconds <= 0:
        return

    def on_alarm(_signum: int, _frame: FrameType | None) -> None:
        raise DemoError(f"timed out after {seconds:.0f} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(max(1, int(seconds)))


def _disarm_timeout() -> None:
    if hasattr(signal, "SIGALRM"):
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main())
