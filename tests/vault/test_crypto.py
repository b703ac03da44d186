"""Encryption at rest: round trip, key rotation, clear errors on bad keys."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from panel.vault import crypto
from panel.vault.models import ApiToken


def test_round_trip_and_ciphertext_hides_the_plaintext():
    stored = crypto.encrypt("s3cr3t-value-1234")
    assert "s3cr3t" not in stored
    assert crypto.decrypt(stored) == "s3cr3t-value-1234"


def test_two_encryptions_of_one_secret_differ():
    assert crypto.encrypt("same") != crypto.encrypt("same")


def test_first_key_encrypts_and_every_key_decrypts(settings, fresh_keys):
    old = fresh_keys[0]
    made_with_old = crypto.encrypt("made-with-old")
    new = Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(made_with_old) == "made-with-old"
    assert crypto.needs_rotation(made_with_old)
    made_with_new = crypto.encrypt("made-with-new")
    assert not crypto.needs_rotation(made_with_new)
    settings.PANEL_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(made_with_new) == "made-with-new"
    with pytest.raises(crypto.SecretUndecryptable):
        crypto.decrypt(made_with_old)


def test_a_value_from_unknown_keys_is_refused_without_echoing_it():
    foreign = Fernet(Fernet.generate_key()).encrypt(b"foreign-secret").decode()
    with pytest.raises(crypto.SecretUndecryptable) as excinfo:
        crypto.decrypt(foreign)
    assert foreign not in str(excinfo.value)
    with pytest.raises(crypto.SecretUndecryptable):
        crypto.decrypt("not even base64 !!")


@pytest.mark.parametrize("keys", [["not-a-key"], [Fernet.generate_key().decode(), "short"], []])
def test_bad_key_configuration_is_a_clear_error_that_never_quotes_the_key(settings, keys):
    settings.PANEL_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured) as excinfo:
        crypto.encrypt("x")
    message = str(excinfo.value)
    assert "PANEL_ENCRYPTION_KEYS" in message
    for key in keys:
        assert key not in message


def test_bad_second_key_is_named_by_position(settings):
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "oops"]
    with pytest.raises(ImproperlyConfigured, match="key #2 of 2"):
        crypto.get_fernet()


def test_model_keeps_only_ciphertext_and_last4(team):
    token = ApiToken(team=team, name="prod")
    token.set_secret("  abcdefghij-WXYZ  ")
    token.save()
    token.refresh_from_db()
    assert token.last4 == "WXYZ"
    assert "abcdefghij" not in token.secret_encrypted
    assert token.reveal_secret() == "abcdefghij-WXYZ"
    assert "abcdefghij" not in repr(token) and "abcdefghij" not in str(token)


def test_empty_secret_is_refused(team):
    with pytest.raises(ValueError, match="empty"):
        ApiToken(team=team, name="x").set_secret("   ")
