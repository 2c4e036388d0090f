"""SAML sign-in: both receive-id endpoints and what makes an assertion unacceptable."""

from __future__ import annotations

import base64
from collections.abc import Callable
from urllib.parse import quote

import pytest
import requests

from anypoint_pulumi.emulator import DemoCredentials, Emulator
from anypoint_pulumi.emulator.saml import build_response

Send = Callable[..., requests.Response]
GENERIC = "/accounts/login/receive-id"
XHR = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def receive(url: Callable[[str], str]) -> Send:
    def send(saml: str, *, path: str = GENERIC, xhr: bool = True) -> requests.Response:
        headers = XHR if xhr else {}
        return requests.post(
            url(path), json={"SAMLResponse": saml}, headers=headers, timeout=5,
            allow_redirects=False,
        )

    return send


def org_path(demo: DemoCredentials, domain: str | None = None, provider: str | None = None) -> str:
    domain = domain or demo.saml_org_domain
    provider = provider or demo.saml_provider_id
    return f"/accounts/login/{domain}/providers/{provider}/receive-id"


def test_valid_assertion_returns_token_and_exchange_redirect(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    response = receive(emu.saml_response(demo.saml_username))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["redirectUrl"] == "/exchange/login"
    assert "access_token" in body


def test_saml_token_is_a_user_token(
    receive: Send, get: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    token = receive(emu.saml_response(demo.saml_username)).json()["access_token"]
    me = get("/accounts/api/me", token).json()
    assert me["user"]["username"] == demo.saml_username
    assert "client" not in me


def test_organization_specific_endpoint_accepts_its_provider(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    response = receive(emu.saml_response(demo.saml_username), path=org_path(demo))
    assert response.status_code == 200


def test_organization_specific_endpoint_refuses_other_domain(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    path = org_path(demo, domain="someone-else")
    assert receive(emu.saml_response(demo.saml_username), path=path).status_code == 401


def test_organization_specific_endpoint_refuses_other_provider(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    path = org_path(demo, provider="00000000-0000-4000-8000-000000000000")
    assert receive(emu.saml_response(demo.saml_username), path=path).status_code == 401


def test_missing_xhr_header_redirects_to_login_page(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    response = receive(emu.saml_response(demo.saml_username), xhr=False)
    assert response.status_code == 302
    assert response.headers["Location"]


def test_url_encoded_saml_response_is_accepted(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    encoded = quote(emu.saml_response(demo.saml_username), safe="")
    assert "%" in encoded
    assert receive(encoded).status_code == 200


def test_form_body_is_accepted(
    url: Callable[[str], str], emu: Emulator, demo: DemoCredentials
) -> None:
    response = requests.post(
        url(GENERIC), data={"SAMLResponse": emu.saml_response(demo.saml_username)},
        headers=XHR, timeout=5,
    )
    assert response.status_code == 200


def test_sp_initiated_assertion_with_in_response_to_is_refused(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    saml = emu.saml_response(demo.saml_username, in_response_to="_request-42")
    response = receive(saml)
    assert response.status_code == 401
    assert response.text == "Unauthorized"


def test_expired_assertion_is_refused(receive: Send, emu: Emulator, demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.saml_username, not_on_or_after_seconds=60)
    emu.advance_clock(61)
    assert receive(saml).status_code == 401


def test_unknown_issuer_is_refused(receive: Send, emu: Emulator, demo: DemoCredentials) -> None:
    saml = emu.saml_response(demo.saml_username, issuer="https://idp.example.com/unknown")
    assert receive(saml).status_code == 401


def test_unknown_subject_is_refused(receive: Send, emu: Emulator, demo: DemoCredentials) -> None:
    saml = build_response(issuer=demo.saml_issuer, name_id="ghost", now=emu.now())
    assert receive(saml).status_code == 401


def test_user_of_another_organization_is_refused(
    receive: Send, emu: Emulator, demo: DemoCredentials
) -> None:
    other = emu.add_organization("Other")
    emu.add_user("outsider", "x", org_id=other)
    assert receive(emu.saml_response("outsider")).status_code == 401


def test_non_base64_input_is_400_json(receive: Send) -> None:
    response = receive("this is not base64!")
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_xml_with_doctype_is_refused_before_parsing(receive: Send) -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    response = receive(base64.b64encode(xml).decode())
    assert response.status_code == 400


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-32"])
def test_xml_with_doctype_in_another_encoding_is_refused_too(receive: Send,
                                                             encoding: str) -> None:
    xml = (f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
           '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>').encode(encoding)

    response = receive(base64.b64encode(xml).decode())

    # Refused as a DTD where the parser can read the encoding, as unreadable where it cannot.
    assert response.status_code == 400
    assert response.json()["message"] in ("SAMLResponse must not contain a DTD or entities",
                                          "SAMLResponse is not well-formed XML")
    if encoding == "utf-16":
        assert "DTD" in response.json()["message"]


def test_an_entity_expansion_bomb_in_utf16_is_refused(receive: Send) -> None:
    entities = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10 if n else "lol"}">'
                       for n in range(10))
    xml = f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [{entities}]><x>&e9;</x>'

    response = receive(base64.b64encode(xml.encode("utf-16")).decode())

    assert response.status_code == 400


def test_a_valid_assertion_encoded_as_utf16_is_accepted(receive: Send, emu: Emulator,
                                                        demo: DemoCredentials) -> None:
    xml = base64.b64decode(emu.saml_response(demo.saml_username)).decode("utf-8")
    xml = xml.replace("encoding='utf-8'", "encoding='UTF-16'")

    response = receive(base64.b64encode(xml.encode("utf-16")).decode())

    assert response.status_code == 200 and response.json()["access_token"]


def test_non_xml_payload_is_400(receive: Send) -> None:
    assert receive(base64.b64encode(b"plain words").decode()).status_code == 400


def test_oversized_input_is_400(receive: Send) -> None:
    assert receive("A" * 300_000).status_code == 400


def test_missing_saml_response_is_400(url: Callable[[str], str]) -> None:
    response = requests.post(url(GENERIC), json={}, headers=XHR, timeout=5)
    assert response.status_code == 400


def test_non_response_document_is_refused(receive: Send) -> None:
    assert receive(base64.b64encode(b"<hello/>").decode()).status_code == 401


def test_saml_response_for_unknown_user_raises(emu: Emulator) -> None:
    with pytest.raises(KeyError):
        emu.saml_response("ghost")


# GET /emulator/saml-response: a SAML response for the shell --------------------------------------

SAMPLE = "/emulator/saml-response"


def test_the_sample_endpoint_mints_a_response_the_login_accepts(
    get: Send, receive: Send, demo: DemoCredentials
) -> None:
    sample = get(SAMPLE)
    assert sample.status_code == 200
    assert sample.headers["Content-Type"].startswith("text/plain")
    token = receive(sample.text.strip()).json()["access_token"]
    assert get("/accounts/api/me", token).json()["user"]["username"] == demo.saml_username


def test_the_sample_asserts_the_demo_federated_user_by_default(get: Send, emu: Emulator) -> None:
    xml = base64.b64decode(get(SAMPLE).text)
    assert f">{emu.demo.saml_username}<".encode() in xml
    assert f">{emu.demo.saml_issuer}<".encode() in xml


def test_the_sample_works_with_the_organization_specific_endpoint(
    get: Send, receive: Send, demo: DemoCredentials
) -> None:
    response = receive(get(SAMPLE).text.strip(), path=org_path(demo))
    assert response.status_code == 200


def test_the_sample_of_another_user_uses_that_users_identity_provider(
    get: Send, receive: Send, emu: Emulator
) -> None:
    provider = emu.add_identity_provider("https://idp.example.com/other")
    emu.add_user("other-federated", "unused", identity_provider_id=provider)
    sample = get(SAMPLE, params={"username": "other-federated"}).text
    assert b"https://idp.example.com/other" in base64.b64decode(sample)
    assert receive(sample.strip()).status_code == 200


def test_the_sample_of_an_unknown_user_is_a_404_naming_the_fix(get: Send) -> None:
    response = get(SAMPLE, params={"username": "nobody"})
    assert response.status_code == 404
    assert "no user 'nobody'" in response.text and "--seed" in response.text


@pytest.mark.parametrize("seconds", ["0", "3601", "soon"])
def test_the_sample_refuses_a_validity_out_of_bounds(get: Send, seconds: str) -> None:
    response = get(SAMPLE, params={"valid_seconds": seconds})
    assert response.status_code == 400
    assert "valid_seconds must be a number from 1 to 3600" in response.text


def test_a_short_sample_expires_on_the_emulator_clock(
    get: Send, receive: Send, emu: Emulator
) -> None:
    sample = get(SAMPLE, params={"valid_seconds": "60"}).text.strip()
    emu.advance_clock(61)
    assert receive(sample).status_code == 401
