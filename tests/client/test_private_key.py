"""Issue 17 classes 4 and 15: the private key check is bounded in size before any parsing and
reads PEM in one linear pass; RSA keys under 2048 bits are refused; a PEM file with the
certificate before the key is accepted (the key is found)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from anypoint_pulumi.access.assertion import _blocks, check_private_key
from anypoint_pulumi.access.client import AccessManagementClient
from anypoint_pulumi.access.errors import ConfigurationError
from anypoint_pulumi.access.limits import MAX_PRIVATE_KEY_CHARS, MIN_RSA_BITS
from anypoint_pulumi.emulator import Emulator


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "connected-app")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


# Class 4: bounded, linear -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "-----BEGIN A-----" * 12_000,                       # 200 KB of openings: the slow case
    "-----BEGIN PRIVATE KEY-----\n" + "A" * 200_000,    # a body that never ends
    "x" * (MAX_PRIVATE_KEY_CHARS + 1),
])
def test_a_huge_private_key_is_refused_by_its_size_before_any_parsing(value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_private_key(value)

    assert caught.value.field == "private_key"
    assert "characters long" in str(caught.value) and len(str(caught.value)) < 600


def test_the_pem_reader_finds_blocks_in_one_pass_whatever_surrounds_them() -> None:
    text = "junk\n-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n" \
           "-----BEGIN X\n-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n"

    assert _blocks(text) == [("CERTIFICATE", "QUJD"), ("PRIVATE KEY", "REVG")]


_FRAGMENTS = st.sampled_from(["-----BEGIN ", "-----END ", "PRIVATE KEY", "RSA ", "CERTIFICATE",
                              "-----", "\n", "MIIB", " ", "\\n", "=", "A" * 64])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_FRAGMENTS, max_size=400))
def test_property_any_malformed_key_is_a_configuration_error_naming_the_field(
        parts: list[str]) -> None:
    text = "".join(parts)
    blocks = _blocks(text)

    assert all(label and body is not None for label, body in blocks)
    try:
        check_private_key(text)
    except ConfigurationError as exc:
        assert exc.field == "private_key"
        assert "MIIB" not in str(exc)


# Class 15: key hygiene ----------------------------------------------------------------------------


def test_an_rsa_key_under_2048_bits_is_refused_with_a_clear_error() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)

    with pytest.raises(ConfigurationError) as caught:
        check_private_key(_pem(weak))

    assert caught.value.field == "private_key"
    assert "1024 bits" in str(caught.value) and str(MIN_RSA_BITS) in str(caught.value)


def test_a_pem_file_with_the_certificate_before_the_key_is_accepted(emu: Emulator) -> None:
    key = serialization.load_pem_private_key(emu.jwt_private_key.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    combined = _certificate(key) + emu.jwt_private_key

    found = check_private_key(combined)
    token = AccessManagementClient(base_url=emu.base_url).jwt_bearer(
        emu.demo.jwt_client_id, combined, emu.demo.jwt_identity_provider_id,
        emu.demo.jwt_username)

    assert "PRIVATE KEY" in found and "CERTIFICATE" not in found
    assert token.access_token


def test_a_certificate_alone_is_still_refused_as_a_certificate() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(ConfigurationError) as caught:
        check_private_key(_certificate(key))

    assert "certificate" in str(caught.value)
