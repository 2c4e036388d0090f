"""SAML sign-in is at least as strict as the README says (issue 17, class 13): a response signs
in once, only a user its identity provider federates, and its NotBefore may not lie in the
future. Signatures stay unchecked (documented: see the README's emulator section)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anypoint_pulumi.emulator import DemoCredentials, Emulator, replay
from anypoint_pulumi.emulator.saml import build_response

Send = Callable[..., requests.Response]
GENERIC = "/accounts/login/receive-id"
XHR = {"X-Requested-With": "XMLHttpRequest"}
SAMPLE = "/emulator/saml-response"


@pytest.fixture
def receive(url: Callable[[str], str]) -> Send:
    def send(saml: str, *, path: str = GENERIC, xhr: bool = True) -> requests.Response:
        return requests.post(url(path), json={"SAMLResponse": saml}, timeout=5,
                             headers=XHR if xhr else {}, allow_redirects=False)

    return send


def org_path(demo: DemoCredentials) -> str:
    return f"/accounts/login/{demo.saml_org_domain}/providers/{demo.saml_provider_id}/receive-id"


def xml_of(saml: str) -> str:
    return base64.b64decode(saml).decode("utf-8")


def encoded(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


def already_used(response: requests.Response) -> bool:
    return response.status_code == 401 and "already used" in response.json()["message"]


# Single use -----------------------------------------------------------------------------------


def test_the_same_response_signs_in_once(receive: Send, emu: Emulator,
                                         demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.saml_username)

    first, second = receive(saml), receive(saml)

    assert first.status_code == 200
    assert already_used(second)
    assert "get a fresh one from the identity provider" in second.json()["message"]
    assert emu.tokens_issued() == 1


def test_a_replay_is_refused_on_the_other_endpoint_too(receive: Send, emu: Emulator,
                                                       demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.saml_username)

    assert receive(saml, path=org_path(demo)).status_code == 200
    assert already_used(receive(saml))


@pytest.mark.parametrize("disguise", [
    lambda s: quote(s, safe=""),                                      # URL-encoded
    lambda s: "\n".join(s[i:i + 64] for i in range(0, len(s), 64)),  # wrapped base64
    lambda s: base64.b64encode(xml_of(s).replace("encoding='utf-8'", "encoding='UTF-16'")
                               .encode("utf-16")).decode(),           # another encoding
], ids=["url-encoded", "wrapped", "utf-16"])
def test_a_replay_in_another_encoding_is_still_a_replay(
        receive: Send, emu: Emulator, demo: DemoCredentials,
        disguise: Callable[[str], str]) -> None:
    saml = emu.saml_response(demo.saml_username)

    assert receive(saml).status_code == 200
    assert already_used(receive(disguise(saml)))


def test_the_same_assertion_in_a_new_response_is_a_replay(receive: Send, emu: Emulator,
                                                          demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.saml_username)
    assert receive(saml).status_code == 200
    xml = xml_of(saml)
    response_id = re.search(r'<samlp:Response[^>]* ID="([^"]+)"', xml)
    assert response_id is not None

    rewrapped = xml.replace(response_id.group(1), "_a-new-response-id", 1)

    assert already_used(receive(encoded(rewrapped)))


def test_a_response_refused_for_another_reason_is_not_used_up(
        receive: Send, emu: Emulator, demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.saml_username)

    assert receive(saml, xhr=False).status_code == 302
    wrong = f"/accounts/login/{demo.saml_org_domain}/providers/another-idp/receive-id"
    assert receive(saml, path=wrong).status_code == 401
    assert receive(saml).status_code == 200


def test_a_response_without_an_id_is_refused(receive: Send, emu: Emulator,
                                             demo: DemoCredentials) -> None:
    xml = re.sub(r'(<samlp:Response[^>]*?) ID="[^"]+"', r"\1",
                 xml_of(emu.saml_response(demo.saml_username)), count=1)

    response = receive(encoded(xml))

    assert response.status_code == 400
    assert "SAMLResponse has no ID" in response.json()["message"]


def test_every_sample_is_new_and_each_signs_in_once(get: Send, receive: Send) -> None:
    first, second = get(SAMPLE).text.strip(), get(SAMPLE).text.strip()

    assert first != second
    assert [receive(s).status_code for s in (first, second, first, second)] == [200, 200, 401,
                                                                                 401]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=8))
def test_any_sequence_of_submissions_signs_in_once_per_response(
        receive: Send, emu: Emulator, demo: DemoCredentials, picks: list[int]) -> None:
    responses = [emu.saml_response(demo.saml_username) for _ in range(4)]
    used: set[int] = set()
    for pick in picks:
        answer = receive(responses[pick])
        assert answer.status_code == (401 if pick in used else 200)
        used.add(pick)


def test_used_responses_are_remembered_in_bounded_memory(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(replay, "MAX_SEEN", 4)
    with Emulator() as small:
        url = small.base_url + GENERIC
        for _ in range(6):
            saml = small.saml_response(small.demo.saml_username)
            answer = requests.post(url, json={"SAMLResponse": saml}, headers=XHR, timeout=5)
            assert answer.status_code == 200

        assert len(small._store.used_saml_ids) == 4
        again = requests.post(url, json={"SAMLResponse": saml}, headers=XHR, timeout=5)
        assert again.status_code == 401  # the latest ones are still remembered


# Only a user the identity provider federates ----------------------------------------------------


def test_a_user_who_is_not_federated_is_refused(receive: Send, emu: Emulator,
                                                demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.username, issuer=demo.saml_issuer)  # the password user

    response = receive(saml)

    assert response.status_code == 401
    assert "not federated" in response.json()["message"]
    assert emu.tokens_issued() == 0


def test_a_user_federated_by_another_provider_of_the_org_is_refused(
        receive: Send, emu: Emulator, demo: DemoCredentials) -> None:
    other = emu.add_identity_provider("https://idp.example.com/second")
    emu.add_user("second-federated", "unused", identity_provider_id=other)

    by_demo_idp = emu.saml_response("second-federated", issuer=demo.saml_issuer)
    by_own_idp = emu.saml_response("second-federated")

    assert receive(by_demo_idp).status_code == 401
    assert receive(by_demo_idp, path=org_path(demo)).status_code == 401
    assert receive(by_own_idp).status_code == 200


@pytest.mark.parametrize("user", ["demo-user", "demo-mfa-user"])
def test_no_native_user_signs_in_on_either_endpoint(receive: Send, emu: Emulator,
                                                    demo: DemoCredentials, user: str) -> None:
    for path in (GENERIC, org_path(demo)):
        saml = build_response(issuer=demo.saml_issuer, name_id=user, now=emu.now())
        assert receive(saml, path=path).status_code == 401


def test_the_sample_of_a_user_who_is_not_federated_is_refused_naming_the_fix(get: Send) -> None:
    response = get(SAMPLE, params={"username": "demo-user"})

    assert response.status_code == 400
    assert "'demo-user' is not federated" in response.text
    assert "identity_provider" in response.text


# No clock skew --------------------------------------------------------------------------------


@pytest.mark.parametrize("ahead", [1, 60, 299])
def test_a_response_not_yet_valid_is_refused(receive: Send, emu: Emulator,
                                             demo: DemoCredentials, ahead: int) -> None:
    saml = build_response(issuer=demo.saml_issuer, name_id=demo.saml_username,
                          now=emu.now() + timedelta(seconds=ahead))

    assert receive(saml).status_code == 401
    emu.advance_clock(ahead + 1)
    assert receive(saml).status_code == 200
