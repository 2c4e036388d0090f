"""docs/emulator.md documents the seed format, the lines the CLI prints and what the emulator
refuses (moved from tests/emulator/test_emulator_cli.py when the README's emulator section became
docs/emulator.md, issue 18)."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path
from typing import Any

import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator

README = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def readme_seed_example() -> dict[str, object]:
    text = README.read_text()
    section = text[text.index("### The `--seed` file"):]
    block = section[section.index("```json") + len("```json"):]
    return json.loads(block[:block.index("```")])  # type: ignore[no-any-return]


def test_the_readme_seed_example_loads_and_its_users_sign_in(tmp_path: Path,
                                                            second_rsa_key: Any) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(readme_seed_example()))
    (tmp_path / "acme-jwt.crt").write_text(second_rsa_key.public_pem)
    with Emulator() as emulator:
        emulator.load_seed(seed)
        response = requests.post(emulator.base_url + "/accounts/login", timeout=5,
                                 json={"username": "ann", "password": "pw"})
        sample = requests.get(emulator.base_url + "/emulator/saml-response",
                              params={"username": "fed"}, timeout=5).text
    assert response.status_code == 200
    assert b"https://idp.example.com/acme" in base64.b64decode(sample)


def test_the_readme_names_every_line_the_cli_prints() -> None:
    text = README.read_text()
    section = text[text.index("# The emulator"):text.index("### The `--seed` file")]
    assert "`base_url=http://127.0.0.1:PORT`" in section and "`ca_bundle=" in section
    for name in ("saml_response_url", "clock_url",
                 *(f.name for f in dataclasses.fields(DemoCredentials))):
        assert f"`{name}`" in section, name


def test_the_readme_documents_every_seed_section_and_key() -> None:
    from anypoint_pulumi.emulator import seedfile

    text = README.read_text()
    table = text[text.index("| section | keys"):text.index("References: an organization")]
    for section in seedfile._SECTIONS:
        assert f"| `{section}` |" in table, section
    keys = (seedfile._ORG_KEYS | seedfile._ENV_KEYS | seedfile._USER_KEYS | seedfile._APP_KEYS
            | seedfile._IDP_KEYS | seedfile._API_KEYS)
    for key in keys:
        assert f"`{key}`" in table, key


def test_the_readme_states_what_the_emulator_refuses_and_its_one_difference() -> None:
    text = README.read_text()
    section = text[text.index("# The emulator"):text.index("### The `--seed` file")]
    flat = " ".join(section.split())
    for promise in ("signs in **once**", "**federates**", "no clock skew",
                    "does not check XML signatures", "a replayed `jti`", "`exp: NaN` is refused",
                    "--token-lifetime SECONDS", "POST /emulator/clock?seconds=N",
                    "GET /emulator/clock", "loopback peers only", "exits 2 with one line"):
        assert promise in flat, promise
