"""Contract, server side: every operation of the reference answers 2xx over real HTTP, and the
JSON validates against the reference's response schema (jsonschema 2020-12, ``$ref``s resolved).

``CASES`` says how to call each operationId with seeded data; an operation without a case fails
``test_every_operation_has_a_case``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from vpsbg_api.simulator import DEMO_2FA_SECRET, totp
from vpsbg_api.simulator.context import HANDLERS
from vpsbg_api.simulator.domain import start_action
from vpsbg_api.simulator.spec import SPEC_URI, load_spec, operations, pointer_escape, ref_schema, registry
from vpsbg_api.simulator.testing import RunningSimulator, simulator_fixture

RSA_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDJXgSGIiC3OMJtZrGBLY4rpfPjwWZiJtcG4JLUOWCt5h6cSQ4ESRFzCzK4uz6XM1Z"
    "ji"
    "zGj8r2T5IA+9nAdXZAmD8p9mZ8eYFz8QY/URBsn2ohX4NVR9ScGbr3Z3q6Vq6aK6YbW+J++CmgM5sV6BZhMkvr5V55MP0KGS3hCV02Oq"
    "Q4+q9jc6RXHZLJ2eSH7KrMz7ZTsV4yC5lfCwCfDdzeKU9ZjTjsGHU4N5nWnApJb7s1L2GdJ1F6QQNc6vN1z0SlZL9QqjMG3AicSiqJlRz"
    "AFK2u0xszj6wvgPhTZ/xsmdgH+b9y2r0bl6pLzImh0I6FCRRIm2JdFmlDnqQb user@example.com"
)


class World:
    """Ids of seeded things a case needs, looked up in the running simulator's state."""

    def __init__(self, running: RunningSimulator) -> None:
        self.running = running
        state = running.sim.state
        self.state = state
        orders = state.owned("orders", "alpha")
        self.renewal_order = next(
            o for o in orders if o["type"] == "renew-service" and o["status"] == "awaiting_payment"
        )
        self.deposit_order = next(o for o in orders if o["type"] == "deposit")
        self.protection = next(
            p["id"] for p in state.coll("protections").values() if p["_account"] == "alpha" and p["attacks"]
        )
        self.ipv4_of_2864 = next(
            ip["id"]
            for ip in state.coll("ips").values()
            if ip.get("_server_id") == 2864 and ip["version"] == 4
        )
        self.second_ipv4_of_2865 = next(
            ip["id"]
            for ip in state.coll("ips").values()
            if ip.get("_server_id") == 2865 and ip["version"] == 4 and not ip["main"]
        )
        self.invoice = next(i["id"] for i in state.owned("invoices", "alpha"))
        self.addon_of_2864 = state.coll("servers")["2864"]["addons"][0]["id"]
        self.rds_of_2872 = next(
            a for a in state.coll("servers")["2872"]["addons"] if a["name"] == "microsoft-rds-sal"
        )


Case = Callable[[World], dict[str, Any]]

