"""An existing installation upgrades: its rows get the new protections from the data migrations.

A SQLite file is migrated to the state before them, filled as the old code filled it (a VPSBG token,
an authenticator, recovery codes), then migrated to the end; a `manage.py shell` reads it back.
The audit tables' SQLite triggers are checked on the same file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from .helpers import run_manage

pytestmark = [pytest.mark.slow]

SECRET = "old-vpsbg-token-secret-0123456789abcdef"
TOTP_HEX = "3132333435363738393031323334353637383930"
CODE = "abcd2345"
BEFORE = [("otp_totp", ""), ("otp_static", ""), ("accounts", "0002"), ("vault", "0001"), ("audit", "0002")]
NOW = "2026-01-01 00:00:00"


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    var = tmp_path_factory.mktemp("upgrade")
    db = var / "panel.sqlite3"
    key = Fernet.generate_key().decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="panel.settings",
        DATABASE_URL=f"sqlite:///{db}",
        PANEL_VAR_DIR=str(var),
        PANEL_ENCRYPTION_KEYS=key,
        CACHE_URL="locmemcache://",
        LOG_LEVEL="WARNING",
    )
    for app, target in BEFORE:
        result = run_manage("migrate", app, *([target] if target else []), "-v", "0", env=env, timeout=300)
        assert result.returncode == 0, result.stderr
    encrypted = Fernet(key.encode()).encrypt(SECRET.encode()).decode()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO accounts_user (id, password, is_superuser, first_name, last_name, is_staff, "
            "is_active, date_joined, email, full_name, session_generation) "
            "VALUES (1, '!', 0, '', '', 0, 1, ?, 'ann@example.test', 'Ann', 0)",
            [NOW],
        )
        conn.execute(
            "INSERT INTO accounts_team (id, name, slug, require_2fa, created_at) VALUES (1, 'T', 't', 0, ?)",
            [NOW],
        )
        conn.execute(
            "INSERT INTO vault_apitoken (id, name, scope, account_id, account_label, secret_encrypted, "
            "last4, created_by_name, created_at, status, status_message, rotation_count, team_id) "
            "VALUES (1, 'prod', 'read_write', 'a@example.test', 'A', ?, 'cdef', '', ?, 'ok', '', 0, 1)",
            [encrypted, NOW],
        )
        conn.execute(
            "INSERT INTO otp_totp_totpdevice (id, name, confirmed, key, step, t0, digits, tolerance, drift, "
            "last_t, user_id, throttling_failure_count) VALUES (7, 'phone', 1, ?, 30, 0, 6, 1, 0, 55, 1, 0)",
            [TOTP_HEX],
        )
        conn.execute(
            "INSERT INTO otp_static_staticdevice (id, name, confirmed, user_id, throttling_failure_count) "
            "VALUES (1, 'Recovery codes', 1, 1, 0)"
        )
        conn.execute("INSERT INTO otp_static_statictoken (token, device_id) VALUES (?, 1)", [CODE])
    result = run_manage("migrate", "-v", "0", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return env, db


def _read_back(env: dict[str, str]) -> dict[str, object]:
    script = (
        "import json\n"
        "from django_otp.plugins.otp_static.models import StaticToken\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from panel.accounts.models import EncryptedTOTPDevice\n"
        "from panel.accounts.second_factor import hash_recovery_code\n"
        "from panel.vault import crypto\n"
        "from panel.vault.models import ApiToken\n"
        "token = ApiToken.objects.get(pk=1)\n"
        "device = EncryptedTOTPDevice.objects.get()\n"
        "print(json.dumps({\n"
        f"  'fingerprint_ok': token.secret_fingerprint == crypto.fingerprint({SECRET!r}),\n"
        "  'totp_key': device.bin_key.hex(), 'totp_last_t': device.last_t, 'totp_user': device.user_id,\n"
        "  'plain_devices': TOTPDevice.objects.count(),\n"
        "  'stored_codes': list(StaticToken.objects.values_list('token', flat=True)),\n"
        f"  'code_hash': hash_recovery_code({CODE!r}),\n"
        "}))\n"
    )
    result = run_manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_existing_rows_get_fingerprints_encrypted_keys_and_hashed_codes(upgraded) -> None:
    env, db = upgraded
    found = _read_back(env)
    assert found["fingerprint_ok"] is True
    assert found["totp_key"] == TOTP_HEX and found["totp_last_t"] == 55 and found["totp_user"] == 1
    assert found["plain_devices"] == 0
    assert found["stored_codes"] == [found["code_hash"]]
    with sqlite3.connect(db) as conn:
        [(stored,)] = conn.execute("SELECT key_encrypted FROM accounts_encryptedtotpdevice").fetchall()
    assert TOTP_HEX not in stored


def test_sqlite_refuses_to_change_or_delete_audit_rows(upgraded) -> None:
    env, db = upgraded
    record = "from panel.audit.recorder import record; record(operation_id='x.y', outcome='ok')"
    result = run_manage("shell", "-c", record, env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)
        for sql in (
            "UPDATE audit_auditevent SET outcome = 'failed'",
            "UPDATE audit_auditevent SET team_id = 1",
            "DELETE FROM audit_auditevent",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
        conn.execute("UPDATE audit_auditevent SET actor_id = NULL, team_id = NULL")  # SET_NULL stays possible
        assert conn.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)
    # The sanctioned purge still works: its checkpoint covers what it deletes.
    purge = (
        "import datetime as dt; from django.utils import timezone; from panel.audit.purge import "
        "purge_older_than; purge_older_than(timezone.now() + dt.timedelta(hours=1))"
    )
    result = run_manage("shell", "-c", purge, env=env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT operation_id FROM audit_auditevent").fetchall() == [("audit.purge",)]
        for sql in ("DELETE FROM audit_auditpurge", "UPDATE audit_auditpurge SET purged_count = 0"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
