"""Hostile request bodies get the emulator's own 400 answers, never a 500: JSON nested past the
parser's depth, in every endpoint that reads a JSON body."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
import requests

XHR = {"X-Requested-With": "XMLHttpRequest", "Content-Type": "application/json"}


@pytest.mark.parametrize("path", ["/accounts/login", "/accounts/api/v2/oauth2/token",
                                  "/accounts/login/receive-id", "/accounts/oauth2/token"])
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(url: Callable[[str], str], path: str,
                                               depth: int) -> None:
    body = b'{"username": ' + b"[" * depth + b"]" * depth + b"}"

    response = requests.post(url(path), data=body, headers=XHR, timeout=10)

    assert response.status_code == 400
    assert response.json()["message"] == "the request body is nested too deeply"


def test_json_nested_a_little_is_still_read_as_a_body(url: Callable[[str], str]) -> None:
    response = requests.post(url("/accounts/login"), json={"username": [[["x"]]],
                                                           "password": "p"}, timeout=10)

    assert response.status_code == 401  # read, judged: not a known user


def test_a_jwt_assertion_whose_json_is_nested_past_the_depth_is_refused_not_a_500(
        url: Callable[[str], str]) -> None:
    nested = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode().rstrip("=")
    assertion = f"{nested}.{nested}.c2lnbmF0dXJl"

    response = requests.post(url("/accounts/api/v2/oauth2/token"), timeout=10, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})

    assert 400 <= response.status_code < 500