# Each case: params (path), query, json, data/files (multipart), token (default alpha_rw), setup(world).
CASES: dict[str, Case] = {
    # account
    "user_get": lambda w: {},
    "user_update": lambda w: {
        "json": {"city": "Plovdiv", "country_id": 33, "technical_email": "noc@alpha.example"}
    },
    "user_2fa_get_secret": lambda w: {"token": "beta_rw"},
    "user_2fa_enable": lambda w: {"token": "beta_rw", "setup": _prepare_2fa},
    "user_2fa_disable": lambda w: {"json": {"otp": int(totp(DEMO_2FA_SECRET, w.running.sim.clock.now()))}},
    "balance_get": lambda w: {},
    "balance_deposit": lambda w: {"json": {"amount": 100, "payment_method": "card"}},
    "balance_transactions_list": lambda w: {"query": {"page": 1}},
    "affiliate_get": lambda w: {},
    "affiliate_activate": lambda w: {"token": "beta_rw"},
    "affiliate_update_referral_code": lambda w: {"json": {"referral_code": "myawesomewebsite"}},
    "affiliate_conversions_list": lambda w: {},
    "affiliate_payouts_list": lambda w: {},
    # billing
    "invoices_list": lambda w: {"query": {"page": 1}},
    "invoices_download": lambda w: {"params": {"id": w.invoice}},
    "invoices_download_many": lambda w: {"json": {"ids": [w.invoice]}},
    "orders_list": lambda w: {"query": {"filter[status]": "awaiting_payment,paid", "per_page": 5}},
    "orders_get": lambda w: {"params": {"id": w.renewal_order["id"]}},
    "orders_delete": lambda w: {"params": {"id": w.renewal_order["id"]}},
    "orders_update": lambda w: {"params": {"id": w.renewal_order["id"]}, "json": {"auto_pay": False}},
    "orders_change_renewal_period": lambda w: {
        "params": {"id": w.renewal_order["id"], "service_type": "server", "service_id": 2869},
        "json": {"billing_cycle": 6, "promo_code": "fall2406"},
    },
    "orders_pay": lambda w: {"json": {"ids": [w.renewal_order["id"]], "payment_method": "balance"}},
    # support
    "support_tickets_create": lambda w: {
        "data": {
            "department_id": "2",
            "subject": "Example subject",
            "message": "Example message.",
            "service_id": "2864",
            "service_type": "server",
        },
        "files": [("attachments[]", ("first_attachment.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"))],
    },
    "support_tickets_list": lambda w: {"query": {"page": 1, "per_page": 10}},
    "support_tickets_get": lambda w: {"params": {"id": 216}},
    "support_tickets_reply": lambda w: {
        "params": {"id": 216},
        "data": {"message": "Example reply message."},
        "files": [("attachments[]", ("log.txt", b"line one\n", "text/plain"))],
    },
    "support_tickets_resolve": lambda w: {"params": {"id": 216}},
    "support_tickets_attachment_download": lambda w: {"params": {"id": 216, "attachment_id": 5}},
    "support_departments_list": lambda w: {},
    "support_related_services_list": lambda w: {},
    "support_plans_list": lambda w: {},
    "support_plans_purchase": lambda w: {
        "token": "beta_rw",
        "json": {"billing_cycle": 1, "plan": "professional"},
    },
    "support_plans_renew": lambda w: {"json": {"billing_cycle": 3}},
    "support_plans_cancel": lambda w: {"json": {"reason": "Not needed", "now": False}},
    "support_plans_undo_cancel": lambda w: {"setup": _cancel_support_plan},
    # ssh keys
    "ssh_keys_list": lambda w: {},
    "ssh_keys_get": lambda w: {"params": {"id": 90}},
    "ssh_keys_create": lambda w: {"json": {"name": "Example SSH Key 2", "key": RSA_KEY}},
    "ssh_keys_update": lambda w: {"params": {"id": 90}, "json": {"name": "Renamed key"}},
    "ssh_keys_delete": lambda w: {"params": {"id": 91}},
    # plans and servers
    "servers_list_plans": lambda w: {},
    "plans_addons": lambda w: {"params": {"id": 104}},
    "plans_promo_codes": lambda w: {"params": {"id": 104}},
    "servers_list": lambda w: {"query": {"per_page": 5, "sort[created_at]": "desc"}},
    "servers_deploy": lambda w: {
        "json": {
            "name": "new_server",
            "plan": "cloud-vps-2gb",
            "billing_cycle": 3,
            "image_id": 73,
            "ssh_keys": [90],
            "backups": True,
            "extra_ipv4": 1,
            "promo_code": "fall2403",
        }
    },
    "servers_status": lambda w: {"params": {"id": 2864}},
    "servers_get": lambda w: {"params": {"id": 2864}},
    "servers_metrics": lambda w: {"params": {"id": 2864}},
    "servers_bandwidth": lambda w: {"params": {"id": 2864}},
    "servers_start": lambda w: {"params": {"id": 2866}},
    "servers_stop": lambda w: {"params": {"id": 2864}},
    "servers_power_off": lambda w: {"params": {"id": 2864}},
    "servers_restart": lambda w: {"params": {"id": 2864}},
    "servers_cancel": lambda w: {"params": {"id": 2864}, "json": {"reason": "Project ended.", "now": False}},
    "servers_undo_cancel": lambda w: {"params": {"id": 2874}},
    "servers_change_password": lambda w: {
        "params": {"id": 2864},
        "json": {"password": "s3cret-pass", "reboot": False},
    },
    "servers_update_hostname": lambda w: {
        "params": {"id": 2864},
        "json": {"hostname": "ubuntu-2gb.example.com"},
    },
    "servers_update_ssh_keys": lambda w: {"params": {"id": 2864}, "json": {"ssh_keys": [90, 91]}},
    "servers_modify_isos": lambda w: {
        "params": {"id": 2864},
        "json": {"primary_iso_id": 1, "secondary_iso_id": None},
    },
    "servers_restore": lambda w: {"params": {"id": 2864}, "json": {"snapshot_id": 116}},
    "servers_reinstall": lambda w: {
        "params": {"id": 2864},
        "json": {"image_id": 74, "password": "s3cret-pass", "ssh_keys": [90]},
    },
    "servers_renew": lambda w: {"json": {"server_ids": [2864], "billing_cycle": 3, "promo_code": "fall2403"}},
    "servers_change_primary_ip": lambda w: {"params": {"id": 2865}, "json": {"ip_id": w.second_ipv4_of_2865}},
    "servers_calculate_renew": lambda w: {
        "json": {"server_ids": [2864], "billing_cycle": 6, "promo_code": "fall2406"}
    },
    "measured_boot_images_list": lambda w: {},
    "measured_boot_images_upload": lambda w: {
        "files": [("file", ("kernel-new.efi", b"MZ" + b"\0" * 64, "application/octet-stream"))]
    },
    "measured_boot_images_delete": lambda w: {"params": {"id": 229}, "setup": _free_measured_boot},
    "servers_set_measured_boot": lambda w: {"params": {"id": 2873}, "json": {"kernel_image_id": 229}},
    "servers_scale_list_plans": lambda w: {"params": {"id": 2864}},
    "servers_scale": lambda w: {
        "params": {"id": 2864},
        "json": {"plan": "cloud-vps-4gb", "scale_disk": False},
    },
    "servers_scale_calculate": lambda w: {
        "params": {"id": 2864},
        "json": {"plan": "cloud-vps-4gb", "scale_disk": False},
    },
    "servers_addons_list": lambda w: {"params": {"server_id": 2864}},
    "servers_addons_purchase": lambda w: {
        "params": {"server_id": 2864},
        "json": {"cpanel": "cpanel-admin-5", "bandwidth": "100mbps-unmetered"},
    },
    "servers_addons_scale": lambda w: {"params": {"server_id": 2872}, "json": {"microsoft_rds_sal": 5}},
    "servers_addons_scale_calculate": lambda w: {
        "params": {"server_id": 2872},
        "json": {"microsoft_rds_sal": 5},
    },
    "servers_addons_cancel": lambda w: {
        "params": {"server_id": 2864, "server_addon_id": w.addon_of_2864},
        "json": {"reason": "string", "now": False},
    },
    "servers_addons_undo_cancel": lambda w: {
        "params": {"server_id": 2864, "server_addon_id": w.addon_of_2864},
        "setup": _cancel_addon_later,
    },
    "servers_rescue_enable": lambda w: {"params": {"id": 2864}},
    "servers_rescue_disable": lambda w: {"params": {"id": 2871}},
    # storage
    "snapshots_list": lambda w: {"query": {"filter[server_id]": 2864, "sort": "-date"}},
    "snapshots_delete": lambda w: {"params": {"id": 116}},
    "servers_snapshots_create": lambda w: {"params": {"id": 2864}, "json": {"name": "before-upgrade"}},
    "backups_list": lambda w: {"query": {"filter[server_id]": 2864}},
    "backups_delete": lambda w: {"params": {"id": 77}},
    "server_images_list": lambda w: {},
    "isos_list": lambda w: {},
    "isos_add": lambda w: {
        "json": {"name": "netboot.iso", "url": "https://boot.netboot.xyz/ipxe/netboot.xyz.iso"}
    },
    "isos_get": lambda w: {"params": {"id": 1}},
    "isos_delete": lambda w: {"params": {"id": 101}},
    # floating IPs and addresses
    "floating_ips_list": lambda w: {"query": {"per_page": 10}},
    "floating_ips_plans": lambda w: {},
    "floating_ips_purchase": lambda w: {
        "json": {"billing_cycle": 1, "ipv4": 1, "ipv4_ddos": 0, "ipv6": 0, "server_id": 2864}
    },
    "floating_ips_cancel": lambda w: {
        "json": {"ids": [610], "now": False, "reason": "No longer needed service."}
    },
    "floating_ips_cancel_undo": lambda w: {"json": {"ids": [602]}},
    "floating_ips_attach": lambda w: {"json": {"ids": [602], "server_id": 2864}},
    "floating_ips_detach": lambda w: {"json": {"ids": [608]}},
    "ip_addresses_update": lambda w: {"params": {"id": w.ipv4_of_2864}, "json": {"ptr": "example.com"}},
    # network protection
    "network_protection_get": lambda w: {"params": {"id": w.protection}},
    "network_protection_geo_get": lambda w: {"params": {"id": w.protection}},
    "network_protection_geo_set": lambda w: {
        "params": {"id": w.protection},
        "json": {"action": "allow", "countries": ["BG"]},
    },
    "network_protection_geo_update": lambda w: {"params": {"id": w.protection}, "json": {"action": "deny"}},
    "network_protection_geo_delete": lambda w: {"params": {"id": w.protection}},
    **{
        f"network_protection_{kind}_{verb}": (
            lambda verb: (
                lambda w: {
                    "params": {"id": w.protection},
                    **(
                        {"json": {"networks": ["100.100.200.100", "100.100.100.0/24"]}}
                        if verb in ("set", "update")
                        else {}
                    ),
                }
            )
        )(verb)
        for kind in ("whitelist", "blacklist")
        for verb in ("get", "set", "update", "delete")
    },
    "network_protection_bandwidth": lambda w: {"params": {"id": w.protection}},
    "network_protection_blocked_ips": lambda w: {"params": {"id": w.protection}},
    "network_protection_attacks_list": lambda w: {"params": {"id": w.protection}, "query": {"per_page": 2}},
    "network_protection_attack_get": lambda w: {
        "params": {"id": w.protection, "attack_id": "qAEbdFBBluE9bYI"}
    },
    "network_protection_attack_bandwidth": lambda w: {
        "params": {"id": w.protection, "attack_id": "qAEbdFBBluE9bYI"}
    },
}


