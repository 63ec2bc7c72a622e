"""Secrets at rest, password hashes and link tokens."""

from __future__ import annotations

import pytest

from vcsafe.crypto import (
    SecretsBox,
    hash_password,
    hash_token,
    new_link_token,
    token_matches,
    verify_password,
)


def test_secrets_are_not_stored_in_clear_and_round_trip() -> None:
    box = SecretsBox("k" * 40)
    stored = box.encrypt("zoom-client-secret-123")
    assert b"zoom-client-secret-123" not in stored
    assert box.decrypt(stored) == "zoom-client-secret-123"


def test_rotated_key_still_decrypts_old_secrets_and_rotate_moves_them() -> None:
    old = SecretsBox("old-key" * 6)
    stored = old.encrypt("s3cret")
    rotated = SecretsBox("new-key" * 6, previous_keys=("old-key" * 6,))
    assert rotated.decrypt(stored) == "s3cret"
    moved = rotated.rotate(stored)
    assert SecretsBox("new-key" * 6).decrypt(moved) == "s3cret"


def test_address_digests_need_the_key_and_survive_a_key_rotation() -> None:
    old = SecretsBox("old-key" * 6)
    stored = old.digests("troll@example.org")[0]
    assert stored != hash_token("troll@example.org")  # not a plain hash anyone could redo
    assert stored not in SecretsBox("other-key" * 6).digests("troll@example.org")
    rotated = SecretsBox("new-key" * 6, previous_keys=("old-key" * 6,))
    assert stored in rotated.digests("troll@example.org")
    assert stored not in rotated.digests("ada@example.org")


def test_wrong_key_gives_a_clear_error() -> None:
    stored = SecretsBox("a" * 40).encrypt("s3cret")
    with pytest.raises(ValueError, match="previous_secret_keys"):
        SecretsBox("b" * 40).decrypt(stored)


def test_passwords_are_hashed_with_scrypt() -> None:
    hashed = hash_password("a long enough password")
    assert hashed.startswith("scrypt:")
    assert "a long enough password" not in hashed
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "a long enough passworD")


def test_link_tokens_are_stored_as_hashes() -> None:
    token, stored = new_link_token()
    assert token not in stored
    assert stored == hash_token(token)
    assert token_matches(token, stored)
    assert not token_matches(token + "x", stored)
    assert new_link_token()[0] != token
