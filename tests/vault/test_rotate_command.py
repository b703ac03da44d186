"""`manage.py rotate_encryption_keys`: after rotating and dropping the old key, every token decrypts."""
from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from panel.vault import crypto
from panel.vault.models import ApiToken


def _run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def tokens(team):
    made = []
    for i in range(3):
        token = ApiToken(team=team, name=f"t{i}")
        token.set_secret(f"secret-number-{i}-abcd")
        token.save()
        made.append(token)
    return made


def test_after_rotating_and_dropping_the_old_key_every_token_still_decrypts(settings, fresh_keys, tokens):
    old = fresh_keys[0]
    new = Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [new, old]

    output = _run()

    assert "Re-encrypted 3 secret(s) under the first key; 0 already used it (3 in total)" in output
    settings.PANEL_ENCRYPTION_KEYS = [new]
    for i, token in enumerate(ApiToken.objects.order_by("name")):
        assert token.reveal_secret() == f"secret-number-{i}-abcd"


def test_rotation_is_idempotent(settings, fresh_keys, tokens):
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), fresh_keys[0]]
    _run()
    before = list(ApiToken.objects.order_by("pk").values_list("secret_encrypted", flat=True))

    output = _run()

    assert "Re-encrypted 0 secret(s) under the first key; 3 already used it" in output
    assert list(ApiToken.objects.order_by("pk").values_list("secret_encrypted", flat=True)) == before


def test_dry_run_changes_nothing(settings, fresh_keys, tokens):
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), fresh_keys[0]]
    before = list(ApiToken.objects.order_by("pk").values_list("secret_encrypted", flat=True))
    assert "Would re-encrypt 3 secret(s)" in _run("--dry-run")
    assert list(ApiToken.objects.order_by("pk").values_list("secret_encrypted", flat=True)) == before


def test_refuses_and_changes_nothing_when_a_secret_cannot_be_decrypted(settings, fresh_keys, tokens):
    lost = ApiToken(team=tokens[0].team, name="lost")
    lost.secret_encrypted = Fernet(Fernet.generate_key()).encrypt(b"lost-secret-value").decode()
    lost.last4 = "alue"
    lost.save()
    settings.PANEL_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), fresh_keys[0]]
    before = list(ApiToken.objects.order_by("pk").values_list("secret_encrypted", flat=True))

    with pytest.raises(CommandError) as excinfo:
        _run()

    message = str(excinfo.value)
    assert f"#{lost.pk}" in message and "Nothing was changed" in message
    assert "lost-secret-value" not in message
    assert list(ApiToken.objects.order_by("pk").values_list("secret_encrypted", flat=True)) == before
    assert all(crypto.needs_rotation(t.secret_encrypted) for t in ApiToken.objects.exclude(pk=lost.pk))


def test_bad_key_configuration_stops_the_command_clearly(settings, tokens):
    settings.PANEL_ENCRYPTION_KEYS = ["nope"]
    with pytest.raises(Exception, match="not a valid Fernet key"):
        _run()


def test_authenticator_keys_are_rotated_with_the_tokens(settings, fresh_keys, tokens):
    from panel.accounts.models import EncryptedTOTPDevice
    from tests.factories import UserFactory

    device = EncryptedTOTPDevice.objects.create(user=UserFactory(), name="phone", confirmed=True)
    key = device.bin_key
    new = Fernet.generate_key().decode()
    settings.PANEL_ENCRYPTION_KEYS = [new, fresh_keys[0]]

    assert "Re-encrypted 4 secret(s) under the first key; 0 already used it (4 in total)" in _run()

    settings.PANEL_ENCRYPTION_KEYS = [new]
    assert EncryptedTOTPDevice.objects.get(pk=device.pk).bin_key == key


def test_a_rotated_fingerprint_key_can_be_dropped_after_the_command(settings, tokens):
    from panel.services.tokens import TokenAlreadyStored, _refuse_stored_twice

    team, old = tokens[0].team, settings.VAULT_FINGERPRINT_KEYS[0]
    new = "a-new-fingerprint-key-for-the-rotation-test-42"
    settings.VAULT_FINGERPRINT_KEYS = [new, old]
    with pytest.raises(TokenAlreadyStored):  # rows made under the old key are still recognised
        _refuse_stored_twice(team, "secret-number-1-abcd")

    assert "Refreshed 3 token fingerprint(s)" in _run()

    settings.VAULT_FINGERPRINT_KEYS = [new]
    with pytest.raises(TokenAlreadyStored, match="“t1”"):
        _refuse_stored_twice(team, "secret-number-1-abcd")
    assert "Refreshed" not in _run()
