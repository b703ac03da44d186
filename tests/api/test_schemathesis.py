"""Schemathesis against the panel's own schema: no 5xx, every answer as documented.

Authenticated with an Owner's panel API token; the team's VPSBG tokens point at the simulator.
Bounded for CI: every operation of the schema, `EXAMPLES` positive examples each. Path parameters
that name a VPSBG object (a server, SSH key, ISO, order, ticket, snapshot, backup, invoice,
protected address, attack) get a real one of the simulator's seed, so the calls reach VPSBG
instead of stopping at a 404.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from panel.accounts.roles import Role

from .conftest import ALPHA, store_vault_token

EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def keep_test_connection() -> Iterator[None]:
    """Requests through the raw WSGI app must not close the test's database connection.

    Django's test client disconnects `close_old_connections` around each of its requests (and
    connects it again after), so this wraps only the stretch where schemathesis calls the app.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_as_documented(api, team, simulator) -> None:
    store_vault_token(team, simulator, "alpha_rw")  # one account: requests need not name it
    owner = api(Role.OWNER)
    headers = {"Authorization": f"Bearer {owner.plaintext}"}
    real = {name: f"{ALPHA}:{_first_id(owner, path)}" for name, path in LISTS.items()}
    real["protected_ip"] = PROTECTED_IP
    real["attack_id"] = ATTACK
    failures: list[str] = []
    seen: dict[str, set[int]] = defaultdict(set)
    with keep_test_connection():
        _run_every_operation(headers, real, failures, seen)
    assert not failures, "\n\n".join(failures)
    # Not a test that only ever meets 404s: most reads, and many writes, reached the simulator.
    succeeded = [label for label, statuses in seen.items() if any(200 <= s < 300 for s in statuses)]
    assert len(succeeded) >= 65, sorted(seen.items())  # 74 when written; the order of calls moves it a little


# Path parameter -> the panel API list whose last item stands for it (the seed has one of each).
LISTS = {
    "server": "/api/v1/servers",
    "ssh_key": "/api/v1/ssh-keys",
    "iso": "/api/v1/isos",
    "order": "/api/v1/orders",
    "ticket": "/api/v1/support/tickets",
    "snapshot": "/api/v1/snapshots",
    "backup": "/api/v1/backups",
    "invoice": "/api/v1/invoices",
}
PROTECTED_IP = f"{ALPHA}:404"  # web-01's DDoS-protected address in the simulator's seed
ATTACK = "Ws8PeaCFn4bZ4Rf"  # one of its attacks


def _first_id(owner, path: str) -> object:
    items = owner.get(path, {"account": ALPHA}).json()["data"]
    assert items, f"the simulator's seed has nothing at {path}"
    return items[-1]["id"]


def _run_every_operation(
    headers: dict[str, str], real: dict[str, str], failures: list[str], seen: dict[str, set[int]]
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 115
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        fixed = {name: value for name, value in real.items() if name in names} or None
        query = {"account": ALPHA} if "account" in {p.name for p in operation.query} else None
        strategy = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed, query=query)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            seen[case.operation.label].add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

        try:
            check()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
