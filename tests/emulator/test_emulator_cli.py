"""``python -m anypoint_pulumi.emulator`` and the JSON seed file."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from anypoint_pulumi.emulator import Emulator, SeedError
from anypoint_pulumi.emulator.__main__ import main


@contextlib.contextmanager
def running_cli(*args: str) -> Iterator[subprocess.Popen[str]]:
    """The CLI as a subprocess; killed (and its pipes closed) if a test leaves it running."""
    command = [sys.executable, "-m", "anypoint_pulumi.emulator", "--port", "0", *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()


def read_settings(process: subprocess.Popen[str]) -> dict[str, str]:
    """Read the ``KEY=value`` block: everything up to the last demo field."""
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith(("base_url=http://127.0.0.1:", "base_url=https://127.0.0.1:")), first
    settings = {"base_url": first.partition("=")[2]}
    while "production_environment_id" not in settings:
        key, _, value = process.stdout.readline().strip().partition("=")
        settings[key] = value
    return settings


@pytest.fixture
def cli() -> Iterator[subprocess.Popen[str]]:
    with running_cli() as process:
        yield process


@pytest.mark.timeout(30)
def test_cli_prints_base_url_first_serves_and_exits_0_on_sigint(cli: subprocess.Popen[str]) -> None:
    settings = read_settings(cli)
    body = {"grant_type": "client_credentials", "client_id": settings["client_id"],
            "client_secret": settings["client_secret"]}
    response = requests.post(
        settings["base_url"] + "/accounts/api/v2/oauth2/token", json=body, timeout=5
    )
    assert response.status_code == 200
    cli.send_signal(signal.SIGINT)
    assert cli.wait(timeout=10) == 0


@pytest.mark.timeout(30)
def test_cli_exits_0_on_sigterm(cli: subprocess.Popen[str]) -> None:
    read_settings(cli)
    cli.send_signal(signal.SIGTERM)
    assert cli.wait(timeout=10) == 0
    assert cli.stderr is not None
    assert "Traceback" not in cli.stderr.read()


@pytest.mark.timeout(30)
def test_cli_seed_file_adds_a_user_who_can_sign_in(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"users": [{"username": "ann", "password": "s3cret"}]}))
    with running_cli("--seed", str(seed)) as process:
        settings = read_settings(process)
        response = requests.post(
            settings["base_url"] + "/accounts/login",
            json={"username": "ann", "password": "s3cret"},
            timeout=5,
        )
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert response.status_code == 200


def test_cli_refuses_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "192.0.2.10"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_cli_rejects_a_malformed_seed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"users": [{"username": "ann", "passwd": "x"}]}))
    assert main(["--seed", str(seed)]) == 2
    assert "users[0]" in capsys.readouterr().err


def test_seed_adds_organization_with_environments_users_apps_and_idp() -> None:
    emulator = Emulator()
    emulator.load_seed(
        {
            "organizations": [
                {"name": "Acme", "ref": "acme", "parent": "demo", "session_timeout_minutes": 30,
                 "environments": [{"name": "QA"}, {"name": "Live", "type": "production"}]}
            ],
            "environments": [{"organization": "acme", "name": "Design", "type": "design"}],
            "users": [{"username": "bob", "password": "pw", "organization": "acme"}],
            "connected_apps": [{"name": "acme ci", "organization": "acme",
                                "client_id": "a" * 32, "client_secret": "b" * 32}],
            "identity_providers": [{"issuer": "https://idp.example.com/acme",
                                    "organization": "acme", "org_domain": "acme"}],
        }
    )
    with emulator:
        token = requests.post(
            emulator.base_url + "/accounts/api/v2/oauth2/token",
            json={"grant_type": "client_credentials", "client_id": "a" * 32,
                  "client_secret": "b" * 32},
            timeout=5,
        ).json()["access_token"]
        org = requests.get(
            emulator.base_url + "/accounts/api/me",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        ).json()["client"]["org_id"]
        details = requests.get(
            f"{emulator.base_url}/accounts/api/organizations/{org}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        ).json()
    assert details["name"] == "Acme"
    assert details["parentId"] == emulator.demo.organization_id
    assert details["sessionTimeout"] == 30
    assert details["domain"] == "acme"
    assert [e["name"] for e in details["environments"]] == ["QA", "Live", "Design"]
    assert details["owner"]["username"] == emulator.demo.username


def test_seed_with_unknown_organization_reference_names_the_entry() -> None:
    with pytest.raises(SeedError, match=r"users\[0\]\.organization"):
        Emulator().load_seed({"users": [{"username": "x", "password": "y",
                                         "organization": "nope"}]})


def test_seed_with_unknown_section_is_refused() -> None:
    with pytest.raises(SeedError, match="unknown section"):
        Emulator().load_seed({"people": []})


def test_seed_duplicate_username_names_the_entry() -> None:
    emulator = Emulator()
    with pytest.raises(SeedError, match=r"users\[0\]"):
        emulator.load_seed({"users": [{"username": emulator.demo.username, "password": "x"}]})


@pytest.mark.timeout(60)
def test_cli_with_tls_prints_its_ca_bundle_and_serves_https_trusted_by_it() -> None:
    with running_cli("--tls") as process:
        settings = read_settings(process)
        assert settings["base_url"].startswith("https://127.0.0.1:")
        body = {"grant_type": "client_credentials", "client_id": settings["client_id"],
                "client_secret": settings["client_secret"]}
        response = requests.post(settings["base_url"] + "/accounts/api/v2/oauth2/token",
                                 json=body, timeout=5, verify=settings["ca_bundle"])
        assert response.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(settings["base_url"] + "/accounts/api/me", timeout=5)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    assert not Path(settings["ca_bundle"]).exists(), "the throw-away CA is removed at stop"


@pytest.mark.timeout(30)
def test_cli_prints_a_saml_response_url_whose_answer_signs_in_from_the_shell() -> None:
    with running_cli() as process:
        settings = read_settings(process)
        assert settings["saml_response_url"] == settings["base_url"] + "/emulator/saml-response"
        sample = requests.get(settings["saml_response_url"], timeout=5).text.strip()
        response = requests.post(settings["base_url"] + "/accounts/login/receive-id",
                                 json={"SAMLResponse": sample},
                                 headers={"X-Requested-With": "XMLHttpRequest"}, timeout=5)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert response.status_code == 200 and response.json()["access_token"]