def _prepare_2fa(w: World, case: dict[str, Any]) -> None:
    r = requests.get(w.running.base_url + "/user/2fa", headers=w.running.headers("beta_rw"), timeout=5)
    secret = r.json()["secret_key"]
    case["json"] = {"secret_key": secret, "otp": int(totp(secret, w.running.sim.clock.now()))}


def _cancel_support_plan(w: World, case: dict[str, Any]) -> None:
    r = requests.post(
        w.running.base_url + "/support/cancel",
        json={"reason": "x", "now": False},
        headers=w.running.headers(),
        timeout=5,
    )
    assert r.status_code == 204, r.text


def _free_measured_boot(w: World, case: dict[str, Any]) -> None:
    w.state.coll("servers")["2873"]["_measured_boot"] = None


def _cancel_addon_later(w: World, case: dict[str, Any]) -> None:
    r = requests.post(
        f"{w.running.base_url}/servers/2864/addons/{w.addon_of_2864}",
        json={"reason": "x", "now": False},
        headers=w.running.headers(),
        timeout=5,
    )
    assert r.status_code == 204, r.text


def call(running: RunningSimulator, operation_id: str, case: dict[str, Any]) -> requests.Response:
    op = operations()[operation_id]
    path = op.template
    for name, value in case.get("params", {}).items():
        path = path.replace("{" + name + "}", str(value))
    kwargs: dict[str, Any] = {
        "params": case.get("query"),
        "timeout": 10,
        "headers": running.headers(case.get("token", "alpha_rw")),
    }
    if "files" in case or "data" in case:
        kwargs["data"] = case.get("data")
        kwargs["files"] = case.get("files") or [("_", ("", b""))]  # force multipart
    elif "json" in case:
        kwargs["json"] = case["json"]
    return requests.request(op.method, running.base_url + path, **kwargs)


