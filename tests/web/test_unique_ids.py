"""Every id on the main pages is used once: a repeated id makes a label point at another form's field."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from panel.web.server_tabs import TABS
from tests.web.conftest import ALPHA, UBUNTU

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("web:dashboard"),
    reverse("web:servers"),
    *(f"{reverse('web:server_detail', kwargs={'ref': UBUNTU})}?tab={name}" for name, _ in TABS),
    reverse("web:server_reinstall", kwargs={"ref": UBUNTU}),
    f"{reverse('web:billing')}?account={ALPHA}",
    reverse("web:order", kwargs={"ref": f"{ALPHA}:7814"}),
    reverse("web:network"),
    reverse("web:deploy"),
    reverse("web:library"),
    reverse("web:support"),
    reverse("web:account"),
    reverse("vault:token_list"),
    reverse("accounts:team"),
    reverse("accounts:security"),
]


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def repeated_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(name for name, count in parser.ids.items() if count > 1)


@pytest.mark.parametrize("path", PAGES)
def test_no_id_is_used_twice(web_team, member_of, path) -> None:
    response = member_of(Role.OWNER).get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert repeated_ids(response.content.decode()) == [], path
