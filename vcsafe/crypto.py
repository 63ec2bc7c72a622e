"""Secrets at rest, password hashing and link tokens."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from werkzeug.security import check_password_hash, generate_password_hash

# scrypt with werkzeug's parameters (n=2**15, r=8, p=1).
PASSWORD_METHOD = "scrypt"  # noqa: S105 (an algorithm name, not a password)


class SecretsBox:
    """Encrypts provider secrets with a key derived from the secret key; old keys still decrypt."""

    def __init__(self, secret_key: str, previous_keys: tuple[str, ...] = ()) -> None:
        keys = (secret_key, *previous_keys)
        self._fernet = MultiFernet([Fernet(_derive(k)) for k in keys])
        self._digest_keys = [_derive(k, info=b"vcsafe address digests v1") for k in keys]

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise ValueError(
                "a stored secret cannot be decrypted: was the secret key changed without "
                "listing the old one in previous_secret_keys?"
            ) from None

    def digests(self, value: str) -> list[str]:
        """A value's keyed digests (HMAC-SHA256), the current key's first: what is stored in
        place of an email address that must be recognised, never read back. The old keys'
        still match after a key rotation."""
        data = value.encode("utf-8")
        return [hmac.new(key, data, hashlib.sha256).hexdigest() for key in self._digest_keys]

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the current key (after a key rotation)."""
        return self._fernet.rotate(token)


def _derive(secret_key: str, info: bytes = b"vcsafe secrets at rest v1") -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


@functools.cache
def dummy_password_hash() -> str:
    """A hash to check against for unknown accounts, so they take as long as known ones."""
    return hash_password(secrets.token_urlsafe(16))


def new_link_token() -> tuple[str, str]:
    """A random token for a link, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)