def test_every_operation_has_a_handler() -> None:
    assert set(HANDLERS) == set(operations())


def test_every_operation_has_a_case() -> None:
    missing = sorted(set(operations()) - set(CASES))
    assert not missing, f"operations without a contract case: {missing}"
    assert not set(CASES) - set(operations()), "cases for operations the reference does not have"


@pytest.mark.parametrize("operation_id", sorted(operations()))
def test_operation_answers_per_reference(simulator: RunningSimulator, operation_id: str) -> None:
    case_factory = CASES.get(operation_id)
    assert case_factory is not None, f"no contract case for {operation_id}"
    world = World(simulator)
    case = case_factory(world)
    if "setup" in case:
        case.pop("setup")(world, case)
    response = call(simulator, operation_id, case)
    assert 200 <= response.status_code < 300, f"{operation_id}: {response.status_code} {response.text[:500]}"
    op = operations()[operation_id]
    if op.success_status.isdigit():
        assert response.status_code == int(op.success_status) or (
            op.success_status == "200" and response.status_code == 200
        ), f"{operation_id}: expected {op.success_status}, got {response.status_code}"
    if op.response_schema is not None and response.status_code != 204:
        assert response.headers["Content-Type"].startswith("application/json")
        validator = Draft202012Validator(op.response_schema, registry=registry())
        errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.absolute_path))
        assert not errors, f"{operation_id}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
        )
    elif op.response_media in ("application/pdf", "application/octet-stream"):
        assert response.content, f"{operation_id}: empty download"


