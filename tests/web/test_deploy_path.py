"""The deploy wizard reads as one path: one primary button per step that names the next step,
quieter Back and Cancel, and the cost so far beside every step after the plan."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.accounts.roles import Role
from tests.web.test_deploy import CHOICES

pytestmark = pytest.mark.django_db

DEPLOY = reverse("web:deploy")


def _primary_buttons(body: str) -> list[str]:
    """Submit buttons drawn as primary: Pico's filled button, with no quieter class."""
    form = body[body.index("<main") :]
    return [
        label.strip()
        for attrs, label in re.findall(r"<button([^>]*)>([^<]+)</button>", form)
        if 'type="submit"' in attrs and "class=" not in attrs
    ]


@pytest.mark.parametrize("step", ["plan", "setup", "extras", "summary"])
def test_every_step_has_one_primary_button(web_team, member_of, step) -> None:
    body = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "goto": step}).content.decode()
    primary = _primary_buttons(body)
    assert len(primary) == 1, primary
    if step != "summary":
        assert primary[0].startswith("Next: ")
    assert 'class="cancel-link">Cancel</a>' in body


def test_the_next_button_names_the_next_step(web_team, member_of) -> None:
    body = member_of(Role.ADMIN).get(DEPLOY, {**CHOICES, "goto": "setup"}).content.decode()
    assert _primary_buttons(body) == ["Next: Addons and promo code"]
    assert 'class="secondary outline">Back</button>' in body


def test_the_cost_so_far_follows_the_choices(web_team, member_of) -> None:
    browser = member_of(Role.ADMIN)
    plan_step = browser.get(DEPLOY, {**CHOICES, "goto": "plan"}).content.decode()
    assert "Cost so far" not in plan_step  # nothing chosen yet
    setup = browser.get(DEPLOY, {**CHOICES, "goto": "setup"}).content.decode()
    assert "Cost so far" in setup and "Plan cloud-vps-2gb" in setup and "1 month;" in setup
    extras = browser.get(DEPLOY, {**CHOICES, "goto": "extras"}).content.decode()
    total = re.search(r'class="running-total"><strong>([\d.]+)</strong>', extras).group(1)
    assert "3 months;" in extras  # the billing cycle chosen on the server step
    summary = browser.get(DEPLOY, {**CHOICES, "goto": "summary", "backups": "", "promo_code": ""})
    assert f"Total for 3 months: {total}" in summary.content.decode()  # the same as the summary's
