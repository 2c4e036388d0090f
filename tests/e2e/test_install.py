"""A package people can install: ``make dist``'s wheel and sdist pass ``twine check``; the wheel
installs into a clean venv, with and without the ``emulator`` extra, from a copy of the
quickstart whose ``requirements.txt`` names the wheel; and the quickstart runs from that venv
under the real engine.

Offline: the dependencies come from a wheelhouse that ``scripts/wheelhouse.py`` makes of the
ones this environment has installed, and pip runs with ``--no-index``. The venvs are created
with the base interpreter and see nothing of this checkout or of this venv (no editable install,
no ``PYTHONPATH``), so what runs is the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from anypoint_pulumi import __version__
from anypoint_pulumi.emulator import Emulator
from anypoint_pulumi.testing.local import offline_env, project_name

from .conftest import ROOT

pytestmark = [pytest.mark.cli, pytest.mark.timeout(900)]

WHEEL = f"anypoint_pulumi-{__version__}-py3-none-any.whl"
SDIST = f"anypoint_pulumi-{__version__}.tar.gz"
SOURCE_IGNORED = shutil.ignore_patterns(".git", ".venv", "dist", "build", "*.egg-info",
                                        "__pycache__", ".pulumi-demo", ".*_cache", "tests",
                                        "examples", "benchmarks", "engine")

DRIVER = '''
import json, os, runpy, sys
from pulumi import automation as auto

work_dir, project, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

def program():
    sys.path.insert(0, work_dir)
    runpy.run_path(os.path.join(work_dir, "__main__.py"), run_name="__main__")

stack = auto.create_or_select_stack(
    stack_name="install", project_name=project, program=program,
    opts=auto.LocalWorkspaceOptions(work_dir=work_dir, env_vars=dict(os.environ),
                                    pulumi_command=auto.PulumiCommand(
                                        root=os.environ["ENGINE_ROOT"])))
stack.set_all_config({key: auto.ConfigValue(value, secret=key.endswith("Secret"))
                      for key, value in config.items()})
up = stack.up(color="never")
print(json.dumps({name: {"value": None if out.secret else out.value, "secret": out.secret}
                  for name, out in up.outputs.items()}))
stack.destroy(color="never")
'''


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False,
                          **kwargs)
    assert done.returncode == 0, (f"{command[:4]} failed:\n"
                                  f"{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make dist`` of a copy of the checkout's source (so the checkout is not written)."""
    source = tmp_path_factory.mktemp("source") / "anypoint-pulumi"
    shutil.copytree(ROOT, source, ignore=SOURCE_IGNORED)
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir",
         str(out), str(source)])
    run([str(Path(sys.executable).parent / "twine"), "check", "--strict",
         str(out / WHEEL), str(out / SDIST)])
    return out


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installed dependencies of ``anypoint-pulumi[emulator,jwt]`` as wheels (offline)."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    run([sys.executable, str(ROOT / "scripts" / "wheelhouse.py"), str(folder),
         "--extras", "emulator,jwt"])
    return folder


def clean_env(**extra: str) -> dict[str, str]:
    """An environment that knows nothing of this checkout or venv (nor of ANYPOINT_*)."""
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")
    return {**{k: os.environ[k] for k in keep if k in os.environ},
            "PATH": "/usr/local/bin:/usr/bin:/bin", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "NO_PROXY": "127.0.0.1,localhost,::1", **extra}


@dataclass
class Installed:
    """A copy of the quickstart with its own venv (``.venv``, as its Pulumi.yaml names it)."""

    project: Path

    @property
    def python(self) -> Path:
        return self.project / ".venv" / "bin" / "python"

    def bin(self, name: str) -> Path:
        return self.project / ".venv" / "bin" / name

    def python_run(self, code: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.python), "-c", code], cwd=self.project,
                              env=clean_env(**env), capture_output=True, text=True,
                              timeout=120, check=False)


def install(tmp_path: Path, dist: Path, wheelhouse: Path, extra: str | None) -> Installed:
    """Copy the quickstart, write a requirements.txt naming the wheel, make the venv, install."""
    project = tmp_path / "quickstart"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, project / name)
    (project / "wheels").mkdir()
    shutil.copy(dist / WHEEL, project / "wheels" / WHEEL)
    suffix = f"[{extra}]" if extra else ""
    (project / "requirements.txt").write_text(
        f"# anypoint-pulumi is not published yet: install it from its wheel.\n"
        f"./wheels/{WHEEL}{suffix}\n")
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", str(project / ".venv")], env=clean_env())
    installed = Installed(project)
    run([str(installed.python), "-m", "pip", "install", "--no-index", "--find-links",
         str(wheelhouse), "-r", "requirements.txt"], cwd=project, env=clean_env())
    return installed


