"""A canary token saved through the UI appears nowhere in plaintext.

Not in a database dump (`dumpdata` and raw rows of every table), not in logs (stdlib records at
DEBUG, structlog events, anything printed), not in any rendered page (list, forms after an error,
admin), not in task messages sent to the broker.
"""
from __future__ import annotations

import logging
from io import StringIO

import pytest
import structlog
from celery.signals import before_task_publish
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from kombu import Connection

from panel.accounts.models import User
from panel.accounts.roles import Role
from panel.vault import tasks
from panel.vault.models import ApiToken
from vpsbg_api.simulator.testing import simulator_fixture

CANARY = "canary-7Qx9-DO-NOT-LEAK-4b1e8c2f"

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def canary_simulator(settings):
    with simulator_fixture(tokens={CANARY: "rw"}) as sim:
        settings.VPSBG_API_URL = sim.base_url
        settings.VPSBG_API_TIMEOUT = 2.0
        yield sim


def _text(response) -> str:
    return response.content.decode()


def _all_rows() -> str:
    dumped = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dumped.append(repr(cursor.fetchall()))
    return "\n".join(dumped)


def test_canary_token_never_appears_in_plaintext(team, client_for, canary_simulator, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    browser = client_for(team, Role.OWNER)
    pages: list[str] = []
    published: list[str] = []

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        published.append(repr((sender, body, headers, kwargs)))

    before_task_publish.connect(on_publish, weak=False)
    try:
        with structlog.testing.capture_logs() as events:
            add = reverse("vault:token_add")
            form = {"name": "prod", "scope": "read_write", "secret": CANARY}
            # 1. a form error on another field: the page comes back without the secret
            pages.append(_text(browser.post(add, {"name": "", "scope": "read_write", "secret": CANARY})))
            # 2. VPSBG unavailable: same
            canary_simulator.sim.faults.add(status=503)
            pages.append(_text(browser.post(add, form)))
            canary_simulator.sim.faults.clear()
            # 3. saved for real, then the list
            response = browser.post(add, form, follow=True)
            assert response.status_code == 200
            pages.append(_text(response))
            token = ApiToken.objects.get(team=team, name="prod")
            assert token.reveal_secret() == CANARY  # stored, encrypted
            # 4. replace form, and its error page when the same secret is typed with VPSBG down
            replace = reverse("vault:token_replace", args=[token.pk])
            pages.append(_text(browser.get(replace)))
            canary_simulator.sim.faults.add(status=503)
            pages.append(_text(browser.post(replace, {"secret": CANARY})))
            canary_simulator.sim.faults.clear()
            pages.append(_text(browser.post(replace, {"secret": CANARY}, follow=True)))
            # 5. check now, the delete page, the beat task, a task sent to a broker
            pages.append(_text(browser.post(reverse("vault:token_check", args=[token.pk]), follow=True)))
            pages.append(_text(browser.get(reverse("vault:token_delete", args=[token.pk]))))
            tasks.check_tokens.apply()
            with Connection("memory://") as broker:
                tasks.check_token.apply_async(args=[token.pk], connection=broker)
            # 6. the admin pages a superuser sees
            admin = User.objects.create_superuser(email="root@example.com", password="x" * 12)
            browser.force_login(admin)
            pages.append(_text(browser.get(reverse("admin:vault_apitoken_changelist"))))
            pages.append(_text(browser.get(reverse("admin:vault_apitoken_change", args=[token.pk]))))
    finally:
        before_task_publish.disconnect(on_publish)

    assert len(pages) == 10 and all(pages)
    for page in pages:
        assert CANARY not in page
    assert published and not any(CANARY in message for message in published)

    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert "prod" in dump.getvalue() and CANARY not in dump.getvalue()
    rows = _all_rows()
    token.refresh_from_db()
    assert token.secret_encrypted in rows and CANARY not in rows

    assert caplog.records, "the flow should have logged something"
    for record in caplog.records:
        assert CANARY not in record.getMessage()
        assert CANARY not in repr(record.__dict__)
    assert CANARY not in repr(events)
    captured = capsys.readouterr()
    assert CANARY not in captured.out and CANARY not in captured.err
