"""Support: tickets with messages and attachments, departments, related services, plans."""

from __future__ import annotations

from typing import Any

from ..clock import iso
from ..context import Ctx, Reply, handles, paginate
from ..domain import create_order, main_ip, render_order
from ..errors import ApiError, invalid, not_found
from ..state import public

MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
ALLOWED_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "application/pdf",
    "text/plain",
    "application/zip",
    "application/octet-stream",
)


STAFF_REPLY = (
    "Thank you for contacting us. An engineer is looking into this and will update the ticket shortly."
)


def settle_ticket(ctx: Ctx, ticket: dict[str, Any]) -> None:
    """Support answers a customer message ``action_seconds`` later (lazily, like server actions)."""
    due = ticket.get("_reply_at")
    if due is not None and ctx.now >= due:
        ticket["messages"].append(
            {
                "id": ctx.state.next_id("ticket_messages", 100),
                "content": STAFF_REPLY,
                "is_customer": False,
                "created_at": iso(due),
                "attachment_ids": [],
            }
        )
        ticket.update(status="answered", updated_at=iso(due), _reply_at=None)
        ctx.state.dirty = True


def render_ticket(ctx: Ctx, ticket: dict[str, Any]) -> dict[str, Any]:
    settle_ticket(ctx, ticket)
    attachments = ctx.state.coll("attachments")
    out = public(ticket)
    out["messages"] = [
        {
            **{k: v for k, v in m.items() if k != "attachment_ids"},
            "attachments": [
                {k: v for k, v in attachments[str(a)].items() if not k.startswith("_")}
                for a in m["attachment_ids"]
                if str(a) in attachments
            ],
        }
        for m in ticket["messages"]
    ]
    return out


def _store_attachments(ctx: Ctx, ticket_id: int) -> list[int]:
    uploads = ctx.files.get("attachments[]", []) + ctx.files.get("attachments", [])
    if len(uploads) > MAX_ATTACHMENTS:
        raise invalid("attachments", f"At most {MAX_ATTACHMENTS} attachments per message.")
    ids = []
    for i, upload in enumerate(uploads):
        if len(upload.data) > MAX_ATTACHMENT:
            raise invalid(f"attachments.{i}", "The attachment may not be greater than 10240 kilobytes.")
        if upload.content_type not in ALLOWED_TYPES:
            raise invalid(f"attachments.{i}", "The attachment must be an image, PDF, text or zip file.")
    for upload in uploads:
        aid = ctx.state.next_id("attachments", 100)
        ctx.state.insert(
            "attachments",
            {
                "id": aid,
                "name": upload.filename,
                "size": len(upload.data),
                "mimeType": upload.content_type,
                "_ticket": ticket_id,
                "_data": upload.data.hex(),
                "_account": ctx.account_name,
            },
        )
        ids.append(aid)
    return ids


