"""Accounts tests use the shared accounts fixtures (the root conftest may list them too)."""
import pytest

from tests.fixtures_accounts import member_of, other_team, outsider_client, team  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """PBKDF2 at full strength costs ~0.2 s per user; the tests check flows, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
