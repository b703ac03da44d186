"""Superusers manage people and teams in Django admin; invitation tokens are never shown."""
from __future__ import annotations

import pytest

from tests.factories import InvitationFactory, MembershipFactory, UserFactory
from tests.fixtures_accounts import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["user", "team", "membership", "invitation"])
def test_admin_lists_and_edit_pages_render(model: str) -> None:
    membership = MembershipFactory()
    invitation = InvitationFactory(team=membership.team, token="admin-visible-token?")
    admin = sign_in(UserFactory(is_staff=True, is_superuser=True))
    listing = admin.get(f"/admin/accounts/{model}/")
    assert listing.status_code == 200
    pk = {"user": membership.user.pk, "team": membership.team.pk, "membership": membership.pk,
          "invitation": invitation.pk}[model]
    page = admin.get(f"/admin/accounts/{model}/{pk}/change/")
    assert page.status_code == 200
    assert invitation.token_hash not in page.content.decode()


def test_staff_without_superuser_cannot_edit_people() -> None:
    staff = sign_in(UserFactory(is_staff=True))
    assert staff.get("/admin/accounts/user/").status_code == 403