# ---- error answers -------------------------------------------------------------------------------
# Every error status the reference lists for an operation (its own, and the conventional ones named
# in `x-conventional-responses`) is provoked for real and its body checked against the reference.

WRONG_TYPE = {"string": 5, "integer": "x", "number": "x", "boolean": "x", "array": "x", "object": "x"}

# Answers the success case cannot be turned into by a generic change, with the call that gives them.
ERROR_CASES: dict[tuple[str, str], Case] = {
    ("affiliate_get", "404"): lambda w: {"token": "beta_rw"},  # beta is not in the programme
    ("affiliate_activate", "422"): lambda w: {},  # alpha is in it already
}
# 422s of operations without a body or a `page` to get wrong, with the input that provokes them.
INVALID_INPUT: dict[str, Case] = {
    "servers_metrics": lambda w: {"params": {"id": 2864}, "query": {"filter[month]": 13}},
    "servers_bandwidth": lambda w: {"params": {"id": 2864}, "query": {"filter[start]": -1}},
    "network_protection_bandwidth": lambda w: {"params": {"id": w.protection}, "query": {"filter[end]": -1}},
}
# Listed by the reference's conventions, but these take no input the simulator could find wrong
# (`include[]` of a server names no values in the reference).
NEVER_422 = {
    "user_get",
    "user_2fa_get_secret",
    "balance_get",
    "affiliate_get",
    "invoices_download",
    "plans_promo_codes",
    "servers_get",
}


def error_cases() -> list[tuple[str, str]]:
    spec = load_spec()
    found = []
    for item in spec["paths"].values():
        for method in ("get", "post", "put", "patch", "delete"):
            op = item.get(method)
            if op:
                found.extend(
                    (op["operationId"], code)
                    for code in op["responses"]
                    if code[0] in "45" and not (code == "422" and op["operationId"] in NEVER_422)
                )
    return sorted(found)


