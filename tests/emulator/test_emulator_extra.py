"""Without its ``emulator`` extra the emulator says which extra to install, instead of a bare
``ModuleNotFoundError``. Each test blocks the extra's modules in a fresh interpreter (a
``None`` in ``sys.modules`` makes their import fail as if they were not installed); the wheel
test in ``tests/e2e/test_install.py`` checks the same in a venv really installed without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from anypoint_pulumi.emulator import missing_extra

EXTRA_WORDS = ("'emulator' extra", "pip install", "[emulator]")


def run_without(modules: tuple[str, ...], code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter in which ``modules`` cannot be imported."""
    block = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in modules)
    return subprocess.run([sys.executable, "-c", block + code], capture_output=True, text=True,
                          timeout=60, check=False)


def test_the_error_names_the_extra_and_how_to_install_it() -> None:
    text = str(missing_extra("werkzeug"))

    assert all(words in text for words in EXTRA_WORDS), text
    assert "'werkzeug'" in text and ".whl[emulator]" in text


def test_importing_the_emulator_without_werkzeug_names_the_extra() -> None:
    done = run_without(("werkzeug",), "from anypoint_pulumi.emulator import Emulator")

    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: the Anypoint emulator needs 'werkzeug'"), last
    assert all(words in last for words in EXTRA_WORDS), last


def test_the_plain_data_names_import_without_the_extra() -> None:
    done = run_without(("werkzeug", "trustme"),
                       "from anypoint_pulumi.emulator import DemoCredentials, Fault, SeedError\n"
                       "print(Fault.capacity().status)")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "503"


def test_the_cli_without_werkzeug_says_which_extra_and_exits_2_without_a_traceback() -> None:
    done = run_without(("werkzeug",), "from anypoint_pulumi.emulator.__main__ import main\n"
                                      "raise SystemExit(main(['--port', '0']))")

    assert done.returncode == 2
    assert done.stderr.startswith("anypoint-emulator: the Anypoint emulator needs 'werkzeug'")
    assert all(words in done.stderr for words in EXTRA_WORDS)
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_cli_with_tls_but_without_trustme_names_the_extra() -> None:
    done = run_without(("trustme",), "from anypoint_pulumi.emulator.__main__ import main\n"
                                     "raise SystemExit(main(['--port', '0', '--tls']))")

    assert done.returncode == 2
    assert "--tls: the Anypoint emulator needs 'trustme'" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_emulator_with_tls_but_without_trustme_names_the_extra(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from anypoint_pulumi.emulator import Emulator

    monkeypatch.setitem(sys.modules, "trustme", None)
    emulator = Emulator(tls=True)
    with pytest.raises(ModuleNotFoundError, match=r"needs 'trustme'.*'emulator' extra"):
        emulator.start()
    emulator.stop()