def _services(ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    for server in sorted(ctx.state.owned("servers", ctx.account_name), key=lambda s: s["id"]):
        if server["status"] != "terminated":
            out.append(
                {
                    "id": server["id"],
                    "type": "server",
                    "label": f"{server['hostname']} - {main_ip(ctx.state, server)}",
                }
            )
    return out


@handles("support_departments_list")
def support_departments_list(ctx: Ctx) -> Any:
    return {"data": [dict(d) for d in ctx.state.catalog["departments"]]}


@handles("support_related_services_list")
def support_related_services_list(ctx: Ctx) -> Any:
    return {"data": _services(ctx)}


@handles("support_tickets_list")
def support_tickets_list(ctx: Ctx) -> Any:
    tickets = sorted(
        ctx.state.owned("tickets", ctx.account_name), key=lambda t: t["updated_at"], reverse=True
    )
    status = ctx.q("filter[status]")
    if status:
        tickets = [t for t in tickets if t["status"] in status.split(",")]
    return paginate(ctx, tickets, lambda t: render_ticket(ctx, t))


@handles("support_tickets_get")
def support_tickets_get(ctx: Ctx) -> Any:
    return render_ticket(ctx, ctx.state.get_owned("tickets", ctx.account_name, ctx.params["id"], "ticket"))


@handles("support_tickets_create")
def support_tickets_create(ctx: Ctx) -> Any:
    body = ctx.body
    department = next((d for d in ctx.state.catalog["departments"] if d["id"] == body["department_id"]), None)
    if department is None:
        raise invalid("department_id", "The selected department id is invalid.")
    service_label = service_type = None
    service_id = 0
    if body.get("service_id") not in (None, ""):
        service_type = body.get("service_type") or "server"
        service = next(
            (s for s in _services(ctx) if s["id"] == body["service_id"] and s["type"] == service_type), None
        )
        if service is None:
            raise invalid("service_id", "The selected service id is invalid.")
        service_label, service_id = service["label"], service["id"]
    tid = ctx.state.next_id("tickets", 300)
    attachment_ids = _store_attachments(ctx, tid)
    ticket = {
        "id": tid,
        "status": "opened",
        "subject": body["subject"],
        "created_at": iso(ctx.now),
        "updated_at": iso(ctx.now),
        "department": department["key"],
        "service_label": service_label,
        "service_type": service_type,
        "service_id": service_id,
        "_account": ctx.account_name,
        "messages": [
            {
                "id": ctx.state.next_id("ticket_messages", 100),
                "content": body["message"],
                "is_customer": True,
                "created_at": iso(ctx.now),
                "attachment_ids": attachment_ids,
            }
        ],
        "_reply_at": ctx.now + ctx.action_seconds,
    }
    ctx.state.insert("tickets", ticket)
    return render_ticket(ctx, ticket)


@handles("support_tickets_reply")
def support_tickets_reply(ctx: Ctx) -> Any:
    ticket = ctx.state.get_owned("tickets", ctx.account_name, ctx.params["id"], "ticket")
    settle_ticket(ctx, ticket)
    attachment_ids = _store_attachments(ctx, ticket["id"])
    ticket["messages"].append(
        {
            "id": ctx.state.next_id("ticket_messages", 100),
            "content": ctx.body["message"],
            "is_customer": True,
            "created_at": iso(ctx.now),
            "attachment_ids": attachment_ids,
        }
    )
    ticket["status"] = "customer-reply"
    ticket["updated_at"] = iso(ctx.now)
    ticket["_reply_at"] = ctx.now + ctx.action_seconds
    ctx.state.dirty = True
    return render_ticket(ctx, ticket)


@handles("support_tickets_resolve")
def support_tickets_resolve(ctx: Ctx) -> Any:
    ticket = ctx.state.get_owned("tickets", ctx.account_name, ctx.params["id"], "ticket")
    settle_ticket(ctx, ticket)
    if ticket["status"] == "resolved":
        raise invalid("id", "The ticket is already resolved.")
    ticket["status"] = "resolved"
    ticket["_reply_at"] = None
    ticket["updated_at"] = iso(ctx.now)
    ctx.state.dirty = True
    return render_ticket(ctx, ticket)


@handles("support_tickets_attachment_download")
def support_tickets_attachment_download(ctx: Ctx) -> Any:
    ticket = ctx.state.get_owned("tickets", ctx.account_name, ctx.params["id"], "ticket")
    attachment = ctx.state.coll("attachments").get(ctx.params["attachment_id"])
    if attachment is None or attachment["_ticket"] != ticket["id"]:
        raise not_found("attachment")
    name = attachment["name"].replace('"', "")
    return Reply(
        200,
        bytes.fromhex(attachment["_data"]),
        attachment["mimeType"],
        {"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---- support plans ---------------------------------------------------------------------
@handles("support_plans_list")
def support_plans_list(ctx: Ctx) -> Any:
    current = ctx.account.get("support_plan")
    return {
        "data": [
            {**p, "active": bool(current and current["plan"] == p["key"])}
            for p in ctx.state.catalog["support_plans"]
        ],
        "current": current,
    }


def _plan_line(plan: dict[str, Any], cycle: int, now: float, renewal: bool) -> dict[str, Any]:
    return {
        "label": f"{'Renewal: ' if renewal else ''}Support plan {plan['name']}",
        "sublabel": None,
        "period_from": int(now),
        "period_to": int(now + cycle * 30 * 86400),
        "is_period_changeable": False,
        "service_id": None,
        "service_billing_cycle": cycle,
        "service_minimum_billing_cycle": 1,
        "service_type": "support-plan",
        "amount": plan["price"] * cycle,
        "amount_sublabel": "",
        "promo": None,
    }


@handles("support_plans_purchase")
def support_plans_purchase(ctx: Ctx) -> Any:
    plan = next((p for p in ctx.state.catalog["support_plans"] if p["key"] == ctx.body["plan"]), None)
    if plan is None:
        raise invalid("plan", "The selected plan is invalid.")
    current = ctx.account.get("support_plan")
    if current and current["plan"] == plan["key"]:
        raise invalid("plan", "This support plan is already active; renew it instead.")
    cycle = ctx.body["billing_cycle"]
    order = create_order(
        ctx.state,
        ctx.account_name,
        kind="new-service",
        now=ctx.now,
        lines=[_plan_line(plan, cycle, ctx.now, False)],
        effects=[{"kind": "support_plan", "plan": plan["key"], "billing_cycle": cycle}],
    )
    return Reply(201, render_order(ctx.state, order, ctx.now))


@handles("support_plans_renew")
def support_plans_renew(ctx: Ctx) -> Any:
    current = ctx.account.get("support_plan")
    if not current:
        raise ApiError(
            422, "There is no support plan to renew.", {"plan": ["There is no support plan to renew."]}
        )
    cycle = ctx.b("billing_cycle") or current["billing_cycle"]
    if not isinstance(cycle, int) or not 1 <= cycle <= 24:
        raise invalid("billing_cycle", "The billing cycle field must be between 1 and 24.")
    plan = next(p for p in ctx.state.catalog["support_plans"] if p["key"] == current["plan"])
    order = create_order(
        ctx.state,
        ctx.account_name,
        kind="renew-service",
        now=ctx.now,
        lines=[_plan_line(plan, cycle, ctx.now, True)],
        effects=[{"kind": "support_plan", "plan": plan["key"], "billing_cycle": cycle, "renew": True}],
    )
    return Reply(201, render_order(ctx.state, order, ctx.now))


@handles("support_plans_cancel")
def support_plans_cancel(ctx: Ctx) -> Any:
    current = ctx.account.get("support_plan")
    if not current:
        raise ApiError(422, "There is no support plan to cancel.", {"plan": ["There is no support plan."]})
    if ctx.b("now", False):
        ctx.account["support_plan"] = None
    else:
        if current.get("cancel_request"):
            raise invalid("now", "A cancellation request already exists.")
        current["cancel_request"] = {"reason": ctx.b("reason"), "created_at": iso(ctx.now)}
    ctx.state.dirty = True


@handles("support_plans_undo_cancel")
def support_plans_undo_cancel(ctx: Ctx) -> Any:
    current = ctx.account.get("support_plan")
    if not current or not current.get("cancel_request"):
        raise ApiError(
            422, "There is no cancellation to undo.", {"plan": ["There is no cancellation to undo."]}
        )
    current["cancel_request"] = None
    ctx.state.dirty = True