def error_schema(operation_id: str, code: str) -> dict[str, Any] | None:
    """The body schema the reference gives the answer, through `components.responses`."""
    op = operations()[operation_id]
    response = load_spec()["paths"][op.template][op.method.lower()]["responses"][code]
    pointer = f"/paths/{pointer_escape(op.template)}/{op.method.lower()}/responses/{code}"
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
        response = load_spec()["components"]["responses"][pointer.rsplit("/", 1)[1]]
    if "schema" not in (response.get("content") or {}).get("application/json", {}):
        return None
    return ref_schema(pointer + "/content/application~1json/schema")


def provoke(world: World, operation_id: str, code: str) -> dict[str, Any]:
    """A call of `operation_id` that must answer `code` (the success case, made wrong)."""
    op = operations()[operation_id]
    if (operation_id, code) in ERROR_CASES:
        return ERROR_CASES[operation_id, code](world)
    case = CASES[operation_id](world)
    if "setup" in case:
        case.pop("setup")(world, case)
    if code == "401":
        case["token"] = "not-a-token"
    elif code == "403":
        case["token"] = "alpha_ro"
    elif code == "404":
        case["params"] = {
            name: value if name == "service_type" else "nope" if name == "attack_id" else 999999
            for name, value in case["params"].items()
        }
    elif code == "423":
        server_id = case["params"]["server_id" if "{server_id}" in op.template else "id"]
        server = world.state.coll("servers")[str(server_id)]
        start_action(world.state, server, "reinstall", world.running.sim.clock.now(), 60)
    elif code == "422":
        if operation_id in INVALID_INPUT:
            return INVALID_INPUT[operation_id](world)
        if op.body_required:
            for key in ("json", "data", "files"):
                case.pop(key, None)  # the body the reference requires never comes
        elif op.body_schema is not None:
            name, schema = next(iter(deref(op.body_schema)["properties"].items()))
            case["json"] = {name: WRONG_TYPE[schema["type"]]}
        else:
            case["query"] = {"page": 0}
    return case


def deref(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = registry().resolver(SPEC_URI).lookup(schema["$ref"]).contents
    return schema


def test_every_error_answer_of_the_reference_is_checked() -> None:
    statuses = {code for _op, code in error_cases()}
    assert statuses == {"401", "403", "404", "422", "423", "429", "500"}
    assert len(error_cases()) > 500


@pytest.mark.parametrize(("operation_id", "code"), error_cases())
def test_error_answer_per_reference(monkeypatch: pytest.MonkeyPatch, operation_id: str, code: str) -> None:
    with simulator_fixture(rate_limit=1 if code == "429" else None) as running:
        world = World(running)
        case = provoke(world, operation_id, code)
        if code == "429":  # the token's one request of the minute goes first
            token = running.headers(case.get("token", "alpha_rw"))
            requests.get(running.base_url + "/user", headers=token, timeout=10)
        if code == "500":
            monkeypatch.setitem(HANDLERS, operation_id, _crash)
            # The crash's traceback would be logged; capturing it costs a third of a second a test.
            monkeypatch.setattr(logging.getLogger("vpsbg_api.simulator"), "disabled", True)
        before = running.sim.state.snapshot()
        response = call(running, operation_id, case)
        assert response.status_code == int(code), f"{operation_id}: {response.status_code} {response.text}"
        assert response.headers["Content-Type"].startswith("application/json")
        body = response.json()
        assert isinstance(body.get("message"), str) and body["message"]
        if code == "422":
            assert body["errors"] and all(body["errors"].values())
        assert running.sim.state.snapshot() == before, f"{operation_id}: refused, yet changed the state"
    schema = error_schema(operation_id, code)
    if schema is not None:
        errors = list(Draft202012Validator(schema, registry=registry()).iter_errors(body))
        assert not errors, f"{operation_id} {code}: {[e.message for e in errors]}"


def _crash(ctx: Any) -> None:
    raise RuntimeError("handler bug")
