"""Each token row gets the keyed fingerprint of its secret (VAULT_FINGERPRINT_KEYS), so the vault
can refuse a secret it already holds. Existing rows are filled from their decrypted secret; a row
whose secret cannot be decrypted with the configured keys keeps an empty fingerprint (it is
unusable anyway until its secret is replaced, which sets one)."""

from django.db import migrations, models


def fill_fingerprints(apps, schema_editor):
    from panel.vault import crypto

    ApiToken = apps.get_model("vault", "ApiToken")
    for token in ApiToken.objects.using(schema_editor.connection.alias).filter(secret_fingerprint=""):
        try:
            secret = crypto.decrypt(token.secret_encrypted)
        except crypto.SecretUndecryptable:
            continue
        token.secret_fingerprint = crypto.fingerprint(secret)
        token.save(update_fields=["secret_fingerprint"])


class Migration(migrations.Migration):

    dependencies = [
        ('vault', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='secret_fingerprint',
            field=models.CharField(blank=True, db_index=True, editable=False, help_text='HMAC of the secret under VAULT_FINGERPRINT_KEYS: finds a secret stored twice.', max_length=64),
        ),
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop),
    ]
