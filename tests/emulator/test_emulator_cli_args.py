"""Bad command-line input exits 2 with one line on stderr, never a traceback or a usage dump
(issue 17, class 14); ``--token-lifetime`` and the printed ``clock_url=`` let a shell watch a
token expire (the new-user item)."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.emulator.__main__ import main
from anypoint_pulumi.emulator.state import MAX_TOKEN_LIFETIME_SECONDS

FIXTURE = HealthCheck.function_scoped_fixture


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the CLI in-process expecting exit status 2; its stderr, checked to be one line."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("anypoint-emulator: ")
    assert "Traceback" not in err and "usage:" not in err
    return err


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "x", "8080.5", "0x50", "", "1e3"])
def test_a_bad_port_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], port: str) -> None:
    err = refused([f"--port={port}"], capsys)

    assert "argument --port: must be a whole number from 0 to 65535" in err


def not_a_port(text: str) -> bool:
    try:
        return not 0 <= int(text.strip(), 10) <= 65535
    except ValueError:
        return True


@settings(max_examples=80, deadline=None, suppress_health_check=[FIXTURE])
@given(port=(st.integers().filter(lambda n: not 0 <= n <= 65535).map(str)
             | st.text(max_size=12).filter(not_a_port)))
def test_any_port_that_is_not_one_exits_2_with_one_line(
        capsys: pytest.CaptureFixture[str], port: str) -> None:
    if "\x00" in port:
        port = port.replace("\x00", "")
        if not not_a_port(port):
            return
    err = refused([f"--port={port}"], capsys)

    assert "--port" in err


@pytest.mark.parametrize("seconds", ["0", "-5", str(MAX_TOKEN_LIFETIME_SECONDS + 1), "10" * 20,
                                     "1.5", "1e3", "an hour", "nan", ""])
def test_a_bad_token_lifetime_exits_2_with_one_line(capsys: pytest.CaptureFixture[str],
                                                    seconds: str) -> None:
    err = refused([f"--token-lifetime={seconds}"], capsys)

    assert "argument --token-lifetime: must be a whole number of seconds from 1 to 31536000" in err


@pytest.mark.parametrize("argv", [["--bogus"], ["--port"], ["--token-lifetime"],
                                  ["--seed"], ["extra\nline"]])
def test_other_argument_errors_are_one_line_too(capsys: pytest.CaptureFixture[str],
                                               argv: list[str]) -> None:
    err = refused(argv, capsys)

    assert "(see --help)" in err


def test_a_deeply_nested_seed_exits_2_with_one_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "deep.json"
    seed.write_text('{"api_responses": [{"path": "/x", "body": ' + "[" * 100_000
                    + "]" * 100_000 + "}]}")

    err = refused(["--seed", str(seed)], capsys)

    assert "--seed:" in err and "nests more than" in err


@pytest.mark.timeout(20)
def test_dev_zero_as_seed_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["--seed", "/dev/zero"], capsys)

    assert "larger than 16 MiB" in err


def test_a_public_key_file_of_dev_zero_exits_2_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"connected_apps": [{
        "name": "jwt", "grant_types": ["jwt_bearer"], "public_key_file": "/dev/zero"}]}))

    err = refused(["--seed", str(seed)], capsys)

    assert "public_key_file" in err and "larger than 64 KiB" in err


def test_a_seed_error_with_a_line_break_in_a_key_stays_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"users": [{"username": "a", "password": "b", "x\ny": 1}]}))

    err = refused(["--seed", str(seed)], capsys)

    assert "users[0]" in err and "x\\ny" in err


def test_a_port_in_use_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        err = refused(["--port", str(port)], capsys)

    assert f"cannot listen on 127.0.0.1 port {port}" in err and "--port" in err


def test_help_documents_the_lifetime_and_the_clock(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])

    text = capsys.readouterr().out
    assert caught.value.code == 0
    assert "--token-lifetime SECONDS" in text
    assert "POST /emulator/clock?seconds=N" in text and "GET  /emulator/clock" in text


def test_the_module_docstring_documents_the_lifetime_and_the_clock() -> None:
    from anypoint_pulumi.emulator import __main__ as cli
    from anypoint_pulumi.emulator import samples

    assert "--token-lifetime SECONDS" in (cli.__doc__ or "")
    assert "clock_url=" in (cli.__doc__ or "")
    assert "POST /emulator/clock?seconds=N" in (samples.__doc__ or "")


# A shell watching a token expire -----------------------------------------------------------------


@contextlib.contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    command = [sys.executable, "-m", "anypoint_pulumi.emulator", "--port", "0", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        try:
            assert process.stdout is not None
            settings_: dict[str, str] = {}
            while "production_environment_id" not in settings_:
                line = process.stdout.readline()
                assert line, process.stderr.read() if process.stderr else "no output"
                key, _, value = line.strip().partition("=")
                settings_[key] = value
            yield process, settings_
        finally:
            if process.poll() is None:
                process.kill()


@pytest.mark.timeout(60)
def test_a_shell_sees_a_short_token_expire_by_moving_the_clock() -> None:
    with running("--token-lifetime", "60") as (process, found):
        base = found["base_url"]
        assert found["clock_url"] == base + "/emulator/clock"
        token = requests.post(base + "/accounts/api/v2/oauth2/token", timeout=5, json={
            "grant_type": "client_credentials", "client_id": found["client_id"],
            "client_secret": found["client_secret"]}).json()
        assert token["expires_in"] == 60
        me = base + "/accounts/api/me"
        bearer = {"Authorization": f"Bearer {token['access_token']}"}
        assert requests.get(me, headers=bearer, timeout=5).status_code == 200

        moved = requests.post(found["clock_url"], params={"seconds": "61"}, timeout=5)

        assert moved.status_code == 200 and moved.json()["offset_seconds"] == 61
        assert requests.get(me, headers=bearer, timeout=5).status_code == 401
        assert requests.get(found["clock_url"], timeout=5).json()["offset_seconds"] == 61
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
