"""Lookups several handler modules share."""

from __future__ import annotations

from typing import Any

from ..context import Ctx
from ..domain import settle_server
from ..errors import invalid


def get_server(ctx: Ctx, param: str = "id") -> dict[str, Any]:
    server = ctx.state.get_owned("servers", ctx.account_name, ctx.params[param], "server")
    if server["status"] == "terminated":
        # Terminated servers keep their records (orders, invoices) but vanish from the API.
        from ..errors import not_found

        raise not_found("server")
    settle_server(ctx.state, server, ctx.now)
    return server


def int_list(ctx: Ctx, field: str, required: bool = True) -> list[int]:
    value = ctx.b(field)
    if value is None:
        if required:
            raise invalid(field, f"The {field} field is required.")
        return []
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise invalid(field, f"The {field} field must be an array of integers.")
    if required and not value:
        raise invalid(field, f"The {field} field must have at least 1 item.")
    return list(dict.fromkeys(value))


def own_ids(ctx: Ctx, collection: str, field: str, ids: list[int]) -> list[dict[str, Any]]:
    """Records for ids in the body; unknown or foreign ids are a 422 on that field."""
    records = []
    coll = ctx.state.coll(collection)
    for i, rid in enumerate(ids):
        record = coll.get(str(rid))
        if record is None or record.get("_account") != ctx.account_name:
            raise invalid(f"{field}.{i}", f"The selected {field}.{i} is invalid.")
        records.append(record)
    return records


def promo_for(ctx: Ctx, code: Any, billing_cycle: int, field: str = "promo_code") -> dict[str, Any] | None:
    if code in (None, ""):
        return None
    promo = next((p for p in ctx.state.catalog["promo_codes"] if p["code"] == code), None)
    if promo is None:
        raise invalid(field, "The promo code is invalid or has expired.")
    if billing_cycle < promo["minimum_billing_cycle"]:
        raise invalid(
            field,
            f"The promo code needs a billing cycle of at least {promo['minimum_billing_cycle']} months.",
        )
    return dict(promo)
