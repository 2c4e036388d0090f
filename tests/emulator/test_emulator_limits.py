"""Emulator robustness (issue 17, class 14): a seed nested past any sensible depth, a seed or key
file that never ends, an absurd session timeout, token lifetime, clock move or port, each get a
clear error naming the field, never a traceback, a 500 or unbounded memory."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.emulator import Emulator, SeedError
from anypoint_pulumi.emulator.apis import MAX_BODY_DEPTH
from anypoint_pulumi.emulator.seedfile import (
    MAX_KEY_FILE_BYTES,
    MAX_SEED_BYTES,
    MAX_SEED_DEPTH,
    load_seed_file,
)
from anypoint_pulumi.emulator.state import (
    MAX_CLOCK_OFFSET_SECONDS,
    MAX_SESSION_TIMEOUT_MINUTES,
    MAX_TOKEN_LIFETIME_SECONDS,
)

API_PATH = "/custom/api/v1/things"
FIXTURE = HealthCheck.function_scoped_fixture


def nested(depth: int, leaf: Any = 0, kind: str = "list") -> Any:
    """``depth`` containers one in another (built iteratively)."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


def nested_text(depth: int) -> str:
    """A seed document whose api_responses body is ``depth`` lists deep, as JSON text."""
    return ('{"api_responses": [{"path": "' + API_PATH + '", "body": '
            + "[" * depth + "]" * depth + "}]}")


# Nesting ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_BODY_DEPTH + 1, 1_000, 100_000])
def test_a_deeply_nested_seed_file_is_a_seed_error_naming_the_entry(tmp_path: Path,
                                                                    depth: int) -> None:
    seed = tmp_path / "deep.json"
    seed.write_text(nested_text(depth))

    with pytest.raises(SeedError) as caught:
        Emulator().load_seed(seed)

    text = str(caught.value)
    assert "nests more than" in text
    assert "api_responses[0].body" in text or "deep.json" in text
    assert "\n" not in text


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("depth", [MAX_SEED_DEPTH + 1, 5_000, 50_000])
def test_a_deeply_nested_seed_document_in_process_is_a_seed_error(kind: str, depth: int) -> None:
    seed = {"api_responses": [{"path": API_PATH, "body": nested(depth, kind=kind)}]}

    with pytest.raises(SeedError, match=r"nests more than \d+ levels deep \(at seed\.api_resp"):
        Emulator().load_seed(seed)


def test_a_seed_that_contains_itself_is_a_seed_error() -> None:
    body: dict[str, Any] = {}
    body["self"] = body

    with pytest.raises(SeedError, match="nests more than"):
        Emulator().load_seed({"api_responses": [{"path": API_PATH, "body": body}]})


def test_a_body_one_level_too_deep_is_refused_and_one_at_the_limit_is_served() -> None:
    with pytest.raises(SeedError, match=r"\(at seed\.api_responses\[0\]\.body\[0\]"):
        Emulator().load_seed({"api_responses": [{"path": API_PATH,
                                                 "body": nested(MAX_BODY_DEPTH + 1)}]})

    with Emulator() as emu:
        emu.load_seed({"api_responses": [{"path": API_PATH, "body": nested(MAX_BODY_DEPTH)}]})
        token = requests.post(emu.base_url + "/accounts/api/v2/oauth2/token", timeout=5, json={
            "grant_type": "client_credentials", "client_id": emu.demo.client_id,
            "client_secret": emu.demo.client_secret}).json()["access_token"]
        answer = requests.get(emu.base_url + API_PATH, timeout=5,
                              headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json() == nested(MAX_BODY_DEPTH)


@pytest.mark.parametrize("depth", [MAX_BODY_DEPTH + 1, 10_000])
def test_add_api_response_refuses_a_deep_body_naming_it(depth: int) -> None:
    with pytest.raises(ValueError, match=r"the body nests more than 64 levels deep \(at body\["):
        Emulator().add_api_response(API_PATH, nested(depth))


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(min_value=0, max_value=3 * MAX_BODY_DEPTH),
       kind=st.sampled_from(["list", "dict"]), as_file=st.booleans())
def test_any_nesting_loads_exactly_when_within_the_limit(
        tmp_path_factory: pytest.TempPathFactory, depth: int, kind: str, as_file: bool) -> None:
    seed: Any = {"api_responses": [{"path": API_PATH, "body": nested(depth, kind=kind)}]}
    if as_file:
        path = tmp_path_factory.mktemp("seed") / "seed.json"
        path.write_text(json.dumps(seed))
        seed = path
    emu = Emulator(seed=False)
    if depth <= MAX_BODY_DEPTH:
        emu.load_seed(seed)
    else:
        with pytest.raises(SeedError, match="nests more than"):
            emu.load_seed(seed)


