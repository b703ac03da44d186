"""Support for a member limited to chosen servers: they talk to support, but may not link a new
ticket to (or see in the related services) a server outside their scope.
"""

from __future__ import annotations

import pytest

from panel.accounts.roles import Role
from panel.core.errors import NotFoundError
from panel.services import support
from tests.services.conftest import ALPHA

pytestmark = pytest.mark.django_db

UBUNTU = f"{ALPHA}:2864"


@pytest.fixture
def limited(member, tokens):
    return member(Role.OPERATOR, scope=[UBUNTU])


def test_limited_member_sees_only_their_servers_as_related_services(limited) -> None:
    items = support.support_related_services_list(actor=limited, account=ALPHA)
    assert [i["id"] for i in items] == [2864]


def test_unlimited_member_sees_every_related_service(owner, tokens) -> None:
    items = support.support_related_services_list(actor=owner, account=ALPHA)
    assert {2864, 2865} <= {i["id"] for i in items}


def test_limited_member_sees_the_tickets_about_no_server_or_theirs(limited) -> None:
    """Tickets are the account's conversation with support (LIMITED_MAY_WRITE lets them reply),
    except those about a server outside the member's scope (216 is about web-01)."""
    ids = {t.id for t in support.support_tickets_list(actor=limited, account=ALPHA)}
    assert 217 in ids and 216 not in ids


def test_limited_member_opens_tickets_about_their_server_only(limited, events) -> None:
    ticket = support.support_tickets_create(
        actor=limited, department_id=2, subject="Mine", message="About my server",
        service_id=2864, service_type="server", account=ALPHA,
    )  # fmt: skip
    assert ticket.service_id == 2864
    with pytest.raises(NotFoundError):
        support.support_tickets_create(
            actor=limited, department_id=2, subject="Other", message="About web-01",
            service_id=2865, service_type="server", account=ALPHA,
        )  # fmt: skip
    outcomes = [e.outcome for e in events("support_tickets_create")]
    assert outcomes == ["ok", "denied"]


def test_limited_member_with_one_account_needs_no_account_argument(member, add_token, events) -> None:
    add_token("alpha_rw")
    limited = member(Role.OPERATOR, scope=[UBUNTU])
    with pytest.raises(NotFoundError):
        support.support_tickets_create(
            actor=limited, department_id=2, subject="Other", message="About web-01", service_id=2865
        )
    ticket = support.support_tickets_create(
        actor=limited, department_id=2, subject="Mine", message="About ubuntu", service_id=2864
    )
    assert ticket.id
