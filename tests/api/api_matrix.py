"""Every API endpoint (URL name x method) with the action of the role table it needs.

The per-service endpoints need their operationId (derived from `panel.api.endpoints`, so it is the
same role table the services and the web pages ask); the hand-written ones are listed here.
`test_permission_matrix.py` fails when an API URL or method is missing from this registry.
"""

from __future__ import annotations

from panel.api.endpoints import endpoints

PUBLIC = "public"

EXPLICIT: dict[str, dict[str, str]] = {
    "api:schema": {"GET": PUBLIC},
    "api:schema-docs": {"GET": PUBLIC},
    "api:me": {"GET": "team.view"},
    "api:members": {"GET": "members.view"},
    "api:team_servers": {"GET": "servers_list"},
    "api:team_balances": {"GET": "balance_get"},
    "api:audit": {"GET": "audit.read"},
    "api:audit_detail": {"GET": "audit.read"},
    "api:api_tokens": {"GET": "team.view"},
    "api:api_token_revoke": {"POST": "team.view"},
    "api:operations": {"GET": "operations.view"},
    "api:operation_detail": {"GET": "operations.view"},
    "api:bulk": {"POST": "bulk.run"},
    "api:bulk_detail": {"GET": "operations.view"},
    "api:bulk_retry": {"POST": "bulk.run"},
    "api:schedules": {"GET": "schedules.view", "POST": "schedules.manage"},
    "api:schedule_detail": {"GET": "schedules.view", "DELETE": "schedules.manage"},
    "api:schedule_pause": {"POST": "schedules.manage"},
    "api:schedule_resume": {"POST": "schedules.manage"},
    "api:schedule_runs": {"GET": "schedules.view"},
    # guardrails (panel/guardrails/api.py; behaviour: tests/guardrails/test_api.py)
    "api:guardrails_approvals": {"GET": "guardrails.view"},
    "api:guardrails_approval": {"GET": "guardrails.view"},
    "api:guardrails_approve": {"POST": "approvals.decide"},
    "api:guardrails_reject": {"POST": "approvals.decide"},
    "api:guardrails_rules": {"GET": "guardrails.view", "POST": "guardrails.manage"},
    "api:guardrails_rule": {"DELETE": "guardrails.manage"},
    "api:guardrails_budgets": {"GET": "guardrails.view", "POST": "guardrails.manage"},
    "api:guardrails_budget": {"DELETE": "guardrails.manage"},
    "api:guardrails_freezes": {"GET": "guardrails.view", "POST": "guardrails.manage"},
    "api:guardrails_freeze": {"DELETE": "guardrails.manage"},
    "api:guardrails_break_glass": {"POST": "freezes.break_glass"},
    "api:guardrails_elevations": {"GET": "guardrails.view", "POST": "elevations.request"},
    "api:guardrails_grant": {"POST": "elevations.grant"},
    "api:guardrails_refuse": {"POST": "elevations.grant"},
}

# URL name -> the guardrails object its `pk` names (built by tests/permission_matrix.py's builders).
GUARDRAIL_OBJECTS: dict[str, str] = {
    "api:guardrails_approval": "approval",
    "api:guardrails_approve": "approval",
    "api:guardrails_reject": "approval",
    "api:guardrails_rule": "ApprovalRule",
    "api:guardrails_budget": "Budget",
    "api:guardrails_freeze": "Freeze",
    "api:guardrails_break_glass": "Freeze",
    "api:guardrails_grant": "elevation",
    "api:guardrails_refuse": "elevation",
}


def generic() -> dict[str, dict[str, str]]:
    """URL name -> {method: operationId} of the per-service endpoints."""
    by_route: dict[str, dict[str, str]] = {}
    names: dict[str, str] = {}
    for endpoint in endpoints().values():
        by_route.setdefault(endpoint.route, {})[endpoint.method] = endpoint.operation_id
    for route, methods in by_route.items():
        first = min(methods.items(), key=lambda item: (item[0] != "GET", item[1]))[1]
        names[route] = f"api:{first}"
    return {names[route]: methods for route, methods in by_route.items()}


def matrix() -> dict[str, dict[str, str]]:
    return {**generic(), **EXPLICIT}
