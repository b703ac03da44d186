"""Snapshots, backups, server images, ISOs, measured-boot images and SSH keys."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..clock import iso
from ..context import Ctx, Reply, handles, paginate
from ..domain import settle_server
from ..errors import ApiError, invalid, not_found
from ..keys import ssh_fingerprint
from ..state import public

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _settle_all(ctx: Ctx) -> None:
    """Pending snapshots appear once their server's action ends."""
    for server in ctx.state.owned("servers", ctx.account_name):
        if server.get("_pending"):
            settle_server(ctx.state, server, ctx.now)


def _dated_list(ctx: Ctx, collection: str, extra_filters: dict[str, str]) -> Any:
    _settle_all(ctx)
    items = ctx.state.owned(collection, ctx.account_name)
    date = ctx.q("filter[date]")
    if date:
        if not DATE.match(date):
            raise invalid("filter[date]", "The filter[date] field must be a date (YYYY-MM-DD).")
        items = [i for i in items if i["created_at"][:10] == date]
    server_id = ctx.q_int("filter[server_id]")
    if server_id is not None:
        items = [i for i in items if i["server_id"] == server_id]
    for param, field in extra_filters.items():
        value = ctx.q_int(param)
        if value is not None:
            items = [i for i in items if i[field] == value]
    sort = ctx.q("sort", "-date")
    if sort not in ("date", "-date"):
        raise invalid("sort", "The selected sort is invalid (date or -date).")
    items.sort(key=lambda i: (i["created_at"], i["id"]), reverse=sort == "-date")
    return paginate(ctx, items, public, default_per_page=50)


@handles("snapshots_list")
def snapshots_list(ctx: Ctx) -> Any:
    return _dated_list(ctx, "snapshots", {})


@handles("backups_list")
def backups_list(ctx: Ctx) -> Any:
    return _dated_list(ctx, "backups", {"filter[size]": "size"})


def _delete_image(ctx: Ctx, collection: str, what: str) -> None:
    record = ctx.state.get_owned(collection, ctx.account_name, ctx.params["id"], what)
    server = ctx.state.coll("servers").get(str(record["server_id"]))
    if server:
        settle_server(ctx.state, server, ctx.now)
        pending = server.get("_pending") or {}
        if server.get("locked") and pending.get("action") == "restore":
            raise ApiError(423, f"The {what} is being restored at the moment.")
    del ctx.state.coll(collection)[str(record["id"])]
    ctx.state.dirty = True


@handles("snapshots_delete")
def snapshots_delete(ctx: Ctx) -> Any:
    _delete_image(ctx, "snapshots", "snapshot")


@handles("backups_delete")
def backups_delete(ctx: Ctx) -> Any:
    _delete_image(ctx, "backups", "backup")


@handles("server_images_list")
def server_images_list(ctx: Ctx) -> Any:
    return {"data": [dict(i) for i in ctx.state.catalog["images"]]}


# ---- ISOs ------------------------------------------------------------------------------
def _visible_isos(ctx: Ctx) -> list[dict[str, Any]]:
    return [
        i
        for i in ctx.state.coll("isos").values()
        if i.get("_public") or i.get("_account") == ctx.account_name
    ]


@handles("isos_list")
def isos_list(ctx: Ctx) -> Any:
    return {
        "data": [
            {"id": i["id"], "name": i["name"]} for i in sorted(_visible_isos(ctx), key=lambda i: i["id"])
        ]
    }


def _iso(ctx: Ctx) -> dict[str, Any]:
    record = ctx.state.coll("isos").get(ctx.params["id"])
    if record is None or not (record.get("_public") or record.get("_account") == ctx.account_name):
        raise not_found("iso")
    return record


@handles("isos_get")
def isos_get(ctx: Ctx) -> Any:
    record = _iso(ctx)
    return {"id": record["id"], "name": record["name"]}


@handles("isos_add")
def isos_add(ctx: Ctx) -> Any:
    name, url = ctx.b("name"), ctx.b("url")
    errors = {}
    if not name:
        errors["name"] = ["The name field is required."]
    elif not name.lower().endswith(".iso") or len(name) > 120:
        errors["name"] = ["The name must end with .iso and be at most 120 characters."]
    parts = urlsplit(url or "")
    if not url:
        errors["url"] = ["The url field is required."]
    elif parts.scheme not in ("http", "https") or not parts.netloc:
        errors["url"] = ["The url field must be a valid http(s) URL."]
    if errors:
        from ..validation import raise_validation

        raise_validation(errors)
    if any(i["name"] == name for i in _visible_isos(ctx)):
        raise invalid("name", "An ISO with this name already exists.")
    record = {
        "id": ctx.state.next_id("isos", 100),
        "name": name,
        "url": url,
        "_account": ctx.account_name,
        "_public": False,
    }
    ctx.state.insert("isos", record)
    return Reply(201, {"id": record["id"], "name": name})


@handles("isos_delete")
def isos_delete(ctx: Ctx) -> Any:
    record = _iso(ctx)
    if record.get("_public"):
        raise ApiError(403, "Public ISOs cannot be deleted.")
    for server in ctx.state.owned("servers", ctx.account_name):
        if record["id"] in (server.get("_isos") or []):
            raise invalid("id", f"The ISO is mounted on server {server['hostname']}; unmount it first.")
    del ctx.state.coll("isos")[str(record["id"])]
    ctx.state.dirty = True