# Files that never end, or are not text ----------------------------------------------------------


@pytest.mark.timeout(20)
def test_dev_zero_as_a_seed_file_is_refused_as_too_large() -> None:
    with pytest.raises(SeedError, match=r"seed file /dev/zero is larger than 16 MiB"):
        load_seed_file("/dev/zero")


def test_a_seed_file_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    seed = tmp_path / "big.json"
    padding = MAX_SEED_BYTES - len('{"users": []}')
    seed.write_text('{"users": []}' + " " * padding)
    load_seed_file(seed)  # exactly at the limit: read

    seed.write_text('{"users": []}' + " " * (padding + 1))
    with pytest.raises(SeedError, match="larger than 16 MiB"):
        load_seed_file(seed)


@pytest.mark.parametrize("content, words", [
    (b"\xff\xfe{}", "is not UTF-8 text"),
    (b"{not json", "is not valid JSON"),
    (b"[1, 2]", "the top level must be a JSON object"),
    (b"9" * 5_000, "is not valid JSON"),
], ids=["latin", "syntax", "list", "huge-int"])
def test_a_seed_file_that_is_not_a_json_object_is_a_seed_error(
        tmp_path: Path, content: bytes, words: str) -> None:
    seed = tmp_path / "seed.json"
    seed.write_bytes(content)

    with pytest.raises(SeedError, match=words):
        load_seed_file(seed)


def test_a_folder_as_seed_file_is_a_seed_error(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed_file(tmp_path)


def key_seed(tmp_path: Path, key_file: str) -> Path:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"connected_apps": [{
        "name": "jwt", "grant_types": ["jwt_bearer"], "public_key_file": key_file}]}))
    return seed


@pytest.mark.timeout(20)
def test_dev_zero_as_public_key_file_is_refused_as_too_large(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match=r"connected_apps\[0\]\.public_key_file: /dev/zero is "
                                        r"larger than 64 KiB"):
        Emulator().load_seed(key_seed(tmp_path, "/dev/zero"))


def test_a_key_file_over_the_limit_is_refused_and_a_real_one_is_read(
        tmp_path: Path, second_rsa_key: Any) -> None:
    pem = second_rsa_key.public_pem
    (tmp_path / "padded.pem").write_text(pem + "\n" * (MAX_KEY_FILE_BYTES + 1 - len(pem)))
    (tmp_path / "real.pem").write_text(pem)

    with pytest.raises(SeedError, match="larger than 64 KiB"):
        Emulator().load_seed(key_seed(tmp_path, "padded.pem"))
    Emulator().load_seed(key_seed(tmp_path, "real.pem"))


@pytest.mark.parametrize("content, words", [
    (b"\x30\x82\x01\x22\xff\xfe", "is not UTF-8 text"),
    (b"not a key", "connected_apps[0]: "),
], ids=["der", "garbage"])
def test_a_key_file_that_is_not_pem_is_a_seed_error(tmp_path: Path, content: bytes,
                                                   words: str) -> None:
    (tmp_path / "key.pem").write_bytes(content)

    with pytest.raises(SeedError) as caught:
        Emulator().load_seed(key_seed(tmp_path, "key.pem"))

    assert words in str(caught.value)


