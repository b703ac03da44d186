"""A team holding a token for one VPSBG account, and a member of it, for requests that name a server."""

from __future__ import annotations

import pytest

from panel.accounts.models import Membership, Team
from panel.accounts.roles import Role
from panel.services.context import Actor
from panel.vault.models import ApiToken, TokenScope, TokenStatus
from tests.factories import MembershipFactory

ACCOUNT = "actions@vpsbg.example"
SERVER = f"{ACCOUNT}:2864"
SNAPSHOT = f"{ACCOUNT}:116"


@pytest.fixture
def owner(team: Team) -> Membership:
    token = ApiToken(team=team, name="actions token", scope=TokenScope.READ_WRITE, account_id=ACCOUNT,
                     account_label="Actions", status=TokenStatus.OK)
    token.set_secret("actions-account-secret-0000")
    token.save()
    return MembershipFactory(team=team, role=Role.OWNER)


@pytest.fixture
def actor(owner: Membership) -> Actor:
    return Actor(owner)