def quickstart(installed: Installed, engine_bin: Path, tmp_path: Path,
               config: dict[str, str]) -> dict[str, Any]:
    """Run the copied quickstart from its venv under the real engine; its stack outputs."""
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    env = clean_env(ENGINE_ROOT=str(engine_bin.parent),
                    **offline_env(engine_bin, tmp_path, python=str(installed.python),
                                  path="/usr/bin:/bin"))
    (tmp_path / "backend").mkdir()
    done = run([str(installed.python), str(driver), str(installed.project),
                project_name(installed.project), json.dumps(config)], cwd=tmp_path, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def quickstart_config(base_url: str, client_id: str, client_secret: str) -> dict[str, str]:
    return {"anypoint:baseUrl": base_url, "anypoint:clientId": client_id,
            "anypoint:clientSecret": client_secret}


# make dist ---------------------------------------------------------------------------------------


def test_make_dist_builds_a_wheel_and_an_sdist_that_twine_accepts(dist: Path) -> None:
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"anypoint_pulumi-{__version__}.dist-info/entry_points.txt")
        metadata = wheel.read(f"anypoint_pulumi-{__version__}.dist-info/METADATA").decode()
    assert {"anypoint_pulumi/py.typed", "anypoint_pulumi/cli.py",
            "anypoint_pulumi/emulator/apis.py"} <= names
    assert b"anypoint-token = anypoint_pulumi.cli:main" in entry_points
    assert b"anypoint-emulator = anypoint_pulumi.emulator.__main__:main" in entry_points
    for extra in ("emulator", "jwt"):
        assert f"Provides-Extra: {extra}" in metadata
    with tarfile.open(dist / SDIST) as sdist:
        members = {Path(m.name).relative_to(f"anypoint_pulumi-{__version__}").as_posix()
                   for m in sdist.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "anypoint_pulumi/__init__.py"} <= members
    assert not any(member.startswith("tests/") for member in members)


# Without the emulator extra ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory, dist: Path, wheelhouse: Path) -> Installed:
    """The wheel alone (no extra) in a clean venv."""
    return install(tmp_path_factory.mktemp("bare"), dist, wheelhouse, None)


def test_the_wheel_is_what_the_clean_venv_imports(bare: Installed) -> None:
    done = bare.python_run("import anypoint_pulumi, sys; print(anypoint_pulumi.__file__); "
                           "print(anypoint_pulumi.__version__)")

    where, version = done.stdout.split()
    assert Path(where).is_relative_to(bare.project / ".venv") and version == __version__
    found = bare.python_run("import importlib.util as u; print([n for n in ('werkzeug', 'jwt') "
                            "if u.find_spec(n)])")
    assert found.stdout.strip() == "[]", "an extra's package came in without its extra"


def test_without_its_extra_the_emulator_says_which_extra_to_install(bare: Installed) -> None:
    done = subprocess.run([str(bare.bin("anypoint-emulator")), "--port", "0"],
                          env=clean_env(), capture_output=True, text=True, timeout=60,
                          check=False)

    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "'emulator' extra" in done.stderr and f"{WHEEL}[emulator]" in done.stderr


def test_without_the_jwt_extra_the_grant_says_which_extra_to_install(bare: Installed,
                                                                      emulator: Emulator) -> None:
    done = bare.python_run(
        "import sys\nfrom anypoint_pulumi.access.assertion import check_private_key\n"
        "try:\n    check_private_key(open(sys.argv[1]).read())\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc)\n"
        .replace("sys.argv[1]", repr(emulator.demo.jwt_private_key_path)))

    assert done.stdout.startswith("ConfigurationError the JWT bearer grant needs PyJWT")
    assert "'jwt' extra" in done.stdout


def test_the_quickstart_runs_from_the_bare_install(bare: Installed, emulator: Emulator,
                                                   engine_bin: Path, tmp_path: Path) -> None:
    outputs = quickstart(bare, engine_bin, tmp_path, quickstart_config(
        emulator.base_url, emulator.demo.client_id, emulator.demo.client_secret))

    assert outputs["accessToken"] == {"value": None, "secret": True}
    assert outputs["organizationId"]["value"] == emulator.demo.organization_id
    assert outputs["environmentId"]["value"] == emulator.demo.sandbox_environment_id


def test_the_console_script_of_the_bare_install_prints_a_token(bare: Installed,
                                                              emulator: Emulator) -> None:
    done = subprocess.run([str(bare.bin("anypoint-token"))], capture_output=True, text=True,
                          timeout=60, check=False, env=clean_env(
                              ANYPOINT_CLIENT_ID=emulator.demo.client_id,
                              ANYPOINT_CLIENT_SECRET=emulator.demo.client_secret,
                              ANYPOINT_BASE_URL=emulator.base_url))

    assert done.returncode == 0, done.stderr
    assert emulator.is_active(done.stdout.strip())


# With the emulator extra ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_emulator(tmp_path_factory: pytest.TempPathFactory, dist: Path,
                  wheelhouse: Path) -> Installed:
    """The wheel with its ``emulator`` extra in a clean venv."""
    return install(tmp_path_factory.mktemp("emulator"), dist, wheelhouse, "emulator")


@pytest.fixture
def installed_emulator(with_emulator: Installed) -> Iterator[dict[str, str]]:
    """``anypoint-emulator`` of that venv, running; the ``KEY=value`` lines it printed."""
    process = subprocess.Popen([str(with_emulator.bin("anypoint-emulator")), "--port", "0"],
                               env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    settings: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while "production_environment_id" not in settings and time.monotonic() < deadline:
        key, _, value = process.stdout.readline().strip().partition("=")
        if not key:
            break
        settings[key] = value
    try:
        assert "production_environment_id" in settings, process.stderr.read()
        yield settings
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()


def test_the_quickstart_runs_against_the_installed_emulator(
        with_emulator: Installed, installed_emulator: dict[str, str], engine_bin: Path,
        tmp_path: Path) -> None:
    outputs = quickstart(with_emulator, engine_bin, tmp_path, quickstart_config(
        installed_emulator["base_url"], installed_emulator["client_id"],
        installed_emulator["client_secret"]))

    assert outputs["accessToken"]["secret"]
    assert outputs["organizationId"]["value"] == installed_emulator["organization_id"]
    assert outputs["environmentId"]["value"] == installed_emulator["sandbox_environment_id"]