def test_a_folder_as_key_file_is_a_seed_error(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()

    with pytest.raises(SeedError, match=r"public_key_file: cannot read keys"):
        Emulator().load_seed(key_seed(tmp_path, "keys"))


# Session timeout, token lifetime, clock, port ---------------------------------------------------


def login(emu: Emulator, username: str, password: str) -> requests.Response:
    return requests.post(emu.base_url + "/accounts/login", timeout=5,
                         json={"username": username, "password": password})


@pytest.mark.parametrize("minutes", [10**30, MAX_SESSION_TIMEOUT_MINUTES + 1, 0, -5, True, 1.5,
                                     "60", None])
def test_a_seed_session_timeout_out_of_range_is_a_seed_error_naming_it(minutes: Any) -> None:
    seed = {"organizations": [{"name": "Acme", "session_timeout_minutes": minutes}]}

    with pytest.raises(SeedError, match=r"organizations\[0\].*session_timeout_minutes must be "
                                        r"a whole number"):
        Emulator().load_seed(seed)


@pytest.mark.parametrize("minutes", [10**30, MAX_SESSION_TIMEOUT_MINUTES + 1, 0, math.nan, True])
def test_set_session_timeout_out_of_range_is_refused_and_logins_keep_working(
        emu: Emulator, minutes: Any) -> None:
    with pytest.raises(ValueError, match="minutes must be a whole number from 1 to 525600"):
        emu.set_session_timeout(emu.demo.organization_id, minutes)
    with pytest.raises(ValueError, match="session_timeout_minutes must be a whole number"):
        emu.add_organization("Acme", session_timeout_minutes=minutes)

    assert login(emu, emu.demo.username, emu.demo.password).status_code == 200


@settings(max_examples=25, deadline=None, suppress_health_check=[FIXTURE])
@given(minutes=st.integers(min_value=-10, max_value=10**40))
def test_no_session_timeout_makes_a_login_fail(emu: Emulator, minutes: int) -> None:
    try:
        emu.set_session_timeout(emu.demo.organization_id, minutes)
    except ValueError:
        assert not 1 <= minutes <= MAX_SESSION_TIMEOUT_MINUTES
    else:
        assert 1 <= minutes <= MAX_SESSION_TIMEOUT_MINUTES

    assert login(emu, emu.demo.username, emu.demo.password).status_code == 200


def test_the_longest_session_timeout_still_signs_in_even_a_century_ahead(emu: Emulator) -> None:
    emu.set_session_timeout(emu.demo.organization_id, MAX_SESSION_TIMEOUT_MINUTES)
    emu.token_lifetime_seconds = MAX_TOKEN_LIFETIME_SECONDS
    emu.advance_clock(MAX_CLOCK_OFFSET_SECONDS)

    response = login(emu, emu.demo.username, emu.demo.password)

    assert response.status_code == 200
    session = requests.get(emu.base_url + "/accounts/api/session", timeout=5, headers={
        "Authorization": f"Bearer {response.json()['access_token']}"})
    assert session.status_code == 200


@pytest.mark.parametrize("seconds", [0, -1, 10**30, MAX_TOKEN_LIFETIME_SECONDS + 1, 2.5, True])
def test_a_token_lifetime_out_of_range_is_refused(emu: Emulator, seconds: Any) -> None:
    with pytest.raises(ValueError, match="token_lifetime_seconds must be a whole number"):
        emu.token_lifetime_seconds = seconds
    with pytest.raises(ValueError, match="token_lifetime_seconds must be a whole number"):
        Emulator(token_lifetime_seconds=seconds, seed=False)

    assert emu.token_lifetime_seconds == 3600


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, 10**400,
                                     MAX_CLOCK_OFFSET_SECONDS + 1, -MAX_CLOCK_OFFSET_SECONDS - 1])
def test_a_clock_move_that_is_not_finite_or_too_far_is_refused(emu: Emulator,
                                                               seconds: Any) -> None:
    before = emu._store.clock.offset

    with pytest.raises(ValueError, match="the clock may move at most"):
        emu.advance_clock(seconds)

    assert emu._store.clock.offset == before
    assert login(emu, emu.demo.username, emu.demo.password).status_code == 200


def test_clock_moves_add_up_to_the_bound_and_no_further(emu: Emulator) -> None:
    emu.advance_clock(MAX_CLOCK_OFFSET_SECONDS - 10)
    emu.advance_clock(10)

    with pytest.raises(ValueError, match="a century"):
        emu.advance_clock(1)


@pytest.mark.parametrize("port", [65536, 99999, -1, 10**6, True])
def test_a_port_out_of_range_is_refused_not_wrapped(port: Any) -> None:
    with pytest.raises(ValueError, match="port must be a whole number from 0 to 65535"):
        Emulator(port=port, seed=False)


def test_the_seed_limits_are_sane() -> None:
    assert MAX_SEED_DEPTH == MAX_BODY_DEPTH + 3
    assert MAX_KEY_FILE_BYTES < MAX_SEED_BYTES
    assert os.path.exists("/dev/zero")


def test_a_port_in_use_is_an_os_error_not_an_exit() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        emu = Emulator(port=taken.getsockname()[1], seed=False)

        with pytest.raises(OSError):
            emu.start()

    assert not emu.running


def test_a_tls_start_on_a_port_in_use_leaves_no_throw_away_ca_behind() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        emu = Emulator(port=taken.getsockname()[1], seed=False, tls=True)

        with pytest.raises(OSError):
            emu.start()

    assert emu.ca_bundle is None
