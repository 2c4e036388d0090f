"""``anypoint-token`` against a hostile server, its output run by a real shell (issue 17, classes
8 and 9, and the mutation check's survivor).

Every other CLI test gets a UUID token from the emulator, which quoting leaves unchanged, so
printing the token unquoted passed them all. Here the server answers tokens made of shell
metacharacters (visible ASCII: the client refuses anything else as a bearer token) and an
organization id holding a line break; the ``--format env`` output is ``eval``-ed by ``sh`` and
``bash`` in an empty directory, which must stay empty, and a child process must see the
variables (``export``). ``--private-key-file`` is given bytes that are not text, ``/dev/zero``, a
directory and a path that does not exist: each is exit 2 and one line.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.endpoints import ME
from anypoint_pulumi.cli import MAX_KEY_FILE_BYTES
from tests.cli.conftest import Run
from tests.support.hostile import Act, HostileServer

TOKEN_PATH = "/accounts/api/v2/oauth2/token"
SCRIPT = Path(sys.executable).parent / "anypoint-token"
SHELLS = [name for name in ("sh", "bash", "dash") if shutil.which(name)]
HOSTILE_TOKENS = [
    "t;touch${IFS}x",
    "$(touch${IFS}x)",
    "`touch${IFS}x`",
    "a'$(touch${IFS}x)'b",
    'q"$(touch${IFS}x)"q',
    "&&touch${IFS}x",
    "|touch${IFS}x",
    ">x",
    "t\\';touch${IFS}x;#",
]
"""Tokens that run ``touch x`` (or create ``x``) if printed unquoted for ``eval``."""
VISIBLE_ASCII = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
CHILD = ("import json, os; print(json.dumps({k: v for k, v in os.environ.items() "
         "if k.startswith('ANYPOINT_')}))")
"""A child process that prints the ANYPOINT_* variables it was given (exported ones only)."""


class Server:
    """A hostile control plane whose token and organization id a test sets."""

    def __init__(self, hostile: HostileServer) -> None:
        self.hostile = hostile
        self.token = "a-plain-token"
        self.org_id = "org-1"
        hostile.route(TOKEN_PATH, lambda seen: Act.json(
            {"access_token": self.token, "token_type": "bearer", "expires_in": 3600}))
        hostile.route(ME, lambda seen: Act.json(
            {"client": {"client_id": "app", "org_id": self.org_id}}))

    @property
    def environ(self) -> dict[str, str]:
        return {"ANYPOINT_CLIENT_ID": "app", "ANYPOINT_CLIENT_SECRET": "not-a-real-secret",
                "ANYPOINT_BASE_URL": self.hostile.base_url}


@pytest.fixture
def server(hostile: HostileServer) -> Server:
    return Server(hostile)




def evaluated(shell: str, printed: str, cwd: Path) -> dict[str, str]:
    """What a child of ``shell`` sees after ``eval "$printed"`` in ``cwd``."""
    step = f'eval "$1" && exec {shlex.quote(sys.executable)} -c {shlex.quote(CHILD)}'
    done = subprocess.run([shell, "-c", step, shell, printed], cwd=cwd, capture_output=True,
                          text=True, timeout=30, check=False, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    found: dict[str, str] = json.loads(done.stdout)
    return found


# --format env under eval -----------------------------------------------------------------------


@pytest.mark.skipif(not SHELLS, reason="no POSIX shell installed")
@pytest.mark.parametrize("token", HOSTILE_TOKENS)
def test_the_installed_script_under_the_readmes_eval_runs_nothing_and_exports(
        server: Server, tmp_path: Path, token: str) -> None:
    """The README's own step, ``eval "$(anypoint-token --format env)"``, then a child process:
    nothing the server said is run, and the child gets the token exactly."""
    server.token = token
    for shell in SHELLS:
        work = tmp_path / shell
        work.mkdir()
        step = (f'eval "$({shlex.quote(str(SCRIPT))} --format env)" && '
                f'exec {shlex.quote(sys.executable)} -c {shlex.quote(CHILD)}')
        done = subprocess.run([shell, "-c", step], cwd=work, capture_output=True, text=True,
                              timeout=60, check=False,
                              env={"PATH": "/usr/bin:/bin", **server.environ})

        assert done.returncode == 0, done.stderr
        assert list(work.iterdir()) == [], f"{shell} ran what the server sent"
        seen = json.loads(done.stdout)
        assert seen["ANYPOINT_ACCESS_TOKEN"] == token
        assert seen["ANYPOINT_ORG"] == "org-1"
        assert seen["ANYPOINT_HOST"] == server.hostile.base_url.split("://")[1]


@pytest.mark.skipif(not SHELLS, reason="no POSIX shell installed")
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(VISIBLE_ASCII, min_size=1, max_size=40))
def test_property_any_visible_ascii_token_survives_eval_unchanged(
        server: Server, run: Run, tmp_path_factory: pytest.TempPathFactory, token: str) -> None:
    server.token = token
    status, out, err = run(server.environ, "--format", "env")
    assert status == 0, err

    for shell in SHELLS:
        work = tmp_path_factory.mktemp("eval")
        seen = evaluated(shell, out, work)
        assert list(work.iterdir()) == []
        assert seen["ANYPOINT_ACCESS_TOKEN"] == token

    status, out, _ = run(server.environ, "--format", "dotenv")
    assert status == 0
    assert out.splitlines()[0] == f"ANYPOINT_ACCESS_TOKEN={token}" and len(out.splitlines()) == 3


@pytest.mark.skipif(not SHELLS, reason="no POSIX shell installed")
def test_an_environment_name_of_shell_metacharacters_survives_eval(
        run: Run, tmp_path: Path) -> None:
    """``ANYPOINT_ENV`` is another value a server (or a colleague) named: quoted like the token."""
    from anypoint_pulumi.emulator import Emulator

    name = "QA $(touch x) `touch y`;'z'"
    with Emulator() as emu:
        emu.add_environment(emu.demo.organization_id, name)
        environ = {"ANYPOINT_CLIENT_ID": emu.demo.client_id,
                   "ANYPOINT_CLIENT_SECRET": emu.demo.client_secret,
                   "ANYPOINT_BASE_URL": emu.base_url}
        status, out, err = run(environ, "--format", "env", "--environment", name)
    assert status == 0, err

    for shell in SHELLS:
        work = tmp_path / shell
        work.mkdir()
        seen = evaluated(shell, out, work)
        assert list(work.iterdir()) == []
        assert seen["ANYPOINT_ENV"] == name


def test_env_lines_are_export_lines_one_per_variable(server: Server, run: Run) -> None:
    server.token = HOSTILE_TOKENS[0]

    status, out, _ = run(server.environ, "--format", "env")

    assert status == 0
    lines = out.splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "export ANYPOINT_ACCESS_TOKEN", "export ANYPOINT_ORG", "export ANYPOINT_HOST"]
    assert lines[0] == f"export ANYPOINT_ACCESS_TOKEN={shlex.quote(HOSTILE_TOKENS[0])}"


# --format dotenv -------------------------------------------------------------------------------


def test_dotenv_lines_are_name_equals_value_verbatim(server: Server, run: Run) -> None:
    server.token = HOSTILE_TOKENS[1]

    status, out, _ = run(server.environ, "--format", "dotenv")

    assert status == 0
    assert out.splitlines() == [f"ANYPOINT_ACCESS_TOKEN={HOSTILE_TOKENS[1]}",
                                "ANYPOINT_ORG=org-1",
                                f"ANYPOINT_HOST={server.hostile.base_url.split('://')[1]}"]
    assert all(re.fullmatch(r"[A-Z_]+=[^\n]*", line) for line in out.splitlines())


# A value that would break a line: refused, nothing printed -------------------------------------


BREAKERS = ["org\nLD_PRELOAD=/tmp/evil.so", "org\rLD_PRELOAD=/tmp/evil.so",
            "org\x00LD_PRELOAD=x", "org\u2028LD_PRELOAD=x", "org\x1b[2Jx", "org\x85LD_PRELOAD=x"]


@pytest.mark.parametrize("form", ["env", "dotenv"])
@pytest.mark.parametrize("org_id", BREAKERS)
def test_an_organization_id_that_would_break_a_line_is_refused(
        server: Server, run: Run, form: str, org_id: str) -> None:
    server.org_id = org_id
    server.token = "a-token-that-must-not-be-printed"

    status, out, err = run(server.environ, "--format", form)

    assert (status, out) == (1, "")
    assert "LD_PRELOAD" not in out
    assert err.count("\n") == 1 and "ANYPOINT_ORG" in err and "line break" in err
    assert server.token not in err


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.text(VISIBLE_ASCII, min_size=1, max_size=8),
       breaker=st.characters(categories=["Cc", "Zl", "Zp"]),
       after=st.text(VISIBLE_ASCII, max_size=8))
def test_property_no_control_or_line_separator_reaches_an_env_file(
        server: Server, run: Run, before: str, breaker: str, after: str) -> None:
    server.org_id = before + breaker + after

    for form in ("env", "dotenv"):
        status, out, _ = run(server.environ, "--format", form)
        assert (status, out) == (1, "")


@pytest.mark.parametrize("form", ["env", "dotenv"])
def test_a_seeded_emulators_organization_id_with_a_line_break_is_refused(
        run: Run, form: str) -> None:
    """The same through the emulator, seeded with such an organization (a control plane that
    is wrong rather than hostile), and its connected app logging in."""
    from anypoint_pulumi.emulator import Emulator

    with Emulator() as emu:
        try:
            org = emu.add_organization("Evil", organization_id="org\nLD_PRELOAD=/tmp/evil.so")
        except ValueError:
            pytest.skip("the emulator refuses such an organization id")
        client_id, client_secret = emu.add_connected_app("ci", org_id=org)
        environ = {"ANYPOINT_CLIENT_ID": client_id, "ANYPOINT_CLIENT_SECRET": client_secret,
                   "ANYPOINT_BASE_URL": emu.base_url}

        status, out, err = run(environ, "--format", form)

    assert (status, out) == (1, ""), err
    assert "LD_PRELOAD" not in err
    assert client_secret not in err and err.count("\n") == 1


# --private-key-file ----------------------------------------------------------------------------


def key_file_environ(server: Server) -> dict[str, str]:
    return {"ANYPOINT_CLIENT_ID": "app", "ANYPOINT_USERNAME": "someone",
            "ANYPOINT_IDENTITY_PROVIDER_ID": "idp", "ANYPOINT_BASE_URL": server.hostile.base_url}


def assert_one_line_exit_2(status: int, out: str, err: str) -> None:
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("anypoint-token: --private-key-file ")
    assert "Traceback" not in err


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=1, max_size=2048).filter(
    lambda b: not _decodes(b)))
def test_property_a_key_file_that_is_not_utf8_is_exit_2_in_one_line(
        server: Server, run: Run, tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("key") / "key.der"
    path.write_bytes(data)

    status, out, err = run(key_file_environ(server), "--private-key-file", str(path))

    assert_one_line_exit_2(status, out, err)
    assert "is not UTF-8 text" in err and "openssl pkey -inform DER" in err
    assert server.hostile.count() == 0


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_a_der_key_is_exit_2_through_the_installed_script(server: Server,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "key.der"
    path.write_bytes(b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00\xc3\xff")

    done = subprocess.run([str(SCRIPT), "--private-key-file", str(path)], capture_output=True,
                          text=True, timeout=60, check=False,
                          env={"PATH": os.environ["PATH"], **key_file_environ(server)})

    assert_one_line_exit_2(done.returncode, done.stdout, done.stderr)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_as_the_key_file_is_exit_2_at_once(server: Server) -> None:
    started = time.monotonic()
    done = subprocess.run([str(SCRIPT), "--private-key-file", "/dev/zero"], capture_output=True,
                          text=True, timeout=60, check=False,
                          env={"PATH": os.environ["PATH"], **key_file_environ(server)})

    assert time.monotonic() - started < 20
    assert_one_line_exit_2(done.returncode, done.stdout, done.stderr)
    assert f"larger than {MAX_KEY_FILE_BYTES // 1024} KiB" in done.stderr


def test_a_key_file_one_byte_over_the_bound_is_refused_and_the_bound_itself_is_read(
        server: Server, run: Run, tmp_path: Path) -> None:
    over = tmp_path / "over.pem"
    over.write_bytes(b"a" * (MAX_KEY_FILE_BYTES + 1))
    at = tmp_path / "at.pem"
    at.write_bytes(b"a" * MAX_KEY_FILE_BYTES)

    status, out, err = run(key_file_environ(server), "--private-key-file", str(over))
    assert_one_line_exit_2(status, out, err)
    assert "larger than" in err

    status, _, err = run(key_file_environ(server), "--private-key-file", str(at))
    assert status == 2 and "larger than" not in err  # read, then refused as no PEM key


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_a_key_file_that_cannot_be_read_is_exit_2(server: Server, run: Run, tmp_path: Path,
                                                  kind: str) -> None:
    path = tmp_path / "nothing.pem" if kind == "missing" else tmp_path

    status, out, err = run(key_file_environ(server), "--private-key-file", str(path))

    assert_one_line_exit_2(status, out, err)
    assert f"--private-key-file {path}: cannot read it" in err
    assert server.hostile.count() == 0


# Where to set a missing credential: the variable, not config the command never reads ------------


@pytest.mark.parametrize("given_vars, variable", [
    ({"ANYPOINT_CLIENT_ID": "an-id"}, "ANYPOINT_CLIENT_SECRET"),
    ({"ANYPOINT_CLIENT_SECRET": "a-secret"}, "ANYPOINT_CLIENT_ID"),
    ({"ANYPOINT_USERNAME": "someone"}, "ANYPOINT_PASSWORD"),
    ({"ANYPOINT_PASSWORD": "a-secret"}, "ANYPOINT_USERNAME"),
    ({}, "ANYPOINT_CLIENT_ID / ANYPOINT_CLIENT_SECRET"),
])
def test_a_missing_credential_names_only_its_variable(server: Server, run: Run,
                                                      given_vars: dict[str, str],
                                                      variable: str) -> None:
    status, out, err = run({"ANYPOINT_BASE_URL": server.hostile.base_url, **given_vars})

    assert (status, out) == (2, "") and err.count("\n") == 1
    assert f"set the {variable} environment variable" in err
    assert "pulumi config" not in err and "as an input" not in err
    assert "a-secret" not in err
    assert server.hostile.count() == 0