# ---- measured boot images --------------------------------------------------------------
def _mbi(ctx: Ctx, record: dict[str, Any]) -> dict[str, Any]:
    in_use = any(
        s.get("_measured_boot") == record["id"] for s in ctx.state.owned("servers", ctx.account_name)
    )
    return {
        "id": record["id"],
        "name": record["name"],
        "size": record["size"],
        "in_use": in_use,
        "created_at": record["created_at"],
    }


@handles("measured_boot_images_list")
def measured_boot_images_list(ctx: Ctx) -> Any:
    records = sorted(ctx.state.owned("measured_boot_images", ctx.account_name), key=lambda r: r["id"])
    return {"data": [_mbi(ctx, r) for r in records]}


@handles("measured_boot_images_upload")
def measured_boot_images_upload(ctx: Ctx) -> Any:
    uploads = ctx.files.get("file") or []
    if not uploads:
        raise invalid("file", "The file field is required.")
    upload = uploads[0]
    if not upload.filename.lower().endswith(".efi"):
        raise invalid("file", "The file must be an EFI image (.efi).")
    if not upload.data:
        raise invalid("file", "The file is empty.")
    record = {
        "id": ctx.state.next_id("measured_boot_images", 300),
        "name": upload.filename,
        "size": len(upload.data),
        "created_at": iso(ctx.now),
        "_account": ctx.account_name,
    }
    ctx.state.insert("measured_boot_images", record)
    return _mbi(ctx, record)


@handles("measured_boot_images_delete")
def measured_boot_images_delete(ctx: Ctx) -> Any:
    record = ctx.state.get_owned(
        "measured_boot_images", ctx.account_name, ctx.params["id"], "measured boot image"
    )
    if _mbi(ctx, record)["in_use"]:
        raise invalid("id", "The image is in use by a server; switch the server to another image first.")
    del ctx.state.coll("measured_boot_images")[str(record["id"])]
    ctx.state.dirty = True


# ---- SSH keys --------------------------------------------------------------------------
def render_key(ctx: Ctx, key: dict[str, Any]) -> dict[str, Any]:
    servers = [
        {"id": s["id"], "hostname": s["hostname"]}
        for s in ctx.state.owned("servers", ctx.account_name)
        if key["id"] in s.get("_ssh_keys", []) and s["status"] != "terminated"
    ]
    return {**public(key), "servers": sorted(servers, key=lambda s: s["id"])}


def _check_key(ctx: Ctx, key: str, exclude: int | None = None) -> str:
    fingerprint = ssh_fingerprint(key)
    if fingerprint is None:
        raise invalid("key", "The key is not a valid OpenSSH public key.")
    for other in ctx.state.owned("ssh_keys", ctx.account_name):
        if other["fingerprint"] == fingerprint and other["id"] != exclude:
            raise invalid("key", "This key has already been added.")
    return fingerprint


@handles("ssh_keys_list")
def ssh_keys_list(ctx: Ctx) -> Any:
    keys = sorted(ctx.state.owned("ssh_keys", ctx.account_name), key=lambda k: k["id"])
    return paginate(ctx, keys, lambda k: render_key(ctx, k))


@handles("ssh_keys_get")
def ssh_keys_get(ctx: Ctx) -> Any:
    return render_key(ctx, ctx.state.get_owned("ssh_keys", ctx.account_name, ctx.params["id"], "ssh key"))


@handles("ssh_keys_create")
def ssh_keys_create(ctx: Ctx) -> Any:
    fingerprint = _check_key(ctx, ctx.body["key"])
    key = {
        "id": ctx.state.next_id("ssh_keys", 100),
        "name": ctx.body["name"],
        "fingerprint": fingerprint,
        "key": ctx.body["key"].strip(),
        "_account": ctx.account_name,
    }
    ctx.state.insert("ssh_keys", key)
    return Reply(201, render_key(ctx, key))


@handles("ssh_keys_update")
def ssh_keys_update(ctx: Ctx) -> Any:
    key = ctx.state.get_owned("ssh_keys", ctx.account_name, ctx.params["id"], "ssh key")
    if "name" not in ctx.body and "key" not in ctx.body:
        raise invalid("name", "Send a name and/or a key.")
    if "key" in ctx.body:
        key["fingerprint"] = _check_key(ctx, ctx.body["key"], exclude=key["id"])
        key["key"] = ctx.body["key"].strip()
    if "name" in ctx.body:
        key["name"] = ctx.body["name"]
    ctx.state.dirty = True
    return render_key(ctx, key)


@handles("ssh_keys_delete")
def ssh_keys_delete(ctx: Ctx) -> Any:
    key = ctx.state.get_owned("ssh_keys", ctx.account_name, ctx.params["id"], "ssh key")
    del ctx.state.coll("ssh_keys")[str(key["id"])]
    for server in ctx.state.owned("servers", ctx.account_name):
        if key["id"] in server.get("_ssh_keys", []):
            server["_ssh_keys"] = [k for k in server["_ssh_keys"] if k != key["id"]]
    ctx.state.dirty = True
