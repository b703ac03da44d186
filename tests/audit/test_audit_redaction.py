"""Secrets never reach the audit table, however deep they sit in the parameters."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest

from panel.audit.redaction import REDACTED, is_secret_key, redact


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_password",
        "Password",
        "passwd",
        "root_pass",
        "api_key",
        "apiKey",
        "APIKEY",
        "token",
        "access_token",
        "refreshToken",
        "secret",
        "client_secret",
        "ssh_key",
        "private_key",
        "code",
        "otp",
        "totp_code",
        "recovery_codes",
        "Authorization",
        "x-auth",
        "pin",
        "cookie",
        "csrfmiddlewaretoken",
    ],
)
def test_secret_keys_are_recognized(key):
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "hostname",
        "server_id",
        "token_id",
        "token_name",
        "key_name",
        "ssh_key_ids",
        "image",
        "count",
        "password_required",
        "footprint",
        "keyboard_layout",
    ],
)
def test_harmless_keys_are_kept(key):
    assert not is_secret_key(key)


def test_nested_secrets_are_redacted_and_the_rest_kept():
    params = {
        "hostname": "web-1",
        "password": "hunter2hunter2",
        "auth": {"otp": "123456", "user": "alice"},
        "servers": [{"id": 7, "root_password": "s3cr3t"}, {"id": 8, "ssh_keys": ["ssh-ed25519 AAAA"]}],
        "headers": {"Authorization": "Bearer abc.def.ghi"},
        "note": "Bearer eyJhbGciOiJIUzI1NiJ9.payload",
    }
    out = redact(params)
    assert out["hostname"] == "web-1"
    assert out["password"] == REDACTED
    assert out["auth"] == REDACTED  # a whole credentials object goes
    assert out["servers"][0] == {"id": 7, "root_password": REDACTED}
    assert out["servers"][1]["ssh_keys"] == REDACTED
    assert out["headers"]["Authorization"] == REDACTED
    assert out["note"] == REDACTED
    assert "hunter2" not in repr(out) and "s3cr3t" not in repr(out) and "123456" not in repr(out)


def test_values_become_json_safe():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    out = redact(
        {
            "at": when,
            "amount": decimal.Decimal("9.99"),
            "id": uuid.UUID(int=1),
            "raw": b"\x00\x01",
            "nan": float("nan"),
            "big": 2**70,
            "text": "a\x00b",
            "tags": {"b", "a"},
            3: "int key",
        }
    )
    assert out == {
        "at": "2026-01-02T03:04:05+00:00",
        "amount": "9.99",
        "id": str(uuid.UUID(int=1)),
        "raw": "[2 bytes]",
        "nan": "nan",
        "big": str(2**70),
        "text": "ab",
        "tags": ["a", "b"],
        "3": "int key",
    }


def test_none_under_a_secret_key_stays_none():
    assert redact({"password": None}) == {"password": None}


def test_very_deep_structures_do_not_crash():
    deep: dict = {}
    node = deep
    for _ in range(100):
        node["child"] = {}
        node = node["child"]
    assert "[too deep]" in repr(redact(deep))
