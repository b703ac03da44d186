"""Second-factor secrets at rest: authenticator keys encrypted, recovery codes hashed.

- Every django-otp `TOTPDevice` row moves to `EncryptedTOTPDevice`, its hex key encrypted with the
  vault's keys (`PANEL_ENCRYPTION_KEYS`), its counters and throttling kept; the plain row is
  deleted. A session verified with the old device asks for a code once more.
- Every recovery code (`StaticToken.token`) is replaced by its keyed hash
  (`panel.accounts.second_factor.hash_recovery_code`), so a dump of the table holds no usable code.

Not reversible: the plaintexts are gone.
"""

from django.db import migrations

TOTP_FIELDS = (
    "user_id", "name", "confirmed", "step", "t0", "digits", "tolerance", "drift", "last_t",
    "throttling_failure_timestamp", "throttling_failure_count", "created_at", "last_used_at",
)


def encrypt_totp_keys(apps, schema_editor):
    from panel.vault import crypto

    db = schema_editor.connection.alias
    plain = apps.get_model("otp_totp", "TOTPDevice")
    encrypted = apps.get_model("accounts", "EncryptedTOTPDevice")
    for device in plain.objects.using(db).order_by("pk"):
        values = {name: getattr(device, name) for name in TOTP_FIELDS}
        encrypted.objects.using(db).create(key_encrypted=crypto.encrypt(device.key), **values)
    plain.objects.using(db).all().delete()


def hash_recovery_codes(apps, schema_editor):
    from panel.accounts.second_factor import hash_recovery_code

    token_model = apps.get_model("otp_static", "StaticToken")
    for token in token_model.objects.using(schema_editor.connection.alias):
        token.token = hash_recovery_code(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_encrypted_totp_device"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(encrypt_totp_keys, migrations.RunPython.noop),
        migrations.RunPython(hash_recovery_codes, migrations.RunPython.noop),
    ]
