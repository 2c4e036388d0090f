"""Data functions against a hostile server: a call ends within ``timeout_seconds`` with all its
reads (``/me``, every page), an organization id from ``/me`` that could leave its path segment is
refused, environment names the server made up are shown scrubbed, a listing that never ends is
asked a bounded number of pages, and ``verify_tls=False`` is warned about on every call."""

from __future__ import annotations

import time
from typing import Any

import pulumi
import pytest

from anypoint_pulumi import (
    get_access_token,
    get_api_response,
    get_environment,
    get_environments,
    get_profile,
)
from anypoint_pulumi.access.endpoints import ME
from anypoint_pulumi.access.errors import (
    NotFoundError,
    TransportError,
    UnexpectedResponseError,
)
from tests.support.hostile import Act, HostileServer, pager

TOKEN = "a-token-the-hostile-server-accepts"
ENVIRONMENTS = "/accounts/api/organizations/org/environments"
ME_ANSWER = {"client": {"client_id": "app", "org_id": "org"}}


def where(hostile: HostileServer, **extra: Any) -> dict[str, Any]:
    return {"access_token": TOKEN, "base_url": hostile.base_url, "timeout_seconds": 1, **extra}


@pytest.fixture
def warned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: seen.append(msg))
    return seen


def test_a_call_and_all_its_reads_end_within_timeout_seconds(hostile):
    hostile.route(ME, Act(body=b'{"client": {"org_id": "org"}}', hang=0.6))
    hostile.route(ENVIRONMENTS, Act.dripping(b'{"data": [], "total": 0}', every=0.1))

    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        get_environments(**where(hostile))

    assert time.monotonic() - started < 1 + 1
    assert caught.value.message.startswith("get_environments()")
    assert "time budget of 1 s" in caught.value.message


def test_a_profile_read_from_a_dripping_server_ends_within_timeout_seconds(hostile):
    hostile.route("/accounts/api/profile", Act.dripping(b'{"id": "u"}' * 20, every=0.05))

    started = time.monotonic()
    with pytest.raises(TransportError):
        get_profile(**where(hostile), grant_type="login")

    assert time.monotonic() - started < 1 + 1


@pytest.mark.parametrize("org_id", ["..", "../../accounts", "a/b", ""])
def test_an_organization_id_from_me_that_could_leave_its_segment_is_refused(hostile, org_id):
    hostile.route(ME, Act.json({"client": {"client_id": "app", "org_id": org_id}}))

    with pytest.raises(UnexpectedResponseError, match="/me names"):
        get_environments(**where(hostile))

    assert [seen.path for seen in hostile.seen] == [ME]


def test_environment_names_a_server_made_up_are_shown_scrubbed(hostile):
    hostile.route(ME, Act.json(ME_ANSWER))
    hostile.route(ENVIRONMENTS, Act.json({"data": [
        {"id": "e1", "name": "\x1b[2JProd\u202e"}, {"id": "e2", "name": f"echo {TOKEN}"},
        {"id": "e3", "name": "n" * 10_000}], "total": 3}))

    with pytest.raises(NotFoundError) as caught:
        get_environment(name="Sandbox", **where(hostile))

    text = str(caught.value)
    assert "\x1b" not in text and "\u202e" not in text and TOKEN not in text
    assert len(text) < 1500


def test_an_endless_listing_is_asked_a_bounded_number_of_pages(hostile):
    hostile.route(ME, Act.json(ME_ANSWER))
    hostile.route(ENVIRONMENTS, pager(total=1000, page_size=500))

    found = get_environments(**where(hostile, timeout_seconds=30))

    assert len(found) == 1000
    assert hostile.count(ENVIRONMENTS) == 2


def test_verify_tls_off_is_warned_about_on_every_call(hostile, warned):
    https = hostile.base_url.replace("http://", "https://")  # the warning comes before the call

    for _ in range(2):
        with pytest.raises(TransportError):
            get_profile(**where(hostile, base_url=https, verify_tls=False,
                                grant_type="client_credentials"))

    assert len([w for w in warned if "verify_tls is false" in w]) == 2


def test_get_api_response_from_a_dripping_server_ends_within_timeout_seconds(hostile):
    path = "/apimanager/api/v1/organizations/org/environments/env/apis"
    hostile.route(path, Act.dripping(b'{"assets": []}' * 50, every=0.05))

    started = time.monotonic()
    with pytest.raises(TransportError):
        get_api_response(path=path, **where(hostile))

    assert time.monotonic() - started < 1 + 1


def test_get_access_token_from_a_dripping_server_ends_within_timeout_seconds(hostile):
    hostile.route("/accounts/api/v2/oauth2/token",
                  Act.dripping(b'{"access_token": "t", "expires_in": 60}', every=0.1))

    started = time.monotonic()
    with pytest.raises(TransportError):
        get_access_token(client_id="0123456789abcdef", client_secret="secret-1234",
                         base_url=hostile.base_url, timeout_seconds=1)

    assert time.monotonic() - started < 1 + 1
