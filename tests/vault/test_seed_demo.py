"""`manage.py seed_demo`: idempotent demo data, the same login printed on every run."""
from __future__ import annotations

import re
import stat
from io import StringIO

import pytest
from django.core.management import call_command

from panel.accounts.models import Membership, Team, User
from panel.accounts.roles import Role
from panel.vault.models import ApiToken, TokenScope, TokenStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _seed(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _password(output: str) -> str:
    match = re.search(r"Password:\s+(\S+)", output)
    assert match, output
    return match.group(1)


def _snapshot():
    return (
        sorted(Team.objects.values_list("name", "slug")),
        sorted(User.objects.values_list("email", "password")),
        sorted(Membership.objects.values_list("team__slug", "user__email", "role")),
        sorted(ApiToken.objects.values_list("name", "scope", "status", "account_id", "secret_encrypted")),
    )


def test_seed_twice_gives_the_same_data_and_the_same_login(simulator, var_dir):
    first, _ = _seed()
    snapshot = _snapshot()
    second, _ = _seed()

    assert _snapshot() == snapshot
    password = _password(first)
    assert _password(second) == password
    assert "demo@example.com" in first and "demo@example.com" in second
    owner = User.objects.get(email="demo@example.com")
    assert owner.check_password(password)
    assert Membership.objects.get(user=owner).role == Role.OWNER
    for email, role in [("admin@example.com", Role.ADMIN), ("operator@example.com", Role.OPERATOR),
                        ("billing@example.com", Role.BILLING), ("viewer@example.com", Role.VIEWER)]:
        member = Membership.objects.get(user__email=email, team__name="Demo team")
        assert member.role == role and member.user.check_password(password)

    login_file = var_dir / "demo-login.txt"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    assert password in login_file.read_text()


def test_demo_tokens_are_checked_against_the_simulator(simulator):
    _seed()
    tokens = {t.name: t for t in ApiToken.objects.filter(team__name="Demo team")}
    assert set(tokens) == {"alpha (read-write)", "alpha (read-only)", "beta (read-write)"}
    assert all(t.status == TokenStatus.OK for t in tokens.values())
    assert tokens["alpha (read-only)"].scope == TokenScope.READ_ONLY
    assert tokens["alpha (read-write)"].account_id == tokens["alpha (read-only)"].account_id
    assert tokens["alpha (read-write)"].account_id != tokens["beta (read-write)"].account_id
    assert tokens["beta (read-write)"].reveal_secret() == simulator.tokens["beta_rw"]


def test_no_check_stores_the_tokens_unchecked(settings, free_port):
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    out, _ = _seed("--no-check")
    assert ApiToken.objects.count() == 3
    assert set(ApiToken.objects.values_list("status", flat=True)) == {TokenStatus.UNCHECKED}
    assert "Password:" in out


def test_unreachable_simulator_still_seeds_with_a_warning(settings, free_port):
    settings.VPSBG_API_URL = f"http://127.0.0.1:{free_port}/v1"
    settings.VPSBG_API_TIMEOUT = 1.0
    out, err = _seed()
    assert ApiToken.objects.count() == 3
    assert "VPSBG unavailable" in err and "stored unchecked" in err
    assert "Password:" in out


def test_a_lost_login_file_gives_a_new_password_that_works(simulator, var_dir):
    first = _password(_seed()[0])
    (var_dir / "demo-login.txt").unlink()
    second = _password(_seed()[0])
    assert second != first
    assert User.objects.get(email="demo@example.com").check_password(second)
    assert ApiToken.objects.count() == 3
