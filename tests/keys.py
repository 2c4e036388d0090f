"""RSA key pairs for the JWT bearer grant's tests, made at run time: no private key is written in
the repository. Importable as ``tests.keys`` (see ``tests/secrets.py`` on the import mode)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RsaKey:
    """An RSA key pair as PEM text: what a connected app holds (public) and what signs (private)."""

    private_pem: str
    public_pem: str


def new_rsa_key() -> RsaKey:
    """A fresh 2048-bit RSA key pair (PKCS#8 private key, SubjectPublicKeyInfo public key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return RsaKey(private, public.decode())
